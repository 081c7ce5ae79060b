import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConftestPolicies, type ConftestPolicies } from '../../src/engine/rego/conftest.js';
import { findOpa } from '../../src/engine/rego/opa.js';
import { PolicyRuntimeError } from '../../src/engine/wasm/host.js';
import { packageRoot } from '../../src/package.js';

const caseDir = join(packageRoot(), 'fixtures', 'cases', 'conftest');
let work: string;
let policies: ConftestPolicies;

function manifest(name: string): string {
  return readFileSync(join(caseDir, 'manifests', name), 'utf8');
}

beforeAll(async () => {
  if (!(await findOpa())) throw new Error('these tests need the opa CLI: run scripts/install-opa.sh (installs it into .tools/bin)');
  work = mkdtempSync(join(tmpdir(), 'fleetlint-conftest-test-'));
  policies = await loadConftestPolicies(join(caseDir, 'policy'), { cacheDir: join(work, 'cache') });
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('conftest policies', () => {
  it('finds the rules of package main in v0 and v1 files', () => {
    expect(policies.rules).toEqual(['deny', 'violation', 'warn_latest_tag']);
    expect(policies.v0Files).toEqual(['kubernetes.rego']);
  });

  it('evaluates each YAML document as its own input', () => {
    const { results, invalid, exceptions, errors } = policies.evaluateYaml('apps/web.yaml', manifest('web.yaml'));
    expect({ invalid, exceptions, errors }).toEqual({ invalid: [], exceptions: [], errors: [] });
    expect(results).toEqual([
      { rule: 'deny', ruleName: 'deny', msg: 'Containers must not run as root in Deployment web', file: 'apps/web.yaml', docIndex: 0 },
      { rule: 'deny', ruleName: 'deny', msg: 'Deployment web must provide app label for pod selectors', file: 'apps/web.yaml', docIndex: 0 },
      { rule: 'violation', ruleName: 'violation', msg: 'container web must not be privileged', file: 'apps/web.yaml', docIndex: 0, details: { details: { container: 'web' } } },
      { rule: 'warn', ruleName: 'warn_latest_tag', msg: 'nginx:latest in web uses the latest tag', file: 'apps/web.yaml', docIndex: 0 },
    ]);
  });

  it('honours exception rules', () => {
    const { results, exceptions } = policies.evaluateYaml('apps/api.yaml', manifest('api.yaml'));
    expect(results).toEqual([]);
    expect(exceptions).toEqual([{ ruleName: 'warn_latest_tag', file: 'apps/api.yaml', docIndex: 0 }]);
  });

  it('takes documents the model already parsed, skipping broken and empty ones', () => {
    const deployment = { kind: 'Deployment', metadata: { name: 'db' }, spec: { selector: { matchLabels: { app: 'db' } } } };
    const { results } = policies.evaluateDocuments('db.yaml', [
      { index: 0, value: undefined },
      { index: 1, value: deployment, broken: true },
      { index: 2, value: deployment },
    ]);
    expect(results.map((r) => [r.docIndex, r.msg])).toEqual([[2, 'Containers must not run as root in Deployment db']]);
  });

  it('reports malformed results and run-time errors without losing the other rules', async () => {
    const dir = join(work, 'odd-policy');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'odd.rego'),
      [
        'package main',
        '',
        'deny contains 42 if input.kind',
        '',
        'deny contains {"message": "no msg key"} if input.kind',
        '',
        'level := input.a',
        '',
        'level := input.b',
        '',
        'warn contains sprintf("level %v", [level]) if input.kind',
        '',
        'violation contains "still reported" if input.kind',
      ].join('\n'),
    );
    const odd = await loadConftestPolicies(dir, { cacheDir: join(work, 'cache') });
    const { results, invalid, errors } = odd.evaluateDocuments('x.yaml', [{ index: 0, value: { kind: 'Pod', a: 1, b: 2 } }]);
    expect(results.map((r) => r.msg)).toEqual(['still reported']);
    expect(invalid.map((i) => i.item)).toEqual([42, { message: 'no msg key' }]); // sorted by their JSON text
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(PolicyRuntimeError);
    expect(errors[0]?.policy).toBe('conftest/warn');
    expect(errors[0]?.message).toMatch(/var assignment conflict/);
  });

  it('explains a file that is neither Rego v1 nor v0', async () => {
    const dir = join(work, 'broken-policy');
    mkdirSync(dir);
    writeFileSync(join(dir, 'broken.rego'), 'package main\n\ndeny[msg] {\n  msg := \n}\n');
    await expect(loadConftestPolicies(dir, { cacheDir: join(work, 'cache') })).rejects.toThrow(/broken\.rego is neither valid Rego v1 nor v0:\n {2}broken\.rego:\d+:/);
  });
});
