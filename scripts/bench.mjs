#!/usr/bin/env node
// Measures fleetlint on this machine and writes bench/results.md: pre-commit on one repo, audit of the seed
// fleet, audit of generated fleets (1,000 and 10,000 repos), each against the read and parse floors.
// Usage: npm run bench [-- --sizes 1000,10000] [--seed S] [--runs N] [--results FILE] [--timeout-min M]
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem, type as osType, release } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generatedFleet, preCommitCase } from './bench/cases.mjs';
import { ANALYSIS_HEADING, renderResults } from './bench/report.mjs';
import { measuredWith, runCli } from './bench/run-cli.mjs';
import { medianRun, phasesOf, seconds } from './bench/stats.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(repoRoot, 'bin/fleetlint.js');
const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000' },
    seed: { type: 'string', default: 'fleetlint' },
    runs: { type: 'string', default: '5' },
    out: { type: 'string', default: join(repoRoot, 'bench/out') },
    results: { type: 'string', default: join(repoRoot, 'bench/results.md') },
    // A run still going after this is killed and reported as "> limit".
    'timeout-min': { type: 'string', default: '15' },
  },
});
const outDir = resolve(values.out);
const timeoutMs = Number(values['timeout-min']) * 60_000;
if (!existsSync(join(repoRoot, 'dist/src/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
mkdirSync(outDir, { recursive: true });
// A code cache of this run's own (bin/fleetlint.js): the first run of each command writes it, the others read it.
process.env.FLEETLINT_CACHE_DIR = mkdtempSync(join(tmpdir(), 'fleetlint-bench-code-cache-'));
const log = (message) => process.stderr.write(`bench: ${message}\n`);

const machine = {
  date: new Date().toISOString().slice(0, 10),
  commit: gitDescribe(),
  cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
  cores: cpus().length,
  memory: (totalmem() / 2 ** 30).toFixed(0),
  os: `${osType()} ${release()}`,
  node: process.versions.node,
  load: loadavg().map((value) => value.toFixed(2)).join(', '),
  measuredWith,
};

// Node start plus loading every module: subtracted from the wall time to estimate the report phase.
const startupMs = medianRun(Array.from({ length: Number(values.runs) }, () => runCli(cli, ['--version']))).wallMs;

const notes = [];
const cases = [];
/** An empty folder for one run (a cold render cache), inside the bench's own cache folder. */
const freshDir = (name) => mkdtempSync(join(process.env.FLEETLINT_CACHE_DIR, `${name}-`));
const precommit = preCommitCase(repoRoot, cli, outDir, 'applications/media/jellyfin');
notes.push(`Pre-commit: ${precommit.note}.`);
const plans = [
  { name: `pre-commit: ${precommit.command}`, key: 'precommit', root: precommit.root, args: precommit.args, cwd: precommit.cwd, runs: Number(values.runs), json: true },
  { name: 'audit fixtures/homelab', key: 'homelab', root: join(repoRoot, 'fixtures/homelab'), args: ['audit', join(repoRoot, 'fixtures/homelab')], runs: Number(values.runs), json: true, stats: true },
  // As a first run does it, or a CI job that does not keep the cache directory.
  { name: 'audit fixtures/homelab, no code cache', key: 'homelabCold', root: join(repoRoot, 'fixtures/homelab'), args: ['audit', join(repoRoot, 'fixtures/homelab')], runs: Number(values.runs), json: true, stats: true, env: { FLEETLINT_NO_CODE_CACHE: '1' } },
  // Rendering's cost (issue 13): the audit without it, with an empty render cache every run, and with a warm one.
  { name: 'audit fixtures/homelab --no-render', key: 'homelabNoRender', root: join(repoRoot, 'fixtures/homelab'), args: ['audit', join(repoRoot, 'fixtures/homelab'), '--no-render'], runs: Number(values.runs), json: true, stats: true },
  { name: 'audit fixtures/homelab, cold render cache', key: 'homelabRenderCold', root: join(repoRoot, 'fixtures/homelab'), args: () => ['audit', join(repoRoot, 'fixtures/homelab'), '--render-cache', freshDir('render-cold')], runs: Number(values.runs), json: true, stats: true },
  { name: 'audit fixtures/homelab, warm render cache', key: 'homelabRenderWarm', root: join(repoRoot, 'fixtures/homelab'), args: ['audit', join(repoRoot, 'fixtures/homelab'), '--render-cache', join(process.env.FLEETLINT_CACHE_DIR, 'render-warm')], runs: Number(values.runs), json: true, stats: true, warmup: true },
];
for (const size of values.sizes.split(',').map(Number)) {
  log(`generating a ${size}-repo fleet (reused when already there)`);
  const root = generatedFleet(outDir, size, values.seed);
  // One run of a generated fleet is enough: it takes seconds, so start-up noise does not matter there. The scale
  // budgets are the model's and the checks': without rendering, whose cost is one helm process per chart (below).
  plans.push({ name: `audit generated ${size.toLocaleString('en')} --no-render`, key: `gen${size}`, size, root, args: ['audit', root, '--no-render'], runs: 1, json: true, stats: true });
  if (size === 1000) {
    plans.push({ name: 'audit generated 1,000, cold render cache', key: 'gen1000Render', size, root, args: () => ['audit', root, '--render-cache', freshDir('render-gen')], runs: 1, json: true, stats: true });
  }
}

for (const plan of plans) {
  log(`${plan.name}: ${plan.runs} run(s)`);
  const runs = [];
  const argsOf = () => (typeof plan.args === 'function' ? plan.args() : plan.args);
  // A warm-cache case: one run first fills the cache and is not counted.
  if (plan.warmup) runCli(cli, argsOf(), { cwd: plan.cwd ?? repoRoot, timeoutMs, env: plan.env });
  for (let index = 0; index < plan.runs; index++) runs.push(runCli(cli, argsOf(), { cwd: plan.cwd ?? repoRoot, jsonReport: plan.json, stats: plan.stats, timeoutMs, env: plan.env }));
  const run = medianRun(runs);
  const floor = JSON.parse(spawnSync(process.execPath, [join(repoRoot, 'scripts/bench/floor.mjs'), plan.root], { encoding: 'utf8', maxBuffer: 1e8 }).stdout);
  cases.push({ ...plan, run, floor, phases: phasesOf(run, startupMs) });
  if (plan.size !== undefined && run.report) notes.push(`${plan.name}: ${recall(run.report, join(plan.root, 'expected.json'), argsOf().includes('--no-render'))}`);
  if (run.timedOut) notes.push(`${plan.name} was killed after ${values['timeout-min']} min; its numbers are lower bounds.`);
  log(`${plan.name}: wall ${seconds(run.wallMs)} s, peak RSS ${Math.round(run.maxRssKiB / 1024)} MiB, floor read ${seconds(floor.readMs)} s + parse ${seconds(floor.parseMs)} s`);
}

const byKey = Object.fromEntries(cases.map((item) => [item.key, item]));
const budgets = [];
const budget = (name, measured, met) => budgets.push({ name, measured, met });
budget('pre-commit on one repo < 250 ms wall', `${Math.round(byKey.precommit.run.wallMs)} ms`, byKey.precommit.run.wallMs < 250);
budget('fixtures/homelab < 0.6 s wall', `${seconds(byKey.homelab.run.wallMs)} s`, byKey.homelab.run.wallMs < 600);
budget('fixtures/homelab < 0.6 s wall, no code cache', `${seconds(byKey.homelabCold.run.wallMs)} s`, byKey.homelabCold.run.wallMs < 600);
const noRender = byKey.homelabNoRender.run.wallMs;
budget('fixtures/homelab, cold render cache ≤ 2× --no-render', `${(byKey.homelabRenderCold.run.wallMs / noRender).toFixed(2)}×`, byKey.homelabRenderCold.run.wallMs <= 2 * noRender);
budget('fixtures/homelab, warm render cache ≤ 1.2× --no-render', `${(byKey.homelabRenderWarm.run.wallMs / noRender).toFixed(2)}×`, byKey.homelabRenderWarm.run.wallMs <= 1.2 * noRender);
const big = byKey.gen10000;
if (big) {
  const floorMs = big.floor.readMs + big.floor.parseMs;
  const atLeast = big.run.timedOut ? '> ' : '';
  budget('10,000 repos < 15 s wall', `${atLeast}${seconds(big.run.wallMs)} s`, !big.run.timedOut && big.run.wallMs < 15_000);
  budget('10,000 repos < 1.5 GiB peak RSS', `${big.run.timedOut ? '≥ ' : ''}${(big.run.maxRssKiB / 2 ** 20).toFixed(2)} GiB`, big.run.maxRssKiB < 1.5 * 2 ** 20);
  budget('10,000 repos ≤ 2.5× floor (read + parse YAML)', `${atLeast}${(big.run.wallMs / floorMs).toFixed(1)}×`, !big.run.timedOut && big.run.wallMs <= 2.5 * floorMs);
}
const linearity = byKey.gen10000 && byKey.gen1000 ? byKey.gen10000.run.wallMs / byKey.gen1000.run.wallMs : undefined;
if (linearity) budget('time linear in fleet size (10k/1k wall ≈ 10)', `${byKey.gen10000.run.timedOut ? '> ' : ''}${linearity.toFixed(1)}`, !byKey.gen10000.run.timedOut && linearity <= 12);
notes.push('Each case but the one without it runs with a code cache (bin/fleetlint.js) that the first run of its command wrote, as on a developer machine or a CI job that keeps the cache directory; the first of its runs writes the cache, so the median is a run that reads it.');
notes.push(`Generated fleets: \`npm run gen:fleet -- --repos N --out bench/out/fleet-N --seed ${values.seed}\` (bench/out/ is not committed).`);
notes.push(`"startup" is the median wall time of \`fleetlint --version\` (${Math.round(startupMs)} ms); "rest" is wall − startup − the report's durationMs − reports: the modules a command loads before its clock starts, exit, and the measuring error.`);

const resultsFile = resolve(values.results);
const previous = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '';
const analysis = previous.includes(ANALYSIS_HEADING) ? previous.slice(previous.indexOf(ANALYSIS_HEADING)) : undefined;
const markdown = renderResults({ machine, cases, notes, budgets, linearity: byKey.gen10000?.run.timedOut ? undefined : linearity, analysis });
mkdirSync(dirname(resultsFile), { recursive: true });
writeFileSync(resultsFile, markdown);
process.stdout.write(markdown);

/**
 * The generator knows what it planted: compare unsuppressed findings per rule with expected.json. Without rendering,
 * the values-only services' render-errors are not expected (nothing renders them), nor the note that says so.
 */
function recall(report, expectedFile, noRender) {
  const expected = JSON.parse(readFileSync(expectedFile, 'utf8'));
  if (noRender) {
    expected.findings -= expected.findingsByRule['render-error'] ?? 0;
    delete expected.findingsByRule['render-error'];
  }
  const found = {};
  for (const finding of report.findings) if (!finding.suppression) found[finding.ruleId] = (found[finding.ruleId] ?? 0) + 1;
  // --no-render's one note that rendering is off.
  if (noRender) delete found['render-skipped'];
  const rules = [...new Set([...Object.keys(found), ...Object.keys(expected.findingsByRule)])].sort();
  const off = rules.filter((rule) => (found[rule] ?? 0) !== (expected.findingsByRule[rule] ?? 0));
  if (off.length === 0) return `all ${expected.findings} planted findings found, per rule, and nothing else.`;
  return `findings differ from expected.json for ${off.map((rule) => `${rule} (found ${found[rule] ?? 0}, planted ${expected.findingsByRule[rule] ?? 0})`).join(', ')}.`;
}

function gitDescribe() {
  try {
    const head = execSync('git rev-parse --short HEAD', { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execSync('git status --porcelain --untracked-files=no -- src rules policies', { cwd: repoRoot, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} with uncommitted changes in src/rules/policies` : head;
  } catch {
    return 'unknown commit';
  }
}
