import { defineRule, type CheckReport, type RuleExamples } from '../src/engine/check.js';
import type { FactOrigin } from '../src/model/origin.js';
import { writtenJobs } from '../src/model/gitlab-ci/parallel.js';

export default defineRule({
  meta: {
    id: 'ci-config',
    shortDescription: 'GitLab CI configuration must be valid after includes and extends are resolved',
    fullDescription:
      'After include, extends and !reference resolution: every job\'s stage is declared, every `needs` names an existing job (not an optional one, nor one of another pipeline or project) of the same or an earlier stage, `dependencies` are among the `needs`, no job mixes `rules` with `only`/`except`. The resolver reports, at the line that names them, what GitLab rejects in the YAML itself: a missing `extends` parent or `!reference` target, a job without `script` (not a trigger), `when: never` outside rules, empty `needs` entries, blank `rules`, `include: local: ""`, scripts nested deeper than ten lists, `stages` that is not a list, unknown job keywords (with "did you mean"), inputs that do not match their spec. GitLab rejects such pipelines only when they run.',
    defaultSeverity: 'error',
    help: 'Add the stage to `stages:` (in the order the pipeline runs), or give the job a stage that is declared. In `needs:`, name a job of this pipeline as it is spelt (a `parallel:matrix` instance as `job: [a, b]`), of the same or an earlier stage, or include the file that defines it; list in `dependencies:` only jobs that are in `needs:`. Rewrite `only`/`except` as `rules:` (for example `only: [main]` becomes `rules: [{if: $CI_COMMIT_BRANCH == "main"}]`). For an `extends` or `!reference` target that does not exist, fix its name or include the file that defines it.',
    tags: ['gitlab-ci', 'correctness'],
    scope: 'repo',
    examples: examples(),
  },
  run({ repo }) {
    const pipeline = repo.ci;
    if (!pipeline) return [];
    // A fact written in another repo's file (a CI template) is reported at the include that brings it in (the
    // runner places it), and its message names the template's line.
    const report = (origin: FactOrigin, message: string, subject: string): CheckReport => ({
      origin: { repo: origin.repo, file: origin.file, range: origin.range },
      message: origin.repo === repo.id ? message : `${message} (in ${origin.repo}: ${origin.file}:${origin.line})`,
      subject,
    });
    const reports: CheckReport[] = [];
    const jobs = new Map(pipeline.jobs.map((job) => [job.name, job]));
    const stageIndex = (stage: string): number => pipeline.stages.indexOf(stage);
    // One report per job as written: `parallel` instances share their YAML.
    for (const { job, name } of writtenJobs(pipeline.jobs)) {
      // A stage that is an unknown input is not checked; nor is GitLab's default stage of a job in a partial
      // pipeline, whose unread include (a component) may set it.
      const stageKnown = !job.unknownKeys?.includes('stage') && (job.keyOrigins.stage !== undefined || !pipeline.partial);
      if (stageKnown && !pipeline.stages.includes(job.stage)) {
        const declared = pipeline.stagesDeclared ? `stages: ${pipeline.stages.join(', ')}` : `GitLab's default stages (${pipeline.stages.join(', ')})`;
        reports.push(report(job.keyOrigins.stage ?? job.origin, `job ${name} uses stage ${job.stage}, which is not declared (${declared})`, `stage:${name}:${job.stage}`));
      }
      const optional = new Set(job.optionalNeeds ?? []);
      for (const needed of job.needs) {
        const other = jobs.get(needed);
        if (!other) {
          // A pipeline with unresolvable includes may define the needed job there; an optional need may be absent.
          if (pipeline.partial || optional.has(needed)) continue;
          reports.push(report(job.keyOrigins.needs ?? job.origin, `job ${name} needs ${needed}, which is not a job of this pipeline`, `needs:${name}:${needed}`));
        } else if (stageKnown && !other.unknownKeys?.includes('stage') && stageIndex(other.stage) > stageIndex(job.stage) && stageIndex(job.stage) >= 0) {
          reports.push(report(job.keyOrigins.needs ?? job.origin, `job ${name} needs ${needed}, which runs in a later stage (${other.stage}, after ${job.stage})`, `needs-later:${name}:${needed}`));
        }
      }
      const needed = new Set(job.needs);
      for (const dependency of job.dependencies ?? []) {
        const instances = pipeline.jobs.filter((other) => other.parallel?.job === dependency);
        const other = jobs.get(dependency) ?? instances[0];
        const where = job.keyOrigins.dependencies ?? job.origin;
        if (job.needsDeclared) {
          if (needed.has(dependency) || (instances.length > 0 && instances.every((instance) => needed.has(instance.name)))) continue;
          if (pipeline.partial && !other) continue;
          reports.push(report(where, `job ${name} depends on ${dependency}, which is not in its needs (GitLab requires dependencies to be a subset of needs)`, `dependencies:${name}:${dependency}`));
        } else if (!other) {
          if (!pipeline.partial) reports.push(report(where, `job ${name} depends on ${dependency}, which is not a job of this pipeline`, `dependencies:${name}:${dependency}`));
        } else if (stageKnown && !other.unknownKeys?.includes('stage') && stageIndex(other.stage) >= stageIndex(job.stage) && stageIndex(job.stage) >= 0) {
          reports.push(report(where, `job ${name} depends on ${dependency}, which is not in an earlier stage (${other.stage}); without needs, GitLab takes artifacts only from earlier stages`, `dependencies-stage:${name}:${dependency}`));
        }
      }
      if (job.mixesRulesAndOnly) {
        reports.push(report(job.keyOrigins.rules ?? job.origin, `job ${name} combines rules with only/except, which GitLab rejects`, `rules-only:${name}`));
      }
    }
    return reports;
  },
});

function examples(): RuleExamples {
  const pipeline = (stages: string): string => `stages: [${stages}]

build:
  stage: build
  script:
    - docker build -t registry.example.com/apps/web:$CI_COMMIT_SHA .

deploy:
  stage: deploy
  script:
    - ./deploy.sh
`;
  return {
    wrong: {
      description: 'The deploy job uses a stage that `stages:` does not declare: GitLab rejects the pipeline when it runs.',
      repos: { 'apps/web': { '.gitlab-ci.yml': pipeline('build, test') } },
      findings: [{ repo: 'apps/web', file: '.gitlab-ci.yml', line: 9, severity: 'error', message: 'job deploy uses stage deploy, which is not declared (stages: .pre, build, test, .post)' }],
    },
    right: {
      description: 'Every stage a job uses is declared.',
      repos: { 'apps/web': { '.gitlab-ci.yml': pipeline('build, test, deploy') } },
    },
  };
}
