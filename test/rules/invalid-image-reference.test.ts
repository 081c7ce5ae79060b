import { describe, expect, it } from 'vitest';
import invalidImageReference from '../../rules/invalid-image-reference.js';
import { ruleTester } from '../support/rule-tester.js';

const TEMPLATES = 'platform/ci-templates';
const APP = 'applications/app';

ruleTester(invalidImageReference).run({
  valid: [
    {
      name: 'references Docker can pull, and templates and variables it cannot check',
      files: {
        'helm/values.yaml': 'image:\n  repository: ghcr.io/acme/app\n  tag: "1.2"\nsidecar: busybox:1.36\ntpl: "{{ .Values.image }}"\n',
        Dockerfile: 'ARG BASE=alpine\nFROM ${BASE}:3.20\n',
        '.gitlab-ci.yml': 'build:\n  image: $CI_REGISTRY_IMAGE/builder:1\n  script: [make]\n',
      },
    },
  ],
  invalid: [
    {
      name: 'an upper-case repository in Helm values, at its line',
      files: { 'helm/values.yaml': 'image: Bad/Name:1\n' },
      findings: [{ file: 'helm/values.yaml', line: 1, severity: 'error', messageIncludes: ['Invalid image reference "Bad/Name:1"', 'lowercase'] }],
    },
    {
      name: 'a tag longer than 128 characters in a Dockerfile',
      files: { Dockerfile: `FROM alpine:${'x'.repeat(129)}\n` },
      findings: [{ file: 'Dockerfile', line: 1, messageIncludes: 'Invalid image reference "alpine:' }],
    },
    {
      name: "a template's invalid image, on the job of the consumer that uses it",
      repos: {
        [TEMPLATES]: { 'templates/build.yml': '.build:\n  image: Alpine\n  script: [make]\n' },
        [APP]: { '.gitlab-ci.yml': "include:\n  - project: 'homelab/platform/ci-templates'\n    file: templates/build.yml\n\nbuild:\n  extends: .build\n" },
      },
      findings: [{ repo: APP, file: '.gitlab-ci.yml', line: 5, messageIncludes: 'Invalid image reference "Alpine"' }],
    },
  ],
});

describe('invalid-image-reference on a template image', () => {
  it("names the template's line as related, and carries the reference in its data", async () => {
    const [finding, ...rest] = await ruleTester(invalidImageReference).findingsOf({
      name: 'template',
      repos: {
        [TEMPLATES]: { 'templates/build.yml': '.build:\n  image: Alpine\n  script: [make]\n' },
        [APP]: { '.gitlab-ci.yml': "include:\n  - project: 'homelab/platform/ci-templates'\n    file: templates/build.yml\n\nbuild:\n  extends: .build\n" },
      },
    });
    expect(rest).toEqual([]);
    expect(finding?.related?.map((where) => [where.repo, where.file, where.range?.startLine])).toEqual([[TEMPLATES, 'templates/build.yml', 2]]);
    expect(finding?.data).toMatchObject({ kind: 'invalid-image', raw: 'Alpine', context: 'ci-image', job: 'build' });
  });
});
