import { describe, expect, it } from 'vitest';
import { parseYamlFile } from '../../src/model/yaml/parse.js';
import { loadK8sObjects } from '../../src/model/k8s/load.js';
import { extractImages } from '../../src/model/images/extract.js';
import { resolveImage } from '../../src/model/images/resolve.js';
import { NO_VARIABLES } from '../../src/model/images/candidate.js';
import type { FleetSettings } from '../../src/model/types.js';

const REPO = 'platform/workflows';
const settings: FleetSettings = { registries: ['harbor.homelab.local'], providers: [] };

function imagesOf(file: string, text: string) {
  const parsed = parseYamlFile(REPO, file, text).parsed;
  const k8s = loadK8sObjects(REPO, new Map([[file, parsed]]));
  return extractImages(REPO, { ci: undefined, dockerfiles: [], helm: { values: [], charts: [] }, k8s, settings, fileText: () => text });
}

const brief = (result: ReturnType<typeof imagesOf>) => result.images.map((image) => [image.raw, image.context, image.tag ?? null, image.origin.line]);

describe('images in objects of any kind', () => {
  it('Argo Workflows templates: container, script and sidecars are container specs', () => {
    const result = imagesOf(
      'workflows/build.yaml',
      `apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: build
spec:
  templates:
    - name: checkout
      container:
        image: alpine:latest
        command: [sh, -c]
    - name: test
      script:
        image: python
        source: print(1)
      sidecars:
        - name: db
          image: postgres:16
`,
    );
    expect(brief(result)).toEqual([
      ['alpine:latest', 'k8s-container', 'latest', 9],
      ['python', 'k8s-container', null, 13],
      ['postgres:16', 'k8s-container', '16', 17],
    ]);
  });

  it('operator custom resources: image strings and image maps are image fields; VM images are not images', () => {
    const result = imagesOf(
      'db/cluster.yaml',
      `apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: db
spec:
  image: ghcr.io/cloudnative-pg/postgresql
  exporter:
    image:
      repository: quay.io/prometheuscommunity/postgres-exporter
      tag: latest
  backup:
    repository: harbor.homelab.local/backup/agent
    tag: "1.10"
  osImage: ubuntu-22.04
  bad:
    image: Not An Image
---
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: vm
spec:
  template:
    spec:
      volumes:
        - containerDisk:
            image: quay.io/containerdisks/fedora:latest
`,
    );
    expect(brief(result)).toEqual([
      ['ghcr.io/cloudnative-pg/postgresql', 'k8s-field', null, 6],
      ['quay.io/prometheuscommunity/postgres-exporter:latest', 'k8s-field', 'latest', 9],
      ['harbor.homelab.local/backup/agent:1.10', 'k8s-field', '1.10', 12],
      ['quay.io/containerdisks/fedora:latest', 'k8s-field', 'latest', 27],
    ]);
    expect(result.images[1]?.tagOrigin?.line).toBe(10);
    // "Not An Image" outside a container spec is not an image: no invalid-image-reference.
    expect(result.diagnostics).toEqual([]);
  });

  it('a Flux HelmRelease\'s values are read as Helm values', () => {
    const result = imagesOf(
      'apps/echo.yaml',
      `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: echo
spec:
  values:
    controllers:
      echo:
        containers:
          app:
            image:
              repository: ghcr.io/mendhak/http-https-echo
              tag: latest
`,
    );
    expect(brief(result)).toEqual([['ghcr.io/mendhak/http-https-echo:latest', 'helm-map', 'latest', 12]]);
  });
});

describe('inline Helm values of an Application', () => {
  const application = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: grafana
spec:
  source:
    repoURL: https://grafana.github.io/helm-charts
    chart: grafana
    helm:
      values: |
        image:
          repository: grafana/grafana
          tag: latest

        sidecar:
          image: quay.io/kiwigrid/k8s-sidecar
`;

  it('a values: | string is parsed, and its images point at their lines in the Application file', () => {
    const result = imagesOf('apps/grafana.yaml', application);
    expect(brief(result)).toEqual([
      ['grafana/grafana:latest', 'helm-map', 'latest', 12],
      ['quay.io/kiwigrid/k8s-sidecar', 'helm-string', null, 16],
    ]);
    expect(result.images[0]?.tagOrigin?.range).toEqual({ startLine: 13, startColumn: 11, endLine: 13, endColumn: 22 });
    expect(result.images[0]?.origin.path).toBeUndefined();
  });

  it('values that are not YAML are a parse-error at their line', () => {
    const result = imagesOf('apps/grafana.yaml', application.replace('          tag: latest', '          tag: a: b'));
    expect(result.diagnostics.map((finding) => [finding.ruleId, finding.range?.startLine])).toContainEqual(['parse-error', 13]);
  });
});

describe('placeholders in image references', () => {
  it('a <PLACEHOLDER> registry is unknown, not invalid; the tag is still read', () => {
    const resolved = resolveImage('<CONTAINER_REGISTRY_URL>/metaphor:latest', NO_VARIABLES);
    expect(resolved).toEqual({ ok: true, text: '<CONTAINER_REGISTRY_URL>/metaphor:latest', dynamic: true, reference: { registry: '', repository: '<CONTAINER_REGISTRY_URL>/metaphor', tag: 'latest' } });
    expect(resolveImage('((registry))/app:((version))', NO_VARIABLES)).toMatchObject({ ok: true, dynamic: true, reference: { repository: '((registry))/app', tag: '((version))' } });
    expect(resolveImage('${REGISTRY}/app:${TAG}', NO_VARIABLES)).toMatchObject({ ok: true, dynamic: true });
  });
});
