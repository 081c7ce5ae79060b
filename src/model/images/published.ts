import { posix } from 'node:path';
import type { CiPipeline } from '../gitlab-ci/types.js';
import { writtenJobs } from '../gitlab-ci/parallel.js';
import type { PublishedImage } from './types.js';
import { ciVariables, type CiVariableContext } from './ci-variables.js';
import { resolveImage } from './resolve.js';
import { leadingAssignments, simpleCommands } from './shell.js';
import type { VariableLookup } from './variables.js';

/** An image a command writes to a registry, as written, and the command's short name. */
interface Destination {
  written: string;
  command: string;
}

/** Flags of the recognized tools that take a separate value, so that the value is not read as an argument. */
const VALUE_FLAGS: ReadonlySet<string> = new Set([
  '--platform', '--build-arg', '-f', '--file', '--target', '--cache-from', '--cache-to', '--label', '--secret', '--ssh',
  '--network', '--progress', '--output', '-o', '--iidfile', '--builder', '--authfile', '--creds', '--src-creds', '--dest-creds',
  '--format', '-j', '--jobs', '--cert-dir', '--src-cert-dir', '--dest-cert-dir', '--registry-token', '--src-registry-token',
  '--dest-registry-token', '--context', '-c', '--dockerfile', '--cache-repo', '--tarPath', '--digest-file', '--image-name-with-digest-file',
]);

/**
 * Images that CI jobs publish: `docker|podman|nerdctl push X`, `docker build|buildx build -t/--tag X`,
 * `docker tag A X`, `buildx imagetools create -t X`, kaniko's `--destination X`, `crane copy|cp A X`,
 * `crane push T X`, `crane tag X T`, `skopeo copy A docker://X`, `buildah push A [docker://X]` and
 * `buildah bud|build -t X`. `$VARS` resolve from the job's variables (see `ciVariables`; pass `context` for the
 * YAML-defined and predefined ones) and earlier `NAME=value` lines of its script.
 */
export function extractPublishedImages(ci: CiPipeline | undefined, context: CiVariableContext = {}): PublishedImage[] {
  if (!ci) return [];
  const published: PublishedImage[] = [];
  for (const { job, name } of writtenJobs(ci.jobs)) {
    const jobVariables = ciVariables(job, ci, context);
    const assigned = new Map<string, string>();
    const lookup: VariableLookup = (name) => assigned.get(name) ?? jobVariables(name);
    for (const line of job.script) {
      for (const words of simpleCommands(line.text)) {
        const { assignments, rest } = leadingAssignments(words);
        if (rest.length === 0 || rest[0] === 'export') {
          const exported = rest.length === 0 ? assignments : leadingAssignments(rest.slice(1)).assignments;
          for (const [name, value] of exported) assigned.set(name, value);
          continue;
        }
        for (const destination of destinationsOf(stripWrappers(rest))) {
          const resolved = resolveImage(destination.written, lookup);
          const reference = resolved.ok ? resolved.reference : undefined;
          published.push({
            raw: resolved.text,
            registry: reference?.registry ?? '',
            repository: reference?.repository ?? resolved.text,
            ...(reference?.tag !== undefined ? { tag: reference.tag } : {}),
            ...(reference?.digest !== undefined ? { digest: reference.digest } : {}),
            dynamic: resolved.ok && resolved.dynamic,
            command: destination.command,
            job: name,
            origin: line.origin,
          });
        }
      }
    }
  }
  return published;
}

function stripWrappers(words: readonly string[]): string[] {
  let rest = [...words];
  while (rest[0] === 'sudo' || rest[0] === 'exec' || rest[0] === 'command' || rest[0] === 'time') rest = rest.slice(1);
  return rest;
}

