import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../src/engine/runner.js';
import { EMPTY_CONFIG } from '../../src/engine/config-types.js';
import { loadCustomPolicies } from '../../src/engine/rego/custom.js';
import { findOpa } from '../../src/engine/rego/opa.js';
import { policyChecks } from '../../src/engine/policy-checks.js';
import { repoJson } from '../../src/model/policy-input.js';
import type { Fleet } from '../../src/model/types.js';
import { fleetFromFiles } from '../support/fleet.js';

/** A policy that reports which repo fields its input holds, and how many images, once per repo it sees. */
function echoPolicy(id: string, scope: 'repo' | 'fleet', repoFields?: string): string {
  const repos = scope === 'repo' ? '[input.repo]' : 'input.repos';
  return `# METADATA
# title: Echo ${id}
# description: Reports the repo fields of its input.
# custom:
#   id: ${id}
#   severity: note
#   help: None.
#   scope: ${scope}
${repoFields === undefined ? '' : `#   repoFields: ${repoFields}\n`}package fleetlint.${id.replaceAll('-', '_')}

deny contains decision if {
	some repo in ${repos}
	decision := {
		"msg": sprintf("%s; %d images", [concat(",", sort([key | some key, _ in repo])), count(object.get(repo, "images", []))]),
		"repo": repo.id,
		"file": "",
	}
}
`;
}

let work: string;
let fleet: Fleet;

beforeAll(async () => {
  if (!(await findOpa())) throw new Error('these tests need the opa CLI: run scripts/install-opa.sh (installs it into .tools/bin)');
  work = mkdtempSync(join(tmpdir(), 'fleetlint-repo-fields-'));
  fleet = await fleetFromFiles({
    'apps/one': {
      Dockerfile: 'FROM nginx:1.25\n',
      '.gitlab-ci.yml': 'lint:\n  image: alpine:3.19\n  script:\n    - gitleaks detect\n',
    },
    'apps/two': { Dockerfile: 'FROM golang:1.22 AS build\nFROM gcr.io/distroless/static:nonroot\n' },
  });
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** Each policy's message per repo, from a real run: the runner checks repo by repo, every policy of a repo in turn. */
async function messages(policies: Record<string, string>): Promise<Record<string, string[]>> {
  const dir = mkdtempSync(join(work, 'policies-'));
  for (const [id, text] of Object.entries(policies)) writeFileSync(join(dir, `${id}.rego`), text);
  const checks = policyChecks(await loadCustomPolicies(dir, { cacheDir: join(work, 'cache') }), {});
  const { findings } = await runChecks({ fleet, checks, config: EMPTY_CONFIG });
  const byRule: Record<string, string[]> = {};
  for (const finding of findings) (byRule[finding.ruleId] ??= []).push(`${finding.repo}: ${finding.message}`);
  return byRule;
}

describe('the repo fields a policy declares (custom.repoFields)', () => {
  it('are all a repo-scope policy gets, with the id; a policy that declares none gets the whole repo', async () => {
    const [first] = fleet.repos;
    if (!first) throw new Error('the fleet has no repo');
    const everyField = Object.keys(repoJson(first)).sort().join(',');
    const result = await messages({
      'echo-all': echoPolicy('echo-all', 'repo'),
      'echo-images': echoPolicy('echo-images', 'repo', '[images]'),
      'echo-kinds': echoPolicy('echo-kinds', 'repo', '[kinds, ci]'),
      'echo-images-too': echoPolicy('echo-images-too', 'repo', '[images]'),
    });
    expect(result).toEqual({
      'echo-all': [`apps/one: ${everyField}; 2 images`, `apps/two: ${everyField}; 2 images`],
      'echo-images': ['apps/one: id,images; 2 images', 'apps/two: id,images; 2 images'],
      // Two policies with the same fields share one serialized input per repo; it must still be each repo's own.
      'echo-images-too': ['apps/one: id,images; 2 images', 'apps/two: id,images; 2 images'],
      'echo-kinds': ['apps/one: ci,id,kinds; 0 images', 'apps/two: ci,id,kinds; 0 images'],
    });
    expect(everyField.split(',')).toEqual(expect.arrayContaining(['ci', 'images', 'k8sObjects', 'kinds']));
  });

  it('are all each repo of a fleet-scope policy holds, with the id', async () => {
    const result = await messages({
      'echo-fleet': echoPolicy('echo-fleet', 'fleet', '[images]'),
    });
    expect(result).toEqual({ 'echo-fleet': ['apps/one: id,images; 2 images', 'apps/two: id,images; 2 images'] });
  });
});
