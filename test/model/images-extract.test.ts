import { describe, expect, it } from 'vitest';
import { parseYamlFile, type ParsedYamlFile } from '../../src/model/yaml/parse.js';
import { originAt, originAtLine, type FactOrigin } from '../../src/model/origin.js';
import type { CiJob, CiPipeline, CiScriptLine } from '../../src/model/gitlab-ci/types.js';
import type { FleetSettings } from '../../src/model/types.js';
import type { HelmFacts } from '../../src/model/helm/types.js';
import { loadK8sObjects } from '../../src/model/k8s/load.js';
import { parseDockerfile } from '../../src/model/docker/load.js';
import { extractImages } from '../../src/model/images/extract.js';
import { extractPublishedImages } from '../../src/model/images/published.js';

const REPO = 'applications/media/jellyfin';
const settings: FleetSettings = { group: 'homelab', registries: ['harbor.homelab.local'], providers: [] };
const NO_HELM: HelmFacts = { values: [], charts: [] };

function parse(file: string, text: string, repo = REPO): ParsedYamlFile {
  return parseYamlFile(repo, file, text).parsed;
}

function valuesFacts(file: string, text: string): HelmFacts {
  const document = parse(file, text).documents[0];
  if (!document) throw new Error('no document');
  return { values: [{ file, document, referenced: false }], charts: [] };
}

function job(name: string, fields: Partial<CiJob> = {}): CiJob {
  return {
    name,
    stage: 'test',
    services: [],
    script: [],
    when: 'on_success',
    allowFailure: false,
    needs: [],
    extends: [],
    runsIn: { mergeRequest: true, branch: true, defaultBranch: true, tag: true, schedule: true },
    runsInMergeRequests: true,
    runsOnDefaultBranch: true,
    mixesRulesAndOnly: false,
    origin: originAtLine(REPO, '.gitlab-ci.yml', 1),
    keyOrigins: {},
    scans: [],
    gatesMergeRequests: { value: true, reason: 'runs-in-merge-requests' },
    ...fields,
  };
}

function pipeline(jobs: CiJob[], variables?: Record<string, string>): CiPipeline {
  const ci: CiPipeline = { file: '.gitlab-ci.yml', stages: ['test'], stagesDeclared: true, includes: [], jobs, workflowAllowsMergeRequests: true, runsIn: { mergeRequest: true, branch: true, defaultBranch: true, tag: true, schedule: true }, unresolvedSources: [], hiddenJobs: [] };
  // The CI resolver may add global variables; extraction reads them when present.
  return variables ? Object.assign(ci, { variables }) : ci;
}

describe('extractImages: Helm values', () => {
  const helm = valuesFacts(
    'helm/values.yaml',
    `image:
  repository: harbor.homelab.local/applications/jellyfin
  tag: latest
  pullPolicy: Always
sidecar:
  image:
    registry: quay.io
    repository: prometheus/node-exporter
    tag: 1.10
    digest: sha256:${'c'.repeat(64)}
exporter:
  image: {repository: ghcr.io/org/exporter, tag: ""}
initImage: busybox:1.36
backupImage: ""
pullImage: true
chart:
  repository: https://charts.example.com
worker:
  image:
    name: redis
    tag: 7
tpl:
  image: "{{ .Values.global.image }}"
bad:
  image: Bad/Name:1
`,
  );
  const { images, invalid } = extractImages(REPO, { ci: undefined, dockerfiles: [], helm, k8s: [], settings });

  it('reads repository maps with registry, numeric tags as written, digests and empty tags', () => {
    expect(images.map((image) => [image.context, image.raw, image.registry, image.repository, image.tag, image.digest, image.origin.line, image.tagOrigin?.line])).toEqual([
      ['helm-map', 'harbor.homelab.local/applications/jellyfin:latest', 'harbor.homelab.local', 'applications/jellyfin', 'latest', undefined, 2, 3],
      ['helm-map', `quay.io/prometheus/node-exporter:1.10@sha256:${'c'.repeat(64)}`, 'quay.io', 'prometheus/node-exporter', '1.10', `sha256:${'c'.repeat(64)}`, 8, 9],
      ['helm-map', 'ghcr.io/org/exporter', 'ghcr.io', 'org/exporter', undefined, undefined, 12, 12],
      ['helm-string', 'busybox:1.36', 'docker.io', 'library/busybox', '1.36', undefined, 13, undefined],
      ['helm-map', 'redis:7', 'docker.io', 'library/redis', '7', undefined, 20, 21],
      ['helm-string', '{{ .Values.global.image }}', '', '{{ .Values.global.image }}', undefined, undefined, 23, undefined],
    ]);
    expect(images[0]).toMatchObject({ fleetRegistry: true, dynamic: false });
    expect(images[5]?.dynamic).toBe(true);
  });

  it('records an invalid reference, with why and where, as a fact apart', () => {
    expect(invalid.map((image) => [image.context, image.raw, image.origin.file, image.origin.line, image.jobOrigin])).toEqual([['helm-string', 'Bad/Name:1', 'helm/values.yaml', 25, undefined]]);
    expect(invalid[0]?.error).toMatch(/lowercase/);
  });
});

