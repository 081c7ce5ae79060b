/**
 * One writer per clone cache. Two audits on one cache folder fetched into the same clones at once (git's
 * FETCH_HEAD and shallow file changed under each other, renames failed with ENOTEMPTY), so a run takes this lock
 * before it touches the cache and a second run waits for it. A lock left by a run that was killed (a CI job timeout
 * kills the process group) is taken over: at once when its process is gone from this machine, and after a while
 * without a heartbeat when it comes from another machine (a cache restored in CI).
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { open, readFile, rename, rm, stat, utimes } from 'node:fs/promises';

export const CACHE_LOCK_FILE = '.fleetlint-lock';

export interface CacheLockOptions {
  /** Called once when the lock is held by another run that is alive, with what its lock file says. */
  onWait?: (holder: string) => void;
  /** A lock not refreshed for this long is stale, whoever holds it. */
  staleAfterMs?: number;
  /** How often the holder refreshes its lock. */
  heartbeatMs?: number;
  /** How often a waiting run looks again. */
  pollMs?: number;
}

export interface CacheLock {
  release(): Promise<void>;
}

interface Holder {
  pid: number;
  host: string;
  since: string;
}

/** Takes the cache's lock, waiting while another live run holds it; the folder must exist. */
export async function lockCache(cacheDir: string, options: CacheLockOptions = {}): Promise<CacheLock> {
  const { staleAfterMs = 5 * 60_000, heartbeatMs = 30_000, pollMs = 500 } = options;
  const path = join(cacheDir, CACHE_LOCK_FILE);
  const mine: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  let waited = false;
  for (;;) {
    if (await create(path, mine)) break;
    const seen = await readHolder(path);
    if (seen === 'gone') continue;
    if (await isStale(path, seen, staleAfterMs)) {
      await takeOver(path, seen);
      continue;
    }
    if (!waited) {
      waited = true;
      options.onWait?.(seen === 'unreadable' ? 'another run' : `process ${String(seen.pid)} on ${seen.host} since ${seen.since}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => undefined);
  }, heartbeatMs);
  heartbeat.unref();
  return {
    release: async () => {
      clearInterval(heartbeat);
      const holder = await readHolder(path);
      // Only our own lock: after a long stop (a suspended laptop) another run may have taken it over.
      if (holder !== 'gone' && holder !== 'unreadable' && holder.pid === mine.pid && holder.since === mine.since && holder.host === mine.host) await rm(path, { force: true });
    },
  };
}

async function create(path: string, holder: Holder): Promise<boolean> {
  try {
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(holder));
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function readHolder(path: string): Promise<Holder | 'gone' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.since === 'string') return { pid: value.pid, host: value.host, since: value.since };
  } catch {
    // being written, or damaged: judged by its age
  }
  return 'unreadable';
}

async function isStale(path: string, holder: Holder | 'unreadable', staleAfterMs: number): Promise<boolean> {
  if (holder !== 'unreadable' && holder.host === hostname() && !isAlive(holder.pid)) return true;
  const info = await stat(path).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > staleAfterMs;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists and belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a stale lock. It is moved aside first and checked to be the one judged stale: another waiting run may
 * have taken it over and written its own in between, and that one must stay.
 */
async function takeOver(path: string, stale: Holder | 'unreadable'): Promise<void> {
  const aside = `${path}.${String(process.pid)}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await readHolder(aside);
  const same = stale === 'unreadable' ? moved === 'unreadable' : moved !== 'gone' && moved !== 'unreadable' && moved.pid === stale.pid && moved.since === stale.since;
  if (!same && moved !== 'gone') {
    // Not the stale one: put it back unless a third run has locked meanwhile.
    const handle = await open(path, 'wx', 0o600).catch(() => undefined);
    if (handle) {
      await handle.writeFile(await readFile(aside));
      await handle.close();
    }
  }
  await rm(aside, { force: true });
}
