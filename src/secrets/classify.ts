/**
 * Keys are matched on their last word (or two) so that `adminPassword`, `POSTGRES_PASSWORD`,
 * `minio.secretKey` and `apiKey` hold secrets while `passwordKey`, `existingSecret` and
 * `tokenSecretRef` only name where a secret lives.
 */
const CREDENTIAL_LAST_WORDS = new Set(['password', 'passwd', 'pwd', 'secret', 'token', 'credential', 'credentials', 'apikey', 'passphrase']);
const CREDENTIAL_LAST_TWO_WORDS = new Set(['api key', 'access key', 'secret key', 'private key', 'client secret', 'auth token', 'secret access']);
const NAMING_FIRST_WORDS = new Set(['existing', 'use', 'enable', 'enabled', 'disable', 'create', 'generate', 'require', 'skip', 'manage', 'auto']);

/** Splits `adminPassword`, `POSTGRES_PASSWORD`, `client-secret`, `minio.secretKey` into lower-case words. */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.toLowerCase());
}

/** The last word of a key: `tlsSecret` -> `secret`, `DB_PASSWORD` -> `password`. */
export function lastWord(key: string): string {
  return words(key).at(-1) ?? '';
}

/** Every credential word above holds one of these: a key without any is not one (most keys, cheaply). */
export const CREDENTIAL_HINT = /pass|pwd|secret|token|credential|key/i;

export function isCredentialKey(key: string): boolean {
  if (!CREDENTIAL_HINT.test(key)) return false;
  const parts = words(key);
  const last = parts.at(-1);
  if (last === undefined) return false;
  const lastTwo = parts.slice(-2).join(' ');
  if (!CREDENTIAL_LAST_WORDS.has(last) && !CREDENTIAL_LAST_TWO_WORDS.has(lastTwo)) return false;
  return !NAMING_FIRST_WORDS.has(parts[0] ?? '');
}

/**
 * Keys ending in "secret" usually name a Kubernetes Secret (`tlsSecret: vaultwarden-tls`, Traefik's
 * `basicAuth.secret: dashboard-auth`): a lower-case DNS name with a dash is an object name, not a credential.
 */
export function isSecretObjectName(key: string, value: string): boolean {
  // `clientSecret` is always the OAuth secret itself, and GitLab's (`gloas-…`) look like object names.
  if (CREDENTIAL_LAST_TWO_WORDS.has(words(key).slice(-2).join(' '))) return false;
  return lastWord(key) === 'secret' && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value) && value.includes('-');
}

/**
 * Siblings that make a map a reference to a secret stored elsewhere: ExternalSecret `data` items
 * (`secretKey` + `remoteRef`), `secretKeyRef`, charts' `existingSecret` and `*SecretName` pairs
 * (`monitoringPasscodeSecretKey` beside `monitoringPasscodeSecretName`).
 */
export function isReferenceMap(siblingKeys: readonly string[]): boolean {
  return siblingKeys.some((key) => /^(remoteRef|secretKeyRef|secretStoreRef|sourceRef|existingSecret.*)$/.test(key) || /secret[_-]?name$/i.test(key));
}

/** A value that refers to a secret kept elsewhere: variables, templates, lookups, Terraform references. */
export function isReference(value: string): boolean {
  const trimmed = value.trim();
  return (
    /\$\{[^}]*\}|\$\([^)]*\)|\{\{.*\}\}|\{%.*%\}|\(\(.*\)\)/.test(trimmed) ||
    /^\$[A-Za-z_({]/.test(trimmed) || // $VAR, ${VAR}, $(command)
    /^`/.test(trimmed) || // `command`
    /^%[A-Z_]+%$/.test(trimmed) ||
    /^(var|local|data|module|each|self)\.[A-Za-z_]/.test(trimmed) ||
    /^(lookup|vault|file|env|secret)\s*\(/i.test(trimmed) ||
    /^(vault|ref\+|awssm|gcpsm|sops|op):/i.test(trimmed) ||
    /^<path:[^>]+>$/.test(trimmed) || // argocd-vault-plugin
    /^ENC\[.*\]$/.test(trimmed) // sops-encrypted value
  );
}

/** Obvious placeholders: not secrets, but reported as notes since they may be replaced by real ones in place. */
export function isPlaceholder(value: string): boolean {
  const trimmed = value.trim().toLowerCase();
  return (
    /^(change[-_ ]?me|changeit|replace[-_ ]?me|todo|tbd|fixme|placeholder|example|dummy|redacted|secret|password|token|none|null|xxx+|\*+|\.\.\.)$/.test(trimmed) ||
    /^your[-_ ]/.test(trimmed) ||
    /^<[^>]*>$/.test(trimmed) ||
    /^x{3,}/.test(trimmed) ||
    /^(change|replace)[-_ ]?(me|this)/.test(trimmed)
  );
}

/** Values that cannot be a credential: empty, booleans, short numbers, digests and checksums. */
export function isInert(value: string): boolean {
  const trimmed = value.trim();
  return (
    // Short values are not worth a finding, but short placeholders (`xxx`, `***`, `tbd`) are notes like longer ones.
    (trimmed.length < 4 && !isPlaceholder(trimmed)) ||
    /^(true|false|yes|no|on|off|null|~)$/i.test(trimmed) ||
    /^sha(256|384|512):[0-9a-f]+$/i.test(trimmed) ||
    /^[0-9]{1,5}$/.test(trimmed)
  );
}
