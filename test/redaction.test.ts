/**
 * Secrets never leave fleetlint: a fleet with planted secrets goes through every built-in check and every report
 * format, and no planted value (nor any 8-character piece of one) may appear in any output. The secrets are
 * planted where other checks also look (CI scripts, includes, Application repoURLs, Helm values), since a message
 * that quotes a script line or a URL would leak what no-secrets so carefully redacts.
 */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtinChecks } from '../src/run/checks.js';
import { EMPTY_CONFIG } from '../src/engine/config-types.js';
import { runChecks, type RunResult } from '../src/engine/runner.js';
import { REPORT_FORMATS, renderReport, renderSarifPerRepo, type ReportInput } from '../src/report/index.js';
import { fleetFromFiles, type FleetFiles } from './support/fleet.js';

/** Each planted value, the repo and file it is planted in, and the redacted form its finding must show. */
const PLANTED = {
  gitlabPat: { value: 'glpat-Qm7Zx2Kv9Lr4Tw8Np3Hs', repo: 'core-services/networking/traefik', file: '.gitlab-ci.yml', redacted: 'glpa… (26 chars)' },
  awsKeyId: { value: 'AKIAQ7PLANTEDKEY4ZX9', repo: 'backup/velero', file: 'helm/values.yaml', redacted: 'AKIA… (20 chars)' },
  yamlPassword: { value: 'Yv3-Qz8kAdm1n-77w', repo: 'applications/productivity/nextcloud', file: 'helm/values.yaml', redacted: 'Yv3-… (17 chars)' },
  secretStringData: { value: 'Str1ngData-R00t-S3cret!', repo: 'core-services/storage/minio', file: 'buckets/root-secret.yaml', redacted: 'Str1… (23 chars)' },
  // secretlint reports the whole credentialed URL, so its redacted form starts with the scheme.
  urlPassword: { value: 'Ur1Pa55w0rdPlanted', repo: 'kubernetes/argocd-apps', file: 'backup/velero.yaml', redacted: 'http… (54 chars)' },
  dockerPassword: { value: 'D0ckerL0gin-Hq5z', repo: 'cicd/gitlab-runners', file: '.gitlab-ci.yml', redacted: 'D0ck… (16 chars)' },
} as const;

const { gitlabPat, awsKeyId, yamlPassword, secretStringData, urlPassword, dockerPassword } = PLANTED;

