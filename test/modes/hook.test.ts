import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { simpleGit } from 'simple-git';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { HOOK_LINT_ARGS, HOOK_MARKER } from '../../src/cli/commands/hook.js';
import { packageRoot } from '../../src/package.js';
import { initRepo, tempDir, writeFiles } from '../sources/git-fixture.js';

describe('fleetlint hook install', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('fleetlint-hook-'));
  });
  afterEach(async () => {
    await cleanup();
  });

  it('writes an executable pre-commit hook that runs lint --staged --since HEAD, and replaces its own hook', async () => {
    await initRepo(dir);
    expect(await main(['hook', 'install', dir, '--', '--snapshot', '/srv/fleet snapshot.json.gz'])).toBe(0);
    const path = join(dir, '.git', 'hooks', 'pre-commit');
    const script = await readFile(path, 'utf8');
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script).toContain(HOOK_MARKER);
    expect(script).toContain("fleetlint lint --staged --since HEAD --snapshot '/srv/fleet snapshot.json.gz'");
    expect((await stat(path)).mode & 0o111).toBe(0o111);

    expect(await main(['hook', 'install', dir])).toBe(0);
    expect(await readFile(path, 'utf8')).not.toContain('--snapshot');
  });

  it('refuses to overwrite a hook it did not write, unless --force (which keeps the old one)', async () => {
    await initRepo(dir);
    const path = join(dir, '.git', 'hooks', 'pre-commit');
    const foreign = '#!/bin/sh\nexec make lint\n';
    await writeFile(path, foreign, { mode: 0o755 });

    expect(await main(['hook', 'install', dir])).toBe(2);
    expect(await readFile(path, 'utf8')).toBe(foreign);

    expect(await main(['hook', 'install', dir, '--force'])).toBe(0);
    expect(await readFile(path, 'utf8')).toContain(HOOK_MARKER);
    expect(await readFile(`${path}.orig`, 'utf8')).toBe(foreign);
  });

  it('writes into core.hooksPath when the repo sets one', async () => {
    await initRepo(dir);
    // simple-git guards against setting hooksPath (a way to run code); this test means to.
    await simpleGit({ baseDir: dir, unsafe: { allowUnsafeHooksPath: true } }).addConfig('core.hooksPath', '.githooks');
    await mkdir(join(dir, 'sub'));
    expect(await main(['hook', 'install', join(dir, 'sub')])).toBe(0);
    expect(await readFile(join(dir, '.githooks', 'pre-commit'), 'utf8')).toContain(HOOK_MARKER);
  });

  it('blocks a commit only for what it changes: old findings pass, a new one fails, the first commit is all new', async () => {
    const git = await initRepo(dir);
    const pod = (image: string): string => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: ${image}\n`;
    const ci = 'lint:\n  image: alpine:3.20\n  script: [true]\n';
    await writeFiles(dir, { '.gitlab-ci.yml': ci, 'k8s/old.yaml': pod('redis:latest') });
    await git.add('.');
    // The first commit: nothing at HEAD to compare with, so the old finding is new here.
    expect(await main(['lint', dir, '--staged', '--since', 'HEAD'])).toBe(1);
    await git.commit('old finding', ['--no-verify']);

    expect(await main(['hook', 'install', dir])).toBe(0);
    // The installed hook is the script git runs: an unrelated change commits despite the old finding...
    await writeFiles(dir, { 'README.md': 'docs\n' });
    await git.add('.');
    await git.commit('unrelated');
    expect((await git.log()).latest?.message).toBe('unrelated');
    // ...and a change that adds a finding is refused by git.
    await writeFiles(dir, { 'k8s/new.yaml': pod('nginx:latest') });
    await git.add('.');
    await expect(git.commit('new finding')).rejects.toThrow(/nginx:latest/);
    expect((await git.log()).latest?.message).toBe('unrelated');
    const json = join(dir, '..', `${basename(dir)}-new.json`);
    expect(await main(['lint', dir, '--staged', '--since', 'HEAD', '--format', `json=${json}`])).toBe(1);
    const report = JSON.parse(await readFile(json, 'utf8')) as { findings: { file?: string; ruleId: string }[] };
    expect(report.findings.filter((finding) => finding.ruleId === 'no-latest-tag').map((finding) => finding.file)).toEqual(['k8s/new.yaml']);
  }, 60_000);

  it('refuses a folder that is not in a git repository', async () => {
    expect(await main(['hook', 'install', dir])).toBe(2);
  });
});

describe('.pre-commit-hooks.yaml', () => {
  it('declares the fleetlint hook as the pre-commit framework expects', async () => {
    const hooks = parse(await readFile(join(packageRoot(), '.pre-commit-hooks.yaml'), 'utf8')) as Record<string, unknown>[];
    expect(hooks).toEqual([
      expect.objectContaining({ id: 'fleetlint', language: 'node', entry: `fleetlint ${HOOK_LINT_ARGS.join(' ')}`, require_serial: true, pass_filenames: true, types: ['text'] }),
    ]);
  });
});

describe('ci/fleetlint.gitlab-ci.yml', () => {
  it('runs fleetlint mr in merge-request pipelines with the base fetched and the reports GitLab reads', async () => {
    const template = parse(await readFile(join(packageRoot(), 'ci', 'fleetlint.gitlab-ci.yml'), 'utf8')) as Record<string, Record<string, unknown>>;
    const hidden = template['.fleetlint:mr'];
    expect(hidden?.variables).toMatchObject({ GIT_DEPTH: 0 });
    expect(hidden?.artifacts).toMatchObject({
      when: 'always',
      reports: { junit: 'fleetlint-junit.xml', codequality: 'gl-code-quality-report.json' },
      paths: expect.arrayContaining(['fleetlint.sarif']) as unknown,
    });
    const script = (hidden?.script as string[]).join('\n');
    for (const format of ['--format junit=fleetlint-junit.xml', '--format codequality=gl-code-quality-report.json', '--format sarif=fleetlint.sarif']) {
      expect(script).toContain(format);
    }
    expect(script).toContain('fleetlint mr');
    expect(template['fleetlint:mr']).toEqual({ extends: '.fleetlint:mr', rules: [{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }] });
  });
});
