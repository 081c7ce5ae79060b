/** Sharding fixtures/homelab as a local fleet: the slices' fragments merged must give exactly one full run's reports. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFragment } from '../../src/run/fragment.js';
import { tempDir } from '../sources/git-fixture.js';
import { HOMELAB, HOMELAB_CONFIG, readReport, readStats, runCli } from './helpers.js';

const ENV = { CI: 'true', CI_NODE_INDEX: undefined, CI_NODE_TOTAL: undefined };
const FORMATS = (dir: string, name: string): string[] => ['json', 'html', 'markdown', 'sarif'].flatMap((format) => ['--format', `${format}=${join(dir, `${name}.${format}`)}`]);

describe('audit --shard i/n --write-fragment, then merge', () => {
  let root: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir('fleetlint-shards-'));
    const started = performance.now();
    const full = await runCli('audit', [HOMELAB, ...FORMATS(root, 'full')], ENV);
    console.info(`full local audit of fixtures/homelab: ${Math.round(performance.now() - started)} ms`);
    expect(full.code).toBe(1);
  }, 120_000);

  afterAll(async () => {
    await (cleanup as (() => Promise<void>) | undefined)?.();
  });

  it.each([2, 4])('%i shards merged equal the full run, report for report', async (total) => {
    const fragments: string[] = [];
    let shardMs = 0;
    for (let index = 1; index <= total; index++) {
      const fragment = join(root, `n${total}`, `shard-${index}.json.gz`);
      const started = performance.now();
      const run = await runCli('audit', [HOMELAB, '--shard', `${index}/${total}`, '--write-fragment', fragment], ENV);
      shardMs = Math.max(shardMs, performance.now() - started);
      expect(run.code).toBe(0);
      fragments.push(fragment);
    }
    // Each repo is in exactly one fragment, with its repo-scope results.
    const read = await Promise.all(fragments.map((path) => readFragment(path)));
    const ids = read.flatMap((fragment) => fragment.repos.map((repo) => repo.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(read[0]?.fleetRepos.length);
    expect(read.every((fragment) => fragment.repos.every((repo) => repo.checks !== undefined))).toBe(true);

    const started = performance.now();
    // merge reads the shards' config: the fleet-scope checks run here, with its options.
    const merged = await runCli('merge', [...fragments, '--config', HOMELAB_CONFIG, ...FORMATS(root, `merged-${total}`), '--stats', join(root, `merged-${total}.stats.json`)], ENV);
    const mergeMs = performance.now() - started;
    expect(merged.code).toBe(1);
    // The shards' results are reused, but for required-scans, which reads the fleet's scan templates: a fact no
    // shard sees whole, which the merge derives and evaluates that check with again, one evaluation per repo.
    expect((await readStats(join(root, `merged-${total}.stats.json`))).checks.evaluated).toBe(ids.length);
    expect(await readReport(join(root, `merged-${total}.json`))).toEqual(await readReport(join(root, 'full.json')));
    for (const format of ['html', 'markdown', 'sarif']) {
      expect(await readFile(join(root, `merged-${total}.${format}`), 'utf8'), format).toBe(await readFile(join(root, `full.${format}`), 'utf8'));
    }
    console.info(`${total} shards: slowest shard ${Math.round(shardMs)} ms, merge ${Math.round(mergeMs)} ms`);
  });

  it('a fragment of the whole fleet merges alone, and cannot be mixed with shards', async () => {
    const whole = join(root, 'whole.json.gz');
    expect((await runCli('audit', [HOMELAB, '--write-fragment', whole], ENV)).code).toBe(0);
    expect((await runCli('merge', [whole, '--config', HOMELAB_CONFIG, '--format', `json=${join(root, 'whole.json')}`, '--write-snapshot', join(root, 'merged.snapshot.gz')], ENV)).code).toBe(1);
    expect(await readReport(join(root, 'whole.json'))).toEqual(await readReport(join(root, 'full.json')));
    // The merge job can write the snapshot merge-request jobs read: the same bytes a single audit writes.
    await runCli('audit', [HOMELAB, '--format', `json=${join(root, 'unused.json')}`, '--write-snapshot', join(root, 'audit.snapshot.gz')], ENV);
    expect(await readFile(join(root, 'merged.snapshot.gz'))).toEqual(await readFile(join(root, 'audit.snapshot.gz')));
    await expect(runCli('merge', [whole, join(root, 'n2', 'shard-1.json.gz')], ENV)).rejects.toThrow(/holds the whole fleet/);
    await expect(runCli('merge', [join(root, 'n2', 'shard-1.json.gz'), join(root, 'n4', 'shard-2.json.gz')], ENV)).rejects.toThrow(/is shard 2\/4, but .* is one of 2/);
    await expect(runCli('audit', [HOMELAB, '--write-fragment', whole, '--format', 'json'], ENV)).rejects.toThrow(/writes no report/);
    await expect(runCli('merge', [join(root, 'full.json')], ENV)).rejects.toThrow(/is not gzipped JSON/);
  });
});
