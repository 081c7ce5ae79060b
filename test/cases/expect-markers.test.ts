import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configure } from '../../src/cli/configure.js';
import { openLocalFleet } from '../../src/run/open-fleet.js';
import { runChecks } from '../../src/engine/runner.js';
import { packageRoot } from '../../src/package.js';

/**
 * Fixture fleets under fixtures/cases/ mark each finding they expect on its line, `# expect: <rule-id>` (several:
 * `# expect: a, b`, or the same rule twice for two findings). The audit of the fleet must give exactly those:
 * a finding without a marker is a false positive, a marker without a finding a miss. Findings without a file
 * or a line cannot be marked, so there must be none.
 */
const CASES = join(packageRoot(), 'fixtures', 'cases');
const MARKER = /#\s*expect:\s*([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)/;
const TODAY = new Date('2026-11-26T00:00:00Z');

const fleets = readdirSync(CASES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(CASES, entry.name, 'fleet.yaml')))
  .map((entry) => entry.name);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** `repo|file|line|rule` for each marker, a repo being the longest repo id the path starts with. */
function markers(root: string, repoIds: readonly string[]): string[] {
  const found: string[] = [];
  for (const path of filesUnder(root)) {
    const rel = relative(root, path).split(sep).join('/');
    const repo = [...repoIds].sort((a, b) => b.length - a.length).find((id) => rel.startsWith(`${id}/`));
    if (repo === undefined) continue;
    readFileSync(path, 'utf8')
      .split('\n')
      .forEach((line, index) => {
        const match = MARKER.exec(line);
        for (const rule of match?.[1]?.split(',') ?? []) found.push(`${repo}|${rel.slice(repo.length + 1)}|${String(index + 1)}|${rule.trim()}`);
      });
  }
  return found.sort();
}

describe.each(fleets)('fixtures/cases/%s: the findings are the ones marked # expect:', (name) => {
  it('gives exactly the marked findings, each on its line', async () => {
    const root = join(CASES, name);
    const { config, checks } = await configure(undefined, root);
    const fleet = await openLocalFleet(root, config.providers, {});
    const result = await runChecks({ fleet, checks, config, today: TODAY });
    const actual = result.findings
      .filter((finding) => !finding.suppression)
      .map((finding) => `${finding.repo}|${finding.file ?? '-'}|${String(finding.range?.startLine ?? '-')}|${finding.ruleId}`)
      .sort();
    const expected = markers(root, fleet.repos.map((repo) => repo.id));
    expect(expected.length).toBeGreaterThan(0);
    expect(actual).toEqual(expected);
  });
});
