/**
 * `fleetlint fix --resolve-digests` (and `lint --fix --resolve-digests`) against a real OCI registry on 127.0.0.1,
 * go-containerregistry's `registry`, into which the tests push images: the pinned digest is the sha256 of the
 * pushed manifest (or index). Authentication goes through the test's Bearer auth front, with the credentials in a
 * docker config the test writes (or a credential helper it puts on PATH). Run as users run the built CLI.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitFiles, initRepo, tempDir } from '../sources/git-fixture.js';
import { fleetlintAsync } from './cli.js';
import { pushImage, pushIndex, startAuthFront, startRegistry, type AuthFront, type RunningRegistry } from './oci-registry.js';

let registry: RunningRegistry;
let front: AuthFront;
let appDigest: string;
let multiDigest: string;
let privateDigest: string;
let scratch: { dir: string; cleanup: () => Promise<void> };
const USER = 'robot';
const PASSWORD = 'pa55-w0rd-of-the-robot';

beforeAll(async () => {
  registry = await startRegistry();
  appDigest = await pushImage(registry.host, 'team/app', 'latest');
  multiDigest = await pushIndex(registry.host, 'multi', 'stable');
  privateDigest = await pushImage(registry.host, 'private/api', 'edge');
  front = await startAuthFront(registry.host, USER, PASSWORD);
  scratch = await tempDir('fleetlint-digests-');
}, 30_000);

afterAll(async () => {
  await front.stop();
  await registry.stop();
  await scratch.cleanup();
});

/** A fleet of one repo, apps/web, with these files committed; and a HOME and docker config of its own. */
async function fleet(name: string, files: Record<string, string>, dockerConfig?: object): Promise<{ root: string; repo: string; env: NodeJS.ProcessEnv }> {
  const root = join(scratch.dir, name);
  const repo = join(root, 'apps', 'web');
  await commitFiles(await initRepo(repo), repo, files, 'init');
  const home = join(scratch.dir, `${name}-home`);
  const docker = join(home, '.docker');
  await mkdir(docker, { recursive: true });
  if (dockerConfig) await writeFile(join(docker, 'config.json'), JSON.stringify(dockerConfig));
  return { root, repo, env: { HOME: home, DOCKER_CONFIG: docker } };
}

const read = (repo: string, file: string): Promise<string> => readFile(join(repo, file), 'utf8');

