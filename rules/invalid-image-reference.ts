import { defineRule, type CheckReport, type RuleExamples } from '../src/engine/check.js';
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

/** A Deployment of `web` on `image`. */
function deployment(image: string): Record<string, Record<string, string>> {
  const text = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: web',
    `          image: ${image}`,
    '',
  ].join('\n');
  return { 'apps/web': { 'deploy/deployment.yaml': text } };
}

function examples(): RuleExamples {
  return {
    wrong: {
      description: 'A repository name with capitals: no registry accepts it.',
      repos: deployment('registry.example.com/apps/Web:2.4.1'),
      findings: [
        { repo: 'apps/web', file: 'deploy/deployment.yaml', line: 10, severity: 'error', message: 'Invalid image reference "registry.example.com/apps/Web:2.4.1": the repository name must be lowercase' },
      ],
    },
    right: { description: 'The repository in lower case.', repos: deployment('registry.example.com/apps/web:2.4.1') },
  };
}

export default defineRule({
  meta: {
    id: 'invalid-image-reference',
    shortDescription: 'An image reference is not valid',
    fullDescription:
      'An image reference is not valid. Docker would refuse to pull it. Write it as `[registry/]repository[:tag][@sha256:digest]`: the repository in lower case, a tag of letters, digits, `_`, `.` and `-` of at most 128 characters, a digest of 64 hexadecimal characters.',
    defaultSeverity: 'error',
    help: 'Docker would refuse to pull it. Write it as `[registry/]repository[:tag][@sha256:digest]`: the repository in lower case, a tag of letters, digits, `_`, `.` and `-` of at most 128 characters, a digest of 64 hexadecimal characters.',
    tags: ['images', 'correctness'],
    scope: 'repo',
    examples: examples(),
  },
  run({ repo }) {
    return repo.invalidImages.map((image) => report(repo.id, image));
  },
});
