import { existsSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PolicyHost } from '../wasm/host.js';
import { parsePolicyMetadataFile, policiesFromInspect, type PolicyMetadata } from '../wasm/metadata.js';
import { loadPolicySet, readPolicyMetadata, type PolicySet } from '../wasm/policy-set.js';
import { buildWasm, cachedBuild, defaultCacheDir, listRegoSources, PolicyCompileError, sourcesKey, stageSources, type RegoSource } from './compile.js';
import { findOpa, opaInstallHint, runOpa, type OpaCli } from './opa.js';

export interface RegoLoadOptions {
  /** An opa binary to use instead of `.tools/bin/opa` or PATH. */
  opaPath?: string;
  /** Where compiled policies are cached; `.fleetlint-cache` in the working directory by default. */
  cacheDir?: string;
}

/** The artifact names a policies folder may hold instead of (or next to) its sources, in order of preference. */
const PREBUILT_NAMES = ['bundle.tar.gz', 'policy.wasm'];

/**
 * Loads a custom policies folder written to the same convention as the built-in policies (see
 * scripts/build-policies.mjs), except that file names are free. Sources are compiled when opa is available;
 * otherwise a prebuilt `bundle.tar.gz`/`policy.wasm` in the folder is used as is. `location` may also be the
 * path of a prebuilt artifact.
 */
export async function loadCustomPolicies(location: string, options: RegoLoadOptions = {}): Promise<PolicySet> {
  const info = await stat(location).catch(() => undefined);
  if (!info) throw new PolicyCompileError(location, 'no such file or folder');
  if (info.isFile()) return loadPrebuilt(location);

  const sources = await listRegoSources(location);
  const prebuilt = await findPrebuilt(location);
  if (sources.length > 0) {
    const opa = await findOpa(options);
    if (opa) return compileCustom(location, sources, opa, options.cacheDir ?? defaultCacheDir());
    if (prebuilt === undefined) {
      throw new PolicyCompileError(
        location,
        `compiling .rego policies needs the opa CLI, which was not found. Install it with \`${opaInstallHint()}\` (on PATH), ` +
          'or build the folder once with `opa build -t wasm -e <package path>/deny ...` and put bundle.tar.gz in it.',
      );
    }
  }
  if (prebuilt !== undefined) return loadPrebuilt(prebuilt);
  throw new PolicyCompileError(location, 'no .rego policies and no prebuilt bundle.tar.gz or policy.wasm');
}

async function compileCustom(dir: string, sources: RegoSource[], opa: OpaCli, cacheDir: string): Promise<PolicySet> {
  const { dir: built, meta } = await cachedBuild({
    cacheDir,
    key: { kind: 'custom', opa: opa.version, sources: sourcesKey(sources) },
    validate: (value) => parsePolicyMetadataFile(value, 'policy cache'),
    produce: async (out) => {
      const stage = await stageSources(sources);
      try {
        const inspected: unknown = JSON.parse(await runOpa(opa, ['inspect', '-a', '--format', 'json', '.'], stage).catch((error: unknown) => {
          throw new PolicyCompileError(dir, error instanceof Error ? error.message : String(error));
        }));
        const { policies, problems } = policiesFromInspect(inspected, { requireFileNames: false });
        if (problems.length > 0) throw new PolicyCompileError(dir, `policy convention problems:\n  ${problems.join('\n  ')}`);
        if (policies.length === 0) throw new PolicyCompileError(dir, 'no policy packages (package fleetlint.<id> with a # METADATA block)');
        await buildWasm(opa, stage, policies.map((p) => p.entrypoint), join(out, 'bundle.tar.gz'), dir);
        return { opaVersion: opa.version, policies };
      } finally {
        await rm(stage, { recursive: true, force: true });
      }
    },
  });
  return loadPolicySet(dir, join(built, 'bundle.tar.gz'), meta.policies);
}

async function findPrebuilt(dir: string): Promise<string | undefined> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.tar.gz') || name.endsWith('.wasm')).sort();
  const preferred = PREBUILT_NAMES.find((name) => names.includes(name)) ?? (names.length === 1 ? names[0] : undefined);
  return preferred === undefined ? undefined : join(dir, preferred);
}

/**
 * A prebuilt artifact: its metadata comes from a `metadata.json` next to it (as `npm run policies:build`
 * writes), or is derived from `fleetlint/<id>/deny` entrypoints with default severity and scope.
 */
async function loadPrebuilt(path: string): Promise<PolicySet> {
  const metadataPath = join(dirname(path), 'metadata.json');
  if (existsSync(metadataPath)) return loadPolicySet(path, path, await readPolicyMetadata(metadataPath));
  const host = await PolicyHost.fromFile(path);
  const policies = host.entrypoints.flatMap((entrypoint) => derivedMetadata(entrypoint, basename(path)));
  if (policies.length === 0) {
    throw new PolicyCompileError(path, `no fleetlint/<id>/deny entrypoints (it has: ${host.entrypoints.join(', ') || 'none'}) and no metadata.json next to it`);
  }
  return { source: path, host, policies };
}

function derivedMetadata(entrypoint: string, file: string): PolicyMetadata[] {
  const match = /^fleetlint\/([a-z0-9_]+)\/deny$/.exec(entrypoint);
  if (!match?.[1]) return [];
  const id = match[1].replaceAll('_', '-');
  return [{ id, title: id, description: `Rego policy ${id} (prebuilt, no metadata.json)`, severity: 'error', scope: 'repo', help: '', tags: [], package: `fleetlint.${match[1]}`, entrypoint, file }];
}
