/**
 * A real OCI registry on 127.0.0.1 for the `--resolve-digests` tests: go-containerregistry's `registry` command
 * (scripts/install-registry.sh puts it in .tools/bin), images pushed into it through the distribution API (blob
 * uploads, then a manifest or an index PUT by tag), and an auth front that asks for a Bearer token as Docker Hub
 * and GitLab's registry do, since the ggcr registry itself asks for none.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/package.js';

export const REGISTRY_BIN = join(packageRoot(), '.tools', 'bin', 'registry');

export interface RunningRegistry {
  /** `127.0.0.1:<port>`, as an image reference names it. */
  host: string;
  stop: () => Promise<void>;
}

/** Starts the registry on a free port (it logs the port it took). */
export async function startRegistry(): Promise<RunningRegistry> {
  if (!existsSync(REGISTRY_BIN)) throw new Error(`${REGISTRY_BIN} is missing: run scripts/install-tools.sh (or scripts/install-registry.sh)`);
  const child = spawn(REGISTRY_BIN, ['-port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await new Promise<number>((resolvePort, reject) => {
    let log = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      log += chunk;
      const match = /serving on port (\d+)/.exec(log);
      if (match) resolvePort(Number(match[1]));
    });
    child.on('exit', (code) => { reject(new Error(`registry exited (${code ?? 'signal'}): ${log}`)); });
  });
  // Go listens on "localhost": 127.0.0.1 on this machine, which the reference names explicitly.
  return { host: `127.0.0.1:${port}`, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolveStop) => {
    if (child.exitCode !== null) { resolveStop(); return; }
    child.once('exit', () => { resolveStop(); });
    child.kill();
  });
}

const sha256 = (bytes: Buffer | string): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

async function pushBlob(base: string, name: string, bytes: Buffer): Promise<{ digest: string; size: number }> {
  const digest = sha256(bytes);
  const start = await fetch(`${base}/v2/${name}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`blob upload start: HTTP ${start.status}`);
  const location = new URL(start.headers.get('location') ?? '', base);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, { method: 'PUT', body: bytes, headers: { 'Content-Type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`blob upload: HTTP ${put.status}`);
  return { digest, size: bytes.length };
}

async function putManifest(base: string, name: string, reference: string, mediaType: string, body: string): Promise<string> {
  const response = await fetch(`${base}/v2/${name}/manifests/${reference}`, { method: 'PUT', body, headers: { 'Content-Type': mediaType } });
  if (response.status !== 201) throw new Error(`manifest PUT ${name}:${reference}: HTTP ${response.status} ${await response.text()}`);
  return sha256(body);
}

/** Pushes a one-layer OCI image as `name:tag`; returns the digest of the manifest (the sha256 of its bytes). */
export async function pushImage(host: string, name: string, tag: string, content = `${name}:${tag}`): Promise<string> {
  const base = `http://${host}`;
  const manifest = await imageManifest(base, name, content, 'amd64');
  return putManifest(base, name, tag, 'application/vnd.oci.image.manifest.v1+json', manifest);
}

/** Pushes two platforms' images and an OCI index of them as `name:tag`; returns the digest of the index. */
export async function pushIndex(host: string, name: string, tag: string): Promise<string> {
  const base = `http://${host}`;
  const entries = [];
  for (const architecture of ['amd64', 'arm64']) {
    const manifest = await imageManifest(base, name, `${name}:${tag} for ${architecture}`, architecture);
    const digest = await putManifest(base, name, sha256(manifest), 'application/vnd.oci.image.manifest.v1+json', manifest);
    entries.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: Buffer.byteLength(manifest), platform: { architecture, os: 'linux' } });
  }
  const index = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries });
  return putManifest(base, name, tag, 'application/vnd.oci.image.index.v1+json', index);
}

async function imageManifest(base: string, name: string, content: string, architecture: string): Promise<string> {
  const layer = await pushBlob(base, name, Buffer.from(content));
  const config = await pushBlob(base, name, Buffer.from(JSON.stringify({ architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } })));
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
  });
}

export interface AuthFront {
  host: string;
  /** The Authorization headers the token endpoint received, as sent. */
  tokenRequests: (string | undefined)[];
  /** The token it hands out (to check no output holds it). */
  token: string;
  stop: () => Promise<void>;
}

/**
 * An HTTP server in front of the registry that asks for a Bearer token as registries do: a /v2/ request without
 * the token gets 401 and `WWW-Authenticate: Bearer realm=".../token",service=...,scope="repository:<name>:pull"`;
 * the realm gives the token only for Basic `user:password`. Authorised requests are forwarded to the registry.
 * `dropDigestHeader` leaves Docker-Content-Digest out of its answers, as some registries do; `basic` asks for Basic
 * credentials on every request instead of a token, as a plain htpasswd registry does.
 */
export async function startAuthFront(upstream: string, user: string, password: string, options: { dropDigestHeader?: boolean; basic?: boolean } = {}): Promise<AuthFront> {
  const token = randomBytes(16).toString('hex');
  const tokenRequests: (string | undefined)[] = [];
  let host = '';
  const server: Server = createServer((request: IncomingMessage, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', `http://${host}`);
      if (url.pathname === '/token') {
        tokenRequests.push(request.headers.authorization);
        const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
        if (request.headers.authorization !== expected || url.searchParams.get('service') !== 'fleetlint-test') {
          response.writeHead(401, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
          return;
        }
        response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 }));
        return;
      }
      const basic = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      if (options.basic === true && request.headers.authorization !== basic) {
        response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fleetlint test registry"' }).end();
        return;
      }
      if (options.basic !== true && request.headers.authorization !== `Bearer ${token}`) {
        const name = /^\/v2\/(.+)\/manifests\//.exec(url.pathname)?.[1] ?? '';
        response
          .writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${host}/token",service="fleetlint-test",scope="repository:${name}:pull"`, 'Content-Type': 'application/json' })
          .end('{"errors":[{"code":"UNAUTHORIZED"}]}');
        return;
      }
      const forwarded = await fetch(`http://${upstream}${url.pathname}${url.search}`, { method: request.method ?? 'GET', headers: { Accept: request.headers.accept ?? '*/*' } });
      const headers: Record<string, string> = {};
      forwarded.headers.forEach((value, key) => {
        if (key === 'content-length' || key === 'transfer-encoding' || (options.dropDigestHeader === true && key === 'docker-content-digest')) return;
        headers[key] = value;
      });
      response.writeHead(forwarded.status, headers).end(Buffer.from(await forwarded.arrayBuffer()));
    })();
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const address = server.address();
  host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return { host, tokenRequests, token, stop: () => new Promise((resolveStop) => server.close(() => { resolveStop(); })) };
}
