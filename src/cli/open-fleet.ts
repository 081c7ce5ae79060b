import type { Fleet } from '../model/types.js';
import type { ProviderRule } from '../model/dependencies/types.js';
import { localCandidates, openFleet } from './remote-fleet.js';
import { Progress } from './progress.js';

/** A whole local fleet, loaded the way `fleetlint audit <root>` loads it (tests and benchmarks use this). */
export async function openLocalFleet(root: string, providers: readonly ProviderRule[], timings: Record<string, number>): Promise<Fleet> {
  const opened = await openFleet(await localCandidates(root), { providers, progress: new Progress({ quiet: true }), timings });
  return opened.fleet;
}
