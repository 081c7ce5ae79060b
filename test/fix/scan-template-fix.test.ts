/**
 * The fix of `required-scans` for a missing scan: the include of the fleet's template that provides it, pinned to
 * the template repository's newest tag, and a job that extends the template's hidden job. Run as users run the
 * built CLI, on a fleet of real git repositories made here, with real tags.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { commitFiles, initRepo, tempDir, writeFiles } from '../sources/git-fixture.js';
import { audit, fleetlint, type JsonFinding } from './cli.js';
import { newestTag } from '../../src/model/gitlab-ci/scan-templates.js';

const FLEET = `gitlab:
  host: gitlab.example.test
  group: acme
repos:
  - platform/ci-templates
  - apps/web
  - apps/api
  - apps/docs
`;

const TEMPLATE = `# Security scans: extend the hidden jobs.
.security:gitleaks:
  stage: security
  image: zricethezav/gitleaks:v8.21.2
  script:
    - gitleaks detect --source . --redact

.security:trufflehog:
  stage: security
  image: trufflesecurity/trufflehog:3.88.0
  script:
    - trufflehog filesystem . || true
`;

// Includes the template at an old tag and runs its gitleaks job: what makes the file a template of the fleet.
const WEB = `include:
  - project: 'acme/platform/ci-templates'
    ref: v1.0.0
    file: 'templates/security.yml'

stages: [test, security]

secrets:
  extends: .security:gitleaks
`;

// No include at all, and a header comment: include: goes below the header.
const API = `# The API's pipeline.
stages:
  - build
  - security

build:
  stage: build
  image: node:20.11.1
  script:
    - npm ci
`;

// Includes the template (another tag) as one map, without running its scan: only the job is added.
const DOCS = `include:
  project: acme/platform/ci-templates
  ref: v1.2.0
  file: templates/security.yml

pages:
  image: node:20.11.1
  script:
    - npm run docs
`;

const missing = (findings: readonly JsonFinding[]): JsonFinding[] => findings.filter((finding) => finding.ruleId === 'required-scans' && finding.subject?.startsWith('missing:') === true);

async function makeFleet(dir: string): Promise<void> {
  const templates = join(dir, 'platform', 'ci-templates');
  const git = await initRepo(templates);
  await commitFiles(git, templates, { 'templates/security.yml': TEMPLATE }, 'templates');
  // Tags in an order where the newest by version is neither the last made nor the last by name; the newest is
  // in packed-refs (as after a clone or `git gc`), the others loose, one annotated.
  for (const tag of ['v1.10.0', 'v1.2.0']) await git.addTag(tag);
  await git.raw(['pack-refs', '--all']);
  for (const tag of ['v1.0.0', 'v2.0.0-rc.1', 'nightly']) await git.addTag(tag);
  await git.raw(['tag', '-a', 'v1.9.0', '-m', 'annotated']);
  for (const [id, ci] of [['apps/web', WEB], ['apps/api', API], ['apps/docs', DOCS]] as const) {
    const repo = join(dir, id);
    await commitFiles(await initRepo(repo), repo, { '.gitlab-ci.yml': ci }, 'ci');
  }
  await writeFiles(dir, { 'fleet.yaml': FLEET });
}

describe('newestTag', () => {
  it('orders semantic versions, prefers releases to pre-releases, ignores other tags', () => {
    expect(newestTag(['v1.2.0', 'v1.10.0', 'v1.9.0', 'v2.0.0-rc.1', 'nightly', 'latest'])).toBe('v1.10.0');
    expect(newestTag(['v2.0.0-rc.1', 'v2.0.0-rc.2', 'nightly'])).toBe('v2.0.0-rc.2');
    expect(newestTag(['1.0.0', 'v1.0.0'])).toBe('1.0.0');
    expect(newestTag(['nightly', 'release-3'])).toBeUndefined();
  });
});

describe('required-scans: a missing scan gets the fleet template that provides it', () => {
  it('includes the template at its newest version tag and extends its hidden job; a second audit finds none of those findings and nothing new; a second fix does nothing', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await makeFleet(dir);
      const before = audit(dir);
      expect(missing(before).map((finding) => `${finding.repo} ${finding.message}`)).toEqual([
        'apps/api no job runs a secrets scan (gitleaks, trufflehog or detect-secrets); required for every pipeline',
        'apps/docs no job runs a secrets scan (gitleaks, trufflehog or detect-secrets); required for every pipeline',
      ]);

      const dry = fleetlint(['fix', dir, '--rule', 'required-scans', '--dry-run']);
      expect(dry.status).toBe(0);
      expect(dry.stderr).toContain('apps/api\n  .gitlab-ci.yml: include templates/security.yml of acme/platform/ci-templates at v1.10.0 (its newest tag) and add job security:gitleaks extending .security:gitleaks, so that the pipeline runs its secrets scan [required-scans]');
      expect(dry.stderr).toContain('apps/docs\n  .gitlab-ci.yml: add job security:gitleaks extending .security:gitleaks, so that the pipeline runs its secrets scan [required-scans]');
      expect(await readFile(join(dir, 'apps', 'api', '.gitlab-ci.yml'), 'utf8')).toBe(API);

      const result = fleetlint(['fix', dir, '--rule', 'required-scans']);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('2 fixes changed 2 files in 2 repositories');
      const api = await readFile(join(dir, 'apps', 'api', '.gitlab-ci.yml'), 'utf8');
      expect(api).toBe(`# The API's pipeline.
include:
  - file: templates/security.yml
    project: acme/platform/ci-templates
    ref: v1.10.0

${API.replace("# The API's pipeline.\n", '')}
security:gitleaks:
  extends: .security:gitleaks
  stage: security
`);
      const docs = await readFile(join(dir, 'apps', 'docs', '.gitlab-ci.yml'), 'utf8');
      // The include stays as written (its own ref): a second include would load the file twice.
      expect(docs).toBe(`${DOCS}\nsecurity:gitleaks:\n  extends: .security:gitleaks\n  stage: test\n`);
      expect(parse(docs)).toMatchObject({ include: { ref: 'v1.2.0' }, 'security:gitleaks': { extends: '.security:gitleaks', stage: 'test' } });

      const after = audit(dir);
      const known = new Set(before.map((finding) => finding.fingerprint));
      expect(after.filter((finding) => !known.has(finding.fingerprint))).toEqual([]);
      const gone = before.filter((finding) => !after.some((other) => other.fingerprint === finding.fingerprint));
      expect(gone.map((finding) => finding.subject)).toEqual(['missing:secrets', 'missing:secrets']);

      expect(fleetlint(['fix', dir, '--rule', 'required-scans']).stdout).toBe('nothing to fix\n');
      expect(await readFile(join(dir, 'apps', 'api', '.gitlab-ci.yml'), 'utf8')).toBe(api);
    } finally {
      await cleanup();
    }
  }, 180_000);

  it('includes a CI/CD component of the fleet at the newest tag, as the fleet writes its address', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const templates = join(dir, 'platform', 'ci-templates');
      const git = await initRepo(templates);
      const component = `spec:
  inputs:
    stage:
      default: test
---
secret-scan:
  stage: $[[ inputs.stage ]]
  script:
    - gitleaks detect --source . --redact
`;
      await commitFiles(git, templates, { 'templates/secrets/template.yml': component }, 'component');
      for (const tag of ['1.0.0', '1.2.0']) await git.addTag(tag);
      const web = 'include:\n  - component: $CI_SERVER_FQDN/acme/platform/ci-templates/secrets@1.0.0\n';
      // GitLab's default stages, which have the component job's `test`; apps/docs declares stages without it.
      const api = 'build:\n  stage: build\n  script:\n    - npm ci\n';
      const docs = 'stages: [build]\n\nbuild:\n  stage: build\n  script:\n    - npm ci\n';
      for (const [id, ci] of [['apps/web', web], ['apps/api', api], ['apps/docs', docs]] as const) {
        const repo = join(dir, id);
        await commitFiles(await initRepo(repo), repo, { '.gitlab-ci.yml': ci }, 'ci');
      }
      await writeFiles(dir, { 'fleet.yaml': FLEET });
      const result = fleetlint(['fix', dir, '--rule', 'required-scans']);
      expect(result.stdout).toContain('apps/api\n  .gitlab-ci.yml: include component $CI_SERVER_FQDN/acme/platform/ci-templates/secrets@1.2.0 (its newest tag), so that the pipeline runs its secrets scan [required-scans]');
      expect(await readFile(join(dir, 'apps', 'api', '.gitlab-ci.yml'), 'utf8')).toBe(`include:\n  - component: $CI_SERVER_FQDN/acme/platform/ci-templates/secrets@1.2.0\n\n${api}`);
      // The job's stage is not one apps/docs has: the include would break its pipeline, so none is proposed.
      expect(missing(audit(dir)).map((finding) => finding.repo)).toEqual(['apps/docs']);
      expect(await readFile(join(dir, 'apps', 'docs', '.gitlab-ci.yml'), 'utf8')).toBe(docs);
    } finally {
      await cleanup();
    }
  }, 120_000);

  it('pins what the fleet pins when the template repository has no version tag, and says so', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const templates = join(dir, 'platform', 'ci-templates');
      const git = await initRepo(templates);
      await commitFiles(git, templates, { 'templates/security.yml': TEMPLATE }, 'templates');
      await git.addTag('nightly');
      for (const [id, ci] of [['apps/web', WEB], ['apps/api', API]] as const) {
        const repo = join(dir, id);
        await commitFiles(await initRepo(repo), repo, { '.gitlab-ci.yml': ci }, 'ci');
      }
      await writeFiles(dir, { 'fleet.yaml': FLEET.replace('  - apps/docs\n', '') });
      const dry = fleetlint(['fix', dir, '--rule', 'required-scans', '--dry-run']);
      expect(dry.stderr).toContain('include templates/security.yml of acme/platform/ci-templates at v1.0.0 (the ref its includes in the fleet pin; it has no version tag)');
      expect(dry.stdout).toContain('+    ref: v1.0.0\n');
    } finally {
      await cleanup();
    }
  }, 120_000);
});
