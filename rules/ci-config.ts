import { defineRule, type CheckReport } from '../src/engine/check.js';
import type { FactOrigin } from '../src/model/origin.js';

export default defineRule({
  meta: {
    id: 'ci-config',
    shortDescription: 'GitLab CI configuration must be valid after includes and extends are resolved',
    fullDescription:
      'After include, extends and !reference resolution: every job\'s stage is declared, every `needs` names an existing job, no job mixes `rules` with `only`/`except`, and every `extends` parent and `!reference` target exists (the resolver reports those at the line that names them). GitLab rejects such pipelines only when they run.',
    defaultSeverity: 'error',
    help: 'Declare the stage in `stages:`, fix the job name in `needs:`, or convert `only`/`except` to `rules:`.',
    tags: ['gitlab-ci', 'correctness'],
    scope: 'repo',
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
      if (!pipeline.stages.includes(job.stage)) {
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
