import { isUnresolvedPlaceholder } from '../placeholder.js';

/** The parse of an `argocd.argoproj.io/sync-wave` annotation value, as ArgoCD (gitops-engine) reads it. */
export interface ParsedWave {
  wave: number;
  text?: string;
  valid: boolean;
  problem?: 'not-an-integer' | 'not-a-string';
  /** The annotation is a substitution placeholder (`${ARGOCD_ENV_wave}`): its wave is known only once substituted. */
  unknown?: true;
}

/**
 * gitops-engine uses Go's `strconv.Atoi` on the annotation and falls back to 0 when it fails, so "1.5", " 2" and
 * "two" all sync in wave 0. A YAML number (`sync-wave: 2`) never reaches ArgoCD: the API server rejects
 * non-string annotations. Its number is kept so that ordering checks still see the intent. A placeholder
 * (`"${ARGOCD_ENV_wave}"`, `"{{ .wave }}"`) is replaced before ArgoCD reads it: the wave is unknown, not invalid.
 */
export function parseSyncWave(value: unknown): ParsedWave {
  if (value === undefined) return { wave: 0, valid: true };
  if (typeof value === 'string') {
    const wave = /^[+-]?[0-9]+$/.test(value) ? Number(value) : Number.NaN;
    if (Number.isSafeInteger(wave)) return { wave, text: value, valid: true };
    if (isUnresolvedPlaceholder(value)) return { wave: 0, text: value, valid: true, unknown: true };
    return { wave: 0, text: value, valid: false, problem: 'not-an-integer' };
  }
  const text = typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  const wave = typeof value === 'number' && Number.isSafeInteger(value) ? value : 0;
  return { wave, text, valid: false, problem: 'not-a-string' };
}
