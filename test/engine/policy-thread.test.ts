import { describe, expect, it } from 'vitest';
import { loadBuiltinPolicies } from '../../src/engine/wasm/policy-set.js';
import { PolicyThread } from '../../src/engine/wasm/policy-thread.js';
import { PreparedInput } from '../../src/engine/wasm/host.js';

describe('PolicyThread', () => {
  it('evaluates as the host it copies, and answers undefined where an evaluation fails', async () => {
    const set = await loadBuiltinPolicies();
    const policy = set?.policies.find((candidate) => candidate.id === 'no-latest-tag');
    if (!set || !policy) throw new Error('the built-in no-latest-tag policy expected');
    const image = (tag: string) => ({ raw: `nginx:${tag}`, registry: 'docker.io', repository: 'library/nginx', tag, context: 'k8s-container', dynamic: false, fleetRegistry: false, origin: { repo: 'r', file: 'values.yaml', line: 3, column: 3 } });
    const inputs = [
      JSON.stringify({ repo: { id: 'r', images: [image('latest')], publishedImages: [] }, fleet: { registries: [] }, options: {} }),
      JSON.stringify({ repo: { id: 'r', images: [image('1.27')], publishedImages: [] }, fleet: { registries: [] }, options: {} }),
      '{"not json',
    ];
    const thread = new PolicyThread(set.host.portable);
    try {
      const results = await thread.evaluate(policy.entrypoint, inputs);
      expect(results[0]).toEqual(set.host.evaluate(policy.entrypoint, PreparedInput.fromJson(inputs[0] ?? '')));
      expect(results[0]?.decisions.length).toBe(1);
      expect(results[1]).toEqual({ decisions: [], invalid: [] });
      expect(results[2]).toBeUndefined();
    } finally {
      await thread.close();
    }
  });
});
