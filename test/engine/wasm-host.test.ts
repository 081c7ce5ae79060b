import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyHost, PolicyRuntimeError, PreparedInput } from '../../src/engine/wasm/host.js';
import { parsePolicyMetadataFile, policiesFromInspect } from '../../src/engine/wasm/metadata.js';
import { loadBuiltinPolicies, loadPolicySet, readPolicyMetadata } from '../../src/engine/wasm/policy-set.js';
import { builtinPolicyPaths, packageRoot } from '../../src/package.js';
import { findOpa, runOpa, type OpaCli } from '../../src/engine/rego/opa.js';

const root = packageRoot();
const buildScript = join(root, 'scripts', 'build-policies.mjs');
const sampleDir = join(root, 'policies', '_sample');
let work: string;
let opa: OpaCli;

/** Runs scripts/build-policies.mjs; returns its exit code and output instead of throwing. */
function buildPolicies(args: string[]): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [buildScript, ...args], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** A policies folder made of `files` (path → text). */
function policiesDir(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function policy(id: string, body: string, extra = ''): string {
  return [
    '# METADATA',
    `# title: Test policy ${id}`,
    '# description: A policy written by the tests.',
    '# custom:',
    `#   id: ${id}`,
    '#   severity: error',
    '#   help: Fix it.',
    '#   scope: repo',
    extra,
    `package fleetlint.${id.replaceAll('-', '_')}`,
    '',
    body,
  ].join('\n');
}

const repoInput = {
  repo: {
    id: 'apps/web',
    images: [
      { raw: 'nginx', registry: 'docker.io', origin: { file: 'values.yaml', path: ['image'] } },
      { raw: 'redis:7.2', registry: 'docker.io', tag: '7.2', origin: { file: 'values.yaml', path: ['redis', 'image'] } },
      { raw: 'harbor.homelab.local/x/y', registry: 'harbor.homelab.local', origin: { file: '.gitlab-ci.yml', path: ['build', 'image'] } },
    ],
  },
};

beforeAll(async () => {
  const found = await findOpa();
  if (!found) throw new Error('these tests need the opa CLI: run scripts/install-opa.sh (installs it into .tools/bin)');
  opa = found;
  work = mkdtempSync(join(tmpdir(), 'fleetlint-wasm-test-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('scripts/build-policies.mjs', () => {
  it('builds the sample into a bundle and metadata that agree with the TypeScript reader', async () => {
    const out = join(work, 'sample-out');
    const { status, output } = buildPolicies(['--policies', sampleDir, '--out', out]);
    expect(status, output).toBe(0);

    const metadata = parsePolicyMetadataFile(JSON.parse(readFileSync(join(out, 'metadata.json'), 'utf8')), 'metadata.json');
    expect(metadata.opaVersion).toBe(opa.version);
    expect(metadata.policies).toEqual([
      expect.objectContaining({
        id: 'sample-no-latest-tag',
        severity: 'warning',
        scope: 'repo',
        tags: ['images', 'sample'],
        entrypoint: 'fleetlint/sample_no_latest_tag/deny',
        file: 'sample-no-latest-tag.rego',
        docsUrl: 'https://example.invalid/fleetlint/rules/sample-no-latest-tag',
      }),
    ]);

    // The custom-policy loader reads metadata with its own (TypeScript) code: both must say the same.
    const stage = join(work, 'sample-stage');
    cpSync(join(sampleDir, 'sample-no-latest-tag.rego'), join(stage, 'sample-no-latest-tag.rego'));
    const inspected: unknown = JSON.parse(await runOpa(opa, ['inspect', '-a', '--format', 'json', '.'], stage));
    expect(policiesFromInspect(inspected, { requireFileNames: true })).toEqual({ policies: metadata.policies, problems: [] });
  });

  it('is reproducible: a second build is byte-identical and --check passes', () => {
    const first = join(work, 'repro-1');
    const second = join(work, 'repro-2');
    expect(buildPolicies(['--policies', sampleDir, '--out', first]).status).toBe(0);
    expect(buildPolicies(['--policies', sampleDir, '--out', second]).status).toBe(0);
    for (const name of ['bundle.tar.gz', 'metadata.json', 'wasm-capabilities.json']) {
      expect(readFileSync(join(first, name)).equals(readFileSync(join(second, name))), name).toBe(true);
    }
    expect(buildPolicies(['--check', '--policies', sampleDir, '--out', first]).status).toBe(0);
  });

  it('--check fails when a policy changed without a rebuild', () => {
    const dir = policiesDir('stale', { 'stale-policy.rego': policy('stale-policy', 'deny contains {"msg": "x", "repo": "r", "file": "f"} if input.x') });
    expect(buildPolicies(['--policies', dir]).status).toBe(0);
    writeFileSync(join(dir, 'stale-policy.rego'), policy('stale-policy', 'deny contains {"msg": "y", "repo": "r", "file": "f"} if input.x'));
    const { status, output } = buildPolicies(['--check', '--policies', dir]);
    expect(status).toBe(1);
    expect(output).toContain('committed artifacts are out of date: bundle.tar.gz');
  });

  it('the committed policies/ artifacts are up to date', () => {
    const { status, output } = buildPolicies(['--check']);
    expect(status, output).toBe(0);
  });

  it('rejects a policy that uses a builtin the WASM runtime lacks, at build time', () => {
    const dir = policiesDir('http', {
      'calls-out.rego': policy('calls-out', 'deny contains {"msg": r.body, "repo": "r", "file": "f"} if {\n\tr := http.send({"method": "get", "url": "http://x"})\n}'),
    });
    const { status, output } = buildPolicies(['--policies', dir, '--out', join(work, 'http-out')]);
    expect(status).toBe(1);
    expect(output).toMatch(/calls-out\.rego:\d+: rego_type_error: undefined function http\.send/);
  });

  it('reports every convention problem at once', () => {
    const dir = policiesDir('conventions', {
      'no-metadata.rego': 'package fleetlint.no_metadata\n\ndeny contains "x" if input.x\n',
      'wrong-name.rego': policy('right-name', 'deny contains "x" if input.x'),
      'bad-severity.rego': policy('bad-severity', 'deny contains "x" if input.x').replace('severity: error', 'severity: fatal'),
      'other.rego': 'package acme.rules\n\nx := 1\n',
      'lib/strings.rego': 'package fleetlint.lib.strings\n\nupper_first(s) := upper(s)\n',
    });
    const { status, output } = buildPolicies(['--policies', dir, '--out', join(work, 'conventions-out')]);
    expect(status).toBe(1);
    expect(output).toContain('no-metadata.rego: package fleetlint.no_metadata has no package-scope # METADATA block');
    expect(output).toContain('file must be named right-name.rego');
    expect(output).toContain('custom.severity must be one of error, warning, note');
    expect(output).toContain('package acme.rules must be fleetlint.<policy_id>');
    expect(output).not.toContain('strings.rego');
  });
});

describe('PolicyHost', () => {
  let bundle: string;

  beforeAll(() => {
    const dir = policiesDir('host', {
      'sample-no-latest-tag.rego': readFileSync(join(sampleDir, 'sample-no-latest-tag.rego'), 'utf8'),
      // Conflicting values for a complete rule: an error only OPA's evaluator can find, at run time.
      'conflict.rego': policy('conflict', 'level := input.a\n\nlevel := input.b\n\ndeny contains {"msg": sprintf("level %v", [level]), "repo": "r", "file": "f"} if level > 0'),
      'malformed.rego': policy(
        'malformed',
        'deny contains "just a string" if input.malformed\n\ndeny contains {"msg": 42, "repo": "r", "file": "f"} if input.malformed\n\n' +
          'deny contains {"msg": "ok", "repo": "r", "file": "f", "line": 3, "extra": true} if input.malformed',
      ),
      // Builtins opa compiles natively to WASM that the SDK's capabilities file omits, and template strings.
      'native-builtins.rego': policy(
        'native-builtins',
        'deny contains {"msg": $"keys {concat(",", sorted)} reversed {concat("", array.reverse(["a", "b"]))} {strings.reverse("xy")}", ' +
          '"repo": "r", "file": "f", "subject": json.marshal(array.flatten([[1], [2, [3]]])), "union": object.union_n([{"a": 1}, {"b": 2}])} if {\n' +
          '\tsorted := sort(object.keys(input))\n}\n\n' +
          // The SDK's JS sprintf formats composites with String(): not what `opa test` (Go) prints.
          'deny contains {"msg": sprintf("%v", [[1, 2]]), "repo": "r", "file": "sprintf"} if input.sprintf',
      ),
      'regex-match.rego': policy('regex-match', 'deny contains {"msg": pattern, "repo": "r", "file": "f"} if {\n\tsome pattern in input.patterns\n\tregex.match(pattern, input.text)\n}'),
      // GitLab CI `rules: [{if: ...}]`: `rule.if` needs the keywords_in_refs parser feature.
      'ci-rule-if.rego': policy('ci-rule-if', 'deny contains {"msg": rule.if, "repo": "r", "file": ".gitlab-ci.yml"} if {\n\tsome rule in input.rules\n}'),
    });
    const out = join(work, 'host-out');
    const { status, output } = buildPolicies(['--policies', dir, '--out', out]);
    expect(status, output).toBe(0);
    bundle = join(out, 'bundle.tar.gz');
  });

  it('evaluates a deny entrypoint into plain decisions', async () => {
    const host = await PolicyHost.fromFile(bundle);
    expect(host.entrypoints).toEqual([
      'fleetlint/ci_rule_if/deny',
      'fleetlint/conflict/deny',
      'fleetlint/malformed/deny',
      'fleetlint/native_builtins/deny',
      'fleetlint/regex_match/deny',
      'fleetlint/sample_no_latest_tag/deny',
    ]);
    const { decisions, invalid } = host.evaluate('fleetlint/sample_no_latest_tag/deny', repoInput);
    expect(invalid).toEqual([]);
    expect(decisions).toEqual([
      { msg: 'image harbor.homelab.local/x/y resolves to the latest tag', repo: 'apps/web', file: '.gitlab-ci.yml', path: ['build', 'image'], subject: 'harbor.homelab.local/x/y' },
      { msg: 'image nginx resolves to the latest tag', repo: 'apps/web', file: 'values.yaml', path: ['image'], subject: 'nginx' },
    ]);
    expect(host.evaluate('fleetlint/ci_rule_if/deny', { rules: [{ if: '$CI_MERGE_REQUEST_ID' }] }).decisions).toEqual([
      { msg: '$CI_MERGE_REQUEST_ID', repo: 'r', file: '.gitlab-ci.yml' },
    ]);
    expect(host.evaluate('fleetlint/sample_no_latest_tag/deny', {}).decisions).toEqual([]);
  });

  it('runs the builtins added to the SDK capabilities (natively compiled by opa)', async () => {
    const host = await PolicyHost.fromFile(bundle);
    expect(host.evaluate('fleetlint/native_builtins/deny', { b: 1, a: 2 }).decisions).toEqual([
      { msg: 'keys a,b reversed ba yx', repo: 'r', file: 'f', subject: '[1,2,[3]]' },
    ]);
    expect(host.evaluateRaw('fleetlint/native_builtins/deny', { b: 1 })).toEqual([expect.objectContaining({ union: { a: 1, b: 2 } })]);
    // A known divergence policy authors must avoid: Go's sprintf would give "[1, 2]".
    expect(host.evaluate('fleetlint/native_builtins/deny', { sprintf: true }).decisions.find((d) => d.file === 'sprintf')?.msg).toBe('1,2');
  });

  it('gives policies the fleet data under data.fleet', async () => {
    const host = await PolicyHost.fromFile(bundle);
    host.setData({ config: { exemptRegistries: ['harbor.homelab.local'] } });
    expect(host.evaluate('fleetlint/sample_no_latest_tag/deny', repoInput).decisions.map((d) => d.subject)).toEqual(['nginx']);
    // The same input prepared once gives the same answer (the fleet path evaluates many entrypoints over one input).
    expect(host.evaluate('fleetlint/sample_no_latest_tag/deny', new PreparedInput(repoInput)).decisions.map((d) => d.subject)).toEqual(['nginx']);
    host.setData({});
    expect(host.evaluate('fleetlint/sample_no_latest_tag/deny', repoInput).decisions).toHaveLength(2);
  });

  it('turns a run-time failure into a PolicyRuntimeError naming the policy, and keeps working', async () => {
    const set = await loadPolicySet('test', bundle, await readPolicyMetadata(join(work, 'host-out', 'metadata.json')));
    let caught: unknown;
    try {
      set.host.evaluate('fleetlint/conflict/deny', { a: 1, b: 2 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PolicyRuntimeError);
    const error = caught as PolicyRuntimeError;
    expect(error.policy).toBe('conflict');
    expect(error.entrypoint).toBe('fleetlint/conflict/deny');
    expect(error.message).toMatch(/^policy conflict failed at run time: conflict\.rego:\d+:\d+: var assignment conflict$/);
    expect(set.host.evaluate('fleetlint/conflict/deny', { a: 1, b: 1 }).decisions).toEqual([{ msg: 'level 1', repo: 'r', file: 'f' }]);
  });

  it('keeps compiled patterns over evaluations, never their results, and bounds the memory that takes', async () => {
    const host = await PolicyHost.fromFile(bundle);
    const patterns = ['^a+$', 'b', '(unclosed'];
    const startBytes = host.memoryBytes;
    // 200 evaluations of 256 KB each: 50 MB if the heap were never reset.
    const padding = 'x'.repeat(256 * 1024);
    for (let i = 0; i < 200; i++) {
      const text = ['aaa', 'abc', 'zzz'][i % 3] ?? '';
      const matched = host.evaluate('fleetlint/regex_match/deny', { patterns, text, padding }).decisions.map((d) => d.msg);
      expect(matched, `evaluation ${i} (${text})`).toEqual({ aaa: ['^a+$'], abc: ['b'], zzz: [] }[text]);
    }
    expect(host.memoryBytes - startBytes).toBeLessThan(48 * 1024 * 1024);
  });

  it('reports malformed decision items instead of throwing', async () => {
    const host = await PolicyHost.fromFile(bundle);
    const { decisions, invalid } = host.evaluate('fleetlint/malformed/deny', { malformed: true });
    expect(decisions).toEqual([{ msg: 'ok', repo: 'r', file: 'f', line: 3 }]);
    expect(invalid).toEqual([
      { item: 'just a string', reason: 'a decision must be an object {msg, repo, file, ...}' },
      { item: { msg: 42, repo: 'r', file: 'f' }, reason: 'msg must be a non-empty string' },
    ]);
  });

  it('rejects an unknown entrypoint', async () => {
    const host = await PolicyHost.fromFile(bundle);
    expect(() => host.evaluate('fleetlint/nope/deny', {})).toThrow(/no entrypoint fleetlint\/nope\/deny/);
  });

  it('loads the built-in policies named by the committed metadata', async () => {
    const policies = await readPolicyMetadata(builtinPolicyPaths().metadata);
    const set = await loadBuiltinPolicies();
    expect(set?.policies ?? []).toEqual(policies);
    for (const policy of policies) expect(set?.host.entrypoints).toContain(policy.entrypoint);
  });
});

it('runs against the pinned opa', () => {
  const pinned = readFileSync(join(root, 'scripts', 'opa-version'), 'utf8').trim();
  expect(execFileSync(opa.path, ['version'], { encoding: 'utf8' })).toContain(`Version: ${pinned}`);
});
