#!/usr/bin/env node
// Recall and false positives of fleetlint's no-secrets beside gitleaks, on generated corpora: the main one
// (scripts/secrets-corpus.mjs) and the held-out one (scripts/secrets-heldout.mjs, written without reading the
// detectors): `npm run secrets-compare [-- --corpus main|heldout|all] [-- --seed S] [-- --keep DIR]`. Not part of
// CI: it builds gitleaks with `go install` (into a temporary tools folder) the first time.
//
// A planted secret counts as found by a tool when the tool reports an error (gitleaks: any finding) on its line,
// in the tree or, for a secret only in history, in the commit that added it. A look-alike counts as a false
// positive when a tool reports an error on its line.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_SEED, writeCorpus } from './secrets-corpus.mjs';
import { HELDOUT_SEED, writeHeldout } from './secrets-heldout.mjs';

const GITLEAKS_VERSION = 'v8.30.0';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const { values } = parseArgs({ options: { corpus: { type: 'string', default: 'all' }, seed: { type: 'string' }, keep: { type: 'string' }, gitleaks: { type: 'string' } } });
const corpora = { main: [writeCorpus, DEFAULT_SEED], heldout: [writeHeldout, HELDOUT_SEED] };
if (values.corpus !== 'all' && !(values.corpus in corpora)) {
  console.error(`--corpus: expected main, heldout or all, got ${values.corpus}`);
  process.exit(2);
}

function gitleaksBinary() {
  if (values.gitleaks !== undefined) return values.gitleaks;
  const bin = join(tmpdir(), 'fleetlint-tools', 'bin');
  const binary = join(bin, 'gitleaks');
  if (!existsSync(binary)) {
    console.error(`building gitleaks ${GITLEAKS_VERSION} into ${bin} (go install)…`);
    execFileSync('go', ['install', `github.com/zricethezav/gitleaks/v8@${GITLEAKS_VERSION}`], { env: { ...process.env, GOBIN: bin }, stdio: 'inherit' });
  }
  return binary;
}