describe('extractImages: Kubernetes containers', () => {
  it('reads containers, init and ephemeral containers under any workload', () => {
    const yaml = new Map([
      [
        'k8s/workloads.yaml',
        parse(
          'k8s/workloads.yaml',
          `apiVersion: batch/v1
kind: CronJob
metadata: {name: backup}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          initContainers:
            - name: init
              image: alpine
          containers:
            - name: main
              image: harbor.homelab.local/backup/restic:0.16
---
apiVersion: v1
kind: Pod
metadata: {name: debug}
spec:
  ephemeralContainers:
    - {name: dbg, image: "nicolaka/netshoot@sha256:${'d'.repeat(64)}"}
  containers: [{name: x}]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things}
spec:
  containers: [{image: not-real}]
`,
        ),
      ],
    ]);
    const { images } = extractImages(REPO, { ci: undefined, dockerfiles: [], helm: NO_HELM, k8s: loadK8sObjects(REPO, yaml), settings });
    expect(images.map((image) => [image.context, image.registry, image.repository, image.tag, image.origin.line, image.origin.path])).toEqual([
      ['k8s-container', 'docker.io', 'library/alpine', undefined, 11, ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'initContainers', 0, 'image']],
      ['k8s-container', 'harbor.homelab.local', 'backup/restic', '0.16', 14, ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'containers', 0, 'image']],
      ['k8s-container', 'docker.io', 'nicolaka/netshoot', undefined, 21, ['spec', 'ephemeralContainers', 0, 'image']],
    ]);
  });
});

describe('extractImages: Dockerfiles', () => {
  it('takes FROM images with ARGs resolved, not stages or scratch', () => {
    const { dockerfile } = parseDockerfile(REPO, 'Dockerfile', 'ARG V=3.19\nARG BASE\nFROM alpine:${V} AS build\nFROM build\nFROM scratch\nFROM ${BASE}:1\n');
    const { images } = extractImages(REPO, { ci: undefined, dockerfiles: [dockerfile], helm: NO_HELM, k8s: [], settings });
    expect(images.map((image) => [image.context, image.raw, image.repository, image.tag, image.dynamic, image.origin.line])).toEqual([
      ['dockerfile-from', 'alpine:3.19', 'library/alpine', '3.19', false, 3],
      ['dockerfile-from', '${BASE}:1', '${BASE}', '1', true, 6],
    ]);
  });
});

