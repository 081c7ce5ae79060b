// Runs the CLI as a child process and measures it from outside: wall, CPU and peak RSS from GNU time when the
// machine has it, else from a wrapper process that reports its own resource usage (the CLI runs inside it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const GNU_TIME = '/usr/bin/time';
const WRAPPER = fileURLToPath(new URL('./rusage-wrapper.mjs', import.meta.url));
export const measuredWith = existsSync(GNU_TIME) ? 'GNU time -v' : 'process.resourceUsage() of a wrapper process';

/**
 * One run of `node <cli> ...args`. Returns {wallMs, userMs, systemMs, maxRssKiB, exitCode, report, stats}, where
 * report is the JSON report (its `timings`) when `jsonReport` is set, and stats what `--stats` wrote when `stats`
 * is set (audit has it, lint not). Exit code 1 (findings) is a normal outcome.
 */
export function runCli(cli, args, { cwd, jsonReport = false, stats = false, timeoutMs = 30 * 60_000, env = {} } = {}) {
  const work = mkdtempSync(join(tmpdir(), 'fleetlint-bench-'));
  const reportFile = join(work, 'report.json');
  const statsFile = join(work, 'stats.json');
  const fullArgs = [...args, ...(jsonReport ? ['--format', `json=${reportFile}`] : []), ...(stats ? ['--stats', statsFile] : [])];
  try {
    const childEnv = { ...process.env, ...env };
    const measured = existsSync(GNU_TIME) ? withGnuTime(cli, fullArgs, cwd, timeoutMs, childEnv) : withWrapper(cli, fullArgs, cwd, timeoutMs, work, childEnv);
    if (measured.timedOut) return { ...measured, report: undefined };
    if (measured.exitCode !== 0 && measured.exitCode !== 1) {
      throw new Error(`fleetlint ${args.join(' ')} exited with ${measured.exitCode}: ${measured.stderr.slice(-2000)}`);
    }
    const report = jsonReport && existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) : undefined;
    const written = stats && existsSync(statsFile) ? JSON.parse(readFileSync(statsFile, 'utf8')) : undefined;
    return { ...measured, report, stats: written };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function withGnuTime(cli, args, cwd, timeoutMs, env) {
  // coreutils timeout kills node itself; killing GNU time instead would leave node running on its own.
  const limit = ['timeout', '--signal=KILL', String(Math.ceil(timeoutMs / 1000))];
  const child = spawnSync(GNU_TIME, ['-v', ...limit, process.execPath, cli, ...args], { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (child.error) throw child.error;
  const field = (name) => {
    const match = new RegExp(`^\\s*${name}: (.+)$`, 'm').exec(child.stderr);
    if (!match) throw new Error(`GNU time printed no "${name}": ${child.stderr.slice(-1000)}`);
    return match[1];
  };
  const exitCode = Number(field('Exit status'));
  return {
    timedOut: exitCode === 137 || exitCode === 124 || /terminated by signal 9/.test(child.stderr),
    wallMs: clockToMs(field('Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)')),
    userMs: Number(field('User time \\(seconds\\)')) * 1000,
    systemMs: Number(field('System time \\(seconds\\)')) * 1000,
    maxRssKiB: Number(field('Maximum resident set size \\(kbytes\\)')),
    exitCode,
    stderr: child.stderr,
  };
}

/** `m:ss.cc` or `h:mm:ss` to milliseconds. GNU time's wall clock has 10 ms resolution. */
function clockToMs(text) {
  return text.split(':').reduce((total, part) => total * 60 + Number(part), 0) * 1000;
}

function withWrapper(cli, args, cwd, timeoutMs, work, env) {
  const usageFile = join(work, 'usage.json');
  const started = performance.now();
  const child = spawnSync(process.execPath, [WRAPPER, usageFile, cli, ...args], { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 });
  const wallMs = performance.now() - started;
  if (child.error) throw child.error;
  const usage = JSON.parse(readFileSync(usageFile, 'utf8'));
  return { wallMs, userMs: usage.userCPUTime / 1000, systemMs: usage.systemCPUTime / 1000, maxRssKiB: usage.maxRSS, exitCode: child.status, stderr: child.stderr };
}