function destinationsOf(argv: readonly string[]): Destination[] {
  const program = posix.basename(argv[0] ?? '');
  const args = argv.slice(1);
  if (program === 'docker' || program === 'podman' || program === 'nerdctl') return containerCli(program, args);
  if (program === 'buildah') return buildah(args);
  if (program === 'crane') return crane(args);
  if (program === 'skopeo') return skopeo(args);
  if (program === 'executor' || program.includes('kaniko') || args.some((arg) => arg === '--destination' || arg.startsWith('--destination='))) {
    return flagValues(args, ['--destination', ...(program === 'executor' || program.includes('kaniko') ? ['-d'] : [])]).map((written) => ({ written, command: 'kaniko' }));
  }
  return [];
}

function containerCli(program: string, args: readonly string[]): Destination[] {
  let rest = args[0] === 'image' ? args.slice(1) : [...args];
  let prefix = program;
  if (rest[0] === 'buildx') {
    prefix = `${program} buildx`;
    rest = rest.slice(1);
    if (rest[0] === 'imagetools' && rest[1] === 'create') return tagged(rest.slice(2), `${prefix} imagetools create`);
  }
  const sub = rest[0];
  const subArgs = rest.slice(1);
  if (sub === 'push') return positionals(subArgs).slice(0, 1).map((written) => ({ written, command: `${prefix} push` }));
  if (sub === 'build') return tagged(subArgs, `${prefix} build`);
  if (sub === 'tag') return positionals(subArgs).slice(1, 2).map((written) => ({ written, command: `${prefix} tag` }));
  return [];
}

function buildah(args: readonly string[]): Destination[] {
  const sub = args[0];
  if (sub === 'bud' || sub === 'build') return tagged(args.slice(1), `buildah ${sub}`);
  if (sub !== 'push') return [];
  const [image, destination] = positionals(args.slice(1));
  const target = destination ?? image;
  const written = target === undefined ? undefined : dockerTransport(target);
  return written === undefined ? [] : [{ written, command: 'buildah push' }];
}

function crane(args: readonly string[]): Destination[] {
  const sub = args[0];
  const [first, second] = positionals(args.slice(1));
  if ((sub === 'copy' || sub === 'cp' || sub === 'push') && second !== undefined) return [{ written: second, command: `crane ${sub}` }];
  if (sub === 'tag' && first !== undefined && second !== undefined) {
    // `crane tag IMAGE TAG` adds TAG to IMAGE's repository.
    const repository = first.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
    return [{ written: `${repository}:${second}`, command: 'crane tag' }];
  }
  if (sub === 'append' || sub === 'mutate' || sub === 'rebase' || sub === 'flatten') return tagged(args.slice(1), `crane ${sub}`);
  return [];
}

function skopeo(args: readonly string[]): Destination[] {
  if (args[0] !== 'copy' && args[0] !== 'sync') return [];
  const destination = positionals(args.slice(1))[1];
  const written = destination === undefined ? undefined : dockerTransport(destination);
  return written === undefined ? [] : [{ written, command: `skopeo ${args[0]}` }];
}

/** `docker://x` is x; other transports (`oci:`, `dir:`, `docker-archive:`) write no registry. */
function dockerTransport(target: string): string | undefined {
  if (target.startsWith('docker://')) return target.slice('docker://'.length);
  if (/^(oci|oci-archive|dir|docker-archive|docker-daemon|containers-storage):/.test(target)) return undefined;
  return target;
}

function tagged(args: readonly string[], command: string): Destination[] {
  return flagValues(args, ['-t', '--tag']).map((written) => ({ written, command }));
}

/** Values of the given flags, written `--flag value`, `--flag=value` or `-tvalue` for one-letter flags. */
function flagValues(args: readonly string[], flags: readonly string[]): string[] {
  const values: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    for (const flag of flags) {
      if (arg === flag && index + 1 < args.length) values.push(args[++index] ?? '');
      else if (arg.startsWith(`${flag}=`)) values.push(arg.slice(flag.length + 1));
    }
  }
  return values.filter((value) => value !== '');
}

/** Arguments that are not flags or flag values. */
function positionals(args: readonly string[]): string[] {
  const result: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg.startsWith('-')) {
      if (VALUE_FLAGS.has(arg)) index += 1;
      continue;
    }
    result.push(arg);
  }
  return result;
}
