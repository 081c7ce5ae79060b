import { defineRule, type CheckReport, type RuleExamples } from '../src/engine/check.js';
import type { FactOrigin } from '../src/model/origin.js';

export default defineRule({
  meta: {
    id: 'ci-config',
    shortDescription: 'GitLab CI configuration must be valid after includes and extends are resolved',
    fullDescription:
      'After include, extends and !reference resolution: every job\'s stage is declared, every `needs` names an existing job, no job mixes `rules` with `only`/`except`, and every `extends` parent and `!reference` target exists (the resolver reports those at the line that names them). GitLab rejects such pipelines only when they run.',
    defaultSeverity: 'error',
    help: 'Add the stage to `stages:` (in the order the pipeline runs), or give the job a stage that is declared. In `needs:`, name a job of this pipeline as it is spelt, or include the file that defines it. Rewrite `only`/`except` as `rules:` (for example `only: [main]` becomes `rules: [{if: $CI_COMMIT_BRANCH == "main"}]`). For an `extends` or `!reference` target that does not exist, fix its name or include the file that defines it.',
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
    const jobNames = new Set(pipeline.jobs.map((job) => job.name));
    for (const job of pipeline.jobs) {
      // A job that sets no stage of its own gets GitLab's default (test) only if nothing else sets it: in a partial
      // pipeline, an include that was not resolved (a CI/CD component, a remote template) may define the same job
      // with its stage, as gitlab-org/components/danger-review does with its job_stage input.
      const stageUnknown = pipeline.partial === true && job.keyOrigins.stage === undefined;
      if (!stageUnknown && !pipeline.stages.includes(job.stage)) {
        const declared = pipeline.stagesDeclared ? `stages: ${pipeline.stages.join(', ')}` : `GitLab's default stages (${pipeline.stages.join(', ')})`;
        reports.push(report(job.keyOrigins.stage ?? job.origin, `job ${job.name} uses stage ${job.stage}, which is not declared (${declared})`, `stage:${job.name}:${job.stage}`));
      }
      // A pipeline with unresolvable includes may define the needed job there; do not guess.
      for (const needed of pipeline.partial ? [] : job.needs) {
        if (!jobNames.has(needed)) {
          reports.push(report(job.keyOrigins.needs ?? job.origin, `job ${job.name} needs ${needed}, which is not a job of this pipeline`, `needs:${job.name}:${needed}`));
        }
      }
      if (job.mixesRulesAndOnly) {
        reports.push(report(job.keyOrigins.rules ?? job.origin, `job ${job.name} combines rules with only/except, which GitLab rejects`, `rules-only:${job.name}`));
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
