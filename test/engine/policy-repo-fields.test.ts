import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRepoCheck, type CheckReport } from '../../src/engine/check.js';
import { runChecks } from '../../src/engine/runner.js';
import { EMPTY_CONFIG } from '../../src/engine/config-types.js';
import { loadCustomPolicies } from '../../src/engine/rego/custom.js';
import { findOpa } from '../../src/engine/rego/opa.js';
import { policyChecks } from '../../src/engine/policy-checks.js';
import { repoFieldProblem, repoReader } from '../../src/engine/wasm/repo-fields.js';
import { loadBuiltinPolicies } from '../../src/engine/wasm/policy-set.js';
import type { PolicyMetadata } from '../../src/engine/wasm/metadata.js';
import { repoJson } from '../../src/model/policy-input.js';
import type { Fleet } from '../../src/model/types.js';
import { fleetFromFiles } from '../support/fleet.js';
import { homelabOptions } from '../support/presets.js';
import { auditHomelab } from '../support/homelab.js';

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

  it('may be paths into a field, through every element of an array on the way', async () => {
    const result = await messages({
      'echo-paths': echoPolicy('echo-paths', 'repo', '[ci.jobs.name, ci.file, images.raw]').replace(
        'concat(",", sort([key | some key, _ in repo]))',
        'json.marshal([object.get(repo, "ci", null), [image | some image in object.get(repo, "images", [])]])',
      ),
    });
    expect(result).toEqual({
      'echo-paths': [
        'apps/one: [{"file":".gitlab-ci.yml","jobs":[{"name":"lint"}]},[{"raw":"alpine:3.19"},{"raw":"nginx:1.25"}]]; 2 images',
        // No .gitlab-ci.yml: `ci` is null, and stays so.
        'apps/two: [null,[{"raw":"golang:1.22"},{"raw":"gcr.io/distroless/static:nonroot"}]]; 2 images',
      ],
    });
  });

  it('are all each repo of a fleet-scope policy holds, with the id', async () => {
    const result = await messages({
      'echo-fleet': echoPolicy('echo-fleet', 'fleet', '[images]'),
    });
    expect(result).toEqual({ 'echo-fleet': ['apps/one: id,images; 2 images', 'apps/two: id,images; 2 images'] });
  });
});

