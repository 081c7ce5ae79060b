import { spawn } from 'node:child_process';
import type { CachedRender } from './cache.js';

export interface ToolRun {
  /** Exit code; undefined when the process was killed (time limit, output limit) or could not start. */
  code: number | undefined;
  stdout: string;
  stderr: string;
  /** Why the run did not finish on its own. */
  failure?: 'timeout' | 'output-limit' | 'spawn';
  /** The spawn error's message, with `failure: 'spawn'`. */
  spawnError?: string;
}

export interface RunToolOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Output beyond this many bytes (stdout and stderr together) stops the run. */
  maxOutputBytes: number;
}

/**
 * Runs a renderer in a process group of its own, so that a time limit kills whatever it started too (helm and
 * kustomize run plugins and git); stdin is closed, so a tool that would prompt fails instead of waiting.
 */
export function runTool(command: string, args: readonly string[], options: RunToolOptions): Promise<ToolRun> {
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    let failure: ToolRun['failure'];
    let settled = false;
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const killGroup = (reason: NonNullable<ToolRun['failure']>): void => {
      failure ??= reason;
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    };
    const timer = setTimeout(() => {
      killGroup('timeout');
    }, options.timeoutMs);
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > options.maxOutputBytes) {
        killGroup('output-limit');
        return;
      }
      into.push(chunk);
    };
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    const finish = (code: number | undefined, spawnError?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        code: failure === undefined ? code : undefined,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        ...(failure !== undefined ? { failure } : {}),
        ...(spawnError !== undefined ? { spawnError } : {}),
      });
    };
    child.on('error', (error) => {
      failure ??= 'spawn';
      finish(undefined, error.message);
    });
    // 'close' waits for the pipes: a killed group's grandchildren may hold them, but SIGKILL closes them too.
    child.on('close', (code) => {
      finish(code ?? undefined);
    });
  });
}

/** A tool's failure as ArgoCD shows it: the tool's own message, its temporary paths redacted (as repo ids). */
export function toolFailure(run: ToolRun, what: string, redact: (text: string) => string): CachedRender | { timeout: string } {
  if (run.failure === 'timeout') return { timeout: `${what} did not finish in time and was stopped` };
  if (run.failure === 'output-limit') return { ok: false, message: `${what} printed more output than fleetlint reads` };
  if (run.failure === 'spawn') return { ok: false, message: `${what} could not start: ${run.spawnError ?? ''}` };
  const text = redact((run.stderr.trim() || run.stdout.trim()).replace(/\r/g, ''));
  // Deprecation warnings (kustomize's `# Warning: 'patchesStrategicMerge' is deprecated`) are not why it failed.
  const all = text.split('\n');
  const errors = all.filter((line) => !/^(?:# )?warning:/i.test(line));
  const lines = errors.length > 0 ? errors : all;
  const shown = lines.slice(0, 12).join('\n').slice(0, 2000);
  return { ok: false, message: `${what} failed: ${shown}${lines.length > 12 ? '\n…' : ''}` };
}
