import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseYamlFile, type ParsedYamlFile } from '../../src/model/yaml/parse.js';
import type { CiFileLookup, CiJob, CiPipeline, CiResolveContext, CiScriptLine } from '../../src/model/gitlab-ci/types.js';
import { resolvePipeline } from '../../src/model/gitlab-ci/resolve.js';
import type { FindingDraft } from '../../src/model/findings.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Repo id → file path → YAML text. A key `file@ref` is that file at an `include: ref:`. */
export type FleetFiles = Record<string, Record<string, string>>;

export interface TestFleet {
  /** Every file parsed once; the lookup hands out these shared objects. */
  parsed: Map<string, Map<string, ParsedYamlFile>>;
  parseDiagnostics: FindingDraft[];
  lookups: { repo: string; file: string; ref: string | undefined }[];
  context(repoId: string, extra?: Partial<CiResolveContext>): CiResolveContext;
}

/** An in-memory fleet: project paths are `homelab/<repo id>`. */
export function testFleet(files: FleetFiles, group = 'homelab'): TestFleet {
  const parsed = new Map<string, Map<string, ParsedYamlFile>>();
  const parseDiagnostics: FindingDraft[] = [];
  for (const [repo, repoFiles] of Object.entries(files)) {
    const map = new Map<string, ParsedYamlFile>();
    for (const [file, text] of Object.entries(repoFiles)) {
      const result = parseYamlFile(repo, file.replace(/@.*$/, ''), text);
      parseDiagnostics.push(...result.diagnostics);
      map.set(file, result.parsed);
    }
    parsed.set(repo, map);
  }
  const lookups: TestFleet['lookups'] = [];
  const lookup: CiFileLookup = (repo, file, ref) => {
    lookups.push({ repo, file, ref });
    const repoFiles = parsed.get(repo);
    if (!repoFiles) return 'unavailable';
    return (ref === undefined ? undefined : repoFiles.get(`${file}@${ref}`)) ?? repoFiles.get(file) ?? 'missing';
  };
  return {
    parsed,
    parseDiagnostics,
    lookups,
    context: (repoId, extra = {}) => ({
      repoId,
      lookup,
      resolveProject: (projectPath) => {
        const id = projectPath.startsWith(`${group}/`) ? projectPath.slice(group.length + 1) : undefined;
        return id !== undefined && parsed.has(id) ? id : undefined;
      },
      fleetGroup: group,
      listFiles: (repo) => [...(parsed.get(repo)?.keys() ?? [])],
      ...extra,
    }),
  };
}

/** Reads every YAML file under a folder (dot-folders included) as one repo's files. */
export function readRepoDir(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (current: string): void => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.ya?ml$/.test(entry.name)) files[path.relative(dir, full).split(path.sep).join('/')] = fs.readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return files;
}

/** Resolves `repo`'s pipeline in an in-memory fleet; fails the test when the resolver gives no pipeline. */
export function resolveIn(files: FleetFiles, repo = 'app', extra: Partial<CiResolveContext> = {}): { pipeline: CiPipeline; diagnostics: FindingDraft[]; fleet: TestFleet } {
  const fleet = testFleet(files);
  const result = resolvePipeline(fleet.context(repo, extra));
  if (!result.pipeline) throw new Error(`no pipeline for ${repo}: ${JSON.stringify(result.diagnostics)}`);
  return { pipeline: result.pipeline, diagnostics: result.diagnostics, fleet };
}

/** One repo with a `.gitlab-ci.yml` (and optional other files). */
export function resolveCi(ci: string, other: Record<string, string> = {}, extra: Partial<CiResolveContext> = {}): { pipeline: CiPipeline; diagnostics: FindingDraft[] } {
  return resolveIn({ app: { '.gitlab-ci.yml': ci, ...other } }, 'app', extra);
}

export function jobOf(pipeline: CiPipeline, name: string): CiJob {
  const job = pipeline.jobs.find((candidate) => candidate.name === name);
  if (!job) throw new Error(`no job ${name}; jobs: ${pipeline.jobs.map((j) => j.name).join(', ')}`);
  return job;
}

export function scriptOf(job: CiJob, section?: CiScriptLine['section']): string[] {
  return job.script.filter((line) => section === undefined || line.section === section).map((line) => line.text);
}

/** `ruleId@file:line` of each finding, for compact assertions. */
export function brief(diagnostics: readonly FindingDraft[]): string[] {
  return diagnostics.map((d) => `${d.ruleId}@${d.file ?? ''}:${d.range?.startLine ?? 0}`);
}
