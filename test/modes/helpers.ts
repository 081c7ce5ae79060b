import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimpleGit } from 'simple-git';
import { main } from '../../src/cli/main.js';
import { commitFiles, initRepo, writeFiles } from '../sources/git-fixture.js';

/** A finding as the JSON report writes it (the fields the tests read). */
export interface JsonFinding {
  ruleId: string;
  severity: 'error' | 'warning' | 'note';
  message: string;
  repo: string;
  file?: string;
  fingerprint: string;
}

export interface JsonReport {
  repos: string[];
  findings: JsonFinding[];
}

export interface CliRun {
  code: number;
  report: JsonReport;
  text: string;
}

/**
 * Runs the CLI in-process, the way bin/fleetlint.js does, with its reports written to files (JSON and text)
 * and read back: nothing of the process is replaced. `cwd` changes the working directory for the call
 * (relative file arguments); `env` sets variables for the call and restores them after.
 */
export async function cli(args: readonly string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliRun> {
  const out = await mkdtemp(join(tmpdir(), 'fleetlint-out-'));
  const saved = new Map<string, string | undefined>();
  const previousCwd = process.cwd();
  try {
    for (const [name, value] of Object.entries(options.env ?? {})) {
      saved.set(name, process.env[name]);
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
    if (options.cwd !== undefined) process.chdir(options.cwd);
    const json = join(out, 'report.json');
    const text = join(out, 'report.txt');
    const code = await main([...args, '--format', `json=${json}`, '--format', `text=${text}`]);
    const report = JSON.parse(await readFile(json, 'utf8').catch(() => '{"repos":[],"findings":[]}')) as JsonReport;
    return { code, report, text: await readFile(text, 'utf8').catch(() => '') };
  } finally {
    process.chdir(previousCwd);
    for (const [name, value] of saved) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
    await rm(out, { recursive: true, force: true });
  }
}

export const SETTINGS_YAML = `gitlab:
  host: gitlab.homelab.local
  group: homelab
registries:
  - harbor.homelab.local
`;

/** The shared templates: a secret scan and a manifest scan every consumer includes, an image build only app-b does. */
export const SECURITY_TEMPLATE = `secret-scan:
  stage: test
  image: zricethezav/gitleaks:v8.18.4
  script:
    - gitleaks detect --source . --verbose
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH

manifest-scan:
  stage: test
  image: quay.io/kubescape/kubescape-cli:v3.0.21
  script:
    - kubescape scan deploy/
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
`;

export const BUILD_TEMPLATE = `build-image:
  stage: build
  image: docker:latest
  script:
    - docker build -t harbor.homelab.local/applications/app-b:$CI_COMMIT_SHA .
`;

export function consumerPipeline(files: readonly string[], buildImage = 'alpine:3.20'): string {
  return `include:
  - project: homelab/platform/ci-templates
    file:
${files.map((file) => `      - ${file}`).join('\n')}

workflow:
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH

stages:
  - build
  - test

unit:
  stage: build
  image: ${buildImage}
  script:
    - echo unit tests
`;
}

export const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-a
  namespace: app-a
spec:
  template:
    spec:
      containers:
        - name: app
          image: harbor.homelab.local/applications/app-a:1.4.2
`;

export const APPLICATION = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: app-a
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: "10"
spec:
  project: default
  source:
    repoURL: https://gitlab.homelab.local/homelab/applications/app-a.git
    targetRevision: main
    path: deploy
  destination:
    server: https://kubernetes.default.svc
    namespace: app-a
`;

export type RepoFiles = Record<string, string>;

/** The small fleet of the mode tests: shared CI templates, two consumers, and the ArgoCD apps repo. */
export function fleetRepos(): Record<string, RepoFiles> {
  return {
    'platform/ci-templates': { 'README.md': '# CI templates\n', 'templates/security-scan.yml': SECURITY_TEMPLATE, 'templates/build.yml': BUILD_TEMPLATE },
    'applications/app-a': {
      'README.md': '# app-a\n',
      '.gitlab-ci.yml': consumerPipeline(['templates/security-scan.yml']),
      'deploy/deployment.yaml': DEPLOYMENT,
    },
    'applications/app-b': {
      'README.md': '# app-b\n',
      '.gitlab-ci.yml': consumerPipeline(['templates/security-scan.yml', 'templates/build.yml']),
    },
    'kubernetes/argocd-apps': { 'README.md': '# apps\n', 'apps/app-a.yaml': APPLICATION },
  };
}

export interface TestFleet {
  root: string;
  repos: Record<string, { dir: string; git: SimpleGit }>;
  cleanup: () => Promise<void>;
}

/**
 * A fleet root in a temp folder: fleet.yaml with the GitLab group, a config extending the homelab preset, and each
 * repo a real git repository with
 * one commit on `main` and an `origin` remote on the fleet's GitLab host.
 */
export async function makeFleet(repos: Record<string, RepoFiles> = fleetRepos()): Promise<TestFleet> {
  const root = await mkdtemp(join(tmpdir(), 'fleetlint-fleet-'));
  const made: TestFleet['repos'] = {};
  // A homelab-like fleet, with the homelab's conventions (scan requirements by kind, wave bands, layouts).
  await writeFiles(root, {
    'fleet.yaml': `${SETTINGS_YAML}repos:\n${Object.keys(repos).map((id) => `  - ${id}`).join('\n')}\n`,
    'fleetlint.config.yaml': 'extends: [homelab]\n',
  });
  for (const [id, files] of Object.entries(repos)) {
    const dir = join(root, id);
    const git = await makeRepo(dir, files, `git@gitlab.homelab.local:homelab/${id}.git`);
    made[id] = { dir, git };
  }
  return { root, repos: made, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** A git repository with the files committed on `main`, and an `origin` remote when given. */
export async function makeRepo(dir: string, files: RepoFiles, remote?: string): Promise<SimpleGit> {
  const git = await initRepo(dir);
  await git.raw(['checkout', '-q', '-b', 'main']);
  await commitFiles(git, dir, files, 'initial');
  if (remote !== undefined) await git.addRemote('origin', remote);
  return git;
}

export function findingsOf(report: JsonReport, ruleId: string): JsonFinding[] {
  return report.findings.filter((finding) => finding.ruleId === ruleId);
}
