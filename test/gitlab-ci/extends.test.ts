import { describe, expect, it } from 'vitest';
import { brief, jobOf, resolveCi, scriptOf } from './helpers.js';

/** A chain `job → .l1 → … → .l<hops>`, each level adding one variable. */
function chain(hops: number): string {
  const levels = [`job:\n  extends: .l1\n  script: [echo job]\n`];
  for (let level = 1; level <= hops; level++) {
    const parent = level < hops ? `  extends: .l${level + 1}\n` : '';
    levels.push(`.l${level}:\n${parent}  variables:\n    L${level}: "${level}"\n`);
  }
  return levels.join('');
}

describe('extends', () => {
  it('deep-merges hashes, replaces arrays and scalars, closest definition wins', () => {
    const { pipeline, diagnostics } = resolveCi(`.base:
  stage: build
  image: alpine:3.19
  variables:
    A: base
    B: base
  script:
    - echo base-1
    - echo base-2
  tags: [small]
job:
  extends: .base
  variables:
    B: job
  script:
    - echo job
`);
    expect(diagnostics).toEqual([]);
    const job = jobOf(pipeline, 'job');
    expect(job.stage).toBe('build');
    expect(scriptOf(job)).toEqual(['echo job']);
    expect(job.extends).toEqual(['.base']);
    expect(job.keyOrigins.stage?.line).toBe(2);
    expect(job.keyOrigins.variables?.line).toBe(13);
    expect(job.keyOrigins.tags?.line).toBe(10);
    expect(pipeline.hiddenJobs).toEqual(['.base']);
  });

  it('merges several parents in order: a later parent wins, the job wins over all', () => {
    const { pipeline } = resolveCi(`.a:
  image: a
  stage: a
  script: [echo a]
.b:
  image: b
  before_script: [echo b]
.c:
  extends: .a
  stage: c
job:
  extends: [.b, .c]
  script: [echo job]
`);
    const job = jobOf(pipeline, 'job');
    // .c (which carries .a) comes after .b, so its image wins.
    expect(job.image).toBe('a');
    expect(job.stage).toBe('c');
    expect(scriptOf(job)).toEqual(['echo b', 'echo job']);
    expect(job.extends).toEqual(['.b', '.c']);
  });

  it('drops a key set to null, but keeps the parent\'s hash under an empty hash', () => {
    const { pipeline } = resolveCi(`.base:
  image: alpine
  variables: { A: "1" }
  cache: { key: k, paths: [x] }
  script: [echo]
  allow_failure: true
job:
  extends: .base
  image: null
  cache: {}
  allow_failure: null
`);
    const job = jobOf(pipeline, 'job');
    expect(job.image).toBeUndefined();
    expect(job.keyOrigins.image).toBeUndefined();
    expect(job.allowFailure).toBe(false);
    expect(job.keyOrigins.cache?.line).toBe(4);
  });

  it('extends a visible job and a job defined in another file', () => {
    const { pipeline } = resolveCi(`include: ci/base.yml
test:
  extends: build
  stage: test
`, { 'ci/base.yml': 'build:\n  stage: build\n  script: [make]\n' });
    expect(scriptOf(jobOf(pipeline, 'test'))).toEqual(['make']);
    expect(jobOf(pipeline, 'test').keyOrigins.script?.file).toBe('ci/base.yml');
  });

  it('reports a missing parent at its line and resolves the rest', () => {
    const { pipeline, diagnostics } = resolveCi(`.base:
  script: [echo base]
job:
  extends:
    - .base
    - .missing
`);
    expect(brief(diagnostics)).toEqual(['ci-config@.gitlab-ci.yml:6']);
    expect(diagnostics[0]).toMatchObject({ severity: 'error', message: 'job extends .missing, which is not defined.' });
    expect(scriptOf(jobOf(pipeline, 'job'))).toEqual(['echo base']);
  });

  it('reports a parent that is not a map, and an extends that is not names', () => {
    const { diagnostics } = resolveCi(`.scalar: hello
a:
  extends: .scalar
  script: x
b:
  extends: { nope: 1 }
  script: x
`);
    expect(brief(diagnostics)).toEqual(['ci-config@.gitlab-ci.yml:3', 'ci-config@.gitlab-ci.yml:6']);
  });

  it('reports a cycle once, naming it, and never loops', () => {
    const { pipeline, diagnostics } = resolveCi(`.a:
  extends: .b
  image: a
.b:
  extends: .c
.c:
  extends: .a
  script: [echo c]
job:
  extends: .a
`);
    expect(brief(diagnostics)).toEqual(['ci-config@.gitlab-ci.yml:7']);
    expect(diagnostics[0]?.message).toBe('Circular extends: .a → .b → .c → .a.');
    expect(jobOf(pipeline, 'job').image).toBe('a');
  });

  it('reports a job extending itself', () => {
    const { diagnostics } = resolveCi('job:\n  extends: job\n  script: x\n');
    expect(diagnostics.map((d) => d.message)).toEqual(['Circular extends: job → job.']);
  });

  it('allows eleven levels of inheritance (a job and ten ancestors)', () => {
    const { pipeline, diagnostics } = resolveCi(chain(10));
    expect(diagnostics).toEqual([]);
    expect(Object.keys(jobOf(pipeline, 'job').keyOrigins)).toContain('variables');
  });

  it('rejects twelve levels, at the extends of each entry that is too deep', () => {
    const { pipeline, diagnostics } = resolveCi(chain(11));
    expect(brief(diagnostics)).toEqual(['ci-config@.gitlab-ci.yml:2']);
    expect(diagnostics[0]?.message).toMatch(/^job: extends is nested 12 levels deep \(job → \.l1 → .* → \.l11\); GitLab allows 11\.$/);
    // The job is still resolved with everything it inherits.
    expect(jobOf(pipeline, 'job').keyOrigins.variables).toBeDefined();
  });
});
