import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { builtinPolicyPaths, packageRoot } from '../../package.js';

const execFileAsync = promisify(execFile);

/** An opa binary that answered `opa version`. */
export interface OpaCli {
  path: string;
  version: string;
}

export class OpaNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OpaNotFoundError';
  }
}

export class OpaCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    /** opa's stdout and stderr: compile errors come on either, depending on the command. */
    readonly output: string,
  ) {
    super(`opa ${args[0] ?? ''} failed:\n${output}`);
    this.name = 'OpaCommandError';
  }
}

/** The opa version the shipped bundle was built with, which custom policies should be built with too. */
export function pinnedOpaVersion(): string {
  try {
    const parsed: unknown = JSON.parse(readFileSync(builtinPolicyPaths().metadata, 'utf8'));
    const version = (parsed as { opaVersion?: unknown }).opaVersion;
    if (typeof version === 'string') return version;
  } catch {
    // fall through: a checkout without built policies still has the pin
  }
  const pinFile = join(packageRoot(), 'scripts', 'opa-version');
  return existsSync(pinFile) ? readFileSync(pinFile, 'utf8').trim() : 'latest';
}

export function opaInstallHint(): string {
  const version = pinnedOpaVersion();
  return `go install github.com/open-policy-agent/opa@${version === 'latest' ? version : `v${version}`}`;
}

const versions = new Map<string, Promise<string | undefined>>();

/**
 * Finds opa: an explicit path (option or FLEETLINT_OPA) is the only candidate when given; otherwise the
 * repo-local `.tools/bin/opa` (scripts/install-opa.sh) and then `opa` on PATH.
 */
export async function findOpa(options: { opaPath?: string } = {}): Promise<OpaCli | undefined> {
  const explicit = options.opaPath ?? process.env.FLEETLINT_OPA;
  const local = join(packageRoot(), '.tools', 'bin', 'opa');
  const candidates = explicit !== undefined ? [explicit] : [...(existsSync(local) ? [local] : []), 'opa'];
  for (const path of candidates) {
    let version = versions.get(path);
    if (version === undefined) {
      version = probeVersion(path);
      versions.set(path, version);
    }
    const found = await version;
    if (found !== undefined) return { path, version: found };
  }
  return undefined;
}

async function probeVersion(path: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync(path, ['version'], { encoding: 'utf8' });
    return /^Version: (.+)$/m.exec(stdout)?.[1]?.trim();
  } catch {
    return undefined;
  }
}

/** Like findOpa, but a missing opa is an error that says what needs it and how to install it. */
export async function requireOpa(what: string, options: { opaPath?: string } = {}): Promise<OpaCli> {
  const opa = await findOpa(options);
  if (opa) return opa;
  const looked = options.opaPath ?? process.env.FLEETLINT_OPA ?? `${join(packageRoot(), '.tools', 'bin', 'opa')} and PATH`;
  throw new OpaNotFoundError(`${what} needs the opa CLI, which was not found (looked at ${looked}). Install it with \`${opaInstallHint()}\` and put it on PATH.`);
}

export async function runOpa(opa: OpaCli, args: readonly string[], cwd?: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(opa.path, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message?: string };
    const output = `${failed.stdout ?? ''}${failed.stderr ?? ''}`.trim() || (failed.message ?? String(error));
    throw new OpaCommandError(args, output);
  }
}
