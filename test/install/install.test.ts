/**
 * fleetlint installed the three ways users install it, each from a clone of this repository at HEAD (what is
 * committed, not the working tree): a packed tarball, `npm install -g` from its git URL, and the pre-commit
 * framework (the real `pre-commit` from PyPI) blocking a commit in a throwaway repository.
 *
 * Slow (minutes: every install builds fleetlint from a clean clone), so not part of `npm test`; `.ci/run` runs it
 * with `npm run test:install`.
 */
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package.js';
import { initRepo, tempDir, writeFiles } from '../sources/git-fixture.js';

const ROOT = packageRoot();
const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const TAG = `v${version}`;

/**
 * The environment of a user's shell: without what `npm run` and git hooks put in it (npm_config_*, npm_package_*,
 * GIT_DIR and the like), which would change what the npm and git started here do.
 */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(npm_|GIT_)/i.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; a command that cannot be started fails the test with its name. */
function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = userEnv()): Run {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`${command} could not be run: ${result.error.message}`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a command that must succeed, and returns its stdout. */
function ok(command: string, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): string {
  const result = run(command, args, cwd, env);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${String(result.status)}\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

const DEPLOYMENT = (image: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: ${image}
`;

/** A pipeline that scans the manifests and the secrets in merge requests, so that required-scans is satisfied. */
const PIPELINE = `stages: [test]

manifests:scan:
  stage: test
  image: quay.io/kubescape/kubescape-cli:v3.0.21
  script:
    - kubescape scan deployment.yaml --severity-threshold high
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"

secrets:scan:
  stage: test
  image: zricethezav/gitleaks:v8.21.2
  script:
    - gitleaks detect --source . --verbose
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
`;

const LATEST_MESSAGE = 'container image uses the latest tag (nginx:latest); pin a version or a digest';

/** A repository with `image: nginx:latest` staged; `fleetlint lint --staged` in it must fail with the rule's message. */
async function stagedLatest(dir: string): Promise<void> {
  const git = await initRepo(dir);
  await writeFiles(dir, { '.gitlab-ci.yml': PIPELINE, 'deployment.yaml': DEPLOYMENT('nginx:latest') });
  await git.add('.');
}

function expectBlocked(result: Run): void {
  expect(result.status, `${result.stdout}\n${result.stderr}`).toBe(1);
  expect(result.stdout).toContain(`deployment.yaml:14:11  error  ${LATEST_MESSAGE}`);
}

describe(`fleetlint ${version} installed from a clone of this repository`, () => {
  let work: string;
  let cleanup: () => Promise<void>;
  /** A clone of HEAD with the release tag, as users see the repository. */
  let clone: string;

  beforeAll(async () => {
    // What users get is what package.json's engines promise: test it on such a Node (CI: scripts/install-node.sh).
    const { engines } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    const minimum = Number(/^>=(\d+)$/.exec(engines.node)?.[1]);
    if (!(Number(process.versions.node.split('.')[0]) >= minimum)) {
      throw new Error(`the install tests need the Node that package.json's engines accept (${engines.node}), not ${process.version}: PATH="$(bash scripts/install-node.sh):$PATH" npm run test:install`);
    }
    ({ dir: work, cleanup } = await tempDir('fleetlint-install-'));
    clone = join(work, 'fleetlint');
    ok('git', ['clone', '--quiet', ROOT, clone], work);
    // The release tag the docs' `rev:` names, at HEAD: the code under test. A clone of a repository that has the
    // release tag already (at the commit it was released from) brings it along, so it is moved here (-f).
    ok('git', ['-c', 'user.name=fleetlint test', '-c', 'user.email=test@fleetlint.invalid', 'tag', '-f', '-a', TAG, '-m', `fleetlint ${version}`], clone);
  });
  afterAll(async () => {
    await cleanup();
  });

  it('from a packed tarball: npm pack in the clean clone, npm install -g of the tarball', async () => {
    // prepare builds dist/ in the clone, installing the build tools first since the clone has no node_modules.
    const tarball = ok('npm', ['pack', '--silent', '--pack-destination', work], clone).trim().split('\n').pop() ?? '';
    expect(tarball).toBe(`fleetlint-${version}.tgz`);
    const prefix = join(work, 'from-tarball');
    const install = run('npm', ['install', '--global', '--prefix', prefix, join(work, tarball)], work);
    expect(install.status, install.stderr).toBe(0);
    // The Node version fleetlint declares is one its dependencies accept: no EBADENGINE on install.
    expect(install.stderr).not.toContain('EBADENGINE');

    const fleetlint = join(prefix, 'bin', 'fleetlint');
    expect(ok(fleetlint, ['--version'], work).trim()).toBe(version);
    const repo = join(work, 'tarball-repo');
    await stagedLatest(repo);
    expectBlocked(run(fleetlint, ['lint', '--staged'], repo));
  });

  it('from its git URL: npm install -g --install-links git+file://…#tag', async () => {
    // npm 11 leaves a link to a deleted temporary clone when it installs a git package that has a prepare script
    // globally without --install-links (the pre-commit framework passes it too); docs/pre-commit.md says so.
    const prefix = join(work, 'from-git');
    ok('npm', ['install', '--global', '--install-links', '--prefix', prefix, `git+file://${clone}#${TAG}`], work);
    const fleetlint = join(prefix, 'bin', 'fleetlint');
    expect(ok(fleetlint, ['--version'], work).trim()).toBe(version);
    const repo = join(work, 'git-repo');
    await stagedLatest(repo);
    expectBlocked(run(fleetlint, ['lint', '--staged'], repo));
  });

  it('as a pre-commit hook: the pre-commit framework blocks a commit of nginx:latest and lets a clean one through', async () => {
    const preCommitBin = ok('bash', [join(ROOT, 'scripts', 'install-pre-commit.sh')], ROOT).trim();
    const env = userEnv({ PRE_COMMIT_HOME: join(work, 'pre-commit-home'), PATH: `${preCommitBin}:${process.env.PATH ?? ''}` });
    const repo = join(work, 'hook-repo');
    await initRepo(repo);
    // As docs/pre-commit.md tells users to write it, with the clone's path for the repository's URL.
    const config = `repos:\n  - repo: ${clone}\n    rev: ${TAG}\n    hooks:\n      - id: fleetlint\n`;
    await writeFiles(repo, { '.pre-commit-config.yaml': config, '.gitlab-ci.yml': PIPELINE, 'deployment.yaml': DEPLOYMENT('nginx:1.27.3') });
    ok('pre-commit', ['install'], repo, env);
    const commit = (message: string): Run => {
      ok('git', ['add', '--all'], repo, env);
      const result = run('git', ['commit', '--message', message], repo, env);
      return { ...result, stdout: `${result.stdout}${result.stderr}` };
    };

    // The first commit installs the hook's environment: npm installs fleetlint from the clone at the tag.
    const clean = commit('a clean commit');
    expect(clean.status, clean.stdout).toBe(0);
    expect(clean.stdout).toMatch(/^fleetlint\.+Passed$/m);

    await writeFile(join(repo, 'deployment.yaml'), DEPLOYMENT('nginx:latest'));
    const blocked = commit('nginx on latest');
    expect(blocked.status, blocked.stdout).toBe(1);
    expect(blocked.stdout).toMatch(/^fleetlint\.+Failed$/m);
    expect(blocked.stdout).toContain(`deployment.yaml:14:11  error  ${LATEST_MESSAGE}`);
    expect(ok('git', ['log', '--format=%s'], repo, env).trim().split('\n')).toEqual(['a clean commit']);
  });
});
