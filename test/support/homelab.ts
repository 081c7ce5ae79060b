import { join } from 'node:path';
import { configure } from '../../src/cli/configure.js';
import { openLocalFleet } from '../../src/run/open-fleet.js';
import { runChecks, type RunResult } from '../../src/engine/runner.js';
import type { Fleet } from '../../src/model/types.js';
import type { ReportInput } from '../../src/report/types.js';
import { packageRoot } from '../../src/package.js';

export const HOMELAB = join(packageRoot(), 'fixtures', 'homelab');

/** A fixed date so that waiver expiry cannot change golden output over time. */
export const GOLDEN_TODAY = new Date('2026-11-26T00:00:00Z');

let cached: Promise<{ fleet: Fleet; result: RunResult }> | undefined;

/** The audit of fixtures/homelab, run once per test file through the CLI's own code path. */
export function auditHomelab(): Promise<{ fleet: Fleet; result: RunResult }> {
  cached ??= auditHomelabAgain();
  return cached;
}

/** Another audit of fixtures/homelab from scratch (config, checks, fleet), sharing nothing with auditHomelab's. */
export async function auditHomelabAgain(): Promise<{ fleet: Fleet; result: RunResult }> {
  const { config, checks } = await configure(undefined, HOMELAB);
  const fleet = await openLocalFleet(HOMELAB, config.providers, {});
  const result = await runChecks({ fleet, checks, config, today: GOLDEN_TODAY });
  return { fleet, result };
}

/** Report input without timings, so every rendering is byte-identical. */
export function fixedReportInput(fleet: Fleet, result: RunResult): ReportInput {
  return { result, toolVersion: '0.0.0-golden', repos: fleet.repos.map((repo) => repo.id), command: 'audit' };
}
