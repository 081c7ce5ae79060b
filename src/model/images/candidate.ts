import type { FactOrigin } from '../origin.js';
import type { ImageContext, ImageRef, InvalidImageRef } from './types.js';
import { resolveImage } from './resolve.js';
import type { VariableLookup } from './variables.js';

/** An image reference as found, before it is parsed. */
export interface ImageCandidate {
  written: string;
  context: ImageContext;
  origin: FactOrigin;
  tagOrigin?: FactOrigin;
  job?: string;
  /** For a CI image: where the job that uses it is in this repo's pipeline. */
  jobOrigin?: FactOrigin;
  lookup: VariableLookup;
  dockerModifiers?: boolean;
}

/** Helm values and manifests are not expanded by anything: a `$VAR` in them is left for envsubst-like tools. */
export const NO_VARIABLES: VariableLookup = () => undefined;

/** The parsed image, or the fact that Docker would reject the reference. */
export function toImageRef(repo: string, candidate: ImageCandidate, fleetRegistries: ReadonlySet<string>): ImageRef | InvalidImageRef {
  const base = {
    context: candidate.context,
    origin: candidate.origin,
    ...(candidate.tagOrigin ? { tagOrigin: candidate.tagOrigin } : {}),
    ...(candidate.job !== undefined ? { job: candidate.job } : {}),
  };
  // A Helm template (`{{ .Values.image }}`) is only known after rendering.
  if (candidate.written.includes('{{')) {
    return { ...base, raw: candidate.written, registry: '', repository: candidate.written, dynamic: true, fleetRegistry: false };
  }
  const resolved = resolveImage(candidate.written, candidate.lookup, candidate.dockerModifiers ? { dockerModifiers: true } : {});
  if (!resolved.ok) return invalidImage(repo, candidate, resolved.text, resolved.error);
  const { reference } = resolved;
  return {
    ...base,
    raw: resolved.text,
    registry: reference.registry,
    repository: reference.repository,
    ...(reference.tag !== undefined ? { tag: reference.tag } : {}),
    ...(reference.digest !== undefined ? { digest: reference.digest } : {}),
    dynamic: resolved.dynamic,
    fleetRegistry: reference.registry !== '' && fleetRegistries.has(reference.registry.toLowerCase()),
  };
}

function invalidImage(repo: string, candidate: ImageCandidate, text: string, error: string): InvalidImageRef {
  return {
    raw: text,
    context: candidate.context,
    error,
    origin: candidate.origin,
    ...(candidate.job !== undefined ? { job: candidate.job } : {}),
    ...(candidate.jobOrigin && candidate.origin.repo !== repo ? { jobOrigin: candidate.jobOrigin } : {}),
  };
}

export function isImageRef(value: ImageRef | InvalidImageRef): value is ImageRef {
  return !('error' in value);
}
