import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TYPESCRIPT_RULES } from '../rules/index.js';
import { builtinRuleMetas } from '../src/run/registry.js';
import { renderDocs } from '../src/docs/render.js';
import { packageRoot } from '../src/package.js';

const root = packageRoot();
const sorted = (items: string[]): string[] => [...items].sort();

describe('rule files, registry, policies and docs match one to one', () => {
  it('every file in rules/ is registered once, under its file name, and the registry is sorted', () => {
    const files = readdirSync(join(root, 'rules')).filter((file) => file.endsWith('.ts') && file !== 'index.ts').map((file) => file.replace(/\.ts$/, ''));
    const ids = TYPESCRIPT_RULES.map((rule) => rule.meta.id);
    expect(sorted(files)).toEqual(sorted(ids));
    expect(ids).toEqual(sorted(ids));
  });

  it('every shipped policy file has metadata under its file name, and nothing else does', () => {
    const files = readdirSync(join(root, 'policies')).filter((file) => file.endsWith('.rego') && !file.endsWith('_test.rego')).map((file) => file.replace(/\.rego$/, ''));
    const metadata = JSON.parse(readFileSync(join(root, 'policies', 'metadata.json'), 'utf8')) as { policies: { id: string; file: string }[] };
    expect(sorted(metadata.policies.map((policy) => policy.id))).toEqual(sorted(files));
    for (const policy of metadata.policies) expect(policy.file).toBe(`${policy.id}.rego`);
    for (const id of files) expect(readdirSync(join(root, 'policies'))).toContain(`${id}_test.rego`);
  });

  it('rule ids are unique kebab-case across diagnostics, TypeScript rules and policies', () => {
    const ids = builtinRuleMetas().map((meta) => meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
  });

  it('the committed docs pages and config schema are what `npm run docs` generates (run it after changing a rule)', () => {
    const generated = renderDocs(builtinRuleMetas());
    for (const [path, text] of generated) expect(readFileSync(join(root, path), 'utf8'), path).toBe(text);
    const pages = readdirSync(join(root, 'docs', 'rules')).map((file) => `docs/rules/${file}`);
    expect(sorted(pages)).toEqual(sorted([...generated.keys()].filter((path) => path.startsWith('docs/rules/'))));
  });
});
