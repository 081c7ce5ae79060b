/**
 * The digest a registry serves for an image tag, read through the OCI distribution API: `HEAD` (then `GET` when the
 * registry does not say) `/v2/<name>/manifests/<tag>`, accepting an OCI index or manifest and a Docker manifest list
 * or v2 manifest, so that a multi-platform image gives the digest of its index, which is what `docker pull` pins.
 *
 * Authentication is what registries ask for: anonymous first; on 401, the `WWW-Authenticate` challenge says how
 * (`Bearer realm=…,service=…,scope=…`: a token from the realm, with Basic credentials when there are some;
 * `Basic`: the credentials themselves). Credentials and tokens never appear in a result's reason: it names the
 * registry host, the image and the HTTP status.
 */
import { createHash } from 'node:crypto';
import type { RegistryCredentials } from './docker-config.js';

/** An image name as the model normalizes it (`docker.io`, `library/nginx`) and the tag to resolve. */
export interface ManifestRequest {
  registry: string;
  repository: string;
  tag: string;
}

/** `unreachable`: the registry did not answer at all (no route, no name, timeout), so its other images will not either. */
export type DigestResult = { ok: true; digest: string } | { ok: false; reason: string; unreachable?: true };

/** The credentials for a registry host, or why there are none that can be used (a note for the reason). */
export type CredentialLookup = (registry: string) => Promise<{ credentials?: RegistryCredentials; note?: string }>;

export interface RegistryClientOptions {
  credentials: CredentialLookup;
  /** For the whole resolution of one image, every request included. */
  timeoutMs: number;
}

/** What a manifest request accepts: an index first, so a multi-platform tag resolves to its index. */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const;

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The host the API of a registry answers on: Docker Hub's names say docker.io, its API is registry-1.docker.io. */
export function apiHost(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
}

/**
 * HTTPS, except for a registry on the loopback interface, which Docker also lets speak plain HTTP (its default
 * insecure registries are 127.0.0.0/8).
 */
export function apiBase(registry: string): string {
  const host = apiHost(registry);
  const name = host.replace(/:\d+$/, '');
  const loopback = name === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(name) || name === '[::1]';
  return `${loopback ? 'http' : 'https'}://${host}`;
}

/** Thrown inside one resolution; its message is the reason of the failed result. */
class Unresolved extends Error {
  constructor(
    message: string,
    readonly unreachable = false,
  ) {
    super(message);
  }
}

export async function resolveDigest(request: ManifestRequest, options: RegistryClientOptions): Promise<DigestResult> {
  const host = apiHost(request.registry);
  const signal = AbortSignal.timeout(options.timeoutMs);
  const url = `${apiBase(request.registry)}/v2/${request.repository}/manifests/${encodeURIComponent(request.tag)}`;
  try {
    let authorization: string | undefined;
    let response = await send(url, 'HEAD', undefined, host, signal, options.timeoutMs);
    if (response.status === 401) {
      authorization = await authorize(response.headers.get('www-authenticate'), request, host, options, signal);
      response = await send(url, 'HEAD', authorization, host, signal, options.timeoutMs);
    }
    const headDigest = response.ok ? response.headers.get('docker-content-digest') : null;
    if (headDigest !== null && DIGEST.test(headDigest)) return { ok: true, digest: headDigest };
    // Some registries answer HEAD without the digest header, or not at all (405): the body's sha256 is the digest.
    if (response.ok || response.status === 405 || response.status === 400) {
      response = await send(url, 'GET', authorization, host, signal, options.timeoutMs);
      if (response.ok) {
        const body = Buffer.from(await response.arrayBuffer());
        const header = response.headers.get('docker-content-digest');
        return { ok: true, digest: header !== null && DIGEST.test(header) ? header : `sha256:${createHash('sha256').update(body).digest('hex')}` };
      }
    }
    throw new Unresolved(statusReason(response.status, host, request, authorization !== undefined));
  } catch (error) {
    if (error instanceof Unresolved) return { ok: false, reason: error.message, ...(error.unreachable ? { unreachable: true as const } : {}) };
    // A body cut off or too slow, a realm that is no URL: a registry's answer never crashes the run.
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return { ok: false, reason: timedOut || (error instanceof Error && error.cause !== undefined) ? networkReason(error, host, options.timeoutMs) : `${host} gave an answer fleetlint cannot use (${error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error)})` };
  }
}

async function send(url: string, method: 'HEAD' | 'GET', authorization: string | undefined, host: string, signal: AbortSignal, timeoutMs: number): Promise<Response> {
  const headers: Record<string, string> = { Accept: MANIFEST_MEDIA_TYPES.join(', ') };
  if (authorization !== undefined) headers.Authorization = authorization;
  return request(url, { method, headers, signal }, host, timeoutMs);
}

