import { MemorySource } from '../../src/sources/memory.js';
import { loadFleet } from '../../src/run/load-fleet.js';
import type { Fleet, FleetSettings } from '../../src/model/types.js';
import type { ProviderRule } from '../../src/model/dependencies/types.js';

/** Files per repo id, as literal text. */
export type FleetFiles = Record<string, Record<string, string | Buffer>>;

export const TEST_SETTINGS: FleetSettings = { gitlabHost: 'gitlab.homelab.local', group: 'homelab', registries: ['harbor.homelab.local'], providers: [] };

/**
/**
 * A fleet built from literal files through the real loaders (in-memory source, nothing mocked). Dependencies are
 * inferred with `providers` (none by default, as the model has no table of its own; see homelabProviders).
 */
export async function fleetFromFiles(repos: FleetFiles, settings: FleetSettings = TEST_SETTINGS, providers: readonly ProviderRule[] = []): Promise<Fleet> {
  return loadFleet({
    root: '/fleet',
    settings,
    providers,
    repos: Object.entries(repos).map(([id, files]) => ({ id, source: new MemorySource(files) })),
  });
}
