/**
 * The audit report's links to GitLab for a local fleet of real git repositories: the commit is each repo's HEAD
 * (loose or packed ref), the project page comes from fleet.yaml `gitlab.url` or else an http(s) `origin` remote;
 * a repo without a commit, with an SSH remote or without a git folder of its own gets no link. (A fleet audited
 * from GitLab links to each clone's commit: test/audit/gitlab-audit.test.ts.)
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGitHead } from '../../src/crawl/git-head.js';
import { commitFiles, initRepo, tempDir, writeFiles } from '../sources/git-fixture.js';
import { runCli } from './helpers.js';

const TOKEN = 'glcbt-64_s3cr3tT0kenValue1234';
const DOCKERFILE = { Dockerfile: 'FROM nginx:latest\n' };

async function repo(dir: string, origin: string | undefined, commit = true): Promise<string | undefined> {
  const git = await initRepo(dir);
  if (origin !== undefined) await git.addRemote('origin', origin);
  if (!commit) {
    await writeFiles(dir, DOCKERFILE);
    return undefined;
  }
  await commitFiles(git, dir, DOCKERFILE, 'a Dockerfile');
  return (await git.revparse(['HEAD'])).trim();
}

/** The Location cell of the no-latest-tag finding in the findings block of `repo`. */
function locationCell(page: string, repoId: string): string {
  const block = page.slice(page.indexOf(`<details id="repo-${repoId.replace(/\//g, '__')}"`));
  const row = block.slice(0, block.indexOf('</details>')).split('<tr').find((text) => text.includes('latest tag'));
  return /<td class="loc">(.*?)<\/td>/.exec(row ?? '')?.[1] ?? 'none';
}

describe('links from the audit report of a local fleet to GitLab', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  const heads = new Map<string, string | undefined>();

  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir('fleetlint-report-links-'));
    const byRemote = join(root, 'by-remote');
    heads.set('apps/https', await repo(join(byRemote, 'apps/https'), `https://gitlab-ci-token:${TOKEN}@gitlab.example.com/homelab/apps/https.git`));
    heads.set('apps/ssh', await repo(join(byRemote, 'apps/ssh'), 'git@gitlab.example.com:homelab/apps/ssh.git'));
    heads.set('apps/new', await repo(join(byRemote, 'apps/new'), 'https://gitlab.example.com/homelab/apps/new.git', false));
    // Refs packed, as `git gc` leaves them.
    await (await initRepo(join(byRemote, 'apps/https'))).raw(['pack-refs', '--all']);

    const configured = join(root, 'by-fleet-yaml');
    await writeFiles(configured, { 'fleet.yaml': 'gitlab:\n  url: https://gitlab.example.com/\n  group: homelab\nrepos:\n  - apps/web\n  - apps/folder\n', 'apps/folder/Dockerfile': DOCKERFILE.Dockerfile });
    heads.set('apps/web', await repo(join(configured, 'apps/web'), 'git@gitlab.example.com:homelab/apps/web.git'));
    for (const fleet of [byRemote, configured]) {
      const run = await runCli('audit', [fleet, '--quiet', '--format', `html=${join(fleet, 'audit.html')}`, '--format', `markdown=${join(fleet, 'audit.md')}`]);
      expect(run.code).toBe(1);
    }
  }, 120_000);

  afterAll(async () => {
    await (cleanup as (() => Promise<void>) | undefined)?.();
  });

  it('reads HEAD from a packed ref in this process, and the origin remote as written', async () => {
    const head = await readGitHead(join(root, 'by-remote/apps/https'));
    expect(head.commit).toBe(heads.get('apps/https'));
    expect(head.originUrl).toContain('gitlab.example.com/homelab/apps/https.git');
    expect(await readGitHead(join(root, 'by-remote/apps/new'))).toEqual({ originUrl: 'https://gitlab.example.com/homelab/apps/new.git' });
    expect(await readGitHead(join(root, 'by-fleet-yaml/apps/folder'))).toEqual({});
  });

  it('links a finding to its line at HEAD in the project of an https origin, without the credentials the remote carries', async () => {
    const page = await readFile(join(root, 'by-remote/audit.html'), 'utf8');
    expect(locationCell(page, 'apps/https')).toBe(`<a href="https://gitlab.example.com/homelab/apps/https/-/blob/${heads.get('apps/https') ?? ''}/Dockerfile#L1">Dockerfile:1:6</a>`);
    expect(page).not.toContain(TOKEN);
    expect(page).not.toContain('gitlab-ci-token');
    const markdown = await readFile(join(root, 'by-remote/audit.md'), 'utf8');
    expect(markdown).toContain(`[\`Dockerfile:1:6\`](https://gitlab.example.com/homelab/apps/https/-/blob/${heads.get('apps/https') ?? ''}/Dockerfile#L1)`);
    expect(markdown).not.toContain(TOKEN);
  });

  it('links nothing for an SSH remote or a repository without a commit', async () => {
    const page = await readFile(join(root, 'by-remote/audit.html'), 'utf8');
    expect(locationCell(page, 'apps/ssh')).toBe('Dockerfile:1:6');
    expect(locationCell(page, 'apps/new')).toBe('Dockerfile:1:6');
  });

  it('takes the project from fleet.yaml gitlab.url and group, and links nothing for a folder that is not a repository of its own', async () => {
    const page = await readFile(join(root, 'by-fleet-yaml/audit.html'), 'utf8');
    expect(locationCell(page, 'apps/web')).toBe(`<a href="https://gitlab.example.com/homelab/apps/web/-/blob/${heads.get('apps/web') ?? ''}/Dockerfile#L1">Dockerfile:1:6</a>`);
    expect(locationCell(page, 'apps/folder')).toBe('Dockerfile:1:6');
  });
});