async function request(url: string, init: RequestInit & { signal: AbortSignal }, host: string, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    throw new Unresolved(networkReason(error, host, timeoutMs), true);
  }
}

/** The Authorization header the challenge asks for; throws Unresolved when it cannot be met. */
async function authorize(challenge: string | null, image: ManifestRequest, host: string, options: RegistryClientOptions, signal: AbortSignal): Promise<string> {
  const parsed = challenge === null ? undefined : parseChallenge(challenge);
  if (!parsed) throw new Unresolved(`${host} answered HTTP 401 without a Bearer or Basic challenge`);
  const { credentials, note } = await options.credentials(image.registry);
  const basic = credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : undefined;
  const missing = note === undefined ? '' : ` (${note})`;
  if (parsed.scheme === 'basic') {
    if (basic === undefined) throw new Unresolved(`${host} asks for credentials (HTTP 401, Basic) and there are none${missing}`);
    return basic;
  }
  const realm = parsed.params.realm;
  if (realm === undefined || !/^https?:\/\//i.test(realm)) throw new Unresolved(`${host} answered HTTP 401 with a Bearer challenge without an http(s) realm`);
  const tokenUrl = new URL(realm);
  if (parsed.params.service !== undefined) tokenUrl.searchParams.set('service', parsed.params.service);
  tokenUrl.searchParams.set('scope', parsed.params.scope ?? `repository:${image.repository}:pull`);
  const response = await request(tokenUrl.toString(), { method: 'GET', headers: basic === undefined ? {} : { Authorization: basic }, signal }, tokenUrl.host, options.timeoutMs);
  if (!response.ok) {
    const why = basic === undefined ? `no credentials for ${host}${missing}` : `the credentials for ${host} were refused`;
    throw new Unresolved(`the token service ${tokenUrl.host} answered HTTP ${response.status} (${why})`);
  }
  const body = (await response.json().catch(() => undefined)) as { token?: unknown; access_token?: unknown } | undefined;
  const token = typeof body?.token === 'string' ? body.token : typeof body?.access_token === 'string' ? body.access_token : undefined;
  if (token === undefined || token === '') throw new Unresolved(`the token service ${tokenUrl.host} answered without a token`);
  return `Bearer ${token}`;
}

/** `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"` (RFC 7235), the first challenge of the header. */
export function parseChallenge(header: string): { scheme: 'bearer' | 'basic'; params: Record<string, string> } | undefined {
  const match = /^\s*(Bearer|Basic)\b(.*)$/is.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const pattern = /([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (let param = pattern.exec(match[2] ?? ''); param; param = pattern.exec(match[2] ?? '')) {
    const name = (param[1] ?? '').toLowerCase();
    if (!(name in params)) params[name] = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : (param[3] ?? '');
  }
  return { scheme: (match[1] ?? '').toLowerCase() === 'bearer' ? 'bearer' : 'basic', params };
}

function statusReason(status: number, host: string, image: ManifestRequest, authorized: boolean): string {
  if (status === 404) return `${host} has no manifest ${image.repository}:${image.tag} (HTTP 404)`;
  if (status === 401 || status === 403) return `${host} refused access to ${image.repository} (HTTP ${status}${authorized ? ', with the token or credentials it asked for' : ''})`;
  if (status === 429) return `${host} limits the rate of pulls (HTTP 429); try again later`;
  return `${host} answered HTTP ${status}`;
}

function networkReason(error: unknown, host: string, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer from ${host} within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  const detail = code ?? (typeof cause?.message === 'string' ? cause.message.split('\n')[0] : error instanceof Error ? error.message.split('\n')[0] : String(error));
  return `cannot reach ${host} (${detail ?? 'network error'})`;
}

/**
 * `resolveDigest`, each image once: the same tag asked again (another finding, another pass of fix) is not fetched
 * again. A registry that did not answer at all is not asked for its other images: they get its reason at once,
 * so a fleet's images on an unreachable registry cost one timeout, not one each.
 */
export function digestResolver(options: RegistryClientOptions): (request: ManifestRequest) => Promise<DigestResult> {
  const known = new Map<string, Promise<DigestResult>>();
  const unreachable = new Map<string, DigestResult>();
  return (request) => {
    const key = `${request.registry}/${request.repository}:${request.tag}`;
    let result = known.get(key);
    if (!result) {
      const host = apiHost(request.registry);
      result = (async () => {
        const down = unreachable.get(host);
        if (down) return down;
        const resolved = await resolveDigest(request, options);
        if (!resolved.ok && resolved.unreachable === true) unreachable.set(host, resolved);
        return resolved;
      })();
      known.set(key, result);
    }
    return result;
  };
}
