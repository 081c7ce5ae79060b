import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/usage-error.js';
import { parseShard, resolveShard, shardFromEnv, shardIndexOf, shardOf } from '../../src/crawl/shard.js';

const ids = Array.from({ length: 10_000 }, (_, index) => `area-${index % 17}/repo-${index}`);

describe('shardOf', () => {
  it('splits the fleet into disjoint shards that cover it, in input order, evenly', () => {
    const shards = [1, 2, 3, 4, 5].map((index) => shardOf(ids, index, 5));
    expect(shards.flat().sort()).toEqual([...ids].sort());
    const position = new Map(ids.map((id, index) => [id, index]));
    for (const shard of shards) {
      const positions = shard.map((id) => position.get(id) ?? -1);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      // 2,000 expected per shard; a hash this size stays well within 10%.
      expect(Math.abs(shard.length - 2000)).toBeLessThan(200);
    }
  });

  it('is deterministic and depends on the id alone: adding a repo moves no other', () => {
    const before = shardOf(ids, 2, 4);
    expect(shardOf([...ids], 2, 4)).toEqual(before);
    const grown = shardOf(['new/repo-a', ...ids, 'new/repo-b'], 2, 4).filter((id) => !id.startsWith('new/'));
    expect(grown).toEqual(before);
    // Pinned, so a change of hash (which would reshuffle every CI cache) is a visible decision.
    const pinned = ['platform/ci-templates', 'core-services/networking/traefik', 'observability/loki', 'security/vault', 'kubernetes/argocd-apps', 'cicd/runners', 'backup/velero', 'applications/web'];
    expect(pinned.map((id) => shardIndexOf(id, 4))).toEqual([1, 1, 1, 1, 1, 3, 1, 3]);
  });

  it('moves only about 1/(n+1) of the repos when a job is added', () => {
    const moved = ids.filter((id) => shardIndexOf(id, 4) !== shardIndexOf(id, 5)).length;
    expect(moved / ids.length).toBeGreaterThan(0.15);
    expect(moved / ids.length).toBeLessThan(0.25);
    // Those that move go to the new shard.
    expect(ids.filter((id) => shardIndexOf(id, 4) !== shardIndexOf(id, 5)).every((id) => shardIndexOf(id, 5) === 5)).toBe(true);
  });

  it('is the whole fleet for 1/1 and rejects impossible shards', () => {
    expect(shardOf(ids, 1, 1)).toEqual(ids);
    expect(() => shardOf(ids, 0, 3)).toThrow('shard 0/3: shards are numbered from 1');
    expect(() => shardOf(ids, 4, 3)).toThrow('shard 4/3: shard 4 is past the last shard, 3');
  });
});

describe('shard arguments', () => {
  it('parses --shard i/n', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, total: 5 });
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, total: 1 });
    for (const [text, message] of [
      ['2', '--shard expects INDEX/TOTAL such as 2/5, not "2"'],
      ['a/b', '--shard expects INDEX/TOTAL such as 2/5, not "a/b"'],
      ['-1/3', '--shard expects INDEX/TOTAL such as 2/5, not "-1/3"'],
      ['0/3', '--shard 0/3: shards are numbered from 1'],
      ['4/3', '--shard 4/3: shard 4 is past the last shard, 3'],
      ['1/0', '--shard 1/0: the number of shards must be at least 1'],
    ] as const) {
      expect(() => parseShard(text)).toThrow(new UsageError(message));
    }
  });

  it("reads GitLab's parallel job variables, 1-based", () => {
    expect(shardFromEnv({ CI_NODE_INDEX: '3', CI_NODE_TOTAL: '4' })).toEqual({ index: 3, total: 4 });
    // Not a parallel job: GitLab still sets CI_NODE_TOTAL=1.
    expect(shardFromEnv({ CI_NODE_TOTAL: '1' })).toBeUndefined();
    expect(shardFromEnv({})).toBeUndefined();
    expect(() => shardFromEnv({ CI_NODE_INDEX: '2' })).toThrow('CI_NODE_INDEX and CI_NODE_TOTAL go together, but only CI_NODE_INDEX is set');
    expect(() => shardFromEnv({ CI_NODE_TOTAL: '3' })).toThrow('CI_NODE_INDEX and CI_NODE_TOTAL go together, but only CI_NODE_TOTAL is set');
    expect(() => shardFromEnv({ CI_NODE_INDEX: '0', CI_NODE_TOTAL: '3' })).toThrow('CI_NODE_INDEX=0 CI_NODE_TOTAL=3: shards are numbered from 1');
    expect(() => shardFromEnv({ CI_NODE_INDEX: 'x', CI_NODE_TOTAL: '3' })).toThrow('must be whole numbers, not "x" and "3"');
  });

  it('prefers --shard over the CI variables', () => {
    const env = { CI_NODE_INDEX: '1', CI_NODE_TOTAL: '2' };
    expect(resolveShard('3/3', env)).toEqual({ index: 3, total: 3 });
    expect(resolveShard(undefined, env)).toEqual({ index: 1, total: 2 });
    expect(resolveShard(undefined, {})).toBeUndefined();
  });
});
