import type { FindingDraft, SourceLocation } from '../findings.js';
import type { FactOrigin } from '../origin.js';
import type { ImageContext, ImageRef } from './types.js';
import { resolveImage } from './resolve.js';
import type { VariableLookup } from './variables.js';

/** An image reference as found, before it is parsed. */
export interface ImageCandidate {
  written: string;
  context: ImageContext;
  origin: FactOrigin;
  tagOrigin?: FactOrigin;
  job?: string;
  /** Where a diagnostic about it goes when `origin` is in another repo (a CI template): the job in this repo. */
  reportAt?: FactOrigin;
  lookup: VariableLookup;
  dockerModifiers?: boolean;
}

export const INVALID_IMAGE_RULE = 'invalid-image-reference';

/** Helm values and manifests are not expanded by anything: a `$VAR` in them is left for envsubst-like tools. */
export const NO_VARIABLES: VariableLookup = () => undefined;

/** The parsed image, or a diagnostic for a reference Docker would reject. */
export function toImageRef(repo: string, candidate: ImageCandidate, fleetRegistries: ReadonlySet<string>): ImageRef | FindingDraft {
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

function invalidImage(repo: string, candidate: ImageCandidate, text: string, error: string): FindingDraft {
  const elsewhere = candidate.origin.repo !== repo;
  const at = elsewhere && candidate.reportAt ? candidate.reportAt : candidate.origin;
  const related: SourceLocation[] = elsewhere ? [{ repo: candidate.origin.repo, file: candidate.origin.file, range: candidate.origin.range }] : [];
  return {
    ruleId: INVALID_IMAGE_RULE,
    severity: 'error',
    message: `Invalid image reference "${text}": ${error}`,
    repo,
    file: at.file,
    range: at.range,
    ...(at.path ? { path: at.path } : {}),
    ...(at.docIndex !== undefined ? { docIndex: at.docIndex } : {}),
    subject: `${candidate.context} ${text}`,
    ...(related.length > 0 ? { related } : {}),
  };
}

export function isImageRef(value: ImageRef | FindingDraft): value is ImageRef {
  return 'context' in value && 'registry' in value;
}
