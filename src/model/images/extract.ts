import type { CiPipeline } from '../gitlab-ci/types.js';
import type { Dockerfile } from '../docker/types.js';
import type { HelmFacts } from '../helm/types.js';
import type { K8sObject } from '../k8s/types.js';
import type { FleetSettings } from '../types.js';
import type { ImageRef, InvalidImageRef } from './types.js';
import { isImageRef, NO_VARIABLES, toImageRef, type ImageCandidate } from './candidate.js';
import { ciImageCandidates } from './ci.js';
import type { YamlLookup } from './ci-variables.js';
import { helmImageCandidates, inlineValuesCandidates } from './helm.js';
import { k8sImageCandidates } from './k8s.js';

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
}

export interface ExtractedImages {
  images: ImageRef[];
  /** References Docker would refuse to pull. */
  invalid: InvalidImageRef[];
}

/**
 * Every image a repo consumes: CI jobs and services, Dockerfile FROMs, Helm values (files, and the inline
 * `helm.valuesObject` of Applications), Kubernetes containers.
 */
export function extractImages(repo: string, sources: ImageSources): ExtractedImages {
  const candidates: ImageCandidate[] = [
    ...ciImageCandidates(sources.ci, { repo, settings: sources.settings, ...(sources.yamlOf ? { yamlOf: sources.yamlOf } : {}) }),
    ...dockerfileCandidates(sources.dockerfiles),
    ...helmImageCandidates(repo, sources.helm.values),
    ...inlineValuesCandidates(repo, sources.k8s),
    ...k8sImageCandidates(repo, sources.k8s),
  ];
  const registries = new Set(sources.settings.registries.map((registry) => registry.toLowerCase()));
  const images: ImageRef[] = [];
  const invalid: InvalidImageRef[] = [];
  for (const candidate of candidates) {
    const result = toImageRef(repo, candidate, registries);
    if (isImageRef(result)) images.push(result);
    else invalid.push(result);
  }
  return { images, invalid };
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
