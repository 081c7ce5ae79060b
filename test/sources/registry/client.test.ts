/**
 * The OCI distribution client against a real registry on 127.0.0.1 (go-containerregistry's `registry`), with the
 * test's Bearer auth front where a test needs authentication, and against servers that refuse or never answer.
 */
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiBase, apiHost, digestResolver, parseChallenge, resolveDigest, type CredentialLookup } from '../../../src/sources/registry/client.js';
import { dockerConfigPath, dockerCredentials } from '../../../src/sources/registry/docker-config.js';
import { pushImage, pushIndex, startAuthFront, startRegistry, type AuthFront, type RunningRegistry } from '../../fix/oci-registry.js';

const anonymous: CredentialLookup = () => Promise.resolve({});
const options = { credentials: anonymous, timeoutMs: 5_000 };

let registry: RunningRegistry;
let imageDigest: string;
let indexDigest: string;

beforeAll(async () => {
  registry = await startRegistry();
  imageDigest = await pushImage(registry.host, 'team/app', 'latest');
  indexDigest = await pushIndex(registry.host, 'multi', 'stable');
}, 30_000);

afterAll(async () => {
  await registry.stop();
});

describe('resolveDigest', () => {
  it("gives the digest of the tag's manifest, and of the index for a multi-platform tag", async () => {
    expect(await resolveDigest({ registry: registry.host, repository: 'team/app', tag: 'latest' }, options)).toEqual({ ok: true, digest: imageDigest });
    expect(await resolveDigest({ registry: registry.host, repository: 'multi', tag: 'stable' }, options)).toEqual({ ok: true, digest: indexDigest });
  });

  it('says a tag the registry does not have is not there, naming the host and the status', async () => {
    expect(await resolveDigest({ registry: registry.host, repository: 'team/app', tag: 'nightly' }, options)).toEqual({ ok: false, reason: `${registry.host} has no manifest team/app:nightly (HTTP 404)` });
  });

  it('takes the sha256 of the manifest when the registry sends no Docker-Content-Digest', async () => {
    const front = await startAuthFront(registry.host, 'ci', 'pw', { dropDigestHeader: true });
    try {
      const credentials: CredentialLookup = () => Promise.resolve({ credentials: { username: 'ci', password: 'pw' } });
      expect(await resolveDigest({ registry: front.host, repository: 'multi', tag: 'stable' }, { credentials, timeoutMs: 5_000 })).toEqual({ ok: true, digest: indexDigest });
    } finally {
      await front.stop();
    }
  });

  it('answers a Basic challenge with the credentials, and says when there are none', async () => {
    const front = await startAuthFront(registry.host, 'ci', 'pw', { basic: true });
    try {
      const credentials: CredentialLookup = () => Promise.resolve({ credentials: { username: 'ci', password: 'pw' } });
      expect(await resolveDigest({ registry: front.host, repository: 'team/app', tag: 'latest' }, { credentials, timeoutMs: 5_000 })).toEqual({ ok: true, digest: imageDigest });
      expect(await resolveDigest({ registry: front.host, repository: 'team/app', tag: 'latest' }, options)).toEqual({ ok: false, reason: `${front.host} asks for credentials (HTTP 401, Basic) and there are none` });
      const wrong: CredentialLookup = () => Promise.resolve({ credentials: { username: 'ci', password: 'nope' } });
      expect(await resolveDigest({ registry: front.host, repository: 'team/app', tag: 'latest' }, { credentials: wrong, timeoutMs: 5_000 })).toEqual({
        ok: false,
        reason: `${front.host} refused access to team/app (HTTP 401, with the token or credentials it asked for)`,
      });
    } finally {
      await front.stop();
    }
  });

  describe('behind a Bearer token service', () => {
    let front: AuthFront;
    beforeAll(async () => {
      front = await startAuthFront(registry.host, 'robot', 's3cret-pass');
    });
    afterAll(async () => {
      await front.stop();
    });

    it('gets a token from the realm with the Basic credentials, then the digest', async () => {
      const credentials: CredentialLookup = (host) => Promise.resolve(host === front.host ? { credentials: { username: 'robot', password: 's3cret-pass' } } : {});
      expect(await resolveDigest({ registry: front.host, repository: 'team/app', tag: 'latest' }, { credentials, timeoutMs: 5_000 })).toEqual({ ok: true, digest: imageDigest });
      expect(front.tokenRequests.at(-1)).toBe(`Basic ${Buffer.from('robot:s3cret-pass').toString('base64')}`);
    });

    it('says the credentials were refused, and the reason holds neither them nor a token', async () => {
      const credentials: CredentialLookup = () => Promise.resolve({ credentials: { username: 'robot', password: 'wrong-pass' } });
      const result = await resolveDigest({ registry: front.host, repository: 'team/app', tag: 'latest' }, { credentials, timeoutMs: 5_000 });
      expect(result).toEqual({ ok: false, reason: `the token service ${front.host} answered HTTP 401 (the credentials for ${front.host} were refused)` });
    });

    it('says there were no credentials, with the note of the lookup', async () => {
      const credentials: CredentialLookup = () => Promise.resolve({ note: 'no credentials for it in /x/config.json' });
      expect(await resolveDigest({ registry: front.host, repository: 'team/app', tag: 'latest' }, { credentials, timeoutMs: 5_000 })).toEqual({
        ok: false,
        reason: `the token service ${front.host} answered HTTP 401 (no credentials for ${front.host} (no credentials for it in /x/config.json))`,
      });
    });
  });

  it('gives up on a registry that never answers after the timeout, and names an unreachable one', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolveListen) => silent.listen(0, '127.0.0.1', resolveListen));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      expect(await resolveDigest({ registry: `127.0.0.1:${port}`, repository: 'app', tag: 'latest' }, { credentials: anonymous, timeoutMs: 300 })).toEqual({ ok: false, reason: `no answer from 127.0.0.1:${port} within 300 ms`, unreachable: true });
    } finally {
      silent.closeAllConnections();
      await new Promise((resolveClose) => silent.close(resolveClose));
    }
    expect(await resolveDigest({ registry: `127.0.0.1:${port}`, repository: 'app', tag: 'latest' }, options)).toEqual({ ok: false, reason: `cannot reach 127.0.0.1:${port} (ECONNREFUSED)`, unreachable: true });
  });
});

