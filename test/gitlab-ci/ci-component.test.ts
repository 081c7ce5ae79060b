/**
 * fleetlint's own CI for merge requests, as fleet repositories include it: the CI/CD component
 * (templates/fleetlint-mr.yml, `spec: inputs:`) and the plain include (ci/fleetlint.gitlab-ci.yml), each resolved
 * by fleetlint's CI resolver in a fixture fleet whose pipelines declare their own stages (as 67 of the 74 in
 * fixtures/homelab do, none of them `test`), and checked by fleetlint's rules: the template must not be flagged
 * by the linter it runs.
 *
 * The resolver on main reads a component's job document but neither resolves `include: component:` nor
 * interpolates `$[[ inputs.x ]]`. Until it does, the test interpolates the inputs as GitLab does when it includes
 * the file (defaults, then the include's `inputs:`) and includes the result as a project file. Once the resolver
 * interpolates inputs itself, the consumer can include templates/fleetlint-mr.yml with `inputs:` as it is.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { packageRoot, toolVersion } from '../../src/package.js';
import { runChecks } from '../../src/engine/runner.js';
import { configure } from '../../src/cli/configure.js';
import { fleetFromFiles } from '../support/fleet.js';

const root = packageRoot();
const COMPONENT = readFileSync(join(root, 'templates', 'fleetlint-mr.yml'), 'utf8');
const PLAIN = readFileSync(join(root, 'ci', 'fleetlint.gitlab-ci.yml'), 'utf8');

interface InputSpec {
  default?: string;
  options?: string[];
}

function componentParts(): { inputs: Record<string, InputSpec>; body: string } {
  const docs = parseAllDocuments(COMPONENT);
  expect(docs).toHaveLength(2);
  for (const doc of docs) expect(doc.errors).toEqual([]);
  const header = docs[0]?.toJS() as { spec: { inputs: Record<string, InputSpec> } };
  const bodyStart = COMPONENT.indexOf('\n---\n') + '\n---\n'.length;
  return { inputs: header.spec.inputs, body: COMPONENT.slice(bodyStart) };
}

/** GitLab's interpolation of `$[[ inputs.name ]]` at include time: the include's value, else the input's default. */
function interpolate(body: string, inputs: Record<string, InputSpec>, given: Record<string, string>): string {
  return body.replace(/\$\[\[\s*inputs\.([\w-]+)\s*\]\]/g, (_match, name: string) => {
    const value = given[name] ?? inputs[name]?.default;
    if (value === undefined) throw new Error(`input ${name} has no value and no default`);
    return value;
  });
}

const consumer = (include: string): string => `stages: [validate, security]
include:
${include}
secret-scan:
  stage: security
  image: zricethezav/gitleaks:v8.18.4
  script: [gitleaks detect --source .]
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
`;

async function resolveFleet(files: Record<string, string>): Promise<{ jobs: Map<string, { stage: string | undefined; image: string | undefined }>; findings: string[] }> {
  const fleet = await fleetFromFiles({ 'platform/fleetlint': files, 'apps/web': { '.gitlab-ci.yml': consumer(`  - project: homelab/platform/fleetlint\n    ref: v${toolVersion()}\n    file: mr.yml\n`) } });
  const { config, checks } = await configure(undefined, root);
  const result = await runChecks({ fleet, checks, config });
  const web = fleet.repos.find((repo) => repo.id === 'apps/web');
  const jobs = new Map((web?.ci?.jobs ?? []).map((job) => [job.name, { stage: job.stage, image: job.image }]));
  return { jobs, findings: result.findings.filter((finding) => finding.repo === 'apps/web' || finding.repo === 'platform/fleetlint').map((finding) => `${finding.repo} ${finding.ruleId}: ${finding.message}`) };
}

describe('the CI/CD component templates/fleetlint-mr.yml', () => {
  it('declares inputs for the stage, the snapshot project, the package and the formats, and uses only declared inputs', () => {
    const { inputs, body } = componentParts();
    for (const name of ['stage', 'snapshot_project', 'package', 'formats', 'image', 'fail_on']) expect(inputs).toHaveProperty(name);
    const used = new Set([...body.matchAll(/\$\[\[\s*inputs\.([\w-]+)\s*\]\]/g)].map((match) => match[1]));
    expect(used).toEqual(new Set(Object.keys(inputs)));
    // A stage every pipeline has, and a package that exists: fleetlint's repository at this version's tag.
    expect(inputs.stage?.default).toBe('.pre');
    expect(inputs.package?.default).toBe(`git+https://gitlab.homelab.local/homelab/platform/fleetlint.git#v${toolVersion()}`);
  });

  it('resolves in a pipeline with its own stages, in the stage given, and fleetlint finds nothing wrong with it', async () => {
    const { inputs, body } = componentParts();
    const { jobs, findings } = await resolveFleet({ 'mr.yml': interpolate(body, inputs, { stage: 'validate', snapshot_project: 'homelab/platform/fleet-audit' }) });
    expect(jobs.get('fleetlint:mr')).toEqual({ stage: 'validate', image: 'node:22-alpine' });
    expect(findings).toEqual([]);
  });

  it('resolves with its defaults alone', async () => {
    const { inputs, body } = componentParts();
    const { jobs, findings } = await resolveFleet({ 'mr.yml': interpolate(body, inputs, {}) });
    expect(jobs.get('fleetlint:mr')?.stage).toBe('.pre');
    expect(findings).toEqual([]);
  });
});

describe('the plain include ci/fleetlint.gitlab-ci.yml', () => {
  it('resolves in a pipeline with its own stages, and fleetlint finds nothing wrong with it', async () => {
    const { jobs, findings } = await resolveFleet({ 'mr.yml': PLAIN });
    expect(jobs.get('fleetlint:mr')).toEqual({ stage: '.pre', image: 'node:22-alpine' });
    expect(findings).toEqual([]);
  });

  it('sets none of its settings as job variables, so the including pipeline\'s variables apply', () => {
    const template = parse(PLAIN) as Record<string, { variables?: Record<string, unknown>; script?: string[] }>;
    expect(Object.keys(template['.fleetlint:mr']?.variables ?? {})).toEqual(['GIT_DEPTH']);
    const script = (template['.fleetlint:mr']?.script ?? []).join('\n');
    for (const name of ['FLEETLINT_SNAPSHOT_PROJECT:-', 'FLEETLINT_FAIL_ON:-error', 'FLEETLINT_ARGS:-']) expect(script).toContain(name);
  });
});
