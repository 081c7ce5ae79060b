import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configure } from '../../src/cli/configure.js';
import { openLocalFleet } from '../../src/run/open-fleet.js';
import { runChecks } from '../../src/engine/runner.js';
import { packageRoot } from '../../src/package.js';
import { compareMarkers, inlineMarkers, sideFileMarkers } from '../support/expect-markers.js';

/**
 * Fixture fleets under fixtures/cases/ mark each finding they expect on its line (`# expect: <rule-id>`, see
 * test/support/expect-markers.ts). The audit of the fleet must give exactly those: a finding without a marker is a
 * false positive, a marker without a finding a miss.
 */
const CASES = join(packageRoot(), 'fixtures', 'cases');
const TODAY = new Date('2026-11-26T00:00:00Z');

const fleets = readdirSync(CASES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(CASES, entry.name, 'fleet.yaml')))
  .map((entry) => entry.name);

describe.each(fleets)('fixtures/cases/%s: the findings are the ones marked # expect:', (name) => {
  it('gives exactly the marked findings, each on its line', async () => {
    const root = join(CASES, name);
    const { config, checks } = await configure(undefined, root);
    const fleet = await openLocalFleet(root, config.providers, {});
    const result = await runChecks({ fleet, checks, config, today: TODAY });
    const expected = [...inlineMarkers(root, fleet.repos.map((repo) => repo.id)), ...sideFileMarkers(join(root, 'expect-unmarked.txt'))];
    expect(expected.length).toBeGreaterThan(0);
    expect(compareMarkers(expected, result.findings.filter((finding) => !finding.suppression), 'all')).toEqual({ missing: [], unexpected: [] });
  });
});
