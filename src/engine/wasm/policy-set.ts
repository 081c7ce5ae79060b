import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { PolicyHost } from './host.js';
import { parsePolicyMetadataFile, type PolicyMetadata } from './metadata.js';
import { builtinPolicyPaths } from '../../package.js';

/** Compiled policies and their metadata: what the runner turns into checks. */
export interface PolicySet {
  /** Where the policies came from, for messages: a folder, a bundle or "built-in". */
  source: string;
  host: PolicyHost;
  /** Sorted by id; each policy's `entrypoint` is in `host.entrypoints`. */
  policies: PolicyMetadata[];
}

/** Loads a bundle with its metadata file. Entrypoints without metadata are an error: they could not be reported. */
export async function loadPolicySet(source: string, artifactPath: string, policies: PolicyMetadata[]): Promise<PolicySet> {
  const names = new Map(policies.map((p) => [p.entrypoint, p.id]));
  const host = await PolicyHost.fromFile(artifactPath, { names });
  const missing = policies.filter((p) => !host.entrypoints.includes(p.entrypoint)).map((p) => p.entrypoint);
  if (missing.length > 0) throw new Error(`${artifactPath}: the module lacks entrypoints ${missing.join(', ')}; rebuild it`);
  return { source, host, policies };
}

export async function readPolicyMetadata(path: string): Promise<PolicyMetadata[]> {
  const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
  return parsePolicyMetadataFile(parsed, path).policies;
}

/**
 * The policies shipped in the package (`policies/bundle.tar.gz`). `undefined` when there are none yet:
 * the build writes no bundle for an empty policy set.
 */
export async function loadBuiltinPolicies(): Promise<PolicySet | undefined> {
  const paths = builtinPolicyPaths();
  const policies = await readPolicyMetadata(paths.metadata);
  if (policies.length === 0) return undefined;
  if (!existsSync(paths.bundle)) throw new Error(`${paths.bundle} is missing; run \`npm run policies:build\``);
  return loadPolicySet('built-in', paths.bundle, policies);
}
