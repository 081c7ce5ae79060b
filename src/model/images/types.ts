import type { FactOrigin } from '../origin.js';

/** Where an image reference was written, which decides whether an untagged reference pulls `latest`. */
export type ImageContext =
  | 'ci-image'
  | 'ci-service'
  | 'dockerfile-from'
  | 'helm-map'
  | 'helm-string'
  | 'k8s-container'
  /** An image field outside a container spec (an operator's `spec.image`, an image map in a custom resource). */
  | 'k8s-field';

/** A container image reference normalized by the Docker reference grammar. */
export interface ImageRef {
  /** The reference as written, after variable/ARG resolution where possible. */
  raw: string;
  /** `docker.io` when none is written. */
  registry: string;
  /** Full repository path; `library/` is prefixed for official Docker Hub images. */
  repository: string;
  tag?: string;
  digest?: string;
  context: ImageContext;
  /** Where the reference (or its `repository` key) is. */
  origin: FactOrigin;
  /** Where the tag is, when it is written apart from the repository (a Helm `tag:` key). */
  tagOrigin?: FactOrigin;
  /** True when the reference could not be fully resolved (an unresolved `$VARIABLE`, a Helm template). */
  dynamic: boolean;
  /**
   * True when the registry is one of the fleet's own (`FleetSettings.registries`). For a dynamic reference the
   * registry may be unknown: then `registry` is empty and this is false.
   */
  fleetRegistry: boolean;
  /** For CI images: the job that uses it. */
  job?: string;
}

/**
 * An image reference Docker would refuse to pull (an upper-case repository, a tag over 128 characters, ...): the
 * model records it as a fact and the `invalid-image-reference` rule reports it.
 */
export interface InvalidImageRef {
  /** The reference as written, after variable/ARG resolution where possible. */
  raw: string;
  context: ImageContext;
  /** What the reference grammar rejects. */
  error: string;
  /** Where the reference is (possibly a CI template in another repo). */
  origin: FactOrigin;
  /** For CI images: the job that uses it. */
  job?: string;
  /** For CI images: where that job is in this repo's pipeline, when the reference itself is in another repo. */
  jobOrigin?: FactOrigin;
}

/** A `docker push`/`--tag`/`--destination` of an image in a CI script: publishing, not consuming. */
export interface PublishedImage {
  /** The destination as written, after variable resolution where possible. */
  raw: string;
  /** Empty when a variable could be the registry (`${CI_REGISTRY_IMAGE}:1.0`). */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
  /** True when the destination still has a variable with no known value. */
  dynamic: boolean;
  command: string;
  job: string;
  origin: FactOrigin;
}