describe('answers it cannot use', () => {
  it('a challenge without a usable realm or a body cut off is a reason, never a crash', async () => {
    let answer: 'realm' | 'cut' = 'realm';
    const odd: Server = createServer((request, response) => {
      if (answer === 'realm') {
        response.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="https://"' }).end();
        return;
      }
      // HEAD says the manifest is there without a digest; the GET body stops halfway.
      if (request.method === 'HEAD') {
        response.writeHead(200, { 'Content-Length': '100' }).end();
        return;
      }
      response.writeHead(200, { 'Content-Length': '100' });
      response.write('{"schemaVersion":');
      setTimeout(() => response.destroy(), 20);
    });
    await new Promise<void>((resolveListen) => odd.listen(0, '127.0.0.1', resolveListen));
    const address = odd.address();
    const host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      expect(await resolveDigest({ registry: host, repository: 'app', tag: 'latest' }, options)).toEqual({ ok: false, reason: `${host} gave an answer fleetlint cannot use (Invalid URL)` });
      answer = 'cut';
      expect(await resolveDigest({ registry: host, repository: 'app', tag: 'latest' }, options)).toEqual({ ok: false, reason: `cannot reach ${host} (UND_ERR_SOCKET)` });
    } finally {
      odd.closeAllConnections();
      await new Promise((resolveClose) => odd.close(resolveClose));
    }
  });
});