describe('repoFieldProblem', () => {
  it('accepts the fields and paths of schemas/policy-input.schema.json, through arrays, refs, null-or-object and maps', () => {
    for (const field of ['kinds', 'images', 'ci.file', 'ci.jobs.script.text', 'ci.jobs.keyOrigins.allow_failure', 'applications.waveOrigin.line']) {
      expect(repoFieldProblem(field), field).toBeUndefined();
    }
  });

  it('names the first part that is not there, and the fields that are', () => {
    expect(repoFieldProblem('imagez')).toMatch(/^the repo input has no field imagez \(its fields: id, kinds, files, ci, .*images/);
    expect(repoFieldProblem('ci.job.name')).toMatch(/^ci has no field job \(its fields: .*jobs/);
    expect(repoFieldProblem('kinds.first')).toBe('kinds has no field first, which has no fields');
  });

  it('make a custom policy with a misspelt field fail to load, with the policy file named', async () => {
    const dir = mkdtempSync(join(work, 'policies-'));
    writeFileSync(join(dir, 'typo.rego'), echoPolicy('typo', 'repo', '[imagez]'));
    await expect(loadCustomPolicies(dir, { cacheDir: join(work, 'cache') })).rejects.toThrow(/typo\.rego.*custom\.repoFields names imagez, but the repo input has no field imagez/s);
  });
});

describe('repoReader', () => {
  it('keeps every field without a list, else the id and the fields or paths named; a whole field wins over a path into it', () => {
    const [repo] = fleet.repos;
    if (!repo) throw new Error('the fleet has no repo');
    expect(repoReader(undefined)(repo)).toEqual(repoJson(repo));
    expect(Object.keys(repoReader(['kinds'])(repo))).toEqual(['id', 'kinds']);
    const paths = repoReader(['ci.jobs.script.text', 'ci.file', 'kinds.length', 'ci.nothing.here'])(repo);
    expect(paths).toEqual({ id: 'apps/one', kinds: repo.kinds, ci: { file: '.gitlab-ci.yml', jobs: [{ script: [{ text: 'gitleaks detect' }] }] } });
    expect(repoReader(['ci.jobs.name', 'ci'])(repo)).toEqual(repoReader(['ci'])(repo));
    expect(repoReader(['ci', 'ci.jobs.name'])(repo)).toEqual(repoReader(['ci'])(repo));
  });
});

/** The policy as if it declared no repo fields: it gets every field. */
function withEveryField(policy: PolicyMetadata): PolicyMetadata {
  return Object.fromEntries(Object.entries(policy).filter(([key]) => key !== 'repoFields')) as unknown as PolicyMetadata;
}

describe('the built-in policies', () => {
  // A policy that reads a field it does not declare sees nothing there, and decides differently from the same
  // policy given every field: on a fleet that exercises what it reads, this comparison finds the omission.
  it('decide the same with the repo fields they declare as with every field', async () => {
    const set = await loadBuiltinPolicies();
    if (!set) throw new Error('no built-in policies');
    const declared = policyChecks(set, {});
    const everything = policyChecks({ ...set, policies: set.policies.map(withEveryField) }, {});
    expect(set.policies.filter((policy) => policy.repoFields).map((policy) => policy.id)).toEqual(['no-latest-tag', 'required-scans', 'sync-wave-order']);
    const { fleet: homelab } = await auditHomelab();
    // What fixtures/homelab lacks: a scan made manual by its rules, one told not to fail, a Helm map without a tag,
    // sync waves that are not an integer or not a string.
    const application = (name: string, wave: string): string =>
      `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\n  annotations:\n    argocd.argoproj.io/sync-wave: ${wave}\nspec:\n  project: default\n  source: {repoURL: https://example.org/x.git, path: ., targetRevision: main}\n  destination: {server: https://kubernetes.default.svc, namespace: ${name}}\n`;
    const cases = await fleetFromFiles({
      'apps/waves': { 'argocd/application.yaml': `${application('two', '"two"')}---\n${application('unquoted', '3')}` },
      'apps/manual': {
        '.gitlab-ci.yml': 'secrets:\n  script:\n    - gitleaks detect\n  rules:\n    - if: $CI_PIPELINE_SOURCE == "merge_request_event"\n      when: manual\n',
      },
      'apps/soft': {
        Dockerfile: 'FROM alpine\n',
        'helm/values.yaml': 'image:\n  repository: ghcr.io/acme/soft\n',
        '.gitlab-ci.yml': 'secrets:\n  script:\n    - gitleaks detect || true\nimage-scan:\n  script:\n    - trivy image --exit-code 0 app:1\n',
      },
    });
    const decided = new Map<string, string[]>();
    for (const fleet of [homelab, cases]) {
      for (const [index, check] of declared.entries()) {
        const full = everything[index];
        if (!full) throw new Error(`no full-input twin for ${check.meta.id}`);
        const compare = (where: string, reports: CheckReport[], fromFullInput: CheckReport[]): void => {
          expect(reports, `${check.meta.id} on ${where}`).toEqual(fromFullInput);
          decided.set(check.meta.id, [...(decided.get(check.meta.id) ?? []), ...reports.map((report) => report.subject ?? '')]);
        };
        if (isRepoCheck(check) && isRepoCheck(full)) {
          for (const repo of fleet.repos) {
            // With the homelab fleet's options: its scan requirements by kind and its wave bands.
            const context = { repo, settings: fleet.settings, options: homelabOptions(check.meta.id) };
            compare(repo.id, await check.run(context), await full.run(context));
          }
        } else if (!isRepoCheck(check) && !isRepoCheck(full)) {
          const context = { fleet, options: homelabOptions(check.meta.id) };
          compare('the fleet', await check.run(context), await full.run(context));
        } else throw new Error(`${check.meta.id} and its full-input twin differ in scope`);
      }
    }
    expect(decided.get('required-scans')).toEqual(expect.arrayContaining(['not-gating:secrets', 'non-blocking:secrets', 'non-blocking:image', 'missing:manifests']));
    expect(decided.get('no-latest-tag')).toEqual(expect.arrayContaining(['helm-map::ghcr.io/acme/soft', 'dockerfile-from::alpine']));
    expect(decided.get('sync-wave-order')).toEqual(expect.arrayContaining(['invalid-wave:apps/waves#two', 'invalid-wave:apps/waves#unquoted']));
  });
});
