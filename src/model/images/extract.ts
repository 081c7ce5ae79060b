import type { CiPipeline } from '../gitlab-ci/types.js';
import type { Dockerfile } from '../docker/types.js';
import type { HelmFacts } from '../helm/types.js';
import type { K8sObject } from '../k8s/types.js';
import type { FleetSettings } from '../types.js';
import type { DocPath, FindingDraft } from '../findings.js';
import type { ImageRef, InvalidImageRef } from './types.js';
import { isImageRef, NO_VARIABLES, toImageRef, type ImageCandidate } from './candidate.js';
import { ciImageCandidates } from './ci.js';
import type { YamlLookup } from './ci-variables.js';
import { helmImageCandidates, helmValuesImages } from './helm.js';
import { k8sImageCandidates } from './k8s.js';
import { isMap, valueAt } from '../k8s/value.js';
import { inlineHelmValues } from '../argocd/inline-values.js';

export interface ImageSources {
  ci: CiPipeline | undefined;
  dockerfiles: readonly Dockerfile[];
  helm: HelmFacts;
  k8s: readonly K8sObject[];
  settings: FleetSettings;
  /**
   * The parsed YAML of any fleet file: to read CI `variables:` maps (templates included) and to point CI services at
   * their list item. Without it CI variables are unknown and positions fall back to the key.
   */
  yamlOf?: YamlLookup;
  /** The text of a file of the repo: inline `helm.values` strings point at their lines with it. */
  fileText?: (file: string) => string | undefined;
}

export interface ExtractedImages {
  images: ImageRef[];
  /** References Docker would refuse to pull. */
  invalid: InvalidImageRef[];
}

/** A repo's images, and the problems of reading inline `helm.values` strings (parse errors in them). */
export interface RepoImages extends ExtractedImages {
  diagnostics: FindingDraft[];
}

/**
 * Every image a repo consumes: CI jobs and services, Dockerfile FROMs, Helm values (files, and the inline
 * `helm.valuesObject` and `helm.values` of Applications), Kubernetes objects of any kind (imagesInObject).
 */
export function extractImages(repo: string, sources: ImageSources): RepoImages {
  const inline = inlineValuesCandidates(repo, sources.k8s, sources.fileText);
  const candidates: ImageCandidate[] = [
    ...ciImageCandidates(sources.ci, { repo, settings: sources.settings, ...(sources.yamlOf ? { yamlOf: sources.yamlOf } : {}) }),
    ...dockerfileCandidates(sources.dockerfiles),
    ...helmImageCandidates(repo, sources.helm.values),
    ...inline.candidates,
    ...k8sImageCandidates(repo, sources.k8s),
  ];
  return { ...imageRefs(repo, candidates, sources.settings), diagnostics: inline.diagnostics };
}

/**
 * Candidates parsed into images, and the references Docker would refuse (invalid-image-reference reports them). A
 * `k8s-field` that does not parse is not reported: outside a container spec, an `image` may be something else
 * (a VM image name).
 */
export function imageRefs(repo: string, candidates: readonly ImageCandidate[], settings: FleetSettings): ExtractedImages {
  const registries = new Set(settings.registries.map((registry) => registry.toLowerCase()));
  const images: ImageRef[] = [];
  const invalid: InvalidImageRef[] = [];
  for (const candidate of candidates) {
    const result = toImageRef(repo, candidate, registries);
    if (isImageRef(result)) images.push(result);
    else if (candidate.context !== 'k8s-field') invalid.push(result);
  }
  return { images, invalid };
}

/** Inline values of Applications (`helm.valuesObject` and `helm.values` of `spec.source` and each of `spec.sources`). */
function inlineValuesCandidates(repo: string, objects: readonly K8sObject[], fileText: ImageSources['fileText']): { candidates: ImageCandidate[]; diagnostics: FindingDraft[] } {
  const candidates: ImageCandidate[] = [];
  const diagnostics: FindingDraft[] = [];
  for (const object of objects) {
    if (object.kind !== 'Application' || !object.apiVersion.startsWith('argoproj.io/')) continue;
    const spec = valueAt(object.document.value, ['spec']);
    const sourcePaths: DocPath[] = [['spec', 'source'], ...(isMap(spec) && Array.isArray(spec.sources) ? spec.sources.map((_source: unknown, index) => ['spec', 'sources', index]) : [])];
    for (const sourcePath of sourcePaths) {
      const inline = inlineHelmValues(repo, object.document, sourcePath, fileText?.(object.document.file));
      diagnostics.push(...inline.diagnostics);
      for (const values of inline.values) candidates.push(...helmValuesImages(values.value, values.locator));
    }
  }
  return { candidates, diagnostics };
}

/** FROM lines that pull an image: not earlier stages, not `scratch`. ARG defaults are already substituted. */
function dockerfileCandidates(dockerfiles: readonly Dockerfile[]): ImageCandidate[] {
  return dockerfiles.flatMap((dockerfile) =>
    dockerfile.stages
      .filter((stage) => !stage.isStageReference && stage.resolvedFrom.toLowerCase() !== 'scratch')
      .map((stage): ImageCandidate => ({
        written: stage.resolvedFrom,
        context: 'dockerfile-from',
        origin: stage.origin,
        // Unresolved ARGs were left as written; the parser recognizes them again.
        lookup: NO_VARIABLES,
        dockerModifiers: true,
      })),
  );
}