const work = values.keep ?? mkdtempSync(join(tmpdir(), 'secrets-compare-'));
const gitleaks = gitleaksBinary();
for (const [name, [write, defaultSeed]] of Object.entries(corpora)) {
  if (values.corpus !== 'all' && values.corpus !== name) continue;
  const seed = values.seed ?? defaultSeed;
  const corpusDir = join(work, name);
  // A kept folder's history state would stand for commits this run does not read.
  const cacheDir = join(work, `cache-${name}`);
  rmSync(cacheDir, { recursive: true, force: true });
  const expected = write(corpusDir, seed);
  const repos = [...new Set(expected.secrets.map((secret) => secret.repo))].sort();

  // fleetlint: one audit of the corpus fleet, with history.
  const fleetlintReport = join(work, `fleetlint-${name}.json`);
  let started = performance.now();
  const audit = spawnSync(process.execPath, [join(root, 'bin/fleetlint.js'), 'audit', corpusDir, '--history', '--cache-dir', cacheDir, '--format', `json=${fleetlintReport}`, '--fail-on', 'never', '--quiet'], { encoding: 'utf8' });
  if (audit.status !== 0) throw new Error(`fleetlint audit failed: ${audit.stderr}`);
  const fleetlintSeconds = (performance.now() - started) / 1000;
  const fleetlintHits = new Map();
  for (const finding of JSON.parse(readFileSync(fleetlintReport, 'utf8')).findings) {
    if (finding.ruleId !== 'no-secrets' || finding.range === undefined) continue;
    const key = `${finding.repo}\u0000${finding.file}\u0000${finding.range.startLine}`;
    const severities = fleetlintHits.get(key) ?? new Set();
    severities.add(finding.severity);
    fleetlintHits.set(key, severities);
  }

  // gitleaks: every commit of every repo (`gitleaks git`), values redacted in its report.
  const gitleaksHits = new Set();
  started = performance.now();
  for (const repo of repos) {
    const report = join(work, `gitleaks-${name}-${repo}.json`);
    const run = spawnSync(gitleaks, ['git', join(corpusDir, repo), '--report-format', 'json', '--report-path', report, '--redact', '--no-banner', '--exit-code', '0', '--log-level', 'error'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`gitleaks failed on ${repo}: ${run.stderr}`);
    for (const finding of JSON.parse(readFileSync(report, 'utf8'))) gitleaksHits.add(`${repo}\u0000${finding.File}\u0000${finding.StartLine}`);
  }
  const gitleaksSeconds = (performance.now() - started) / 1000;

  const keyOf = (item) => `${item.repo}\u0000${item.file}\u0000${item.line}`;
  const byKind = new Map();
  const totals = { secrets: 0, fleetlint: 0, gitleaks: 0, either: 0, fleetlintOnly: 0, gitleaksOnly: 0, notes: 0 };
  const missed = [];
  for (const secret of expected.secrets) {
    const severities = fleetlintHits.get(keyOf(secret));
    const fleet = severities?.has('error') ?? false;
    const leaks = gitleaksHits.has(keyOf(secret));
    const row = byKind.get(secret.kind) ?? { total: 0, fleetlint: 0, gitleaks: 0 };
    row.total += 1;
    row.fleetlint += fleet ? 1 : 0;
    row.gitleaks += leaks ? 1 : 0;
    byKind.set(secret.kind, row);
    totals.secrets += 1;
    totals.fleetlint += fleet ? 1 : 0;
    totals.gitleaks += leaks ? 1 : 0;
    totals.either += fleet || leaks ? 1 : 0;
    totals.fleetlintOnly += fleet && !leaks ? 1 : 0;
    totals.gitleaksOnly += leaks && !fleet ? 1 : 0;
    totals.notes += !fleet && severities !== undefined ? 1 : 0;
    if (!fleet) missed.push(`${secret.kind} ${secret.repo}/${secret.file}:${secret.line}${severities ? ` (${[...severities].join(',')})` : ''}`);
  }
  const lookalikeKinds = new Map();
  for (const lookalike of expected.lookalikes) {
    const row = lookalikeKinds.get(lookalike.kind) ?? { total: 0, fleetlint: 0, gitleaks: 0 };
    row.total += 1;
    row.fleetlint += fleetlintHits.get(keyOf(lookalike))?.has('error') ? 1 : 0;
    row.gitleaks += gitleaksHits.has(keyOf(lookalike)) ? 1 : 0;
    lookalikeKinds.set(lookalike.kind, row);
  }

  const percent = (part, whole) => `${((100 * part) / whole).toFixed(1)}%`;
  const heldOut = [...byKind].filter(([kind]) => kind.startsWith('held-out/'));
  const heldOutTotal = heldOut.reduce((sum, [, row]) => sum + row.total, 0);
  console.log(`\n## corpus ${name} (${seed}):  ${totals.secrets} secrets (${expected.secrets.filter((secret) => secret.historyOnly).length} only in history), ${expected.lookalikes.length} look-alikes, ${repos.length} repositories`);
  console.log(`fleetlint: ${totals.fleetlint}/${totals.secrets} (${percent(totals.fleetlint, totals.secrets)}) in ${fleetlintSeconds.toFixed(1)} s; ${totals.notes} more reported as notes`);
  console.log(`gitleaks ${GITLEAKS_VERSION}: ${totals.gitleaks}/${totals.secrets} (${percent(totals.gitleaks, totals.secrets)}) in ${gitleaksSeconds.toFixed(1)} s`);
  console.log(`either: ${totals.either}; fleetlint only: ${totals.fleetlintOnly}; gitleaks only: ${totals.gitleaksOnly}`);
  if (heldOutTotal > 0) console.log(`held out (formats planted before fleetlint had a detector for them): fleetlint ${heldOut.reduce((sum, [, row]) => sum + row.fleetlint, 0)}/${heldOutTotal}, gitleaks ${heldOut.reduce((sum, [, row]) => sum + row.gitleaks, 0)}/${heldOutTotal}`);
  console.log('\n| kind | planted | fleetlint | gitleaks |\n| --- | --- | --- | --- |');
  for (const [kind, row] of [...byKind].sort()) console.log(`| ${kind} | ${row.total} | ${row.fleetlint} | ${row.gitleaks} |`);
  console.log('\n| look-alike | planted | fleetlint errors | gitleaks findings |\n| --- | --- | --- | --- |');
  for (const [kind, row] of [...lookalikeKinds].sort()) console.log(`| ${kind} | ${row.total} | ${row.fleetlint} | ${row.gitleaks} |`);
  if (missed.length > 0) console.log(`\nmissed by fleetlint:\n  ${missed.join('\n  ')}`);
}
if (values.keep === undefined) rmSync(work, { recursive: true, force: true });
