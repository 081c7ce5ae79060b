/** Shared by the audit tests: running the CLI in-process, reading reports, serving fixture repos from a local GitLab. */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { vi } from 'vitest';
import { parse } from 'yaml';
import { audit } from '../../src/cli/commands/audit.js';
import { merge } from '../../src/cli/commands/merge.js';
import { auditFacts } from '../../src/cli/audit-output.js';
import { configure } from '../../src/cli/configure.js';
import { Progress } from '../../src/cli/progress.js';
import { localCandidates, openFleet } from '../../src/run/open-fleet.js';
import { runChecks, type RunResult } from '../../src/engine/runner.js';
import type { Fleet } from '../../src/model/types.js';
import { packageRoot } from '../../src/package.js';
import type { ReportInput } from '../../src/report/types.js';

export const HOMELAB = join(packageRoot(), 'fixtures', 'homelab');
/** The seed fleet's config (extends: [homelab]), for runs whose fleet root is not fixtures/homelab: merge, clones. */
export const HOMELAB_CONFIG = join(HOMELAB, 'fleetlint.config.yaml');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `fleetlint <command> ...argv` in this process with stdout and stderr captured and `env` set. */
export async function runCli(command: 'audit' | 'merge', argv: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  const saved = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(env)) {
    saved.set(key, process.env[key]);
    if (value === undefined) Reflect.deleteProperty(process.env, key);
    else process.env[key] = value;
  }
  try {
    const code = await (command === 'audit' ? audit(argv) : merge(argv));
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    for (const [key, value] of saved) {
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
    }
  }
}

export interface JsonReport {
  formatVersion: number;
  repos: string[];
  findings: { ruleId: string; severity: string; repo: string; file?: string; range?: { startLine: number }; message: string; subject?: string; fingerprint: string; suppression?: unknown }[];
  summary: Record<string, unknown>;
  timings?: unknown;
}

/** A JSON report without its timings: what must be byte-identical between equivalent runs. */
export async function readReport(path: string): Promise<JsonReport> {
  const report = JSON.parse(await readFile(path, 'utf8')) as JsonReport;
  delete report.timings;
  return report;
}

export async function readStats(path: string): Promise<{ checks: { evaluated: number; reused: number }; repos: Record<string, number>; gitlabPages?: number }> {
  return JSON.parse(await readFile(path, 'utf8')) as { checks: { evaluated: number; reused: number }; repos: Record<string, number>; gitlabPages?: number };
}

/** The repo ids fixtures/homelab lists in its fleet.yaml. */
export async function homelabRepoIds(): Promise<string[]> {
  const manifest = parse(await readFile(join(HOMELAB, 'fleet.yaml'), 'utf8')) as { repos: (string | { path: string })[] };
  return manifest.repos.map((entry) => (typeof entry === 'string' ? entry : entry.path)).sort();
}

/** Every file of a fixture repo, by repo-relative path (the fixture fleet is all text). */
export async function repoFiles(id: string): Promise<Record<string, string>> {
  const dir = join(HOMELAB, id);
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: Record<string, string> = {};
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[relative(dir, path).split('\\').join('/')] = await readFile(path, 'utf8');
  }
  return files;
}

/** fixtures/homelab audited in-process: the model, the run, and the audit report's input with the model's facts. */
export function auditHomelabInProcess(): Promise<{ fleet: Fleet; result: RunResult; input: ReportInput }> {
  homelabAudit ??= auditHomelab();
  return homelabAudit;
}

let homelabAudit: Promise<{ fleet: Fleet; result: RunResult; input: ReportInput }> | undefined;

async function auditHomelab(): Promise<{ fleet: Fleet; result: RunResult; input: ReportInput }> {
  const { config, checks } = await configure(undefined, HOMELAB);
  const opened = await openFleet(await localCandidates(HOMELAB), { providers: config.providers, progress: new Progress({ quiet: true }) });
  const result = await runChecks({ fleet: opened.fleet, checks, config, today: new Date('2025-01-01T00:00:00Z') });
  const input: ReportInput = {
    result,
    toolVersion: '0.1.0',
    repos: opened.fleet.repos.map((repo) => repo.id),
    command: 'audit',
    audit: { facts: auditFacts(opened.fleet, config, checks) },
  };
  return { fleet: opened.fleet, result, input };
}
