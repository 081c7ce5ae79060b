/**
 * A GitLab fleet's template tags come from the REST API (`GET /projects/:id/repository/tags`, ordered by version):
 * the clones are shallow and carry none. The local GitLab serves the bare repositories' real tags.
 */
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listProjectTags } from '../../src/crawl/gitlab-api.js';
import { createRemote, startGitLabServer, type GitLabServer } from '../support/gitlab-server.js';
import { tempDir } from '../sources/git-fixture.js';
import { readReport, runCli } from './helpers.js';

const TOKEN = 'glpat-TemplateTagsSecret7';
const ENV = { GITLAB_TOKEN: TOKEN, CI: 'true', CI_NODE_INDEX: undefined, CI_NODE_TOTAL: undefined };

const TEMPLATE = `.security:gitleaks:
  stage: test
  script:
    - gitleaks detect --source . --redact
`;
const WEB = `include:
  - project: acme/platform/ci-templates
    file: templates/security.yml

secrets:
  extends: .security:gitleaks
`;
const API = `build:
  script:
    - npm ci
`;

describe('template tags from GitLab', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let server: GitLabServer;

  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir('fleetlint-gitlab-tags-'));
    const templates = await createRemote(join(root, 'gitlab'), join(root, 'work'), 'acme/platform/ci-templates', { 'templates/security.yml': TEMPLATE });
    const git = simpleGit({ baseDir: templates.workDir });
    for (const tag of ['v1.2.0', 'v1.10.0', 'v1.0.0', 'v2.0.0-rc.1', 'nightly']) await git.addTag(tag);
    await git.raw(['push', '--quiet', '--tags', templates.bareDir]);
    await createRemote(join(root, 'gitlab'), join(root, 'work'), 'acme/apps/web', { '.gitlab-ci.yml': WEB });
    await createRemote(join(root, 'gitlab'), join(root, 'work'), 'acme/apps/api', { '.gitlab-ci.yml': API });
    server = await startGitLabServer({
      token: TOKEN,
      groups: ['acme'],
      projects: [
        { id: 1, pathWithNamespace: 'acme/platform/ci-templates' },
        { id: 2, pathWithNamespace: 'acme/apps/web' },
        { id: 3, pathWithNamespace: 'acme/apps/api' },
      ],
      reposRoot: join(root, 'gitlab'),
    });
  }, 60_000);

  afterAll(async () => {
    await (server as GitLabServer | undefined)?.close();
    await (cleanup as (() => Promise<void>) | undefined)?.();
  });

  it('lists a project\'s tags newest version first, with the token in its header', async () => {
    const tags = await listProjectTags({ baseUrl: server.baseUrl, projectId: 1, token: TOKEN });
    expect(tags).toEqual(['v2.0.0-rc.1', 'v1.10.0', 'v1.2.0', 'v1.0.0', 'nightly']);
    const request = server.requests.find((candidate) => candidate.url.includes('/repository/tags'));
    expect(request?.privateToken).toBe(TOKEN);
    await expect(listProjectTags({ baseUrl: server.baseUrl, projectId: 9, token: TOKEN })).rejects.toThrow(/answered 404 for the tags of project 9/);
  });

  it('pins the include a missing scan gets to the newest release tag GitLab lists', async () => {
    const report = join(root, 'report.json');
    const fleet = ['--gitlab-url', server.baseUrl, '--group', 'acme', '--gitlab-host', 'gitlab.example.test'];
    const run = await runCli('audit', [...fleet, '--cache-dir', join(root, 'cache'), '--format', `json=${report}`], ENV);
    expect(run.code).toBe(1);
    const findings = (await readReport(report)).findings as { repo: string; subject?: string; fix?: { description: string; edits: { value?: unknown }[] } }[];
    const missing = findings.filter((finding) => finding.subject === 'missing:secrets');
    expect(missing.map((finding) => finding.repo)).toEqual(['apps/api']);
    expect(missing[0]?.fix?.description).toBe('include templates/security.yml of acme/platform/ci-templates at v1.10.0 (its newest tag) and add job security:gitleaks extending .security:gitleaks, so that the pipeline runs its secrets scan');
    expect(missing[0]?.fix?.edits[0]?.value).toEqual({ file: 'templates/security.yml', project: 'acme/platform/ci-templates', ref: 'v1.10.0' });

    // Sharded: each shard hands the merge the tags of the templates its slice includes; the merge derives the rest.
    const fragments = [1, 2].map((index) => join(root, `shard-${String(index)}.json.gz`));
    for (const [position, fragment] of fragments.entries()) {
      const shard = await runCli('audit', [...fleet, '--cache-dir', join(root, `cache-${String(position)}`), '--shard', `${String(position + 1)}/2`, '--write-fragment', fragment], ENV);
      expect(shard.code).toBe(0);
    }
    const merged = join(root, 'merged.json');
    expect((await runCli('merge', [...fragments, '--format', `json=${merged}`], ENV)).code).toBe(1);
    const mergedFindings = (await readReport(merged)).findings as typeof findings;
    expect(mergedFindings.find((finding) => finding.subject === 'missing:secrets')?.fix).toEqual(missing[0]?.fix);
  }, 120_000);
});
