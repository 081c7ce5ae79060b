/**
 * Keys are matched on their last word (or two) so that `adminPassword`, `POSTGRES_PASSWORD`,
 * `minio.secretKey` and `apiKey` hold secrets while `passwordKey`, `existingSecret` and
 * `tokenSecretRef` only name where a secret lives.
 */
const CREDENTIAL_LAST_WORDS = new Set(['password', 'passwd', 'pass', 'pwd', 'secret', 'token', 'credential', 'credentials', 'apikey', 'passphrase', 'passcode']);
const CREDENTIAL_LAST_TWO_WORDS = new Set([
  'api key',
  'access key',
  'secret key',
  'private key',
  'client secret',
  'auth token',
  'secret access',
  // Azure connection strings (`AccountKey=`), PagerDuty (`routing_key`), Datadog (`*_app_key`), WireGuard.
  'account key',
  'shared key',
  'app key',
  'routing key',
  'preshared key',
  'signing key',
  'encryption key',
  'master key',
  'auth key',
  // Rails' SECRET_KEY_BASE.
  'key base',
  // RabbitMQ's shared secret between nodes.
  'erlang cookie',
  // Backblaze B2 and OVH (`application_key`), Zigbee2MQTT and Z-Wave (`network_key`), Vault's init output.
  'application key',
  'network key',
  'unseal key',
  'recovery key',
]);
/**
 * Single words that end in a credential word: `PGPASSWORD`, `rootpassword`, Tailscale's `--authkey`, Talos'
 * `bootstraptoken` and `secretboxencryptionsecret`; `MYSQL_PWD` splits well already.
 */
const CREDENTIAL_SUFFIX = /(?:password|passwd|passphrase|authkey)$|^[a-z0-9]{3,}(?:token|secret)$/;
const NAMING_FIRST_WORDS = new Set(['existing', 'use', 'enable', 'enabled', 'disable', 'create', 'generate', 'require', 'skip', 'manage', 'auto', 'show', 'has', 'is', 'min', 'max', 'reset']);

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

/** Words after a credential word that say how it is written, not what it is. */
const ENCODING_WORDS = new Set(['b64', 'base64', 'hex', 'encoded']);

/** Every credential word above holds one of these: a key without any is not one (most keys, cheaply). */
export const CREDENTIAL_HINT = /pass|pwd|secret|token|credential|key|cookie/i;

/**
 * Whether a key names a credential. Dotted keys (`--set auth.existingSecret=x`, `minio.secretKey`) are judged by
 * their last segment: `auth.existingSecret` only names a Secret.
 */