describe('digestResolver', () => {
  it('asks for each image once, and a registry that never answered is not asked for its other images', async () => {
    let connections = 0;
    const silent: Server = createServer(() => undefined);
    silent.on('connection', () => (connections += 1));
    await new Promise<void>((resolveListen) => silent.listen(0, '127.0.0.1', resolveListen));
    const address = silent.address();
    const host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    try {
      const resolve = digestResolver({ credentials: anonymous, timeoutMs: 300 });
      const first = await resolve({ registry: host, repository: 'a', tag: 'latest' });
      expect(first).toEqual({ ok: false, reason: `no answer from ${host} within 300 ms`, unreachable: true });
      expect(await resolve({ registry: host, repository: 'b', tag: 'edge' })).toEqual(first);
      expect(connections).toBe(1);
      const fromRegistry = digestResolver(options);
      const asked = await fromRegistry({ registry: registry.host, repository: 'team/app', tag: 'latest' });
      expect(asked).toEqual({ ok: true, digest: imageDigest });
      expect(fromRegistry({ registry: registry.host, repository: 'team/app', tag: 'latest' })).toBe(fromRegistry({ registry: registry.host, repository: 'team/app', tag: 'latest' }));
    } finally {
      silent.closeAllConnections();
      await new Promise((resolveClose) => silent.close(resolveClose));
    }
  });
});

describe('registry names and challenges', () => {
  it("maps Docker Hub to its API host and speaks HTTPS except on loopback", () => {
    expect(apiHost('docker.io')).toBe('registry-1.docker.io');
    expect(apiBase('docker.io')).toBe('https://registry-1.docker.io');
    expect(apiBase('ghcr.io')).toBe('https://ghcr.io');
    expect(apiBase('registry.example.com:5050')).toBe('https://registry.example.com:5050');
    expect(apiBase('localhost:5000')).toBe('http://localhost:5000');
    expect(apiBase('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
  });

  it('reads Bearer and Basic challenges', () => {
    expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: 'basic', params: { realm: 'Registry Realm' } });
    expect(parseChallenge('Negotiate')).toBeUndefined();
  });
});

describe('dockerCredentials', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fleetlint-docker-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads $DOCKER_CONFIG/config.json: auth (base64 user:password), username and password, Docker Hub under its v1 address', async () => {
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hub:pass').toString('base64') },
          'registry.example.com:5050': { username: 'ci', password: 'pw' },
          'https://token.example.com': { identitytoken: 'refresh' },
        },
      }),
    );
    const lookup = dockerCredentials({ DOCKER_CONFIG: dir });
    expect(dockerConfigPath({ DOCKER_CONFIG: dir })).toBe(join(dir, 'config.json'));
    expect(await lookup('docker.io')).toEqual({ credentials: { username: 'hubuser', password: 'hub:pass' } });
    expect(await lookup('registry.example.com:5050')).toEqual({ credentials: { username: 'ci', password: 'pw' } });
    expect(await lookup('token.example.com')).toEqual({ note: `${join(dir, 'config.json')} holds an identity token for token.example.com, which fleetlint does not use` });
    expect(await lookup('ghcr.io')).toEqual({ note: `no credentials for ghcr.io in ${join(dir, 'config.json')}` });
  });

  it('falls back to ~/.docker/config.json, and says when there is none or it is not JSON (without quoting it)', async () => {
    const home = join(dir, 'home');
    expect(await dockerCredentials({ HOME: home })('ghcr.io')).toEqual({ note: `no docker config at ${join(home, '.docker', 'config.json')}` });
    await mkdir(join(home, '.docker'), { recursive: true });
    await writeFile(join(home, '.docker', 'config.json'), '{"auths": {"ghcr.io": {"auth": "c2VjcmV0"');
    expect(await dockerCredentials({ HOME: home })('ghcr.io')).toEqual({ note: `${join(home, '.docker', 'config.json')} is not valid JSON` });
  });
});
