#!/usr/bin/env node
// Audits public GitOps repositories, each as a fleet of its own, and writes per-rule finding counts: the evidence
// behind docs/accuracy.md. Not part of CI (it needs the clones, and takes minutes).
//
// Usage: npm run realworld -- <folder of clones> [--out DIR] [--only NAME,...] [-- <audit options>]
//
// Each subfolder of <folder> is a git clone named `<owner>+<name>` (as `git clone <url> <folder>/<owner>+<name>`
// makes it). The clones of one owner make one fleet, as the projects of a GitLab group do: each is copied at its
// HEAD (`git clone --local`, so nothing uncommitted counts) into a temporary fleet root whose fleet.yaml says
// `gitlab: {host: github.com, group: <owner>}`, so that the owner's repoURLs (https://github.com/<owner>/<name>)
// name fleet repos and every other repository stays outside: unrelated repositories never form one fleet.
// Options after `--` go to `fleetlint audit` (`--no-render`, `--render-remote`, ...).
//
// Writes into --out (default bench/out/realworld): <owner>.json (the JSON report of each fleet), summary.json
// (per-repository and per-rule counts, commits, seconds) and summary.md (the tables docs/accuracy.md quotes).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(repoRoot, 'bin/fleetlint.js');
const separator = process.argv.indexOf('--');
const own = separator === -1 ? process.argv.slice(2) : process.argv.slice(2, separator);
const auditArgs = separator === -1 ? [] : process.argv.slice(separator + 1);
const { values, positionals } = parseArgs({
  args: own,
  allowPositionals: true,
  options: {
    out: { type: 'string', default: join(repoRoot, 'bench/out/realworld') },
    only: { type: 'string' },
  },
});
const folder = positionals[0];
if (folder === undefined || positionals.length > 1) {
  process.stderr.write('usage: npm run realworld -- <folder of clones named owner+name> [--out DIR] [--only NAME,...] [-- <audit options>]\n');
  process.exit(2);
}
if (!existsSync(join(repoRoot, 'dist/fleetlint.cjs'))) throw new Error('dist/ is missing: run `npm run build` first');
const outDir = resolve(values.out);
mkdirSync(outDir, { recursive: true });
const only = values.only === undefined ? undefined : new Set(values.only.split(','));
const log = (message) => process.stderr.write(`realworld: ${message}\n`);

const clones = readdirSync(resolve(folder), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name.includes('+') && existsSync(join(resolve(folder), entry.name, '.git')))
  .map((entry) => entry.name)
  .filter((name) => only === undefined || only.has(name))
  .sort();
if (clones.length === 0) throw new Error(`no clones named <owner>+<name> in ${folder}`);

const owners = new Map();
for (const name of clones) {
  const [owner, repo] = name.split('+');
  owners.set(owner, [...(owners.get(owner) ?? []), { name, repo }]);
}
const summary = { auditArgs, repos: [] };
for (const [owner, members] of owners) {
  const root = mkdtempSync(join(tmpdir(), 'fleetlint-realworld-'));
  try {
    const commits = new Map();
    for (const { name, repo } of members) {
      const clone = join(resolve(folder), name);
      commits.set(repo, git(clone, ['rev-parse', 'HEAD']));
      try {
        git(root, ['clone', '--quiet', '--local', '--no-hardlinks', clone, join(root, repo)]);
      } catch (error) {
        // A snapshot whose largest blobs are absent cannot be cloned again: its checked-out files are copied.
        log(`${name}: ${error.message.split('\n')[0]}; copying its working tree instead`);
        rmSync(join(root, repo), { recursive: true, force: true });
        cpSync(clone, join(root, repo), { recursive: true, filter: (path) => !path.split(sep).includes('.git') });
        git(join(root, repo), ['init', '--quiet']);
      }
    }
    writeFileSync(join(root, 'fleet.yaml'), `gitlab:\n  host: github.com\n  group: ${owner}\nrepos:\n${members.map(({ repo }) => `  - ${repo}\n`).join('')}`);
    const report = join(outDir, `${owner}.json`);
    const started = performance.now();
    const run = spawnSync(process.execPath, [cli, 'audit', root, '--fail-on', 'never', '--format', `json=${report}`, ...auditArgs], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    const seconds = Math.round(((performance.now() - started) / 1000) * 10) / 10;
    if (run.status !== 0) {
      log(`${owner}: fleetlint exited with ${String(run.status)}: ${run.stderr.slice(-2000)}`);
      for (const { name, repo } of members) summary.repos.push({ name, commit: commits.get(repo), exitCode: run.status, seconds, rules: {} });
      continue;
    }
    const findings = JSON.parse(readFileSync(report, 'utf8')).findings.filter((finding) => finding.suppression === undefined);
    for (const { name, repo } of members) {
      const own = findings.filter((finding) => finding.repo === repo);
      const rules = {};
      for (const finding of own) rules[finding.ruleId] = (rules[finding.ruleId] ?? 0) + 1;
      summary.repos.push({ name, commit: commits.get(repo), exitCode: 0, seconds, findings: own.length, rules });
    }
    const fleetLevel = findings.filter((finding) => !members.some(({ repo }) => finding.repo === repo));
    if (fleetLevel.length > 0) log(`${owner}: ${fleetLevel.length} fleet-level findings: ${fleetLevel.map((finding) => finding.message).join('; ')}`);
    log(`${owner} (${members.map(({ repo }) => repo).join(', ')}): ${findings.length} findings in ${seconds.toFixed(1)} s`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const totals = {};
for (const entry of summary.repos) for (const [rule, count] of Object.entries(entry.rules)) totals[rule] = (totals[rule] ?? 0) + count;
summary.totals = totals;
writeFileSync(join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
writeFileSync(join(outDir, 'summary.md'), markdown(summary));
process.stdout.write(markdown(summary));

function markdown({ repos, totals: counts }) {
  const rules = Object.keys(counts).sort();
  const lines = [
    '| repository | commit | seconds (its fleet) | findings |',
    '| --- | --- | ---: | ---: |',
    ...repos.map((entry) => `| ${entry.name.replace('+', '/')} | \`${entry.commit.slice(0, 12)}\` | ${String(entry.seconds)} | ${entry.exitCode === 0 ? String(entry.findings) : `exit ${String(entry.exitCode)}`} |`),
    '',
    '| rule | findings | repositories |',
    '| --- | ---: | ---: |',
    ...rules.map((rule) => `| ${rule} | ${String(counts[rule])} | ${String(repos.filter((entry) => (entry.rules[rule] ?? 0) > 0).length)} |`),
    '',
  ];
  return `${lines.join('\n')}\n`;
}

function git(cwd, args) {
  const run = spawnSync('git', ['-C', cwd, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`git ${args.join(' ')} in ${cwd}: ${run.stderr}`);
  return run.stdout.trim();
}
