/**
 * Registry credentials where Docker keeps them: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
 * For a registry host, in Docker's order: its `credHelpers` entry, else the `credsStore`, each a
 * `docker-credential-<name> get` program (the server address on stdin, `{"Username","Secret"}` on stdout); else
 * its `auths` entry (`auth`, base64 of `user:password`, or `username` and `password`). An identity token (a
 * helper's `<token>` user, `identitytoken`) is an OAuth refresh token that fleetlint does not exchange: it is not
 * used, and the reason of a refused request says so.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CredentialLookup } from './client.js';

export interface RegistryCredentials {
  username: string;
  password: string;
}

interface AuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
  identitytoken?: unknown;
}

interface DockerConfig {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, unknown>;
  credsStore?: unknown;
}

/** Docker Hub's credentials are stored under this address, whatever name the image uses. */
const DOCKER_HUB_SERVER = 'https://index.docker.io/v1/';
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const HELPER_TIMEOUT_MS = 10_000;

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.DOCKER_CONFIG !== undefined && env.DOCKER_CONFIG !== '' ? env.DOCKER_CONFIG : join(env.HOME ?? homedir(), '.docker');
  return join(dir, 'config.json');
}

/** The lookup of a registry's credentials in the docker config; the file is read once, when first needed. */
export function dockerCredentials(env: NodeJS.ProcessEnv = process.env): CredentialLookup {
  const path = dockerConfigPath(env);
  let config: Promise<{ config?: DockerConfig; note?: string }> | undefined;
  return async (registry) => {
    config ??= readConfig(path);
    const read = await config;
    if (!read.config) return read.note === undefined ? {} : { note: read.note };
    const host = hostOf(registry);
    const helpers = read.config.credHelpers ?? {};
    const helperKey = Object.keys(helpers).find((key) => sameRegistry(hostOf(key), host));
    const helper = helperKey === undefined ? read.config.credsStore : helpers[helperKey];
    if (typeof helper === 'string' && helper !== '') return fromHelper(helper, helperKey ?? serverAddress(registry, read.config), env);
    const entry = Object.entries(read.config.auths ?? {}).find(([key]) => sameRegistry(hostOf(key), host))?.[1];
    if (!entry) return { note: `no credentials for ${host} in ${path}` };
    const fromEntry = credentialsOf(entry);
    if (fromEntry) return { credentials: fromEntry };
    const token = typeof entry.identitytoken === 'string' && entry.identitytoken !== '';
    return { note: token ? `${path} holds an identity token for ${host}, which fleetlint does not use` : `the entry for ${host} in ${path} has no usable auth` };
  };
}

async function readConfig(path: string): Promise<{ config?: DockerConfig; note?: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return { note: `no docker config at ${path}` };
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { note: `${path} is not a JSON object` };
    return { config: parsed };
  } catch {
    // The parser's message could quote the file, which holds credentials.
    return { note: `${path} is not valid JSON` };
  }
}

function credentialsOf(entry: AuthEntry): RegistryCredentials | undefined {
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  if (typeof entry.username === 'string' && entry.username !== '' && typeof entry.password === 'string') return { username: entry.username, password: entry.password };
  return undefined;
}

/** `https://registry.example.com/v1/`, `registry.example.com`: the host (and port) a key of the config names. */
function hostOf(key: string): string {
  return key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
}

function sameRegistry(a: string, b: string): boolean {
  return a === b || (DOCKER_HUB_HOSTS.has(a) && DOCKER_HUB_HOSTS.has(b));
}

/** The address a credential store knows the registry by: the `auths` key Docker wrote at login, else the host. */
function serverAddress(registry: string, config: DockerConfig): string {
  const host = hostOf(registry);
  const key = Object.keys(config.auths ?? {}).find((candidate) => sameRegistry(hostOf(candidate), host));
  return key ?? (DOCKER_HUB_HOSTS.has(host) ? DOCKER_HUB_SERVER : host);
}

/** `docker-credential-<helper> get`, as Docker runs it; its output is never quoted in a note. */
async function fromHelper(helper: string, server: string, env: NodeJS.ProcessEnv): Promise<{ credentials?: RegistryCredentials; note?: string }> {
  const program = `docker-credential-${helper}`;
  const result = await new Promise<{ code: number | null; stdout: string; failed?: string }>((resolvePromise) => {
    const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'ignore'], timeout: HELPER_TIMEOUT_MS });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', (error: NodeJS.ErrnoException) => { resolvePromise({ code: null, stdout: '', failed: error.code === 'ENOENT' ? 'is not on PATH' : (error.code ?? 'failed') }); });
    child.on('close', (code) => { resolvePromise({ code, stdout }); });
    child.stdin.on('error', () => undefined);
    child.stdin.end(server);
  });
  if (result.failed !== undefined) return { note: `the credential helper ${program} ${result.failed}` };
  // Exit 1 with "credentials not found": the helper has nothing for this server, which is no error.
  if (result.code !== 0) return { note: `the credential helper ${program} has no credentials for ${server} (exit ${result.code ?? 'on a signal'})` };
  try {
    const parsed = JSON.parse(result.stdout) as { Username?: unknown; Secret?: unknown };
    if (parsed.Username === '<token>') return { note: `the credential helper ${program} gives an identity token for ${server}, which fleetlint does not use` };
    if (typeof parsed.Username === 'string' && typeof parsed.Secret === 'string') return { credentials: { username: parsed.Username, password: parsed.Secret } };
  } catch {
    // Reported below without the output, which may hold the secret.
  }
  return { note: `the credential helper ${program} answered something other than {"Username","Secret"}` };
}
