#!/usr/bin/env node
// The no-secrets rule's own CPU time over a fleet, for several built checkouts at once: each loads the fleet with its
// own code once, then the rule runs over every repository in rounds, the builds in turn (A B C A B C ...), and each
// build's time is divided by the first's round by round, so a machine whose speed drifts still gives fair ratios.
// Prints the median time per round and the median ratio with its quartiles. Asserts nothing.
//
//   node scripts/bench-secrets.mjs [--fleet fixtures/homelab] [--rounds 121] <checkout> [<checkout> ...]
//
// A checkout is a directory with a built dist/ (npm run build). Checkouts that resolve the same node_modules share
// one secretlint, whose profiler fleetlint turns off when it loads: an older build measured beside a newer one then
// runs with it off too. Give an older build a node_modules of its own (@secretlint copied) to measure it as it ran.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { fleet: { type: 'string', default: 'fixtures/homelab' }, rounds: { type: 'string', default: '121' } },
});
if (positionals.length === 0) throw new Error('usage: node scripts/bench-secrets.mjs [--fleet <dir>] [--rounds <n>] <checkout> [<checkout> ...]');
const fleetRoot = resolve(values.fleet);
const rounds = Number(values.rounds);

/** A function that runs the rule once over the fleet: CPU milliseconds and the number of reports. */
async function load(checkout) {
  const dist = resolve(checkout, 'dist');
  const { configure } = await import(`${dist}/src/cli/configure.js`);
  // open-fleet.js moved from cli/ to run/.
  const openFleet = existsSync(`${dist}/src/run/open-fleet.js`) ? `${dist}/src/run/open-fleet.js` : `${dist}/src/cli/open-fleet.js`;
  const { openLocalFleet } = await import(openFleet);
  const rule = (await import(`${dist}/rules/no-secrets.js`)).default;
  const { config } = await configure(undefined, fleetRoot);
  const fleet = await openLocalFleet(fleetRoot, config.providers, {});
  return async () => {
    const start = process.cpuUsage();
    let reports = 0;
    for (const repo of fleet.repos) reports += (await rule.run({ repo, settings: { enabled: true, options: {} }, options: {} })).length;
    const used = process.cpuUsage(start);
    return { ms: (used.user + used.system) / 1000, reports };
  };
}

const runs = [];
for (const checkout of positionals) runs.push(await load(checkout));
const times = positionals.map(() => []);
const reports = positionals.map(() => 0);
for (let round = 0; round < rounds; round += 1) {
  for (const [index, run] of runs.entries()) {
    const { ms, reports: count } = await run();
    times[index].push(ms);
    reports[index] = count;
  }
}
const quantile = (list, q) => [...list].sort((a, b) => a - b)[Math.floor((list.length - 1) * q)];
for (const [index, checkout] of positionals.entries()) {
  const ratios = times[index].map((ms, round) => ms / times[0][round]);
  console.log(
    `${checkout}: ${reports[index]} reports, ${quantile(times[index], 0.5).toFixed(1)} ms a round; ` +
      `to ${positionals[0]}: ${quantile(ratios, 0.5).toFixed(3)} (quartiles ${quantile(ratios, 0.25).toFixed(2)}-${quantile(ratios, 0.75).toFixed(2)}), ${rounds} rounds`,
  );
}