const FLEET: FleetFiles = {
  'platform/ci-templates': {
    'templates/docker-build.yml': [
      '.docker:build:',
      '  image: docker:27.1.1',
      '  services: [docker:27.1.1-dind]',
      '  script:',
      '    - docker build -t ${CI_REGISTRY_IMAGE}:${CI_COMMIT_SHORT_SHA} .',
      '',
    ].join('\n'),
  },
  'kubernetes/argocd-bootstrap': {
    'argocd/projects/core-services.yaml': [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: AppProject',
      'metadata:',
      '  name: core-services',
      'spec:',
      '  sourceRepos:',
      "    - 'https://gitlab.homelab.local/homelab/core-services/*'",
      '  destinations:',
      "    - namespace: '*'",
      '      server: https://kubernetes.default.svc',
      '',
    ].join('\n'),
  },
  // The PAT in a CI script line, which a check that quoted script lines would leak.
  [gitlabPat.repo]: {
    '.gitlab-ci.yml': [
      'stages: [deploy]',
      'notify:',
      '  stage: deploy',
      '  image: curlimages/curl:latest',
      '  script:',
      `    - 'curl --header "PRIVATE-TOKEN: ${gitlabPat.value}" https://gitlab.homelab.local/api/v4/projects'`,
      '',
    ].join('\n'),
    'README.md': '# traefik\n',
  },
  [awsKeyId.repo]: {
    'helm/values.yaml': ['credentials:', '  secretContents:', '    cloud: |', '      [default]', `      aws_access_key_id=${awsKeyId.value}`, ''].join('\n'),
  },
  [yamlPassword.repo]: {
    'helm/values.yaml': ['nextcloud:', '  host: cloud.homelab.local', '  username: admin', `  password: ${yamlPassword.value}`, ''].join('\n'),
  },
  [secretStringData.repo]: {
    'buckets/root-secret.yaml': [
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      '  name: minio-root',
      'type: Opaque',
      'stringData:',
      `  rootPassword: ${secretStringData.value}`,
      '',
    ].join('\n'),
  },
  // Basic-auth repoURLs where argocd-app-source reports the URL: an AppProject that does not allow it, a group URL.
  [urlPassword.repo]: {
    'core-services/networking.yaml': [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata:',
      '  name: core-networking',
      'spec:',
      '  source:',
      `    repoURL: https://deploy:${urlPassword.value}@gitlab.homelab.local/homelab/core-services/networking`,
      '    path: .',
      '  destination:',
      '    server: https://kubernetes.default.svc',
      '    namespace: argocd',
      '',
    ].join('\n'),
    'backup/velero.yaml': [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata:',
      '  name: velero',
      'spec:',
      '  project: core-services',
      '  source:',
      `    repoURL: https://deploy:${urlPassword.value}@gitlab.homelab.local/homelab/backup/velero.git`,
      '    path: helm',
      '  destination:',
      '    server: https://kubernetes.default.svc',
      '    namespace: velero',
      '',
    ].join('\n'),
  },
  [dockerPassword.repo]: {
    '.gitlab-ci.yml': [
      'include:',
      "  - project: 'homelab/platform/ci-templates'",
      "    file: 'templates/docker-build.yml'",
      'build:',
      '  extends: .docker:build',
      '  before_script:',
      `    - docker login -u admin -p ${dockerPassword.value} harbor.homelab.local`,
      '',
    ].join('\n'),
  },
};

/** Every 8-character piece of a value: the redacted form shows at most 4 characters, so none may appear. */
function pieces(value: string): string[] {
  const result: string[] = [];
  for (let start = 0; start + 8 <= value.length; start += 1) result.push(value.slice(start, start + 8));
  return result;
}

/** Every rendering of the run: each report format, and the per-repo SARIF logs. */
function renderAll(input: ReportInput): Map<string, string> {
  const outputs = new Map<string, string>();
  for (const format of REPORT_FORMATS) outputs.set(format, renderReport(format, input));
  for (const [repo, log] of renderSarifPerRepo(input)) outputs.set(`sarif per repo (${repo})`, log);
  return outputs;
}

