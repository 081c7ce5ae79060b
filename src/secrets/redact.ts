import { createHash } from 'node:crypto';

/**
 * The only form in which a secret may leave the secrets module: a short prefix and the length. The prefix
 * is at most four characters and at most a quarter of the value, so a short password shows one letter.
 */
export function redact(value: string): string {
  const shown = Math.min(4, Math.floor(value.length / 4));
  return `${value.slice(0, shown)}… (${value.length} chars)`;
}

/** A stable, non-reversible stand-in for the value, used in fingerprints. */
export function secretDigest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}
