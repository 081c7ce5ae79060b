import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { configure } from '../../src/cli/configure.js';
import { openLocalFleet } from '../../src/run/open-fleet.js';
import { runChecks } from '../../src/engine/runner.js';

/** The generator is plain ESM JavaScript (scripts/), imported by URL and typed here by what the test uses. */
interface GeneratorOptions {
  repos: number;
  seed?: string;
  plantRate?: number;
}
interface Expected {
  repos: number;
  files: number;
  findingsByRule: Record<string, number>;
  planted: { repo: string; kind: string }[];
  /** Services whose Application deploys nothing (helm/ holds only values.yaml): one render-error each. */
  valuesOnly: string[];
}
interface GenerateModule {
  generateFleet: (options: GeneratorOptions) => { repos: { id: string; files: Record<string, string> }[]; fleetYaml: string; expected: Expected };
}
interface WriteModule {
  writeFleet: (out: string, options: GeneratorOptions) => Expected;
}
interface PlantsModule {
  PLANTS: Record<string, { effect: Record<string, number> }>;
}

const scripts = resolve(import.meta.dirname, '../../scripts');
const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(scripts, path)).href)) as T;
const { generateFleet } = await load<GenerateModule>('gen-fleet/generate.mjs');
const { writeFleet } = await load<WriteModule>('gen-fleet.mjs');
const { PLANTS } = await load<PlantsModule>('gen-fleet/plants.mjs');

const work = mkdtempSync(join(tmpdir(), 'fleetlint-gen-'));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('a fleet large enough for threads', () => {
  it('gives byte-identical reports built and checked in threads (2) and in one thread', () => {
    // 220 repos: past THREADED_FLEET_SIZE, so --threads 2 builds in threads and evaluates policies ahead.
    const root = join(work, 'fleet-220');
    writeFleet(root, { repos: 220, seed: 'threads', plantRate: 0.3 });
    const run = (threads: string) =>
      spawnSync(process.execPath, [join(scripts, '..', 'bin', 'fleetlint.js'), 'audit', root, '--threads', threads, '--format', 'sarif'], { encoding: 'utf8', maxBuffer: 1e9 });
    const [one, two] = [run('1'), run('2')];
    expect(two.status).toBe(1);
    expect(two.stdout).toContain('"level": "warning"');
    expect(two.stdout).not.toContain('"ruleId": "internal-error"');
    expect(two.stdout).toBe(one.stdout);
    expect(two.stderr).toBe(one.stderr);
  });
});

describe('gen-fleet', () => {
  it('gives the same bytes for the same seed, and another fleet for another seed', () => {
    const first = generateFleet({ repos: 40, seed: 'one' });
    expect(generateFleet({ repos: 40, seed: 'one' })).toEqual(first);
    expect(generateFleet({ repos: 40, seed: 'two' }).fleetYaml).not.toEqual(first.fleetYaml);
    expect(first.repos).toHaveLength(40);
  });

  it('plants violations that fleetlint finds, exactly, and nothing else', async () => {
    // A high plant rate so that 30 repos carry most kinds of violation.
    const root = join(work, 'fleet-30');
    const expected = writeFleet(root, { repos: 30, seed: 'recall', plantRate: 0.7 });
    expect(expected.planted.length).toBeGreaterThanOrEqual(5);

    const { config, checks } = await configure(undefined, root);
    const fleet = await openLocalFleet(root, config.providers, {});
    const { findings } = await runChecks({ fleet, checks, config, today: new Date('2024-01-01T00:00:00Z') });

    const count = (pairs: [string, string][]): Record<string, number> => {
      const counts: Record<string, number> = {};
      for (const [repo, rule] of pairs) counts[`${repo} ${rule}`] = (counts[`${repo} ${rule}`] ?? 0) + 1;
      return counts;
    };
    const found = count(findings.filter((finding) => !finding.suppression).map((finding): [string, string] => [finding.repo, finding.ruleId]));
    const planted = count([
      ...expected.planted.flatMap(({ repo, kind }) => Object.entries(PLANTS[kind]?.effect ?? {}).flatMap(([rule, n]) => Array.from({ length: n }, (): [string, string] => [repo, rule]))),
      ...expected.valuesOnly.map((repo): [string, string] => [repo, 'render-error']),
    ]);
    // Per repo and rule: a finding in the wrong repo would cancel out in a per-rule total.
    expect(found).toEqual(planted);

    const byRule: Record<string, number> = {};
    for (const finding of findings) if (!finding.suppression) byRule[finding.ruleId] = (byRule[finding.ruleId] ?? 0) + 1;
    expect(byRule).toEqual(expected.findingsByRule);
  });
});
