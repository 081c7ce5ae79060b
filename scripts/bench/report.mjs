// Renders bench/results.md from the measured cases.
import { mib, seconds } from './stats.mjs';

/** Text from ANALYSIS_HEADING on is written by people (profiles, changes, misses) and kept across runs. */
export const ANALYSIS_HEADING = '## Profiling and changes';

export function renderResults({ machine, cases, notes, budgets, linearity, analysis }) {
  const lines = [
    '# fleetlint benchmarks',
    '',
    `Measured by \`npm run bench\` (scripts/bench.mjs) on ${machine.date}, fleetlint ${machine.commit}.`,
    '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memory} GiB memory, ${machine.os}, Node ${machine.node}.`,
    `Load average when the run started: ${machine.load}. Times from ${machine.measuredWith}; each CLI run is a fresh \`node\` process (start included).`,
    '',
    'These are benchmarks, not tests: CI does not fail on them. The machine is shared, so expect ±20% between runs.',
    '',
    '## Results',
    '',
    '| case | repos | files | MB | wall s | CPU s (user+sys) | peak RSS MiB | files/s | MB/s | floor: read s | floor: parse YAML s | wall / (read+parse) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const item of cases) {
    const { run, floor } = item;
    const floorMs = floor.readMs + floor.parseMs;
    if (run.timedOut) {
      // Killed at the time limit: the wall time is a lower bound, and there is no report to split into phases.
      lines.push(`| ${item.name} | ${floor.repos} | ${floor.files} | ${(floor.bytes / 1e6).toFixed(1)} | > ${seconds(run.wallMs)} (killed) | > ${seconds(run.userMs + run.systemMs)} | ≥ ${mib(run.maxRssKiB)} | < ${Math.round(floor.files / (run.wallMs / 1000))} | < ${(floor.bytes / 1e6 / (run.wallMs / 1000)).toFixed(2)} | ${seconds(floor.readMs)} | ${seconds(floor.parseMs)} | > ${(run.wallMs / floorMs).toFixed(1)}× |`);
      continue;
    }
    lines.push(
      `| ${item.name} | ${floor.repos} | ${floor.files} | ${(floor.bytes / 1e6).toFixed(1)} | ${seconds(run.wallMs)} | ${seconds(run.userMs + run.systemMs)} | ${mib(run.maxRssKiB)} | ${Math.round(floor.files / (run.wallMs / 1000))} | ${(floor.bytes / 1e6 / (run.wallMs / 1000)).toFixed(2)} | ${seconds(floor.readMs)} | ${seconds(floor.parseMs)} | ${(run.wallMs / floorMs).toFixed(1)}× |`,
    );
  }
  lines.push('', 'The floor for the pre-commit and seed cases is dominated by warming up the `yaml` parser (a cold process parses far slower than a warm one).', '');
  lines.push('## Where the time goes (seconds, from the JSON report and --stats of the median run)', '', '| case | startup | configure | discover | read files | parse YAML | build facts | fleet-wide facts | render | TypeScript rules | WASM policies | secret scan | reports | rest: imports, exit |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const shown = (ms) => (ms === undefined ? '–' : seconds(ms));
  for (const item of cases) {
    const p = item.phases;
    if (!p) lines.push(`| ${item.name} | ${item.run.timedOut ? '(killed at the time limit: no report)' : '(no JSON report for this command)'} ||||||||||||| `);
    else lines.push(`| ${item.name} | ${[p.startup, p.configure, p.discover, p.read, p.parse, p.build, p.fleet, p.render, p.typescript, p.rego, p.secrets, p.reports, p.rest].map(shown).join(' | ')} |`);
  }
  lines.push(
    '',
    'In audits of 200 or more repos the build runs in worker threads (one per CPU): "parse YAML" is then the threads\' parse time over their number, its share of the wall time. The repo-scope TypeScript rules, the secret scan among them, run in those threads too, inside "build facts"; their columns then show only the replay of their reports on the main thread. The repo-scope policies are evaluated ahead in threads of their own during the checks phase, so the WASM column then shows the fleet-scope policies and the wait for the others. "render" is the render phase (helm, kustomize or their cached output, and the facts drawn from it); "–" with --no-render. "–": the command does not report that phase (lint has no --stats).',
  );
  lines.push('', 'Slowest checks per case (ms):', '');
  for (const item of cases) {
    const checks = Object.entries(item.run.report?.timings?.checks ?? {}).sort((a, b) => b[1] - a[1]).slice(0, 4);
    if (checks.length > 0) lines.push(`- ${item.name}: ${checks.map(([id, ms]) => `${id} ${Math.round(ms)}`).join(', ')}`);
  }
  lines.push('', '## Budgets', '', '| budget | measured | met |', '|---|---:|:---:|');
  for (const budget of budgets) lines.push(`| ${budget.name} | ${budget.measured} | ${budget.met ? 'yes' : '**no**'} |`);
  if (linearity) lines.push('', `Linearity: the 10,000-repo audit took ${linearity.toFixed(1)}× the 1,000-repo one (10× is linear).`);
  lines.push('', '## Notes', '', ...notes.map((note) => `- ${note}`), '');
  if (analysis) lines.push(analysis.trimEnd(), '');
  return lines.join('\n');
}
