import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyCompileError } from '../../src/engine/rego/compile.js';
import { loadCustomPolicies } from '../../src/engine/rego/custom.js';
import { findOpa } from '../../src/engine/rego/opa.js';

let work: string;
let cacheDir: string;
const noOpa = '/nonexistent/opa';

function folder(name: string, files: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const teamPolicy = `# METADATA
# title: Repos must name an owner
# description: Every repo declares its owning team.
# custom:
#   id: team-owner
#   severity: warning
#   help: Add a CODEOWNERS file.
#   tags: [ownership]
#   scope: repo
package fleetlint.team_owner

import data.fleetlint.lib.paths

deny contains {"msg": "no CODEOWNERS file", "repo": input.repo.id, "file": "CODEOWNERS"} if {
	not paths.has_file(input.repo, "CODEOWNERS")
}
`
const helper = `package fleetlint.lib.paths

has_file(repo, name) if {
	some file in repo.files
	file.path == name
}
`
const input = { repo: { id: 'apps/web', files: [{ path: 'README.md' }] } };

beforeAll(async () => {
  if (!(await findOpa())) throw new Error('these tests need the opa CLI: run scripts/install-opa.sh (installs it into .tools/bin)');
  work = mkdtempSync(join(tmpdir(), 'fleetlint-custom-test-'));
  cacheDir = join(work, 'cache');
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('loadCustomPolicies', () => {
  it('compiles a folder of .rego policies on the fly and caches the result by content', async () => {
    const dir = folder('team', { 'owner.rego': teamPolicy, 'lib/paths.rego': helper, 'owner_test.rego': 'package fleetlint.team_owner_test\n' });
    const set = await loadCustomPolicies(dir, { cacheDir });
    expect(set.policies.map((p) => [p.id, p.severity, p.file])).toEqual([['team-owner', 'warning', 'owner.rego']]);
    expect(set.host.evaluate('fleetlint/team_owner/deny', input).decisions).toEqual([{ msg: 'no CODEOWNERS file', repo: 'apps/web', file: 'CODEOWNERS' }]);

    const entries = readdirSync(join(cacheDir, 'policies'));
    expect(entries).toHaveLength(1);
    const built = statSync(join(cacheDir, 'policies', entries[0] ?? '', 'bundle.tar.gz')).mtimeMs;
    const again = await loadCustomPolicies(dir, { cacheDir });
    expect(again.policies).toEqual(set.policies);
    expect(statSync(join(cacheDir, 'policies', entries[0] ?? '', 'bundle.tar.gz')).mtimeMs).toBe(built);

    writeFileSync(join(dir, 'owner.rego'), teamPolicy.replace('no CODEOWNERS file', 'CODEOWNERS is missing'));
    const changed = await loadCustomPolicies(dir, { cacheDir });
    expect(changed.host.evaluate('fleetlint/team_owner/deny', input).decisions[0]?.msg).toBe('CODEOWNERS is missing');
    expect(readdirSync(join(cacheDir, 'policies'))).toHaveLength(2);
  });

  it('uses a prebuilt bundle with its metadata.json as is, without opa', async () => {
    const source = folder('prebuilt-src', { 'owner.rego': teamPolicy, 'lib/paths.rego': helper });
    await loadCustomPolicies(source, { cacheDir: join(work, 'cache-prebuilt') });
    const [entry] = readdirSync(join(work, 'cache-prebuilt', 'policies'));
    const dir = folder('prebuilt', {});
    cpSync(join(work, 'cache-prebuilt', 'policies', entry ?? '', 'bundle.tar.gz'), join(dir, 'bundle.tar.gz'));
    cpSync(join(work, 'cache-prebuilt', 'policies', entry ?? '', 'meta.json'), join(dir, 'metadata.json'));

    const set = await loadCustomPolicies(dir, { opaPath: noOpa, cacheDir });
    expect(set.policies.map((p) => [p.id, p.severity])).toEqual([['team-owner', 'warning']]);
    expect(set.host.evaluate('fleetlint/team_owner/deny', input).decisions).toHaveLength(1);

    // A bare bundle file without metadata: ids come from the fleetlint/<id>/deny entrypoints.
    const bare = join(work, 'bare.tar.gz');
    cpSync(join(dir, 'bundle.tar.gz'), bare);
    const derived = await loadCustomPolicies(bare, { opaPath: noOpa });
    expect(derived.policies.map((p) => [p.id, p.severity, p.scope])).toEqual([['team-owner', 'error', 'repo']]);

    // Sources next to a prebuilt bundle, and no opa: the bundle is used.
    writeFileSync(join(dir, 'owner.rego'), teamPolicy);
    expect((await loadCustomPolicies(dir, { opaPath: noOpa, cacheDir })).policies).toHaveLength(1);
  });

  it('says what to install when sources need opa and there is no bundle', async () => {
    const dir = folder('needs-opa', { 'owner.rego': teamPolicy });
    await expect(loadCustomPolicies(dir, { opaPath: noOpa, cacheDir })).rejects.toThrow(
      /compiling \.rego policies needs the opa CLI, which was not found\. Install it with `go install github\.com\/open-policy-agent\/opa@v1\.22\.3`/,
    );
  });

  it('reports convention problems and unsupported builtins as PolicyCompileError', async () => {
    const conventions = folder('bad-conventions', { 'x.rego': 'package fleetlint.x\n\ndeny contains "x" if input.x\n' });
    await expect(loadCustomPolicies(conventions, { cacheDir })).rejects.toThrow(/x\.rego: package fleetlint\.x has no package-scope # METADATA block/);

    const builtin = folder('bad-builtin', {
      'clock.rego': teamPolicy.replace('not paths.has_file(input.repo, "CODEOWNERS")', 'time.now_ns() > 0').replace('import data.fleetlint.lib.paths\n', ''),
    });
    const error = await loadCustomPolicies(builtin, { cacheDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyCompileError);
    expect(String(error)).toMatch(/undefined function time\.now_ns/);
    expect(String(error)).toContain('only the builtins listed in policies/wasm-capabilities.json are available');

    await expect(loadCustomPolicies(folder('empty', {}), { cacheDir })).rejects.toThrow(/no \.rego policies and no prebuilt bundle/);
    await expect(loadCustomPolicies(join(work, 'missing'), { cacheDir })).rejects.toThrow(/no such file or folder/);
  });
});
