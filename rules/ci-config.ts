import { defineRule, type CheckReport } from '../src/engine/check.js';
import type { FactOrigin } from '../src/model/origin.js';

/** A report at a fact's origin, which may be a template in another repo. */
function at(origin: FactOrigin): Pick<CheckReport, 'repo' | 'file' | 'range'> {
  return { repo: origin.repo, file: origin.file, range: origin.range };
}

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
    const pipeline = repo?.ci;
    if (!pipeline) return [];
    const reports: CheckReport[] = [];
    const jobNames = new Set(pipeline.jobs.map((job) => job.name));
    for (const job of pipeline.jobs) {
      if (!pipeline.stages.includes(job.stage)) {
        const declared = pipeline.stagesDeclared ? `stages: ${pipeline.stages.join(', ')}` : `GitLab's default stages (${pipeline.stages.join(', ')})`;
        reports.push({
          ...at(job.keyOrigins.stage ?? job.origin),
          message: `job ${job.name} uses stage ${job.stage}, which is not declared (${declared})`,
          subject: `stage:${job.name}:${job.stage}`,
        });
      }
      // A pipeline with unresolvable includes may define the needed job there; do not guess.
      for (const needed of pipeline.partial ? [] : job.needs) {
        if (!jobNames.has(needed)) {
          reports.push({ ...at(job.keyOrigins.needs ?? job.origin), message: `job ${job.name} needs ${needed}, which is not a job of this pipeline`, subject: `needs:${job.name}:${needed}` });
        }
      }
      if (job.mixesRulesAndOnly) {
        reports.push({
          ...at(job.keyOrigins.rules ?? job.origin),
          message: `job ${job.name} combines rules with only/except, which GitLab rejects`,
          subject: `rules-only:${job.name}`,
        });
      }
    }
    return reports;
  },
});
