/**
 * Rule links in every report point at the rule's docs in fleetlint's repository at the installed version (the files
 * exist there: they are these), or under --docs-url / FLEETLINT_DOCS_URL, never at a site that does not exist.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot, publishedFilesUrl, toolVersion } from '../../src/package.js';
import { loadChecks } from '../../src/run/checks.js';
import { EMPTY_CONFIG } from '../../src/engine/config-types.js';
import { DIAGNOSTICS } from '../../src/engine/diagnostics.js';

const root = packageRoot();
const out = mkdtempSync(join(tmpdir(), 'fleetlint-links-'));
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

function audit(name: string, args: string[], env: Record<string, string> = {}): Record<'sarif' | 'html' | 'text' | 'json', string> {
  const files = { sarif: join(out, `${name}.sarif`), html: join(out, `${name}.html`), text: join(out, `${name}.txt`), json: join(out, `${name}.json`) };
  const run = spawnSync(process.execPath, [join(root, 'bin', 'fleetlint.js'), 'audit', 'fixtures/hostile', ...Object.entries(files).map(([format, path]) => `--format=${format}=${path}`), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
  expect(run.status, run.stderr).toBe(1);
  return { sarif: readFileSync(files.sarif, 'utf8'), html: readFileSync(files.html, 'utf8'), text: readFileSync(files.text, 'utf8'), json: readFileSync(files.json, 'utf8') };
}

const links = (text: string, base: string): string[] => [...new Set(text.match(new RegExp(`${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^\\s"'<>)]*`, 'g')) ?? [])];

describe('rule links', () => {
  it('name a page every rule has in the repository, at the tag of this version', async () => {
    expect(publishedFilesUrl()).toBe(`https://gitlab.homelab.local/homelab/platform/fleetlint/-/blob/v${toolVersion()}/`);
    const metas = [...DIAGNOSTICS, ...(await loadChecks(EMPTY_CONFIG)).map((check) => check.meta)];
    for (const meta of metas) expect(existsSync(join(root, meta.docsPath)), meta.docsPath).toBe(true);
  });

  it('in SARIF, HTML, JSON and text point there, or under --docs-url', () => {
    const reports = audit('default', []);
    for (const [format, text] of Object.entries(reports)) {
      const found = links(text, publishedFilesUrl());
      expect(found.filter((url) => url.includes('/docs/rules/')).length, format).toBeGreaterThan(0);
      for (const url of found.filter((link) => link.includes('/docs/'))) expect(existsSync(join(root, url.slice(publishedFilesUrl().length))), url).toBe(true);
      expect(text, format).not.toContain('fleetlint.dev/docs');
    }
    expect(reports.html).toMatch(/<td class="rule"><a href="https:\/\/gitlab\.homelab\.local\/homelab\/platform\/fleetlint\/-\/blob\/v[\d.]+\/docs\/rules\/[\w-]+\.md">/);

    const base = 'https://docs.example.com/fleetlint/';
    for (const reportsElsewhere of [audit('option', ['--docs-url', base]), audit('env', [], { FLEETLINT_DOCS_URL: base })]) {
      for (const [format, text] of Object.entries(reportsElsewhere)) {
        expect(links(text, base).length, format).toBeGreaterThan(0);
        expect(links(text, publishedFilesUrl()), format).toEqual([]);
      }
    }
  });
});
