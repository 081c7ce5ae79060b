import { configure } from '../configure.js';
import { localCandidates, openFleet } from '../../run/open-fleet.js';
import { fleetWavePlan, wavePlanTable } from '../../run/waves.js';
import { parseCommand, type CommandSpec } from '../options.js';
import { UsageError } from '../../usage-error.js';
import { EXIT } from '../../exit-codes.js';

export const WAVES: CommandSpec<WavesOption> = {
  name: 'waves',
  summary: 'plan the sync waves: the fewest Applications to move so every dependency syncs first',
  synopsis: ['fleetlint waves plan <fleet-root> [options]'],
  description: `Computes, from the dependencies fleetlint infers (those sync-wave-order checks) and the wave bands of the
config (sync-wave-order's waveBands option), sync waves that put every Application after everything it depends on
and inside its band, changing as few Applications as possible and then moving waves as little as possible. Prints
the Applications that change, old → new wave, and why. fleetlint fix writes the plan (the argocd.argoproj.io/sync-wave
annotations). A dependency cycle cannot be planned: the cycle is printed. docs/fix.md says how the plan is made.`,
  groups: [{ options: ['config'] }],
  footer: 'Exit code 0 when no wave needs to change, 1 when the plan changes waves or none is possible.',
};

type WavesOption = 'config';

export async function waves(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(WAVES, argv);
  const [verb, root, ...rest] = positionals;
  if (verb !== 'plan') throw new UsageError(verb === undefined ? 'waves needs a verb: fleetlint waves plan <fleet-root>' : `waves ${verb}: unknown verb; the verb is plan`);
  if (root === undefined || rest.length > 0) throw new UsageError('waves plan takes one fleet root folder');
  const { config } = await configure(values.config, root);
  const opened = await openFleet(await localCandidates(root), { providers: config.providers, scanners: config.scanners, config });
  const { plan } = fleetWavePlan(opened.fleet, config);
  process.stdout.write(wavePlanTable(plan));
  return plan.kind === 'plan' && plan.changes.length === 0 ? EXIT.ok : EXIT.findings;
}
