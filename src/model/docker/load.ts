import { posix } from 'node:path';
import type { FindingDraft } from '../findings.js';
import { originAtLine } from '../origin.js';
import type { RepoFile } from '../types.js';
import { expandVariables } from '../images/variables.js';
import type { Dockerfile, DockerfileStage } from './types.js';
import { logicalLines, positionOf, words, type LogicalLine } from './lines.js';

/** `Dockerfile`, `Dockerfile.dev`, `api.Dockerfile`, `Containerfile`, in any case; not `Dockerfile.md` or `.dockerignore` files. */
export function isDockerfileName(file: string): boolean {
  const base = posix.basename(file).toLowerCase();
  if (/\.(md|txt|rst|adoc|html|dockerignore|orig|bak|swp)$/.test(base)) return false;
  return /^(dockerfile|containerfile)(\..+)?$/.test(base) || /.\.(dockerfile|containerfile)$/.test(base);
}

export interface DockerLoadResult {
  dockerfiles: Dockerfile[];
  diagnostics: FindingDraft[];
}

export function loadDockerfiles(repo: string, files: readonly RepoFile[]): DockerLoadResult {
  const dockerfiles: Dockerfile[] = [];
  const diagnostics: FindingDraft[] = [];
  for (const file of files) {
    if (file.text === undefined || !isDockerfileName(file.path)) continue;
    const parsed = parseDockerfile(repo, file.path, file.text);
    dockerfiles.push(parsed.dockerfile);
    diagnostics.push(...parsed.diagnostics);
  }
  return { dockerfiles, diagnostics };
}

/** Stages of one Dockerfile. ARGs declared before the first FROM are the only variables FROM can use. */
export function parseDockerfile(repo: string, file: string, text: string): { dockerfile: Dockerfile; diagnostics: FindingDraft[] } {
  const stages: DockerfileStage[] = [];
  const diagnostics: FindingDraft[] = [];
  // A global ARG without a default is a build-arg: unknown here (undefined).
  const globalArgs = new Map<string, string | undefined>();
  const stageNames = new Set<string>();

  for (const line of logicalLines(text)) {
    const parts = words(line.text);
    const keyword = parts[0]?.word.toUpperCase();
    if (keyword === 'ARG' && stages.length === 0) {
      for (const { word } of parts.slice(1)) declareArg(globalArgs, word);
    } else if (keyword === 'FROM') {
      const stage = parseFrom(repo, file, line, parts.slice(1), globalArgs, stageNames);
      if ('problem' in stage) {
        diagnostics.push({ ruleId: 'parse-error', severity: 'error', message: stage.problem, repo, file, range: stage.origin.range, subject: `FROM at stage ${stages.length + 1}` });
        continue;
      }
      stages.push(stage);
      if (stage.name !== undefined) stageNames.add(stage.name.toLowerCase());
    }
  }
  return { dockerfile: { file, stages }, diagnostics };
}

function declareArg(args: Map<string, string | undefined>, word: string): void {
  const equals = word.indexOf('=');
  if (equals === -1) {
    if (!args.has(word)) args.set(word, undefined);
    return;
  }
  args.set(word.slice(0, equals), unquote(word.slice(equals + 1)));
}

function unquote(value: string): string {
  const quoted = /^(["'])(.*)\1$/s.exec(value);
  return quoted ? (quoted[2] ?? '') : value;
}

function parseFrom(
  repo: string,
  file: string,
  line: LogicalLine,
  args: { word: string; offset: number }[],
  globalArgs: ReadonlyMap<string, string | undefined>,
  stageNames: ReadonlySet<string>,
): DockerfileStage | { problem: string; origin: ReturnType<typeof originAtLine> } {
  const rest = args.filter(({ word }) => !word.startsWith('--'));
  const image = rest[0];
  if (!image) return { problem: 'FROM has no image', origin: originAtLine(repo, file, line.line) };
  const start = positionOf(line, image.offset);
  const origin = originAtLine(repo, file, start.line, start.column, start.column + image.word.length);
  const asKeyword = rest[1];
  const name = asKeyword?.word.toLowerCase() === 'as' ? rest[2]?.word : undefined;
  if (asKeyword && name === undefined) return { problem: `FROM ${image.word}: expected "AS <name>" after the image`, origin };

  const expanded = expandVariables(image.word, (variable) => globalArgs.get(variable), { dockerModifiers: true });
  return {
    from: image.word,
    resolvedFrom: expanded.text,
    ...(name !== undefined ? { name } : {}),
    isStageReference: stageNames.has(expanded.text.toLowerCase()),
    dynamic: expanded.unresolved.length > 0,
    origin,
  };
}
