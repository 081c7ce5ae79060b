import { defineRule, type CheckReport } from '../src/engine/check.js';
import type { InvalidImageRef } from '../src/model/images/types.js';

/**
 * Reports the image references the model found unparsable (`repo.invalidImages`). A CI image written in another
 * repo (a template) is reported on the job of this repo that uses it, with the template's line related: the
 * pipeline that fails to pull is this repo's.
 */
function report(repoId: string, image: InvalidImageRef): CheckReport {
  const elsewhere = image.origin.repo !== repoId;
  const at = elsewhere && image.jobOrigin ? image.jobOrigin : image.origin;
  return {
    message: `Invalid image reference "${image.raw}": ${image.error}`,
    file: at.file,
    range: at.range,
    ...(at.path ? { path: at.path } : {}),
    ...(at.docIndex !== undefined ? { docIndex: at.docIndex } : {}),
    subject: `${image.context} ${image.raw}`,
    ...(elsewhere ? { related: [{ repo: image.origin.repo, file: image.origin.file, range: image.origin.range }] } : {}),
    data: { kind: 'invalid-image', raw: image.raw, context: image.context, error: image.error, ...(image.job !== undefined ? { job: image.job } : {}) },
  };
}

export default defineRule({
  meta: {
    id: 'invalid-image-reference',
    shortDescription: 'An image reference is not valid',
    fullDescription:
      'An image reference is not valid. Docker would refuse to pull it: check the registry, repository, tag and digest against the reference grammar (lower-case repository, tag of at most 128 characters).',
    defaultSeverity: 'error',
    help: 'Docker would refuse to pull it: check the registry, repository, tag and digest against the reference grammar (lower-case repository, tag of at most 128 characters).',
    tags: ['images', 'correctness'],
    scope: 'repo',
  },
  run({ repo }) {
    return repo.invalidImages.map((image) => report(repo.id, image));
  },
});
