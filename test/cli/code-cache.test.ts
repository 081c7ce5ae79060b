import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function run(args: string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/fleetlint.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the code cache of bin/fleetlint.js', () => {
  it('is written after a command first runs, read by the next run, and written again when V8 rejects it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetlint-code-cache-'));
    const env = { FLEETLINT_CACHE_DIR: dir };
    const first = run(['--version'], env);
    expect(first).toMatchObject({ status: 0, stderr: '' });
    const [file] = readdirSync(dir);
    expect(file).toMatch(/^other-node.*\.v8cache$/);
    const cache = join(dir, file as string);
    const written = statSync(cache).mtimeMs;

    expect(run(['--version'], env)).toEqual(first);
    expect(statSync(cache).mtimeMs).toBe(written);

    writeFileSync(cache, 'not a cache');
    expect(run(['--version'], env)).toEqual(first);
    expect(readFileSync(cache).length).toBeGreaterThan(1000);

    // Each command has its own: a lint run compiles other functions than --version.
    run(['lint', join(ROOT, 'fixtures/homelab/applications/media/jellyfin'), '--format', 'json'], env);
    expect(readdirSync(dir).filter((name) => name.startsWith('lint-'))).toHaveLength(1);
  });

  it('is left alone when turned off, and a cache that cannot be written changes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fleetlint-code-cache-'));
    expect(run(['--version'], { FLEETLINT_CACHE_DIR: dir, FLEETLINT_NO_CODE_CACHE: '1' })).toMatchObject({ status: 0, stderr: '' });
    expect(readdirSync(dir)).toEqual([]);

    const notADirectory = join(dir, 'file');
    writeFileSync(notADirectory, '');
    expect(run(['--version'], { FLEETLINT_CACHE_DIR: notADirectory })).toMatchObject({ status: 0, stdout: expect.stringMatching(/\d+\.\d+\.\d+/) as unknown, stderr: '' });
  });
});