export function isCredentialKey(key: string): boolean {
  // Annotation and label keys (`cert-manager.io/inject-ca-from-secret`) name things: their values are names.
  if (!CREDENTIAL_HINT.test(key) || key.includes('/')) return false;
  const leaf = key.split('.').filter((part) => part !== '').at(-1) ?? key;
  // `unseal_keys_b64`, `api_tokens`: a list of credentials, or one in an encoding, is judged by what it holds.
  // (`secrets` not: `imagePullSecrets`, compose's `secrets:` list names of Secrets.)
  const parts = words(leaf);
  while (parts.length > 1 && ENCODING_WORDS.has(parts.at(-1) ?? '')) parts.pop();
  const plural = parts.at(-1);
  if (plural !== undefined && parts.length > 1 && /^(?:keys|tokens|passwords)$/.test(plural)) parts[parts.length - 1] = plural.slice(0, -1);
  const last = parts.at(-1);
  if (last === undefined) return false;
  const lastTwo = parts.slice(-2).join(' ');
  const credential = CREDENTIAL_LAST_WORDS.has(last) || CREDENTIAL_LAST_TWO_WORDS.has(lastTwo) || CREDENTIAL_SUFFIX.test(last);
  if (!credential) return false;
  return !NAMING_FIRST_WORDS.has(parts[0] ?? '');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Keys ending in "secret" usually name a Kubernetes Secret (`tlsSecret: vaultwarden-tls`, Traefik's
 * `basicAuth.secret: dashboard-auth`, Tailscale's `TS_KUBE_SECRET: tailscale`): a lower-case DNS name with a dash
 * or a dot, or a short lower-case word, is an object name, not a credential.
 */
export function isSecretObjectName(key: string, value: string): boolean {
  // `clientSecret` is always the OAuth secret itself, and GitLab's (`gloas-…`) look like object names.
  if (CREDENTIAL_LAST_TWO_WORDS.has(words(key).slice(-2).join(' '))) return false;
  // `namespace/name` too: cert-manager's `inject-ca-from-secret: cert-manager/webhook-ca`.
  // A UUID is a generated value (Proxmox's `pm_api_token_secret`), not a name someone gave a Secret.
  if (UUID.test(value)) return false;
  if (!lastWord(key).endsWith('secret') || !/^(?:[a-z0-9][-a-z0-9]*\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value) || value.length > 120) return false;
  return /[-.]/.test(value) || (/^[a-z]+$/.test(value) && value.length <= 20);
}

/**
 * Siblings that make a map a reference to a secret stored elsewhere: ExternalSecret `data` items
 * (`secretKey` + `remoteRef`), `secretKeyRef`, `*SecretName` pairs (`monitoringPasscodeSecretKey` beside
 * `monitoringPasscodeSecretName`), and a chart's `existingSecret` when it names one. An empty `existingSecret: ""`
 * (every bitnami chart has one) names nothing: the `password` beside it is the one the chart uses.
 */
export function isReferenceMap(siblings: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(siblings).some(([key, value]) => {
    if (/^(remoteRef|secretKeyRef|secretStoreRef|sourceRef|valueFrom)$/.test(key)) return true;
    if (/^existingSecret/.test(key) || /secret[_-]?name$/i.test(key)) return typeof value === 'string' ? value.trim() !== '' && !isReference(value) : value !== null && value !== undefined && value !== false;
    return false;
  });
}

/** A value that refers to a secret kept elsewhere: variables, templates, lookups, Terraform references. */
export function isReference(value: string): boolean {
  const trimmed = value.trim();
  return (
    /\$\{|\$\(|\{\{|\{%|\(\(.*\)\)|#\{[^}]*\}/.test(trimmed) ||
    /^\$[A-Za-z_({]/.test(trimmed) || // $VAR, ${VAR}, $(command)
    /^`/.test(trimmed) || // `command`
    /^%[A-Z_]+%$/.test(trimmed) ||
    /^(var|local|data|module|each|self|count|path|terraform)\.[A-Za-z_]/.test(trimmed) ||
    /^(lookup|vault|file|env|secret|get_env|getenv|os\.getenv|ENV\.fetch)\s*\(/i.test(trimmed) ||
    /^(vault|ref\+|awssm|gcpsm|sops|op|secret|env|k8s|ssm|azkv|bws):/i.test(trimmed) ||
    /^<path:[^>]+>$/.test(trimmed) || // argocd-vault-plugin
    /^ENC\[.*\]$/.test(trimmed) || // sops-encrypted value
    /^!vault\b|^\$ANSIBLE_VAULT;/.test(trimmed) || // Ansible Vault ciphertext
    /^!(?:secret|env_var|include|input)\s/.test(trimmed) // Home Assistant and ESPHome: a value kept in secrets.yaml
  );
}

/** A value made of short counting runs only: `123abc456def789`, `abc123def456`. */
function isCountingRuns(value: string): boolean {
  const runs = value.match(/[0-9]+|[a-z]+/g) ?? [];
  if (runs.length < 3 || runs.join('') !== value) return false;
  const counts = (run: string): boolean => {
    for (let index = 1; index < run.length; index += 1) if (run.charCodeAt(index) !== run.charCodeAt(index - 1) + 1) return false;
    return true;
  };
  return runs.every((run) => run.length >= 3 && counts(run));
}

/** Obvious placeholders: not secrets, but reported as notes since they may be replaced by real ones in place. */
export function isPlaceholder(value: string): boolean {
  const trimmed = value.trim().toLowerCase();
  return (
    /^(change[-_ ]?me|changeit|replace[-_ ]?me|todo|tbd|fixme|placeholder|example|dummy|redacted|secret|password|passwd|token|none|null|nil|undefined|empty|test|xxx+|\*+|\.\.\.+|…)$/.test(trimmed) ||
    /^(your|my|the|some|insert|enter|put|add|set)[-_ ]/.test(trimmed) ||
    /<[^>]*>/.test(trimmed) || // <token>, glrt-<TOKEN>, Bearer <jwt>
    /^\[[^\]]+\]$/.test(trimmed) || // [ROOT_PASSWORD]
    /^_{1,}[a-z0-9_]+_{1,}$/.test(trimmed) || // __REDACTED__
    /^\{[a-z0-9_.-]+\}$/.test(trimmed) || // {password}
    /^(.)\1{3,}$/.test(trimmed) || // YYYY, 0000, ****
    /^x{3,}/.test(trimmed) ||
    /x{6,}|\*{4,}|\.{3}|…/.test(trimmed) ||
    /(change|replace)[-_ ]?(me|this|it)/.test(trimmed) ||
    /^(redacted|example|sample|dummy|fake|placeholder|test|secret|password|token)[-_ ]/.test(trimmed) ||
    /[-_ ](redacted|example|placeholder|here)$/.test(trimmed) ||
    /^(%s|%v|\?|-)$/.test(trimmed) ||
    // Counting and alphabet runs: `sk_live_1234567890`, `A1b2C3d4E5f6...`.
    /0123456|1234567|abcdefg|a1b2c3d4/i.test(trimmed) ||
    isCountingRuns(trimmed) ||
    /^(my|your|some|the|example|sample|dummy|fake|test|secret|super)[-_]?(password|passwd|pass|pwd|secret|token|key|apikey|api[-_]key)\d*$/.test(trimmed) ||
    // An environment variable's name standing for its value in docs (`password: REDIS_PASSWORD`).
    /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value.trim()) ||
    // Prose: `password: same as Jellyfin`, `'smtp password'`.
    /^[a-z]+(?: [a-z]+)+$/i.test(value.trim())
  );
}

/**
 * Values that are not literals at all: a regular expression (`token: \b(\w+)\b` in a linter's config), a file path
 * (`GOOGLE_APPLICATION_CREDENTIALS=/etc/gce.json`), an expression (`Gitlab::Util.get_env('X')`, `node['db']['pw']`),
 * a command in backticks.
 */
export function isNotALiteral(value: string): boolean {
  const trimmed = value.trim();
  return (
    /\\[bdwsS]|\(\?[:=!<]|\.\*|\[\^/.test(trimmed) ||
    /^(?:\/|\.\.?\/|~\/)[\w./@-]+$/.test(trimmed) ||
    /^[\w.-]+\/[\w./-]+\.(?:json|pem|key|crt|cer|p12|pfx|txt|ya?ml|conf|env|jks)$/.test(trimmed) ||
    // A call or an index closes its bracket, or ends the value where a detector stopped at a quote
    // (`get_env(`): `d4WbW(5oZ!xF…` is a random value that holds one.
    /^[A-Za-z_][\w.:]*(?:\([^)]*\)|\[[^\]]*\]|[([]$)/.test(trimmed) ||
    trimmed.includes('`') ||
    // A sentence (`refresh_token: allows the client to perform refresh grants…` in a CRD's description).
    (!trimmed.includes('\n') && trimmed.split(/\s+/).length >= 4) ||
    // A URL without credentials, an image reference.
    /^[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+(?::\d+)?(?:\/\S*)?$/i.test(trimmed) ||
    /^[a-z0-9.-]+\.[a-z]{2,}(?::\d+)?\/[a-z0-9._/-]+(?::[\w.-]+)?(?:@sha256:[a-f0-9]{64})?$/.test(trimmed) ||
    // A path or a name in a store (`vault_secret_key: elastic/fluentd`).
    (trimmed.includes('/') && trimmed.split('/').every((part) => part === '' || looksLikeWords(part)))
  );
}

/**
 * Words and names rather than a random value: `somekey`, `job-token`, `ImagePullSecret`, `restic_s3_bucket`. Digits
 * stand apart (`no-report-2`) or end the value (`abc123`); inside a word they make a password (`D0ckerPassw0rd`).
 * Each word carries a vowel, or is a short abbreviation (`vm`, `db`, at most two of them).
 */
export function looksLikeWords(value: string): boolean {
  const segments = value.trim().split(/[-_. ]/);
  let abbreviations = 0;
  for (const [index, segment] of segments.entries()) {
    if (/^\d{1,4}$/.test(segment) || /^[a-z]\d[a-z]?$/i.test(segment)) continue;
    const letters = index === segments.length - 1 ? segment.replace(/\d{1,4}$/, '') : segment;
    if (!/^[A-Za-z]+$/.test(letters)) return false;
    for (const word of letters.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])/g) ?? []) {
      // Acronyms and two-letter words are few in names; random text split at case changes is full of them.
      if (/^[A-Z]{2,5}$/.test(word) || word.length <= 2 || (word.length === 3 && !/[aeiouy]/i.test(word))) abbreviations += 1;
      else if (!/[aeiouy]/i.test(word) || /[^aeiouy]{5}/i.test(word)) return false;
    }
  }
  return abbreviations <= 2;
}

/** Shannon entropy in bits per character. */
function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) bits -= (count / value.length) * Math.log2(count / value.length);
  return bits;
}

/** A value that looks generated: long enough, mixed character classes, and close to random. */
export function isRandomLooking(value: string): boolean {
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((pattern) => pattern.test(value)).length;
  return value.length >= 12 && classes >= 2 && entropy(value) >= 3.2 && !looksLikeWords(value);
}

/** Tests, fixtures and examples: their credentials are made up for the test or the reader. */
export function isTestOrExamplePath(path: string): boolean {
  return (
    // `cypress/` holds end-to-end tests; `.vib/` VMware Image Builder's verification runs (every Bitnami repository).
    /(^|\/)(tests?|specs?|__tests__|__mocks__|testdata|test-?fixtures|fixtures|examples?|samples?|mocks?|e2e|qa|cypress|\.vib)\//i.test(path) ||
    /(_test\.go|_spec\.rb|\.(test|spec)\.[cm]?[jt]sx?|_test\.py|(^|\/)test_[^/]*\.py)$/i.test(path) ||
    /\.(example|sample|dist|tmpl|template)$|\.example\.|\.sample\./i.test(path)
  );
}

/** Source code and patches. */
export function isCodePath(path: string): boolean {
  return /\.(?:go|rb|py|js|mjs|cjs|jsx|ts|tsx|java|kt|kts|scala|groovy|gradle|cs|php|rs|swift|c|cc|cpp|h|hpp|lua|pl|ex|exs|erb|rake|patch|diff)$/i.test(path);
}

/** Documentation: what it shows is meant to be copied and changed. */
export function isDocumentationPath(path: string): boolean {
  return /\.(md|markdown|mdx|rst|adoc|asciidoc|txt|html?)$/i.test(path) || /(^|\/)(docs?|doc-locale|docs-locale)\//i.test(path);
}

/** A value equal to its own key's name (`client_secret: "client_secret"`): a template or a doc, not a credential. */
export function isOwnKeyName(key: string, value: string): boolean {
  const norm = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]/g, '');
  const normalized = norm(value);
  if (normalized === '') return false;
  if (normalized === norm(key) || normalized === norm(key.split('.').at(-1) ?? key) || normalized === lastWord(key)) return true;
  // A name made of words that holds the key's own word (`GOOGLE_APPLICATION_CREDENTIALS = "gcp-credentials"`).
  return looksLikeWords(value) && normalized.includes(lastWord(key)) && lastWord(key).length >= 4;
}

/** Values that cannot be a credential: empty, booleans, short numbers, digests and checksums. */
export function isInert(value: string): boolean {
  const trimmed = value.trim();
  return (
    // Short values are not worth a finding, but short placeholders (`xxx`, `***`, `tbd`) are notes like longer ones.
    (trimmed.length < 4 && !isPlaceholder(trimmed)) ||
    /^(true|false|yes|no|on|off|null|~|required|optional|string|number|bool|boolean|sensitive)[.,;:]?$/i.test(trimmed) ||
    /^[~^<>=]*\d+(?:\.\d+)+(?:[-+][\w.]+)?$/.test(trimmed) || // a version or a version range

    /^sha(1|256|384|512):[0-9a-f]+$/i.test(trimmed) ||
    /^[0-9]{1,5}$/.test(trimmed)
  );
}

/** AWS's documented example credentials (in every AWS doc and SDK README). */
export function isDocumentedExample(value: string): boolean {
  return /EXAMPLE/.test(value);
}

/**
 * Keys of a Kubernetes Secret that hold no secret: an ArgoCD repository Secret's `type`, `url`, `name`, `project`
 * and `username`, connection settings, and public certificates (`tls.crt`, `ca.crt`).
 */
export function isPublicSecretKey(key: string): boolean {
  const lower = key.toLowerCase();
  if (/key|secret|token|pass/.test(lower)) return false;
  return (
    /^(type|url|name|project|username|user|usr|login|email|host|hostname|server|port|database|db|dbname|schema|region|endpoint|insecure|enablelfs|proxy|noproxy|githubappid|githubappinstallationid|githubappenterprisebaseurl|namespace|cluster|bucket|config|uri|scheme|domain|realm|issuer|audience|clientid|client-id|client_id|accesskeyid|access_key_id|aws_access_key_id)$/.test(
      lower,
    ) ||
    /(^|[._-])(crt|cert|pem|pub|certificate|ca|cacert|ca-bundle|chain|fullchain|known_hosts)$/.test(lower) ||
    /(^|[._-])(ca|tls)\.(crt|pem)$/.test(lower) ||
    /(^|[._-])(user|username)$/.test(lower)
  );
}
