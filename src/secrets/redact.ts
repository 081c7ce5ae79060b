import { createHmac } from 'node:crypto';

/**
 * The only form in which a secret may leave the secrets module: a short prefix and the length. The prefix
 * is at most four characters and at most a quarter of the value, so a short password shows one letter.
 */
export function redact(value: string): string {
  const shown = Math.min(4, Math.floor(value.length / 4));
  return `${value.slice(0, shown)}… (${value.length} chars)`;
}

/**
 * A digest of a secret keyed with a key that stays on this machine (the cache folder's): it tells whether two
 * secrets are the same without letting anyone who reads it test guesses of a weak password offline, as an
 * unsalted digest would. It never goes into a report.
 */
export function keyedDigest(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value).digest('hex').slice(0, 32);
}

/** Token formats strong enough to scrub wherever they appear (the no-secrets rule reports them properly). */
const TOKEN_PATTERNS: RegExp[] = [/\bglpat-[\w-]{20,}/g, /\bgh[pousr]_\w{30,}/g, /\bgithub_pat_\w{30,}/g, /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, /\bxox[abposr]-[\w-]{10,}/g];

/**
 * Removes credentials from any text fleetlint prints about a user's files: URL userinfo (`https://user:pass@`),
 * secret-looking query parameters (`?private_token=`), and well-known token formats. The runner applies it to
 * every finding's message and subject, so no loader or rule that quotes a URL or a value can leak one.
 */
export function scrubCredentials(text: string): string {
  let scrubbed = text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^/@\s'"]+)@/gi, (whole, scheme: string, userinfo: string) => (userinfo === 'git' ? whole : `${scheme}***@`))
    // An image reference or host with a password and no scheme (`admin:Passw0rd@registry/app`); not a digest (`app:1.0@sha256:…`).
    .replace(/(^|[\s'"(=,[])([^\s:@/'"()=,[\]]+):([^\s@/'"()]+)@(?!sha\d+:)(?=[\w.-]+(?:[:/]|$|[\s'")]))/g, '$1$2:***@')
    // Query parameters that carry a credential: `?private_token=`, `?job_token=`, a signed URL's `X-Amz-Signature=`.
    .replace(/([?&;](?:[\w.-]*[_-])?(?:token|password|passwd|pwd|secret|api[_-]?key|key|sig|signature|credential|auth)=)[^&\s#'"]+/gi, '$1***');
  for (const pattern of TOKEN_PATTERNS) scrubbed = scrubbed.replace(pattern, (token) => `${token.slice(0, 4)}***`);
  return scrubbed;
}
