/**
 * Splitting the fleet over parallel CI jobs (`--shard 2/5`, or GitLab's `parallel:` keyword). Each repo's
 * shard depends on its id alone, so adding or removing a repo moves no other repo; and the hash is a jump
 * consistent hash, so going from n to n+1 jobs moves only about 1/(n+1) of the repos (a per-job clone cache
 * stays mostly warm).
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../usage-error.js';

/** One shard of `total`; `index` is 1-based, as in `--shard 1/4` and CI_NODE_INDEX. */
export interface Shard {
  index: number;
  total: number;
}

/** The ids that belong to shard `index` (1-based) of `total`, in their input order. */
export function shardOf(ids: readonly string[], index: number, total: number): string[] {
  checkShard({ index, total }, `shard ${index}/${total}`);
  return ids.filter((id) => shardIndexOf(id, total) === index);
}

/** The 1-based shard an id belongs to. */
export function shardIndexOf(id: string, total: number): number {
  return jumpHash(createHash('sha256').update(id).digest().readBigUInt64BE(0), total) + 1;
}

const MASK_64 = (1n << 64n) - 1n;

/** Lamping and Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm" (2014): a bucket in [0, buckets). */
function jumpHash(key: bigint, buckets: number): number {
  let bucket = -1;
  let next = 0;
  while (next < buckets) {
    bucket = next;
    key = (key * 2862933555777941757n + 1n) & MASK_64;
    next = Math.floor((bucket + 1) * (2 ** 31 / (Number(key >> 33n) + 1)));
  }
  return bucket;
}

/** Parses `--shard i/n`. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match?.[1] || !match[2]) throw new UsageError(`--shard expects INDEX/TOTAL such as 2/5, not ${JSON.stringify(text)}`);
  const shard = { index: Number(match[1]), total: Number(match[2]) };
  checkShard(shard, `--shard ${text.trim()}`);
  return shard;
}

/**
 * The shard of a GitLab job with `parallel: n`: CI_NODE_INDEX (1-based) of CI_NODE_TOTAL. GitLab sets
 * CI_NODE_TOTAL=1 and no index on jobs that are not parallel: that is no sharding, not an error.
 */
export function shardFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): Shard | undefined {
  const index = env.CI_NODE_INDEX?.trim() || undefined;
  const total = env.CI_NODE_TOTAL?.trim() || undefined;
  if (index === undefined && (total === undefined || total === '1')) return undefined;
  if (index === undefined || total === undefined) {
    throw new UsageError(`CI_NODE_INDEX and CI_NODE_TOTAL go together, but only ${index === undefined ? 'CI_NODE_TOTAL' : 'CI_NODE_INDEX'} is set`);
  }
  if (!/^\d+$/.test(index) || !/^\d+$/.test(total)) {
    throw new UsageError(`CI_NODE_INDEX and CI_NODE_TOTAL must be whole numbers, not ${JSON.stringify(index)} and ${JSON.stringify(total)}`);
  }
  const shard = { index: Number(index), total: Number(total) };
  checkShard(shard, `CI_NODE_INDEX=${index} CI_NODE_TOTAL=${total}`);
  return shard;
}

/** `--shard` when given, else the CI job's parallel index, else undefined (the whole fleet). */
export function resolveShard(arg: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): Shard | undefined {
  return arg === undefined ? shardFromEnv(env) : parseShard(arg);
}

function checkShard({ index, total }: Shard, source: string): void {
  if (!Number.isSafeInteger(total) || total < 1) throw new UsageError(`${source}: the number of shards must be at least 1`);
  if (!Number.isSafeInteger(index) || index < 1) throw new UsageError(`${source}: shards are numbered from 1`);
  if (index > total) throw new UsageError(`${source}: shard ${index} is past the last shard, ${total}`);
}
