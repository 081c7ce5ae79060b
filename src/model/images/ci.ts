import type { DocPath } from '../findings.js';
import type { CiPipeline } from '../gitlab-ci/types.js';
import { writtenJobs } from '../gitlab-ci/parallel.js';
import { originAt, type FactOrigin } from '../origin.js';
import { isMap, valueAt } from '../k8s/value.js';
import type { ImageCandidate } from './candidate.js';
import { ciVariables, type CiVariableContext, type YamlLookup } from './ci-variables.js';

/** `image:` and `services:` of every visible job; positions come from the job's key origins, a template's when inherited. */
export function ciImageCandidates(ci: CiPipeline | undefined, context: CiVariableContext): ImageCandidate[] {
  if (!ci) return [];
  const { yamlOf } = context;
  const candidates: ImageCandidate[] = [];
  for (const { job, name } of writtenJobs(ci.jobs)) {
    const lookup = ciVariables(job, ci, context);
    const imageKey = job.keyOrigins.image ?? job.origin;
    if (job.image !== undefined && job.image !== '') {
      candidates.push({ written: job.image, context: 'ci-image', origin: refine(imageKey, [], yamlOf), job: name, jobOrigin: job.origin, lookup });
    }
    const servicesKey = job.keyOrigins.services ?? job.origin;
    job.services.forEach((service, index) => {
      if (service === '') return;
      candidates.push({ written: service, context: 'ci-service', origin: refine(servicesKey, [index], yamlOf), job: name, jobOrigin: job.origin, lookup });
    });
  }
  return candidates;
}

/** Narrows a key origin to an item (`services[1]`) and to `name:` when the entry is a map, if the file is at hand. */
function refine(origin: FactOrigin, extra: DocPath, yamlOf: YamlLookup | undefined): FactOrigin {
  if (!yamlOf || !origin.path || origin.docIndex === undefined) return origin;
  const document = yamlOf(origin.repo, origin.file)?.documents[origin.docIndex];
  if (!document || document.broken) return origin;
  const path = [...origin.path, ...extra];
  const node = valueAt(document.value, path);
  if (node === undefined) return origin;
  return originAt(origin.repo, document, isMap(node) && typeof node.name === 'string' ? [...path, 'name'] : path);
}