describe('extractImages: CI jobs', () => {
  const templateYaml = parse('templates/docker-build.yml', '.docker:base:\n  image: docker:latest\n  services:\n    - docker:dind\n    - name: postgres:16\n      alias: db\n', 'platform/ci-templates');
  const templateDoc = templateYaml.documents[0];
  if (!templateDoc) throw new Error('no document');
  const imageOrigin: FactOrigin = originAt('platform/ci-templates', templateDoc, ['.docker:base', 'image']);
  const servicesOrigin: FactOrigin = originAt('platform/ci-templates', templateDoc, ['.docker:base', 'services']);
  const ownOrigin = originAtLine(REPO, '.gitlab-ci.yml', 20, 3);

  const ci = pipeline(
    [
      job('docker:build', { image: 'docker:latest', services: ['docker:dind', 'postgres:16'], keyOrigins: { image: imageOrigin, services: servicesOrigin } }),
      Object.assign(job('scan', { image: '${SCANNER}:${SCANNER_TAG}', keyOrigins: { image: ownOrigin } }), { variables: { SCANNER_TAG: '0.50' } }),
      job('deploy', { image: '$CI_REGISTRY_IMAGE/deployer:1' }),
      job('broken', { image: 'Alpine', origin: originAtLine(REPO, '.gitlab-ci.yml', 30), keyOrigins: { image: imageOrigin } }),
    ],
    { SCANNER: 'aquasec/trivy' },
  );

  it('reads image and services, pointing into the template that set them', () => {
    const yamlOf = (repo: string, file: string): ParsedYamlFile | undefined => (repo === 'platform/ci-templates' && file === 'templates/docker-build.yml' ? templateYaml : undefined);
    const { images, invalid } = extractImages(REPO, { ci, dockerfiles: [], helm: NO_HELM, k8s: [], settings, yamlOf });
    expect(images.map((image) => [image.job, image.context, image.raw, image.tag, image.dynamic, image.origin.repo, image.origin.file, image.origin.line])).toEqual([
      ['docker:build', 'ci-image', 'docker:latest', 'latest', false, 'platform/ci-templates', 'templates/docker-build.yml', 2],
      ['docker:build', 'ci-service', 'docker:dind', 'dind', false, 'platform/ci-templates', 'templates/docker-build.yml', 4],
      ['docker:build', 'ci-service', 'postgres:16', '16', false, 'platform/ci-templates', 'templates/docker-build.yml', 5],
      ['scan', 'ci-image', 'aquasec/trivy:0.50', '0.50', false, REPO, '.gitlab-ci.yml', 20],
      ['deploy', 'ci-image', '$CI_REGISTRY_IMAGE/deployer:1', '1', true, REPO, '.gitlab-ci.yml', 1],
    ]);
    expect(images[2]?.origin.path).toEqual(['.docker:base', 'services', 1, 'name']);
    expect(images[4]?.registry).toBe('');
    // An invalid image from a template keeps where the job that uses it is in this repo.
    expect(invalid.map((image) => [image.job, image.raw, image.origin.repo, image.jobOrigin?.repo, image.jobOrigin?.file, image.jobOrigin?.line])).toEqual([
      ['broken', 'Alpine', 'platform/ci-templates', REPO, '.gitlab-ci.yml', 30],
    ]);
  });

  it('falls back to the services key without the template file', () => {
    const { images } = extractImages(REPO, { ci, dockerfiles: [], helm: NO_HELM, k8s: [], settings });
    expect(images[2]?.origin.line).toBe(3);
  });
});

describe('extractPublishedImages', () => {
  function script(...lines: string[]): CiScriptLine[] {
    return lines.map((text, index) => ({ text, section: 'script', origin: originAtLine(REPO, '.gitlab-ci.yml', 10 + index) }));
  }

  it('finds pushes, tags and destinations of the usual tools', () => {
    const ci = pipeline([
      Object.assign(
        job('docker:build', {
          script: script(
            'docker build --build-arg CI_COMMIT_SHA=${CI_COMMIT_SHA} --tag ${IMAGE_NAME}:${IMAGE_TAG} --tag ${IMAGE_NAME}:latest .',
            'docker push ${IMAGE_NAME}:${IMAGE_TAG} && docker push "${IMAGE_NAME}:latest"',
            'docker tag $IMAGE_NAME:$IMAGE_TAG registry:5000/mirror/app:stable',
            'docker buildx build --platform linux/amd64,linux/arm64 -t harbor.homelab.local/apps/web:2 --push .',
            'docker images',
          ),
        }),
        { variables: { IMAGE_NAME: 'harbor.homelab.local/applications/jellyfin' } },
      ),
      job('others', {
        script: script(
          '/kaniko/executor --context $CI_PROJECT_DIR --dockerfile Dockerfile --destination harbor.homelab.local/a/b:1.0 --destination=harbor.homelab.local/a/b:latest',
          'crane copy alpine:3 harbor.homelab.local/mirror/alpine:3',
          'crane tag harbor.homelab.local/a/b:1.0 stable',
          'skopeo copy --dest-creds u:p docker://alpine:3 docker://harbor.homelab.local/mirror/alpine:3.1',
          'skopeo copy docker://alpine:3 oci:local',
          'TAG=9; buildah push localimage docker://harbor.homelab.local/a/c:$TAG',
          'export REPO=harbor.homelab.local/x/y\nsudo podman push $REPO',
          'echo docker push not-this',
        ),
      }),
    ]);
    const published = extractPublishedImages(ci);
    expect(published.map((image) => [image.job, image.command, image.raw, image.registry, image.tag, image.dynamic, image.origin.line])).toEqual([
      ['docker:build', 'docker build', 'harbor.homelab.local/applications/jellyfin:${IMAGE_TAG}', 'harbor.homelab.local', '${IMAGE_TAG}', true, 10],
      ['docker:build', 'docker build', 'harbor.homelab.local/applications/jellyfin:latest', 'harbor.homelab.local', 'latest', false, 10],
      ['docker:build', 'docker push', 'harbor.homelab.local/applications/jellyfin:${IMAGE_TAG}', 'harbor.homelab.local', '${IMAGE_TAG}', true, 11],
      ['docker:build', 'docker push', 'harbor.homelab.local/applications/jellyfin:latest', 'harbor.homelab.local', 'latest', false, 11],
      ['docker:build', 'docker tag', 'registry:5000/mirror/app:stable', 'registry:5000', 'stable', false, 12],
      ['docker:build', 'docker buildx build', 'harbor.homelab.local/apps/web:2', 'harbor.homelab.local', '2', false, 13],
      ['others', 'kaniko', 'harbor.homelab.local/a/b:1.0', 'harbor.homelab.local', '1.0', false, 10],
      ['others', 'kaniko', 'harbor.homelab.local/a/b:latest', 'harbor.homelab.local', 'latest', false, 10],
      ['others', 'crane copy', 'harbor.homelab.local/mirror/alpine:3', 'harbor.homelab.local', '3', false, 11],
      ['others', 'crane tag', 'harbor.homelab.local/a/b:stable', 'harbor.homelab.local', 'stable', false, 12],
      ['others', 'skopeo copy', 'harbor.homelab.local/mirror/alpine:3.1', 'harbor.homelab.local', '3.1', false, 13],
      ['others', 'buildah push', 'harbor.homelab.local/a/c:9', 'harbor.homelab.local', '9', false, 15],
      ['others', 'podman push', 'harbor.homelab.local/x/y', 'harbor.homelab.local', undefined, false, 16],
    ]);
  });

  it('keeps an unresolvable destination dynamic with the tag it shows', () => {
    const [image] = extractPublishedImages(pipeline([job('j', { script: script('docker push $CI_REGISTRY_IMAGE:latest') })]));
    expect(image).toMatchObject({ raw: '$CI_REGISTRY_IMAGE:latest', registry: '', tag: 'latest', dynamic: true });
    expect(extractPublishedImages(undefined)).toEqual([]);
  });
});