describe('planted secrets never appear in any output', () => {
  let result: RunResult;
  let outputs: Map<string, string>;

  beforeAll(async () => {
    const fleet = await fleetFromFiles(FLEET);
    const checks = await builtinChecks();
    result = await runChecks({ fleet, checks, config: EMPTY_CONFIG, today: new Date('2026-01-01T00:00:00Z') });
    outputs = renderAll({ result, toolVersion: '0.0.0-test', repos: fleet.repos.map((repo) => repo.id), command: 'audit' });
  });

  it('runs the TypeScript rules and the Rego policies, and renders every format', () => {
    const ruleIds = new Set(result.findings.map((finding) => finding.ruleId));
    for (const id of ['no-secrets', 'argocd-app-source', 'no-latest-tag', 'required-scans']) expect(ruleIds, id).toContain(id);
    // Both argocd-app-source messages that quote a repoURL are exercised.
    const sourceMessages = result.findings.filter((finding) => finding.ruleId === 'argocd-app-source').map((finding) => finding.message);
    expect(sourceMessages).toContainEqual(expect.stringContaining('names no repository of the fleet'));
    expect(sourceMessages).toContainEqual(expect.stringContaining('AppProject core-services does not allow source https://***@gitlab.homelab.local/homelab/backup/velero.git'));
    for (const format of ['text', 'json', 'sarif', 'junit', 'codequality']) expect(outputs.get(format)?.length ?? 0, format).toBeGreaterThan(0);
  });

  it.each(Object.entries(PLANTED))('%s is found by no-secrets, redacted, in its file', (_name, planted) => {
    const found = result.findings.filter((finding) => finding.ruleId === 'no-secrets' && finding.repo === planted.repo && finding.file === planted.file);
    expect(found.map((finding) => finding.message)).toContainEqual(expect.stringContaining(planted.redacted));
    for (const finding of found) expect(finding.severity).toBe('error');
  });

  it.each(Object.entries(PLANTED))('no output contains %s, nor any 8-character piece of it', (_name, planted) => {
    for (const [name, text] of outputs) {
      expect(text.includes(planted.value), `${name} contains the whole value`).toBe(false);
      const leaked = pieces(planted.value).filter((piece) => text.includes(piece));
      expect(leaked, `${name} contains pieces of the value`).toEqual([]);
    }
  });

  // An unsalted digest of a value lets anyone test guesses of a weak password offline (#19): no output may hold the
  // start of one, in hex or base64, whatever the algorithm.
  it.each(Object.entries(PLANTED))('no output contains an unsalted digest of %s', (_name, planted) => {
    const digests = ['md5', 'sha1', 'sha256', 'sha512'].flatMap((algorithm) => {
      const digest = createHash(algorithm).update(planted.value).digest();
      return [digest.toString('hex').slice(0, 12), digest.toString('base64').slice(0, 12)];
    });
    for (const [name, text] of outputs) {
      expect(digests.filter((digest) => text.toLowerCase().includes(digest.toLowerCase())), name).toEqual([]);
    }
  });

  it('the findings themselves carry no planted value in any field', () => {
    const serialized = JSON.stringify(result.findings);
    for (const planted of Object.values(PLANTED)) {
      expect(pieces(planted.value).filter((piece) => serialized.includes(piece)), planted.value.slice(0, 4)).toEqual([]);
    }
  });
});

/**
 * Loader diagnostics quote what they could not use (a remote include URL, a raw image reference); the runner scrubs
 * credentials from every message and subject, so these cannot leak either.
 */
describe('credentials quoted by loader diagnostics', () => {
  async function leakedPieces(files: FleetFiles, value: string): Promise<{ found: boolean; leaks: string[] }> {
    const fleet = await fleetFromFiles(files);
    const result = await runChecks({ fleet, checks: await builtinChecks(), config: EMPTY_CONFIG, today: new Date('2026-01-01T00:00:00Z') });
    const outputs = renderAll({ result, toolVersion: '0.0.0-test', repos: fleet.repos.map((repo) => repo.id), command: 'audit' });
    const leaks = [...outputs].flatMap(([name, text]) => pieces(value).filter((piece) => text.includes(piece)).map((piece) => `${name}: ${piece}`));
    return { found: result.findings.some((finding) => finding.ruleId === 'no-secrets'), leaks };
  }

  // src/model/gitlab-ci/include.ts: the unresolved-include note quotes the remote URL in its message and subject.
  it('a token in a remote include URL (unresolved-include)', async () => {
    const token = 'glpat-Rk4Wn8Xc2Vb6Jm9Qp5Ty';
    const { found, leaks } = await leakedPieces({ svc: { '.gitlab-ci.yml': `include:\n  - remote: 'https://ci.example.com/shared.yml?private_token=${token}'\nbuild:\n  script: [make]\n` } }, token);
    expect(found).toBe(true);
    expect(leaks).toEqual([]);
  });

  // src/model/images: the invalid-image-reference error quotes the raw reference, credentials and all.
  it('a password in an image reference written as a URL (invalid-image-reference)', async () => {
    const password = 'Zz9Pa55wordImg';
    const { found, leaks } = await leakedPieces({ svc: { '.gitlab-ci.yml': `build:\n  image: https://u:${password}@registry.example.com/x:1\n  script: [make]\n` } }, password);
    expect(found).toBe(true);
    expect(leaks).toEqual([]);
  });
});
