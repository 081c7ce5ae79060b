/**
 * What users of ESLint, gitleaks and conftest expect of a command line, run against the built CLI as they run it:
 * help on stdout, clear errors with their own exit codes, the usual flags.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packageRoot } from '../../src/package.js';
import { AUDIT } from '../../src/cli/commands/audit.js';
import { HOOK } from '../../src/cli/commands/hook.js';
import { INIT } from '../../src/cli/commands/init.js';
import { LINT } from '../../src/cli/commands/lint.js';
import { MERGE } from '../../src/cli/commands/merge.js';
import { MR } from '../../src/cli/commands/mr.js';
import { OPTIONS, commandUsage, parseCommand, type CommandSpec } from '../../src/cli/options.js';
import { EXIT, EXIT_CODE_HELP } from '../../src/exit-codes.js';
import { commitFiles, initRepo } from '../sources/git-fixture.js';

const root = packageRoot();

function fleetlint(args: readonly string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env, FLEETLINT_NO_CODE_CACHE: '1', ...options.env };
  for (const name of ['FORCE_COLOR', 'NO_COLOR'] as const) if (options.env?.[name] === undefined) Reflect.deleteProperty(env, name);
  const result = spawnSync(process.execPath, [join(root, 'bin', 'fleetlint.js'), ...args], { cwd: options.cwd ?? root, encoding: 'utf8', env, input: options.input ?? '' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function fleetlintAsync(args: readonly string[], env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, [join(root, 'bin', 'fleetlint.js'), ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (status) => { resolve({ status, stderr }); }));
}

const LATEST_POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: redis:latest\n';

let work: string;
let repo: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fleetlint-habits-'));
  repo = join(work, 'repo');
  const git = await initRepo(repo);
  await commitFiles(git, repo, { 'k8s/pod.yaml': LATEST_POD, '.gitlab-ci.yml': 'lint:\n  image: alpine:3.20\n  script: [true]\n' }, 'initial');
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('help', () => {
  it('--help, -h and help print the usage with every command and exit code on stdout, exit 0', () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const run = fleetlint(args);
      expect(run).toMatchObject({ status: 0, stderr: '' });
      for (const command of ['audit', 'merge', 'lint', 'mr', 'hook', 'init']) expect(run.stdout).toContain(`fleetlint ${command}`);
      for (const [code, meaning] of EXIT_CODE_HELP) expect(run.stdout).toContain(`${code}  ${meaning}`);
    }
  });

  it('help <command> prints that command\'s help, as <command> --help does', () => {
    const help = fleetlint(['help', 'lint']);
    expect(help).toMatchObject({ status: 0, stderr: '' });
    expect(help.stdout).toBe(fleetlint(['lint', '--help']).stdout);
    expect(help.stdout).toMatch(/^fleetlint lint \[<repo-dir>\]/);
    expect(fleetlint(['help', 'lnt'])).toMatchObject({ status: 2, stderr: 'fleetlint: unknown command "lnt"; did you mean "fleetlint lint"?\n' });
  });

  it('is generated from the one option table: each command lists exactly the options it parses', () => {
    const specs: CommandSpec[] = [AUDIT, MERGE, LINT, MR, HOOK, INIT];
    const used = new Set<string>();
    for (const spec of specs) {
      const usage = commandUsage(spec);
      for (const name of spec.groups.flatMap((group) => group.options)) {
        used.add(name);
        expect(usage).toContain(`--${name}`);
        // Every option the help names is one the command's parser takes.
        const value = OPTIONS[name].type === 'string' ? ['x'] : [];
        expect(() => parseCommand(spec, [`--${name}`, ...value])).not.toThrow();
      }
      const listed = [...usage.matchAll(/^\s+(?:-\w, )?--([\w-]+)/gm)].map((match) => match[1]);
      expect(new Set(listed)).toEqual(new Set([...spec.groups.flatMap((group) => group.options), 'help']));
    }
    expect([...used, 'help'].sort()).toEqual(Object.keys(OPTIONS).sort());
  });
});

describe('errors', () => {
  it('an unknown option is one line with "did you mean", not node\'s parser message', () => {
    const run = fleetlint(['lint', repo, '--fail-onn', 'warning']);
    expect(run).toMatchObject({ status: 2, stdout: '', stderr: 'fleetlint: lint: unknown option --fail-onn; did you mean --fail-on?\n' });
    expect(fleetlint(['lint', '--shard', '1/2']).stderr).toBe('fleetlint: lint: --shard is not an option of fleetlint lint (see fleetlint lint --help)\n');
    const missing = fleetlint(['lint', repo, '--config']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--config needs a value');
    expect(missing.stderr).not.toMatch(/ERR_PARSE_ARGS|To specify a positional/);
  });

  it('lint exits 2 for a path that does not exist, a file outside the repository, and outside a git repository', async () => {
    const missing = fleetlint(['lint', join(work, 'nonexistent')]);
    expect(missing).toMatchObject({ status: 2, stdout: '' });
    expect(missing.stderr).toContain(`lint ${join(work, 'nonexistent')}: no such file or folder`);
    const outsider = join(work, 'hostname');
    await writeFile(outsider, 'box\n');
    const file = fleetlint(['lint', outsider], { cwd: repo });
    expect(file.status).toBe(2);
    expect(file.stderr).toContain(`${outsider} is not a file of the repository`);
    const plain = await mkdtemp(join(work, 'plain-'));
    const noGit = fleetlint(['lint'], { cwd: plain });
    expect(noGit.status).toBe(2);
    expect(noGit.stderr).toContain('is not inside a git repository');
  });

  it('audit says "not a folder" for a file and suggests lint for one repository', () => {
    const file = fleetlint(['audit', join(repo, 'k8s', 'pod.yaml')]);
    expect(file.status).toBe(2);
    expect(file.stderr).toContain('not a folder');
    const single = fleetlint(['audit', repo]);
    expect(single.status).toBe(2);
    expect(single.stderr).toContain(`${repo} is one repository, not a fleet root (a folder of repositories): check it with fleetlint lint ${repo}`);
  });

  describe('GitLab refusing the token', () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      server = createServer((_request, response) => {
        response.writeHead(401, { 'content-type': 'application/json' });
        response.end('{"message":"401 Unauthorized"}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('exits with its own code, 4, and no usage hint', async () => {
      // Not spawnSync: the server answers from this process's event loop.
      const run = await fleetlintAsync(['audit', '--gitlab-url', url, '--group', 'homelab', '--cache-dir', join(work, 'cache')], { GITLAB_TOKEN: 'glpat-wrong' });
      expect(run.status).toBe(EXIT.remote);
      expect(run.stderr).toContain('rejected the token');
      expect(run.stderr).not.toContain('glpat-wrong');
      expect(run.stderr).not.toContain('--help');
    });
  });
});

describe('flags', () => {
  it('--max-warnings fails on more warnings than allowed, like ESLint', () => {
    const json = (args: string[]): { status: number | null; warnings: number } => {
      const run = fleetlint(['audit', 'fixtures/hostile', '--fail-on', 'never', '--format', 'json', ...args]);
      const report = JSON.parse(run.stdout) as { findings: { severity: string; suppression?: unknown }[] };
      return { status: run.status, warnings: report.findings.filter((finding) => finding.severity === 'warning' && !finding.suppression).length };
    };
    const all = json([]);
    expect(all.warnings).toBeGreaterThan(0);
    expect(json(['--max-warnings', String(all.warnings)]).status).toBe(0);
    expect(json(['--max-warnings', String(all.warnings - 1)]).status).toBe(1);
    expect(fleetlint(['audit', 'fixtures/hostile', '--max-warnings', '-1']).status).toBe(2);
  });

  it('--quiet reports errors only and prints nothing on stderr', () => {
    const run = fleetlint(['audit', 'fixtures/hostile', '--quiet', '--format', 'json']);
    const report = JSON.parse(run.stdout) as { findings: { severity: string }[] };
    expect(report.findings.length).toBeGreaterThan(0);
    expect(new Set(report.findings.map((finding) => finding.severity))).toEqual(new Set(['error']));
    expect(run.stderr).toBe('');
  });

  it('colours by --color, --no-color, FORCE_COLOR and NO_COLOR', () => {
    const coloured = (args: string[], env: Record<string, string> = {}): boolean => fleetlint(['lint', repo, ...args], { env }).stdout.includes('\u001b[');
    expect(coloured([])).toBe(false);
    expect(coloured(['--color'])).toBe(true);
    expect(coloured([], { FORCE_COLOR: '1' })).toBe(true);
    expect(coloured(['--no-color'], { FORCE_COLOR: '1' })).toBe(false);
    expect(coloured([], { FORCE_COLOR: '0' })).toBe(false);
    expect(coloured(['--color'], { NO_COLOR: '1' })).toBe(true);
  });

  it('-c is --config', async () => {
    const config = join(work, 'off.yaml');
    await writeFile(config, 'rules:\n  no-latest-tag: off\n');
    const rules = (args: string[]): string[] => (JSON.parse(fleetlint(['lint', repo, '--format', 'json', ...args]).stdout) as { findings: { ruleId: string }[] }).findings.map((finding) => finding.ruleId);
    expect(rules([])).toContain('no-latest-tag');
    expect(rules(['-c', config])).not.toContain('no-latest-tag');
  });

  it('lint reports an expired waiver of its repository, as audit does', async () => {
    const config = join(work, 'expired.yaml');
    await writeFile(config, 'waivers:\n  - {rule: no-latest-tag, repo: "re*", reason: upstream, expires: 2020-01-01}\n  - {rule: no-latest-tag, repo: other, reason: elsewhere, expires: 2020-01-01}\n');
    const report = JSON.parse(fleetlint(['lint', repo, '-c', config, '--format', 'json']).stdout) as { findings: { ruleId: string; message: string }[] };
    expect(report.findings.filter((finding) => finding.ruleId === 'expired-waiver').map((finding) => finding.message)).toEqual([
      'waiver for no-latest-tag on re* expired on 2020-01-01; its findings are reported again',
    ]);
    expect(report.findings.map((finding) => finding.ruleId)).toContain('no-latest-tag');
  });

  it('lint - checks the text on stdin as the file --stdin-filename names', () => {
    const run = fleetlint(['lint', '-', '--stdin-filename', 'k8s/new.yaml', '--format', 'json'], { cwd: repo, input: LATEST_POD.replace('redis:latest', 'nginx:latest') });
    expect(run.status).toBe(1);
    const report = JSON.parse(run.stdout) as { findings: { ruleId: string; file?: string; message: string }[] };
    expect(report.findings.map((finding) => `${finding.file ?? ''} ${finding.ruleId}`)).toEqual(['k8s/new.yaml no-latest-tag']);
    expect(report.findings[0]?.message).toContain('nginx:latest');
    expect(fleetlint(['lint', '-'], { cwd: repo }).stderr).toContain('--stdin-filename');
  });

  it('init writes a config with the $schema line that fleetlint then reads', async () => {
    const dir = await mkdtemp(join(work, 'init-'));
    const run = fleetlint(['init', dir]);
    expect(run.status).toBe(0);
    const text = await readFile(join(dir, 'fleetlint.config.yaml'), 'utf8');
    expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=\S+\/schemas\/config\.schema\.json$/);
    expect((parse(text) as { rules: Record<string, string> }).rules['no-latest-tag']).toBe('error');
    expect(fleetlint(['lint', repo, '-c', join(dir, 'fleetlint.config.yaml')]).status).toBe(1);
    expect(fleetlint(['init', dir]).status).toBe(2);
    expect(fleetlint(['init', dir, '--force']).status).toBe(0);
  });
});

describe('no raw node warning', () => {
  it('reaches the user from an unquoted {{ .Values.x }} that YAML reads as a map key', async () => {
    const fleet = join(work, 'warn');
    const git = await initRepo(fleet);
    await commitFiles(git, fleet, {
      'apps/set.yaml': [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: ApplicationSet',
        'metadata: {name: s}',
        'spec:',
        '  generators: [{list: {elements: [{name: a}]}}]',
        '  template:',
        "    metadata: {name: '{{name}}'}",
        '    spec:',
        '      project: default',
        '      source:',
        '        repoURL: https://gitlab.example.com/x.git',
        '        path: chart',
        '        helm:',
        '          values: |',
        '            image: {{ .Values.x }}',
        '      destination: {server: https://kubernetes.default.svc, namespace: x}',
        '',
      ].join('\n'),
    }, 'appset');
    const run = fleetlint(['lint', fleet]);
    expect(run.stderr).not.toMatch(/Warning|stringified/);
  });
});