describe('extractImages: image strings that a chart composes with a version', () => {
  it('reads gitlab-runner style {registry, image, tag} maps as one image map', () => {
    const helm = valuesFacts('helm/values.yaml', 'image:\n  registry: registry.gitlab.com\n  image: gitlab-org/gitlab-runner\n  tag: alpine-v16.11.1\n');
    const { images } = extractImages(REPO, { ci: undefined, dockerfiles: [], helm, k8s: [], settings });
    expect(images.map((image) => [image.context, image.registry, image.repository, image.tag])).toEqual([
      ['helm-map', 'registry.gitlab.com', 'gitlab-org/gitlab-runner', 'alpine-v16.11.1'],
    ]);
  });

  it('treats an untagged image string beside a version key as chart-composed (helm-map), not a pull of latest', () => {
    const helm = valuesFacts('helm/values.yaml', 'image: public.ecr.aws/gravitational/teleport-distroless\nteleportVersionOverride: "15.3.7"\n');
    const { images } = extractImages(REPO, { ci: undefined, dockerfiles: [], helm, k8s: [], settings });
    expect(images.map((image) => [image.context, image.tag])).toEqual([['helm-map', undefined]]);
  });

  it('takes a shared imageVersion above untagged image strings as their tag, as kubecost\'s chart composes them', () => {
    // From aws-samples/eks-blueprints-add-ons, add-ons/kubecost/values.yaml.
    const helm = valuesFacts('helm/values.yaml', 'cost-analyzer:\n  imageVersion: prod-1.100.2\n  kubecostFrontend:\n    image: public.ecr.aws/kubecost/frontend\n  kubecostModel:\n    image: public.ecr.aws/kubecost/cost-model:prod-1.99.0\n');
    const { images } = extractImages(REPO, { ci: undefined, dockerfiles: [], helm, k8s: [], settings });
    expect(images.map((image) => [image.context, image.raw, image.origin.line, image.tagOrigin?.line])).toEqual([
      ['helm-map', 'public.ecr.aws/kubecost/frontend:prod-1.100.2', 4, 2],
      ['helm-string', 'public.ecr.aws/kubecost/cost-model:prod-1.99.0', 6, undefined],
    ]);
  });

  it('keeps a lone untagged image string as helm-string', () => {
    const helm = valuesFacts('helm/values.yaml', 'image: busybox\nreplicas: 2\n');
    const { images } = extractImages(REPO, { ci: undefined, dockerfiles: [], helm, k8s: [], settings });
    expect(images.map((image) => image.context)).toEqual(['helm-string']);
  });
});
