/** no-latest-tag, the compiled Rego policy, on literal files: one case per place an image is written. */
import { policyTester } from '../support/rule-tester.js';

const TEMPLATES = 'platform/ci-templates';
const APP = 'applications/media/jellyfin';

policyTester('no-latest-tag').run({
  valid: [
    {
      name: 'pinned images everywhere: CI image and service, Dockerfile, Kubernetes container, Helm values',
      files: {
        '.gitlab-ci.yml': 'build:\n  image: docker:27.3.1\n  services:\n    - docker:27.3.1-dind\n  script:\n    - docker build -t app:1.2.3 .\n',
        Dockerfile: 'FROM node:20.14.0-alpine AS build\nFROM nginx@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a\n',
        'k8s/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27.3\n',
        'helm/values.yaml': 'image:\n  repository: jellyfin/jellyfin\n  tag: 10.9.7\n',
      },
    },
    {
      name: 'latest with a digest is pinned by the digest',
      files: { 'k8s/pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx:latest@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a\n' },
    },
    {
      name: 'a tag behind an unresolved CI variable is not judged',
      files: { '.gitlab-ci.yml': 'build:\n  image: $CI_REGISTRY_IMAGE/builder:$BUILDER_VERSION\n  script: [make]\n' },
    },
    {
      name: 'a floating tag the options do not list',
      options: { floatingTags: ['edge'] },
      files: { 'k8s/pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx:stable\n' },
    },
  ],
  invalid: [
    {
      name: 'a Kubernetes container on latest, at the image line',
      files: { 'k8s/pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx:latest\n' },
      findings: [{ file: 'k8s/pod.yaml', line: 8, column: 7, severity: 'error', messageIncludes: 'container image uses the latest tag (nginx:latest)' }],
    },
    {
      name: 'Latest in any case',
      files: { 'k8s/pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx:Latest\n' },
      findings: [{ line: 8, severity: 'error', messageIncludes: 'uses the latest tag (nginx:Latest)' }],
    },
    {
      name: 'Helm values: tag: latest is reported at the tag line',
      files: { 'helm/values.yaml': 'image:\n  repository: jellyfin/jellyfin\n  tag: latest\n  pullPolicy: Always\n' },
      findings: [{ file: 'helm/values.yaml', line: 3, severity: 'error', messageIncludes: 'Helm values image uses the latest tag' }],
    },
    {
      name: 'Helm values: a repository without a tag is a note (the chart uses its appVersion)',
      files: { 'helm/values.yaml': 'image:\n  repository: jellyfin/jellyfin\n' },
      findings: [{ file: 'helm/values.yaml', line: 2, severity: 'note', messageIncludes: 'sets no tag (jellyfin/jellyfin): the chart falls back to its appVersion' }],
    },
    {
      name: 'an untagged CI image and Dockerfile FROM pull latest',
      files: { '.gitlab-ci.yml': 'update:\n  image: alpine/git\n  script: [git push]\n', Dockerfile: 'FROM alpine\nRUN apk add curl\n' },
      findings: [
        { file: '.gitlab-ci.yml', line: 2, severity: 'error', messageIncludes: 'CI job update image has no tag, so the runner pulls latest (alpine/git)' },
        { file: 'Dockerfile', line: 1, severity: 'error', messageIncludes: 'Dockerfile FROM has no tag, so docker build pulls latest (alpine)' },
      ],
    },
    {
      name: 'a floating tag is a warning, and the options name the floating tags',
      options: { floatingTags: ['edge', 'stable'] },
      files: { 'k8s/pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx:stable\n' },
      findings: [{ line: 8, severity: 'warning', messageIncludes: 'uses the floating tag stable (nginx:stable)' }],
    },
    {
      name: 'a CI job that publishes :latest is a warning, at the script line',
      files: { '.gitlab-ci.yml': 'push:\n  image: docker:27.3.1\n  script:\n    - docker push harbor.homelab.local/app:latest\n' },
      findings: [{ file: '.gitlab-ci.yml', line: 4, severity: 'warning', messageIncludes: 'job push publishes harbor.homelab.local/app:latest' }],
    },
    {
      name: "a template's :latest image is reported at the consumer's include, with the template line related",
      repos: {
        [TEMPLATES]: { 'templates/scan.yml': '.scan:\n  image: aquasec/trivy:latest\n  script:\n    - trivy image app\n' },
        [APP]: {
          '.gitlab-ci.yml': "include:\n  - project: 'homelab/platform/ci-templates'\n    file: 'templates/scan.yml'\n\ntrivy:image:\n  extends: .scan\n",
        },
      },
      findings: [
        {
          repo: APP,
          file: '.gitlab-ci.yml',
          line: 2,
          severity: 'error',
          messageIncludes: 'CI job trivy:image image uses the latest tag (aquasec/trivy:latest)',
          related: [{ repo: TEMPLATES, file: 'templates/scan.yml', line: 2 }],
        },
      ],
    },
  ],
});
