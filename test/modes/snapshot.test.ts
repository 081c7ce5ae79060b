import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSnapshot, writeSnapshot } from '../../src/crawl/snapshot.js';
import { loadFleet } from '../../src/run/load-fleet.js';
import { maskedText } from '../../src/run/outbound.js';
import { policyInput } from '../../src/model/policy-input.js';
import { auditHomelab } from '../support/homelab.js';
import { homelabProviders } from '../support/presets.js';
import { tempDir } from '../sources/git-fixture.js';

describe('fleet snapshot', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('fleetlint-snapshot-'));
  });
  afterEach(async () => {
    await cleanup();
  });

  it('re-derives the same model of fixtures/homelab from the bytes it keeps, and writes the same bytes twice', async () => {
    const { fleet } = await auditHomelab();
    const path = join(dir, 'fleet.json.gz');
    await writeSnapshot(path, fleet, maskedText);
    const bytes = await readFile(path);
    await writeSnapshot(join(dir, 'again.json.gz'), fleet, maskedText);
    expect((await readFile(join(dir, 'again.json.gz'))).equals(bytes)).toBe(true);

    const snapshot = await readSnapshot(path);
    const reloaded = await loadFleet({ root: fleet.root, settings: snapshot.settings, repos: snapshot.repos, providers: homelabProviders(), render: { cacheDir: false } });
    // The snapshot masks secrets with text of the same length and structure: the model is the same.
    expect(policyInput(reloaded)).toEqual(policyInput(fleet));
    // The render phase reads charts whole (helpers, files templates read): the snapshot keeps what it needs.
    const rendered = (loaded: typeof fleet): string[] => [
      ...loaded.repos.flatMap((repo) => repo.diagnostics.filter((draft) => draft.ruleId.startsWith('render-')).map((draft) => `${draft.repo}/${draft.file ?? ''}:${String(draft.range?.startLine)} ${draft.message}`)),
      ...(loaded.desired?.apps ?? []).map((app) => `${app.app.repo}#${app.app.name}: ${app.objects.map((object) => `${object.kind}/${object.name ?? ''}`).join(' ')}`),
    ];
    expect(rendered(reloaded)).toEqual(rendered(fleet));
    expect(rendered(fleet).length).toBeGreaterThan(50);
    expect(reloaded.repos.map((repo) => repo.files.map((file) => file.path))).toEqual(fleet.repos.map((repo) => repo.files.map((file) => file.path)));
  });

  it('names the file and what is wrong with one it cannot read', async () => {
    const path = join(dir, 'old.json.gz');
    await writeFile(path, gzipSync(JSON.stringify({ version: 0, settings: {}, repos: [] })));
    await expect(readSnapshot(path)).rejects.toThrow(`fleet snapshot ${path} has version 0; this fleetlint reads version 2`);
    await writeFile(path, gzipSync(JSON.stringify({ version: 2, settings: { registries: [], providers: [] }, repos: [{ id: 'a', files: { 'x.yml': 1 }, names: [] }] })));
    await expect(readSnapshot(path)).rejects.toThrow('repos[0] is not {id, files, names, binary?}');
    await writeFile(path, 'not json');
    await expect(readSnapshot(path)).rejects.toThrow('is not gzipped JSON');
  });
});