describe('fix --resolve-digests, anonymous pulls', () => {
  it('pins latest, untagged and floating-tag images to tag@sha256, skips what it cannot pin with the reason, and a second run changes nothing', async () => {
    const r = registry.host;
    const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: ${r}/team/app:latest   # the app
        - name: side
          image: "${r}/multi:stable"
        - name: gone
          image: ${r}/team/app:nightly
`;
    const files = {
      'deploy/deployment.yaml': deployment,
      Dockerfile: `FROM ${r}/team/app AS base\nRUN true\n`,
      '.gitlab-ci.yml': `build:\n  image: \${BUILD_REGISTRY}/tools:latest\n  script: [make]\n`,
      'chart/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
      'chart/values.yaml': `image:\n  repository: ${r}/team/app\n  tag: latest\n`,
    };
    const { root, repo, env } = await fleet('anonymous', files);

    const dry = await fleetlintAsync(['fix', root, '--resolve-digests', '--dry-run'], env);
    expect(dry.stdout).toBe(`--- a/apps/web/Dockerfile
+++ b/apps/web/Dockerfile
@@ -1,2 +1,2 @@
-FROM ${r}/team/app AS base
+FROM ${r}/team/app:latest@${appDigest} AS base
 RUN true
--- a/apps/web/deploy/deployment.yaml
+++ b/apps/web/deploy/deployment.yaml
@@ -7,8 +7,8 @@
     spec:
       containers:
         - name: web
-          image: ${r}/team/app:latest   # the app
+          image: ${r}/team/app:latest@${appDigest}   # the app
         - name: side
-          image: "${r}/multi:stable"
+          image: "${r}/multi:stable@${multiDigest}"
         - name: gone
           image: ${r}/team/app:nightly
`);
    expect(dry.stderr.split('\n')).toEqual(
      expect.arrayContaining([
        `skipped: pin \${BUILD_REGISTRY}/tools:latest (apps/web/.gitlab-ci.yml:2) to its digest [no-latest-tag]: \${BUILD_REGISTRY}/tools:latest holds the placeholder \${BUILD_REGISTRY}: it is never resolved`,
        `skipped: pin ${r}/team/app:nightly (apps/web/deploy/deployment.yaml:14) to its digest [no-latest-tag]: ${r} has no manifest team/app:nightly (HTTP 404)`,
        `skipped: pin ${r}/team/app:latest (apps/web/chart/values.yaml:3) to its digest [no-latest-tag]: Helm values set repository and tag apart, and the chart decides how they join (a digest in tag breaks charts that put the tag in a label): pin it by hand as the chart documents; ${r}/team/app:latest is ${appDigest}`,
        '3 fixes would change 2 files in 1 repository; 3 skipped',
      ]),
    );
    expect(dry.status).toBe(1);
    expect(await read(repo, 'deploy/deployment.yaml')).toBe(deployment);

    const applied = await fleetlintAsync(['fix', root, '--resolve-digests'], env);
    expect(applied.stdout).toContain(`apps/web\n  Dockerfile: pin ${r}/team/app to ${r}/team/app:latest@${appDigest} [no-latest-tag]\n  deploy/deployment.yaml: pin ${r}/multi:stable to ${r}/multi:stable@${multiDigest} [no-latest-tag]\n`);
    expect(await read(repo, 'Dockerfile')).toBe(`FROM ${r}/team/app:latest@${appDigest} AS base\nRUN true\n`);
    expect(await read(repo, 'deploy/deployment.yaml')).toBe(deployment.replace(`app:latest `, `app:latest@${appDigest} `).replace('stable"', `stable@${multiDigest}"`));

    // no-latest-tag no longer reports the pinned images, and nothing else is new.
    const findings = async (): Promise<string[]> => {
      const { stdout } = await fleetlintAsync(['audit', root, '--format', 'json', '--fail-on', 'never'], env);
      return (JSON.parse(stdout) as { findings: { ruleId: string; message: string }[] }).findings.map((finding) => `${finding.ruleId}: ${finding.message}`);
    };
    expect(await findings()).toEqual([
      'required-scans: no job runs a secrets scan (gitleaks, trufflehog or detect-secrets); required for every pipeline',
      'no-latest-tag: CI job build image uses the latest tag (${BUILD_REGISTRY}/tools:latest); pin a version or a digest',
      `no-latest-tag: Helm values image uses the latest tag (${r}/team/app:latest); pin a version or a digest`,
      `no-latest-tag: container image uses the floating tag nightly (${r}/team/app:nightly); pin a version or a digest`,
    ]);

    const again = await fleetlintAsync(['fix', root, '--resolve-digests'], env);
    expect(again.stdout).toMatch(/^(skipped: .*\n){3}0 fixes changed 0 files in 0 repositories; 3 skipped\n$/);
    expect(await read(repo, 'Dockerfile')).toBe(`FROM ${r}/team/app:latest@${appDigest} AS base\nRUN true\n`);
  }, 120_000);

  it("pins CI images and services and an Application's inline Helm values where they are written, and skips a FROM built from an ARG", async () => {
    const r = registry.host;
    const ci = `test:\n  image:\n    name: ${r}/team/app:latest\n  services:\n    - ${r}/multi:stable\n  script: [make test]\n`;
    const application = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://charts.example.com
    chart: web
    targetRevision: 1.0.0
    helm:
      values: |
        replicas: 2
        image: ${r}/team/app:latest
  destination:
    server: https://kubernetes.default.svc
    namespace: web
`;
    const dockerfile = `ARG BASE=${r}/team/app:latest\nFROM \${BASE}\n`;
    const { root, repo, env } = await fleet('places', { '.gitlab-ci.yml': ci, 'argocd/app.yaml': application, 'build/Dockerfile': dockerfile });
    const result = await fleetlintAsync(['fix', root, '--resolve-digests', '--rule', 'no-latest-tag'], env);
    expect(result.stdout).toContain(`skipped: pin ${r}/team/app:latest (apps/web/build/Dockerfile:2) to its digest [no-latest-tag]: ${r}/team/app:latest is not written as such at build/Dockerfile:2 (built from variables?)\n3 fixes changed 2 files in 1 repository; 1 skipped\n`);
    expect(await read(repo, '.gitlab-ci.yml')).toBe(ci.replace('app:latest', `app:latest@${appDigest}`).replace('multi:stable', `multi:stable@${multiDigest}`));
    expect(await read(repo, 'argocd/app.yaml')).toBe(application.replace('app:latest', `app:latest@${appDigest}`));
    expect(await read(repo, 'build/Dockerfile')).toBe(dockerfile);
  }, 60_000);

  it('audit --fix --resolve-digests pins, then reports from a fresh audit; --resolve-digests alone is a usage error', async () => {
    const pod = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: ${registry.host}/multi:stable\n`;
    const { root, repo, env } = await fleet('audit', { 'deploy/pod.yaml': pod });
    const result = await fleetlintAsync(['audit', root, '--fix', '--resolve-digests', '--format', 'json', '--fail-on', 'never'], env);
    expect(result.stderr).toContain(`deploy/pod.yaml: pin ${registry.host}/multi:stable to ${registry.host}/multi:stable@${multiDigest} [no-latest-tag]`);
    expect((JSON.parse(result.stdout) as { findings: { ruleId: string }[] }).findings.filter((finding) => finding.ruleId === 'no-latest-tag')).toEqual([]);
    expect(await read(repo, 'deploy/pod.yaml')).toBe(pod.replace('stable', `stable@${multiDigest}`));
    expect((await fleetlintAsync(['audit', root, '--resolve-digests'], env)).stderr).toContain('audit --resolve-digests goes with --fix');
  }, 60_000);

  it('pins the image of a CI template once for the repos that include it; lint --fix of one of them leaves the template alone with a note', async () => {
    const r = registry.host;
    const template = `.build:\n  image: ${r}/team/app:latest\n  script: [make]\n`;
    const consumer = `include:\n  - project: platform/ci-templates\n    file: templates/build.yml\nbuild:\n  extends: .build\n`;
    const root = join(scratch.dir, 'template');
    const templates = join(root, 'platform', 'ci-templates');
    await commitFiles(await initRepo(templates), templates, { 'templates/build.yml': template }, 'init');
    for (const name of ['web', 'api']) await commitFiles(await initRepo(join(root, 'apps', name)), join(root, 'apps', name), { '.gitlab-ci.yml': consumer }, 'init');

    const lint = await fleetlintAsync(['lint', join(root, 'apps', 'web'), '--fleet', root, '--fix', '--resolve-digests', '--quiet']);
    expect(lint.stderr).toContain(`skipped: pin ${r}/team/app:latest (platform/ci-templates/templates/build.yml:2) to its digest [no-latest-tag]: it is written in platform/ci-templates, a repository this run does not write`);
    expect(await read(templates, 'templates/build.yml')).toBe(template);

    const fix = await fleetlintAsync(['fix', root, '--resolve-digests', '--rule', 'no-latest-tag']);
    expect(fix.stdout).toBe(`platform/ci-templates\n  templates/build.yml: pin ${r}/team/app:latest to ${r}/team/app:latest@${appDigest} [no-latest-tag]\n1 fix changed 1 file in 1 repository\n`);
    expect(await read(templates, 'templates/build.yml')).toBe(template.replace('latest', `latest@${appDigest}`));
  }, 60_000);

  it('is never on by default: fix alone proposes no digest', async () => {
    const { root } = await fleet('default', { 'deploy/pod.yaml': `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: ${registry.host}/team/app:latest\n` });
    const result = await fleetlintAsync(['fix', root, '--rule', 'no-latest-tag', '--dry-run']);
    expect(result).toMatchObject({ status: 0, stdout: '', stderr: 'nothing to fix\n' });
  }, 60_000);
});

