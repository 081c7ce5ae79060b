/**
 * The audit report of fixtures/homelab, compared with a doctored previous run: the HTML page as headless Chromium
 * renders it (its DOM and a screenshot), and the Markdown version's content and escaping.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown, text } from '../../src/report/markdown.js';
import { tempDir } from '../sources/git-fixture.js';
import { HOSTILE_MESSAGE, sampleInput } from '../report/fixture.js';
import { HOMELAB, readReport, runCli, type JsonReport } from './helpers.js';

/** The browser the test renders with; scripts/install-tools.sh installs it (Debian package `chromium`). */
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

/** Headless Chromium with everything that would reach the network or keep state turned off. */
async function chromium(args: string[], profile: string): Promise<string> {
  expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: the HTML report test needs Chromium. Install it with \`apt-get install -y chromium\` (scripts/install-tools.sh does), or set CHROMIUM_BIN`).toBe(true);
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars', `--user-data-dir=${profile}`];
  const { stdout } = await promisify(execFile)(CHROMIUM, [...flags, ...args], { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

const SECRET_LOOKING = 'old finding <b>bold</b> @ops-team #12 | pipe';

describe('the audit report of fixtures/homelab', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let report: JsonReport;
  let html: string;
  let markdown: string;
  let dom: string;
  let dropped: JsonReport['findings'][number];

  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir('fleetlint-audit-report-'));
    await runCli('audit', [HOMELAB, '--format', `json=${join(root, 'now.json')}`]);
    report = await readReport(join(root, 'now.json'));
    // The previous night: one of tonight's findings was not there yet, and one finding since fixed was.
    const previous = structuredClone(report);
    const index = previous.findings.findIndex((f) => f.repo === 'core-services/networking/traefik' && f.ruleId === 'no-latest-tag');
    dropped = previous.findings.splice(index, 1)[0] ?? dropped;
    previous.findings.push({ ruleId: 'no-secrets', severity: 'error', repo: 'applications/ai/ollama', file: 'values.yaml', message: SECRET_LOOKING, fingerprint: 'f'.repeat(32) });
    await writeFile(join(root, 'previous.json'), JSON.stringify(previous));
    const run = await runCli('audit', [
      HOMELAB,
      '--previous',
      join(root, 'previous.json'),
      '--report-label',
      'nightly <pipeline #4711>',
      '--format',
      `html=${join(root, 'audit.html')}`,
      '--format',
      `markdown=${join(root, 'audit.md')}`,
    ]);
    expect(run.code).toBe(1);
    html = await readFile(join(root, 'audit.html'), 'utf8');
    markdown = await readFile(join(root, 'audit.md'), 'utf8');
    dom = await chromium(['--dump-dom', pathToFileURL(join(root, 'audit.html')).href], join(root, 'profile'));
  }, 180_000);

  afterAll(async () => {
    await (cleanup as (() => Promise<void>) | undefined)?.();
  });

  const expectedScore = (): string => {
    const repos = report.repos.filter((repo) => repo !== '.');
    const failing = new Set(report.findings.filter((f) => f.severity === 'error' && !f.suppression).map((f) => f.repo));
    return (Math.round((1000 * repos.filter((repo) => !failing.has(repo)).length) / repos.length) / 10).toFixed(1);
  };

  it('renders in Chromium with the score, the severity counts, a repo row, and a matrix cell for a missing scan', () => {
    expect(dom).toContain(`<div class="big" id="fleet-score">${expectedScore()}</div>`);
    const errors = report.findings.filter((f) => f.severity === 'error' && !f.suppression).length;
    expect(dom).toMatch(new RegExp(`<div class="card sev-error" data-severity="error"><div class="big">${errors}</div>`));
    expect(dom).toMatch(/<tr class="status-error" data-repo="core-services\/networking\/traefik"><td class="repo"><a href="#repo-core-services__networking__traefik">core-services\/networking\/traefik<\/a>/);
    expect(dom).toContain('<td class="cov missing" data-repo="applications/ai/ollama" data-category="secrets" data-state="missing"');
    expect(dom).toContain('data-repo="applications/ai/ollama" data-category="iac" data-state="not-required"');
    expect(dom).toMatch(/<tr class="flagged" data-app="core-services\/networking\/traefik#traefik">/);
    expect(dom).toMatch(/<svg [^>]*class="wave-graph"/);
    expect(dom).toContain('<p class="label">nightly &lt;pipeline #4711&gt;</p>');
  });

  it('shows what is new and what was fixed since the previous run, escaped', () => {
    expect(dom).toContain('<strong class="new-count">1 new</strong>');
    expect(dom).toContain('<strong class="fixed-count">1 fixed</strong>');
    expect(dom).toContain(`<tr class="sev-${dropped.severity}" data-fingerprint="${dropped.fingerprint}">`);
    expect(dom).toContain(`<tr class="fixed" data-fingerprint="${'f'.repeat(32)}">`);
    // The fixed finding's text is text: no <b> element came out of it.
    expect(dom).toContain('old finding &lt;b&gt;bold&lt;/b&gt; @ops-team #12 | pipe');
    expect(dom).not.toContain('<b>bold</b>');
  });

  it('is one self-contained page: no script, no stylesheet or image to fetch, a CSP that forbids them, deterministic', async () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|url\((?!#)/i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    expect(html).not.toContain(process.cwd());
    expect(html).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
    await runCli('audit', [HOMELAB, '--previous', join(root, 'previous.json'), '--report-label', 'nightly <pipeline #4711>', '--format', `html=${join(root, 'again.html')}`]);
    expect(await readFile(join(root, 'again.html'), 'utf8')).toBe(html);
  });

  it('makes a screenshot that is not blank', async () => {
    const png = join(root, 'audit.png');
    await chromium(['--window-size=1400,2400', `--screenshot=${png}`, pathToFileURL(join(root, 'audit.html')).href], join(root, 'profile-shot'));
    expect((await stat(png)).size).toBeGreaterThan(50_000);
  });

  it('escapes hostile text in the HTML page so that it stays text in the browser', async () => {
    const hostile = sampleInput({ audit: { label: '<script>alert(1)</script>' } });
    hostile.result.findings[0] = { ...hostile.result.findings[0], message: '<img src=x onerror=alert(1)>' } as (typeof hostile.result.findings)[number];
    const page = renderHtml(hostile);
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<img');
    expect(page).toContain('value &lt;&amp;&quot;&#39;&gt; looks like a token\\u0007 (redacted)');
    await writeFile(join(root, 'hostile.html'), page);
    const hostileDom = await chromium(['--dump-dom', pathToFileURL(join(root, 'hostile.html')).href], join(root, 'profile-hostile'));
    expect(hostileDom).not.toMatch(/<script>|<img/);
    expect(hostileDom).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('gives the same content in Markdown for a wiki page or an issue', () => {
    expect(markdown).toMatch(new RegExp(`^# Fleet audit\\n\\n\\*\\*nightly &lt;pipeline \\\\#\u20604711&gt;\\*\\*\\n`));
    expect(markdown).toContain(`| **${expectedScore()}** — `);
    expect(markdown).toContain('| `applications/ai/ollama` | — | ❌ missing | — | ❌ missing |');
    expect(markdown).toMatch(/\| 0 \| traefik \| `core-services\/networking\/traefik` \| ❌ \*\*metallb \(wave 1\)\*\* \|/);
    expect(markdown).toContain('**1 new** · **1 fixed**');
    expect(markdown).toContain('<details><summary>core-services/networking/traefik — ');
    // The fixed finding: no HTML, no mention, no issue reference, no extra table cell.
    expect(markdown).toContain('old finding &lt;b&gt;bold&lt;/b&gt; \\@\u2060ops\\-team \\#\u206012 \\| pipe'.replace('\\-', '-'));
    expect(markdown).toContain('## Findings by rule');
    expect(markdown).toContain('## Sync waves');
  });

  it('escapes Markdown and GitLab references in text', () => {
    expect(text('@all see #1 and !2 in ~bug, %m, $s, &3')).toBe('\\@\u2060all see \\#\u20601 and \\!\u20602 in \\~\u2060bug, \\%\u2060m, \\$\u2060s, &amp;\u20603');
    expect(text('a | b `c` *d* _e_ [f](g) <h>\nnext')).toBe('a \\| b \\`c\\` \\*d\\* \\_e\\_ \\[f\\](g) &lt;h&gt; next');
    const page = renderMarkdown(sampleInput());
    expect(page).toContain('value &lt;&amp;\u2060"\'&gt; looks like a token\\\\u0007 (redacted)');
    expect(page).not.toContain(HOSTILE_MESSAGE);
  });
});
