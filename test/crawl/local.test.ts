import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverLocalFleet } from '../../src/crawl/local.js';
import { commitFiles, initRepo, tempDir, writeFiles } from '../sources/git-fixture.js';

describe('discoverLocalFleet', () => {
  let root: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir: root, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  it('finds repos by their .git: folders, worktree .git files and submodules, not under node_modules', async () => {
    const templates = join(root, 'platform/ci-templates');
    const platform = await initRepo(templates);
    await commitFiles(platform, templates, { 'README.md': '# ci\n' }, 'init');
    // A linked worktree has a `.git` file pointing at the main repository.
    await platform.raw(['worktree', 'add', '-q', join(root, 'platform/ci-templates-next'), '-b', 'next']);
    // A submodule is a repo inside a repo (with a `.git` file too): a repo of its own, left out of its parent.
    // (Plain git: simple-git refuses the protocol override a local submodule URL needs.)
    const traefik = join(root, 'core-services/networking/traefik');
    await initRepo(traefik);
    execFileSync('git', ['-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', templates, 'vendor/ci-templates'], { cwd: traefik });
    await initRepo(join(root, 'apps/web/node_modules/dep'));
    await initRepo(root); // the root's own .git does not make the root a repo
    await writeFiles(root, { 'notes/todo.md': 'not a repo\n' });

    const fleet = await discoverLocalFleet(root);
    expect(fleet.repos.map(({ id, nestedRepoDirs }) => ({ id, nestedRepoDirs }))).toEqual([
      { id: 'core-services/networking/traefik', nestedRepoDirs: ['vendor/ci-templates'] },
      { id: 'core-services/networking/traefik/vendor/ci-templates', nestedRepoDirs: [] },
      { id: 'platform/ci-templates', nestedRepoDirs: [] },
      { id: 'platform/ci-templates-next', nestedRepoDirs: [] },
    ]);
    expect(fleet.repos[0]?.dir).toBe(join(root, 'core-services/networking/traefik'));
    expect(fleet.settings).toEqual({ registries: [], providers: [] });
    expect(fleet.diagnostics).toEqual([]);
  });

  it('does not search inside a repo except for its submodules; fleet.yaml can list a repo nested in another', async () => {
    await initRepo(join(root, 'platform/monorepo'));
    await initRepo(join(root, 'platform/monorepo/tools/cloned')); // neither a submodule nor listed: part of nothing
    await writeFiles(root, { 'platform/monorepo/services/api/README.md': '# api\n', 'fleet.yaml': 'repos:\n  - platform/monorepo/services/api\n' });
    const fleet = await discoverLocalFleet(root);
    expect(fleet.repos.map(({ id, nestedRepoDirs }) => ({ id, nestedRepoDirs }))).toEqual([
      { id: 'platform/monorepo', nestedRepoDirs: ['services/api'] },
      { id: 'platform/monorepo/services/api', nestedRepoDirs: [] },
    ]);
  });

  it('adds the repos fleet.yaml lists and reads its settings', async () => {
    await initRepo(join(root, 'platform/ci-templates'));
    await writeFiles(root, {
      'fleet.yaml': [
        'gitlab:',
        '  host: gitlab.homelab.local',
        '  group: homelab',
        '  url: https://gitlab.homelab.local/',
        'registries: [harbor.homelab.local]',
        'argocd:',
        '  clusters:',
        '    - {name: lab, server: "https://lab.homelab.local:6443", labels: {env: lab}}',
        'repos:',
        '  - platform/ci-templates          # also found by its .git',
        '  - path: core-services/networking/traefik',
        '  - kubernetes/argocd-apps',
        '',
      ].join('\n'),
      'core-services/networking/traefik/helm/values.yaml': 'a: 1\n',
      'kubernetes/argocd-apps/README.md': '# apps\n',
    });

    const fleet = await discoverLocalFleet(root);
    expect(fleet.settings).toEqual({
      gitlabHost: 'gitlab.homelab.local',
      webUrl: 'https://gitlab.homelab.local',
      group: 'homelab',
      registries: ['harbor.homelab.local'],
      providers: [],
      argocdClusters: [{ name: 'lab', server: 'https://lab.homelab.local:6443', labels: { env: 'lab' } }],
    });
    expect(fleet.repos.map((repo) => repo.id)).toEqual(['core-services/networking/traefik', 'kubernetes/argocd-apps', 'platform/ci-templates']);
    expect(fleet.diagnostics).toEqual([]);
  });

  it('reports bad entries as config-error and missing folders as crawl-error, on their line, and keeps the rest', async () => {
    await writeFiles(root, {
      'fleet.yaml': [
        'gitlab:', //                      1
        '  host: https://gitlab.local', // 2
        'registries: harbor.local', //     3
        'repos:', //                       4
        '  - good/repo', //                5
        '  - 42', //                       6
        '  - ../outside', //               7
        '  - pth: typo/repo', //           8
        '  - gone/repo', //                9
        '  - good/repo', //                10
        '  - a-file', //                   11
        'owner: someone', //               12
        '',
      ].join('\n'),
      'good/repo/README.md': '# ok\n',
      'a-file': 'not a folder\n',
    });

    const fleet = await discoverLocalFleet(root);
    expect(fleet.repos.map((repo) => repo.id)).toEqual(['good/repo']);
    const summary = fleet.diagnostics.map((finding) => [finding.ruleId, finding.severity, finding.repo, finding.file, finding.range?.startLine, finding.message]);
    expect(summary).toEqual(
      expect.arrayContaining([
        ['config-error', 'error', '.', 'fleet.yaml', 2, '`gitlab.host` must be a host name without scheme, like gitlab.homelab.local'],
        ['config-error', 'error', '.', 'fleet.yaml', 3, '`registries` must be a list'],
        ['config-error', 'error', '.', 'fleet.yaml', 6, '`repos[1]` must be a repo path, or a map with `path`'],
        ['config-error', 'error', '.', 'fleet.yaml', 7, "`repos[2]` must be a folder relative to the fleet root, with / separators and no '.' or '..' segments"],
        ['config-error', 'error', '.', 'fleet.yaml', 8, '`repos[3]` is missing the required key `path`'],
        ['config-error', 'error', '.', 'fleet.yaml', 8, '`repos[3].pth` is not a known key (expected one of: path)'],
        ['config-error', 'warning', '.', 'fleet.yaml', 10, '`repos[5]` lists good/repo again (first at `repos[0]`)'],
        ['config-error', 'error', '.', 'fleet.yaml', 12, '`owner` is not a known key (expected one of: gitlab, registries, argocd, repos)'],
        ['crawl-error', 'error', '.', 'fleet.yaml', 9, 'fleet.yaml lists repo gone/repo, but there is no such folder'],
        ['crawl-error', 'error', '.', 'fleet.yaml', 11, 'fleet.yaml lists repo a-file, but it is not a folder'],
      ]),
    );
    expect(summary).toHaveLength(10);
  });

  it('refuses a gitlab.url that is not an http(s) address, or that carries credentials', async () => {
    for (const url of ['gitlab.homelab.local', 'https://user:token@gitlab.homelab.local', 'ssh://gitlab.homelab.local']) {
      await writeFiles(root, { 'fleet.yaml': `gitlab:\n  url: ${url}\n` });
      const fleet = await discoverLocalFleet(root);
      expect(fleet.settings.webUrl).toBeUndefined();
      expect(fleet.diagnostics.map((finding) => [finding.ruleId, finding.range?.startLine, finding.message])).toEqual([
        ['config-error', 2, "`gitlab.url` must be GitLab's http(s) web address without credentials, like https://gitlab.homelab.local"],
      ]);
    }
  });

  it('reports a fleet.yaml that is not YAML as parse-error and still finds repos by .git', async () => {
    await initRepo(join(root, 'a'));
    await writeFile(join(root, 'fleet.yaml'), 'repos: [unclosed\n');
    const fleet = await discoverLocalFleet(root);
    expect(fleet.repos.map((repo) => repo.id)).toEqual(['a']);
    expect(fleet.diagnostics.map((finding) => [finding.ruleId, finding.file])).toContainEqual(['parse-error', 'fleet.yaml']);
  });

  it('does not follow symlinked folders, neither when searching nor when listed', async () => {
    const outside = await tempDir('fleetlint-outside-');
    try {
      await initRepo(join(outside.dir, 'repo'));
      await mkdir(join(root, 'group'));
      await symlink(join(outside.dir, 'repo'), join(root, 'group/linked'));
      await writeFile(join(root, 'fleet.yaml'), 'repos: [group/linked]\n');
      const fleet = await discoverLocalFleet(root);
      expect(fleet.repos).toEqual([]);
      expect(fleet.diagnostics.map((finding) => finding.message)).toEqual(['fleet.yaml lists repo group/linked, but it is a symlink, which fleetlint does not follow']);
    } finally {
      await outside.cleanup();
    }
  });
});