describe('fix --resolve-digests behind Bearer token auth', () => {
  const pod = (image: string): string => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: api\nspec:\n  containers:\n    - name: api\n      image: ${image}\n`;
  /** Nothing secret may reach the output: the password, its base64 forms, the token. */
  const expectNoSecret = (output: string): void => {
    for (const secret of [PASSWORD, Buffer.from(`${USER}:${PASSWORD}`).toString('base64'), front.token]) expect(output).not.toContain(secret);
  };

  it('gets a token with the credentials of the docker config (auths.<host>.auth) and pins the image', async () => {
    const image = `${front.host}/private/api:edge`;
    const { root, repo, env } = await fleet('token', { 'deploy/pod.yaml': pod(image) }, { auths: { [front.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } });
    const before = front.tokenRequests.length;
    const result = await fleetlintAsync(['fix', root, '--resolve-digests'], env);
    expectNoSecret(result.stdout + result.stderr);
    expect(result.stdout).toBe(`apps/web\n  deploy/pod.yaml: pin ${image} to ${image}@${privateDigest} [no-latest-tag]\n1 fix changed 1 file in 1 repository\n`);
    expect(result.status).toBe(0);
    expect(await read(repo, 'deploy/pod.yaml')).toBe(pod(`${image}@${privateDigest}`));
    expect(front.tokenRequests.slice(before)).toEqual([`Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`]);
  }, 60_000);

  it('skips the image with a note when the credentials are wrong or missing, and prints no credential', async () => {
    const image = `${front.host}/private/api:edge`;
    const wrong = await fleet('wrong', { 'deploy/pod.yaml': pod(image) }, { auths: { [`https://${front.host}/v2/`]: { username: USER, password: 'not-the-password' } } });
    const result = await fleetlintAsync(['fix', wrong.root, '--resolve-digests'], wrong.env);
    expect(result.stdout).toBe(`skipped: pin ${image} (apps/web/deploy/pod.yaml:8) to its digest [no-latest-tag]: the token service ${front.host} answered HTTP 401 (the credentials for ${front.host} were refused)\n0 fixes changed 0 files in 0 repositories; 1 skipped\n`);
    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).not.toContain('not-the-password');
    expectNoSecret(result.stdout + result.stderr);
    expect(await read(wrong.repo, 'deploy/pod.yaml')).toBe(pod(image));

    const none = await fleet('none', { 'deploy/pod.yaml': pod(image) });
    const anonymous = await fleetlintAsync(['fix', none.root, '--resolve-digests', '--dry-run'], none.env);
    expect(anonymous.stderr).toContain(`skipped: pin ${image} (apps/web/deploy/pod.yaml:8) to its digest [no-latest-tag]: the token service ${front.host} answered HTTP 401 (no credentials for ${front.host} (no docker config at ${join(none.env.DOCKER_CONFIG ?? '', 'config.json')}))`);
  }, 60_000);

  it('lint --fix --resolve-digests takes the credentials from a credential helper (docker-credential-<name> get)', async () => {
    const image = `${front.host}/private/api:edge`;
    const { repo, env } = await fleet('helper', { 'deploy/pod.yaml': pod(image) }, { credHelpers: { [front.host]: 'fleetlint-test' } });
    const bin = join(scratch.dir, 'helper-bin');
    await mkdir(bin, { recursive: true });
    // The helper protocol: the server address on stdin, {"ServerURL","Username","Secret"} on stdout, exit 1 if unknown.
    await writeFile(
      join(bin, 'docker-credential-fleetlint-test'),
      `#!/bin/sh\n[ "$1" = get ] || exit 2\nread -r server\nif [ "$server" = "${front.host}" ]; then printf '{"ServerURL":"%s","Username":"${USER}","Secret":"${PASSWORD}"}' "$server"; else echo "credentials not found in native keychain"; exit 1; fi\n`,
    );
    await chmod(join(bin, 'docker-credential-fleetlint-test'), 0o755);
    const result = await fleetlintAsync(['lint', repo, '--fix', '--resolve-digests'], { ...env, PATH: `${bin}:${process.env.PATH ?? ''}` });
    expectNoSecret(result.stdout + result.stderr);
    expect(result.stderr).toContain(`deploy/pod.yaml: pin ${image} to ${image}@${privateDigest} [no-latest-tag]`);
    expect(await read(repo, 'deploy/pod.yaml')).toBe(pod(`${image}@${privateDigest}`));
    expect(result.stdout).not.toContain('no-latest-tag');
  }, 60_000);
});
