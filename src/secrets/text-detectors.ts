import { CREDENTIAL_HINT, isCodePath, isCredentialKey, isDocumentedExample, isInert, isOwnKeyName, isPlaceholder, isRandomLooking, isReference, isSecretObjectName } from './classify.js';
import { markerSetsTest, markerTest } from './marker-scan.js';
import type { SecretHit } from './types.js';

/** A detector that reads one line at a time, with the markers a file (and a line) must hold for it to match. */
export interface LineDetector {
  /** `fleetlint/<id>` in findings. */
  id: string;
  /**
   * Regular expression sources, matched case-sensitively unless `ignoreCase`: a file holding none of them is skipped
   * by this detector (most files, for most detectors). Every match of `pattern` holds one of them (a test checks it
   * on each detector's example).
   */
  markers: readonly string[];
  ignoreCase?: boolean;
  /** Global, with indices (`dg`). */
  pattern: RegExp;
  /** Capture groups that may hold the value, in order: the first that took part in the match is the value. */
  valueGroups: readonly number[];
  /** Of valueGroups, how many leading ones are quoted forms (`"x"`, `'x'`); the rest are bare. */
  quotedGroups?: number;
  /** Capture groups that may hold the key the value is assigned to, when the pattern is an assignment. */
  keyGroups?: readonly number[];
  kind: (key: string | undefined) => string;
  /** Values of a fixed format (a hash, a token) are never references, even when they start with `$`. */
  literal?: boolean;
  /** A further test of a candidate value. */
  accept?: (value: string) => boolean;
  /** Only in files whose path matches. */
  files?: RegExp;
  /** A character every matching line holds (`=` for an assignment): a cheap test before the pattern's. */
  lineHas?: string;
  /**
   * Generic detectors (credential keys with literal values) run after the YAML structure has been read, so a
   * structured finding (with its key path, knowing siblings such as `existingSecret`) wins where both see a value.
   */
  generic?: boolean;
}

/** Terraform and HCL: a literal is always quoted, a bare word is a reference or a type (`access_key = string`). */
const HCL_FILE = /\.(?:tf|tfvars|hcl|nomad|pkr\.hcl)$/i;
const NETRC_FILE = /(?:^|\/)[._]?netrc$/i;
const PGPASS_FILE = /(?:^|\/)\.?pgpass$/i;
const MSMTPRC_FILE = /(?:^|\/)\.?msmtprc$/i;
const DOTENV_FILE = /(?:^|\/)\.env(?:\.[\w.-]+)?$|\.env$/;
const RCLONE_FILE = /(?:^|\/)rclone\.conf$/i;
const SASL_PASSWD_FILE = /(?:^|\/)sasl_passwd$/;
/** Rails' key to `credentials.yml.enc` (`config/master.key`, `config/credentials/production.key`). */
const RAILS_KEY_FILE = /(?:^|\/)config\/(?:master|credentials\/[\w-]+)\.key$/;

const QUOTED_VALUE = String.raw`"([^"\n]*)"|'([^'\n]*)'`;

/** Whether a base64 text decodes to `user:password`, as the `auth` of a docker config does. */
function isBase64UserPassword(value: string): boolean {
  if (value.length % 4 !== 0) return false;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  return /^[\x20-\x7e]+:[\x20-\x7e]+$/.test(decoded) && !decoded.includes('${');
}

/** Whether a base64 text decodes to a PEM private key with key material (kubeconfig `client-key-data`, a Secret's `tls.key`). */
function isBase64PrivateKey(value: string): boolean {
  return privateKeyBlocks(Buffer.from(value, 'base64').toString('utf8')).length > 0;
}

/** Whether a base64 text is a 128-, 192- or 256-bit key (Consul's and Nomad's gossip `encrypt`). */
function isBase64Key(value: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(value) && [16, 24, 32].includes(Buffer.from(value, 'base64').length);
}

/** jwt.io's example token, in countless READMEs. */
const JWT_IO_EXAMPLE_PAYLOAD = 'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ';

export const LINE_DETECTORS: readonly LineDetector[] = [
  {
    // https://user:pass@host, redis://:pass@host
    id: 'url-credentials',
    markers: [String.raw`:\/\/[^\s:@/'"]*:[^\s@/'"]+@`],
    pattern: /\b[a-z][a-z0-9+.-]*:\/\/([^\s:@/'"]*):([^\s@/'"]+)@[\w[]/dgi,
    valueGroups: [2],
    kind: () => 'password in a URL',
  },
  {
    // A token as a URL's user, with no password: `https://<token>@github.com/…`, shoutrrr's `discord://<token>@<id>`.
    id: 'url-token',
    markers: [String.raw`:\/\/[\w-]{20,}@`],
    pattern: /\b[a-z][a-z0-9+.-]*:\/\/([\w-]{20,})@[\w[]/dgi,
    valueGroups: [1],
    kind: () => 'token in a URL',
    accept: isRandomLooking,
  },
  {
    // MinIO's client: `mc alias set <name> <url> <access key> <secret key>` (`mc config host add` before).
    id: 'minio-client',
    markers: [String.raw`mc\s+(?:alias|config)`],
    // Arguments are words or quoted: a template's `{{ host }}` (spaces inside) makes a line whose fields cannot be told.
    pattern: /\bmc\s+(?:alias\s+set|config\s+host\s+add)(?:\s+(?:"[^"]*"|'[^']*'|[^\s"'{}]+)){3}\s+(?:"([^"]+)"|'([^']+)'|([^\s"'{}]+))(?=\s|$)/dg,
    valueGroups: [1, 2, 3],
    quotedGroups: 2,
    kind: () => 'secret key passed to mc alias set',
  },
  {
    // strongSwan's ipsec.secrets: `: PSK "secret"`, `user : EAP "password"`.
    id: 'ipsec-secret',
    markers: [String.raw`PSK\s`, String.raw`EAP\s`, String.raw`XAUTH\s`],
    pattern: /(?:^|\s):\s*(?:PSK|EAP|XAUTH)\s+(?:"([^"]+)"|'([^']+)'|(0[xs][\w+/=]+))/dg,
    valueGroups: [1, 2, 3],
    quotedGroups: 2,
    kind: () => 'IPsec pre-shared secret',
  },
  {
    // net-snmp's snmpd.conf: an SNMPv1/v2c community is a password (`public` and `private` are the defaults).
    id: 'snmp-community',
    markers: ['rocommunity', 'rwcommunity', 'com2sec'],
    pattern: /^\s*(?:r[ow]community6?|com2sec6?\s+\S+\s+\S+)\s+(\S+)/dg,
    valueGroups: [1],
    kind: () => 'SNMP community',
    accept: (value) => !/^(?:public|private)$/.test(value),
  },
  {
    // Consul's, Nomad's and Serf's gossip encryption key: `encrypt = "<base64 of 16 or 32 bytes>"`.
    id: 'gossip-key',
    markers: [String.raw`encrypt\s*[=:]\s*"`],
    pattern: /\bencrypt\s*[=:]\s*"([A-Za-z0-9+/]{22,}={0,2})"/dg,
    valueGroups: [1],
    kind: () => 'gossip encryption key',
    literal: true,
    accept: isBase64Key,
  },
  {
    // .npmrc: `//registry/:_authToken=x`, `_auth=<base64 user:password>`, `_password=`.
    id: 'npmrc-auth',
    markers: [String.raw`_auth(?:Token)?\s*=`, String.raw`_password\s*=`],
    pattern: /(?:^|[\s:])(?:_authToken|_auth|_password)\s*=\s*(?:"([^"]+)"|([^\s"#;]+))/dg,
    valueGroups: [1, 2],
    quotedGroups: 1,
    kind: () => 'registry credential in .npmrc',
  },
  {
    id: 'docker-login',
    markers: ['docker\\s+login'],
    pattern: /\bdocker\s+login\b[^\n]*?\s(?:-p|--password)(?:\s+|=)(?:"([^"]*)"|'([^']*)'|([^\s]+))/dg,
    valueGroups: [1, 2, 3],
    quotedGroups: 2,
    kind: () => 'password passed to docker login',
  },
  {
    id: 'curl-user',
    markers: [' -u', '--user'],
    pattern: /\bcurl\b[^\n]*?\s(?:-u|--user)(?:\s+|=)["']?[^\s:"']*:([^\s"']+)/dg,
    valueGroups: [1],
    kind: () => 'password passed to curl -u',
  },
  {
    id: 'mysql-password',
    markers: ['mysql', 'mariadb'],
    pattern: /\b(?:mysql|mysqldump|mysqladmin|mysqlsh|mariadb|mariadb-dump)\b[^\n]*?\s-p(?:"([^"\s]+)"|'([^'\s]+)'|([^\s"'-][^\s"']*))/dg,
    valueGroups: [1, 2, 3],
    quotedGroups: 2,
    kind: () => 'password passed to mysql -p',
  },
  {
    id: 'sshpass',
    markers: ['sshpass'],
    pattern: /\bsshpass\s+(?:-\w+\s+)*-p\s*(?:"([^"]+)"|'([^']+)'|([^\s"'-][^\s"']*))/dg,
    valueGroups: [1, 2, 3],
    quotedGroups: 2,
    kind: () => 'password passed to sshpass -p',
  },
  {
    id: 'netrc',
    markers: ['password'],
    pattern: /(?:^|\s)password\s+(\S+)/dg,
    valueGroups: [1],
    kind: () => 'password in a .netrc',
    files: NETRC_FILE,
  },
  {
    id: 'netrc',
    markers: ['machine'],
    pattern: /\bmachine\s+\S+\s+(?:login\s+\S+\s+)?password\s+(\S+)/dg,
    valueGroups: [1],
    kind: () => 'password in a .netrc entry',
  },
  {
    // msmtp's configuration (`password secret` under an account), the shape of a .netrc.
    id: 'msmtprc',
    markers: ['password'],
    pattern: /^\s*password\s+(\S.*?)\s*$/dg,
    valueGroups: [1],
    kind: () => 'password in an msmtprc',
    files: MSMTPRC_FILE,
  },
  {
    // rclone's remotes: `key` (B2, Mega), `pass` (obscured, reversible), `token` (OAuth JSON) and the like.
    id: 'rclone-config',
    markers: ['='],
    pattern: /^\s*(?:key|pass|password|password2|pass2|token|client_secret|secret_access_key|account_key|key_file_pass|sas_url|bearer_token|service_account_credentials|api_key)\s*=\s*(\S.*?)\s*$/dg,
    valueGroups: [1],
    kind: () => 'credential in rclone.conf',
    files: RCLONE_FILE,
  },
  {
    // Postfix's SMTP relay credentials: `[smtp.example.com]:587 user:password` a line.
    id: 'postfix-sasl-passwd',
    markers: [':'],
    pattern: /^\s*[^\s#]\S*\s+[^\s:]+:(\S+)\s*$/dg,
    valueGroups: [1],
    kind: () => 'password in a Postfix sasl_passwd',
    files: SASL_PASSWD_FILE,
  },
  {
    id: 'rails-master-key',
    markers: ['[0-9a-f]{32}'],
    pattern: /^([0-9a-f]{32})\s*$/dg,
    valueGroups: [1],
    kind: () => 'Rails master key',
    literal: true,
    files: RAILS_KEY_FILE,
  },
  {
    // PostgreSQL's password file: `host:port:database:user:password` a line.
    id: 'pgpass',
    markers: [':'],
    pattern: /^[^\s#:]+:(?:\d+|\*):[^\s:]+:[^\s:]+:(\S+)$/dg,
    valueGroups: [1],
    kind: () => 'password in a .pgpass',
    files: PGPASS_FILE,
  },
  {
    // A k3s join token, `K10<CA hash>::<user>:<password>`: who holds it joins the cluster.
    id: 'k3s-token',
    markers: ['K10[0-9a-f]'],
    pattern: /\b(K10[0-9a-f]{64}::[\w-]+:[0-9A-Za-z]{16,})/dg,
    valueGroups: [1],
    kind: () => 'k3s join token',
    literal: true,
  },
  {
    id: 'aws-access-key-id',
    markers: ['AKIA', 'ASIA'],
    pattern: /\b((?:AKIA|ASIA)[A-Z0-9]{16})\b/dg,
    valueGroups: [1],
    kind: () => 'AWS access key id',
    literal: true,
  },
  {
    // GitLab's token prefixes besides glpat- (secretlint's): runner, CI job, deploy, trigger, feed, incoming mail,
    // agent, OAuth application, SCIM, feature-flag client, workspace tokens, and runner registration tokens.
    id: 'gitlab-token',
    markers: ['gl(?:rt|rtr|cbt|dt|ptt|ft|imt|agent|oas|soat|ffct|wt)-', 'GR1348941'],
    pattern: /(?<![\w-])((?:gl(?:rt|rtr|cbt|dt|ptt|ft|imt|agent|oas|soat|ffct|wt)-[\w-]{20,}(?:\.[\w-]+)*)|GR1348941[\w-]{20,})(?![\w-])/dg,
    valueGroups: [1],
    kind: () => 'GitLab token',
    literal: true,
  },
  {
    id: 'teams-webhook',
    markers: ['webhook\\.office\\.com', 'outlook\\.office\\.com', 'logic\\.azure\\.com'],
    pattern: /(https:\/\/(?:[\w-]+\.webhook\.office\.com\/webhookb2|outlook\.office\.com\/webhook)\/[\w@./-]{40,}|https:\/\/[\w.-]+\.logic\.azure\.com(?::443)?\/workflows\/[\w/?=&%.-]*sig=[\w%-]{20,})/dg,
    valueGroups: [1],
    kind: () => 'Microsoft Teams webhook URL',
    literal: true,
  },
  {
    id: 'discord-webhook',
    markers: ['discord(?:app)?\\.com/api/webhooks'],
    pattern: /(https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/\d+\/[\w-]{40,})/dg,
    valueGroups: [1],
    kind: () => 'Discord webhook URL',
    literal: true,
  },
  {
    id: 'telegram-bot-token',
    markers: [':AA'],
    pattern: /(?<![\w:])(\d{8,10}:AA[\w-]{33})(?![\w-])/dg,
    valueGroups: [1],
    kind: () => 'Telegram bot token',
    literal: true,
  },
  {
    // secretlint's SendGrid pattern allows one dash in the secret part; real keys (base64url) have any number.
    id: 'sendgrid-key',
    markers: ['SG\\.'],
    pattern: /(?<![\w.-])(SG\.[\w-]{22}\.[\w-]{43})(?![\w-])/dg,
    valueGroups: [1],
    kind: () => 'SendGrid API key',
    literal: true,
  },
  {
    id: 'jwt',
    markers: ['eyJ'],
    pattern: /(?<![\w-])(eyJ[\w-]{10,}\.(eyJ[\w-]{10,})\.[\w-]{10,})(?![\w-])/dg,
    valueGroups: [1],
    kind: () => 'JSON web token',
    literal: true,
    accept: (value) => !value.includes(JWT_IO_EXAMPLE_PAYLOAD),
  },
  {
    id: 'authorization-header',
    markers: ['uthorization', 'AUTHORIZATION', 'rivate-token', 'PRIVATE-TOKEN', '-api-key', '-Api-Key', '-API-KEY'],
    pattern: /\b(?:authorization\s*[:=]\s*["']?(?:bearer|basic|token)|private-token\s*:|x-api-key\s*:)\s*([\w.~+/=-]{16,})/dgi,
    valueGroups: [1],
    kind: () => 'credential in an Authorization header',
  },
  {
    id: 'age-secret-key',
    markers: ['AGE-SECRET-KEY-'],
    pattern: /(AGE-SECRET-KEY-1[0-9A-Z]{58})/dg,
    valueGroups: [1],
    kind: () => 'age secret key',
    literal: true,
  },
  ...providerFormats([
    // Formats of providers a fleet uses that secretlint's preset lacks. The first fifteen were planted in the recall
    // corpus as held-out kinds before they were written here (docs/accuracy.md gives both measurements).
    ['google-api-key', 'Google API key', 'AIza', /(?<![\w-])(AIza[\w-]{35})(?![\w-])/dg],
    ['digitalocean-token', 'DigitalOcean token', '_v1_', /\b(do[por]_v1_[a-f0-9]{64})\b/dg],
    ['pypi-token', 'PyPI token', 'pypi-', /\b(pypi-AgEIcHlwaS5vcmc[\w-]{50,})/dg],
    ['terraform-cloud-token', 'Terraform Cloud token', 'atlasv1', /\b([A-Za-z0-9]{14}\.atlasv1\.[\w=-]{60,})/dg],
    ['postman-key', 'Postman API key', 'PMAK-', /\b(PMAK-[a-f0-9]{24}-[a-f0-9]{34})\b/dg],
    ['newrelic-key', 'New Relic key', 'NR', /\b(NR(?:AK|II|JS)-[A-Za-z0-9]{27,32})\b/dg],
    ['doppler-token', 'Doppler token', 'dp\\.', /\b(dp\.(?:st|ct|sa|scim|audit|pt)\.[\w.-]{40,})/dg],
    ['pulumi-token', 'Pulumi access token', 'pul-', /\b(pul-[a-f0-9]{40})\b/dg],
    ['proxmox-api-token', 'Proxmox API token', 'PVEAPIToken', /PVEAPIToken=[\w.@-]+![\w-]+=([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/dg],
    ['mailgun-key', 'Mailgun API key', 'key-', /(?<![\w-])(key-[a-f0-9]{32})\b/dg],
    ['twilio-api-key', 'Twilio API key', 'SK', /\b(SK[0-9a-f]{32})\b/dg],
    ['rubygems-key', 'RubyGems API key', 'rubygems_', /\b(rubygems_[a-f0-9]{48})\b/dg],
    ['sentry-token', 'Sentry auth token', 'sntry', /\b(sntrys_eyJ[\w+/=-]{20,}_[\w+/=-]{20,}|sntryu_[a-f0-9]{64})/dg],
    ['atlassian-token', 'Atlassian API token', 'ATATT3', /\b(ATATT3[\w=-]{150,})/dg],
    ['azure-sas-signature', 'Azure SAS signature', 'sig=', /\bsv=\d{4}-\d{2}-\d{2}&[^\s"']*?\bsig=([\w%+/]{30,}(?:={0,2}|(?:%3D){0,2}))/dg],
    // Not held out: written with the others.
    ['azure-client-secret', 'Azure AD client secret', 'Q~', /(?<![\w~.-])([\w~.-]{3}\dQ~[\w~.-]{31,34})(?![\w~.-])/dg],
    ['heroku-api-key', 'Heroku API key', 'HRKU-', /\b(HRKU-[\w-]{60})\b/dg],
  ]),
  {
    // htpasswd lines and Traefik basicAuth users: apr1, bcrypt, SHA1 and crypt hashes after `user:`.
    id: 'password-hash',
    // Mosquitto's password files hold PBKDF2-SHA512 hashes: `user:$7$101$<salt>$<hash>`, both base64.
    markers: ['\\$apr1\\$', '\\$2[aby]\\$', '\\{SHA\\}', '\\$5\\$', '\\$6\\$', '\\$7\\$'],
    pattern: /(?:^|[\s"'[,=])[\w.@-]+:(\$apr1\$[./0-9A-Za-z]{1,8}\$[./0-9A-Za-z]{22}|\$2[aby]\$\d\d\$[./0-9A-Za-z]{53}|\{SHA\}[A-Za-z0-9+/]{27}=|\$[56]\$[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{43,86}|\$7\$\d+\$[A-Za-z0-9+/]{16,}={0,2}\$[A-Za-z0-9+/]{64,}={0,2})/dg,
    valueGroups: [1],
    kind: () => 'password hash (htpasswd)',
    literal: true,
  },
  {
    // Argon2 password hashes in PHC form (Vaultwarden's ADMIN_TOKEN, Authelia's users file), wherever they stand.
    id: 'argon2-hash',
    markers: ['\\$argon2'],
    pattern: /(\$argon2(?:id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]{11,}={0,2}\$[A-Za-z0-9+/]{16,}={0,2})/dg,
    valueGroups: [1],
    kind: () => 'password hash (argon2)',
    literal: true,
  },
  {
    // A docker config's `auth` (base64 of user:password): config.json, DOCKER_AUTH_CONFIG, .dockerconfigjson.
    id: 'docker-auth',
    markers: ['auth\\\\?"'],
    pattern: /\\?"auth\\?"\s*:\s*\\?"([A-Za-z0-9+/]{8,}={0,2})\\?"/dg,
    valueGroups: [1],
    kind: () => 'registry credential (docker config auth)',
    literal: true,
    accept: isBase64UserPassword,
  },
  {
    // base64 of `-----BEGIN`: kubeconfig `client-key-data`, a Secret's `tls.key` under `data`.
    id: 'encoded-private-key',
    markers: ['LS0tLS1CRUdJT'],
    pattern: /(LS0tLS1CRUdJT[A-Za-z0-9+/]{40,}={0,2})/dg,
    valueGroups: [1],
    kind: () => 'private key (base64)',
    literal: true,
    accept: isBase64PrivateKey,
  },
  {
    // A dotenv file (`.env`, `.env.production`, `app.env`): an unquoted value runs to the line's end, brackets and
    // all (`KEY=d4Wb(5o…` is a literal, not a call).
    id: 'dotenv',
    markers: [CREDENTIAL_HINT.source],
    ignoreCase: true,
    pattern: new RegExp(String.raw`^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(?:${QUOTED_VALUE}|([^\s"'#][^\n]*?))\s*(?:\s#.*)?$`, 'dg'),
    keyGroups: [1],
    valueGroups: [2, 3, 4],
    quotedGroups: 3,
    kind: (key) => `credential assigned to ${key ?? 'a variable'}`,
    generic: true,
    lineHas: '=',
    files: DOTENV_FILE,
  },
  {
    // export PM_API_TOKEN_SECRET="secret", ENV DB_PASSWORD=x, password = "x" (HCL, tfvars, .env, INI, WireGuard),
    // --docker-password=x, --set auth.password=x, `;Password=x;` and `AccountKey=x` in connection strings.
    id: 'assignment',
    markers: [CREDENTIAL_HINT.source],
    ignoreCase: true,
    pattern: new RegExp(String.raw`(?:^|[\s;,(])(?:export\s+|ENV\s+|ARG\s+|set\s+|--?)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?::=|=)(?!=)\s*(?:${QUOTED_VALUE}|([^\s"'#;,)][^\s"';,)]*))`, 'dg'),
    keyGroups: [1],
    valueGroups: [2, 3, 4],
    quotedGroups: 2,
    kind: (key) => `credential assigned to ${key ?? 'a variable'}`,
    generic: true,
    lineHas: '=',
  },
  {
    // PHP, Ruby and Perl hashes: `'dbpassword' => 'x'` (Nextcloud's config.php), `:password => "x"`.
    id: 'assignment',
    markers: [CREDENTIAL_HINT.source],
    ignoreCase: true,
    pattern: new RegExp(String.raw`(?:^|[\s,(\[{])(?:'([A-Za-z_][\w.-]*)'|"([A-Za-z_][\w.-]*)"|:?([A-Za-z_]\w*))\s*=>\s*(?:${QUOTED_VALUE})`, 'dg'),
    keyGroups: [1, 2, 3],
    valueGroups: [4, 5],
    quotedGroups: 2,
    kind: (key) => `credential assigned to ${key ?? 'a key'}`,
    generic: true,
    lineHas: '=>',
  },
  {
    // XML configuration: `<password>x</password>` (Maven's settings.xml), `<ApiKey>x</ApiKey>` (Sonarr, Radarr).
    id: 'xml-element',
    markers: [CREDENTIAL_HINT.source],
    ignoreCase: true,
    pattern: /<([A-Za-z_][\w.-]*)>([^<>\s][^<>]*?)<\/\1>/dg,
    keyGroups: [1],
    valueGroups: [2],
    kind: (key) => `credential in XML element ${key ?? '?'}`,
    generic: true,
    lineHas: '</',
  },
  {
    // --password hunter2, -token abc (a flag and its value)
    id: 'assignment',
    markers: [CREDENTIAL_HINT.source],
    ignoreCase: true,
    // A bare value starts with a letter or a digit: `--registration-token !4157` is prose.
    pattern: new RegExp(String.raw`(?:^|\s)--?([A-Za-z][\w-]*)\s+(?:${QUOTED_VALUE}|([A-Za-z0-9][^\s"'\\]*))`, 'dg'),
    keyGroups: [1],
    valueGroups: [2, 3, 4],
    quotedGroups: 2,
    kind: (key) => `credential passed as --${key ?? 'a flag'}`,
    generic: true,
    lineHas: '-',
  },
];

/**
 * `key: value` lines read as text: YAML that is not parsed (templates, files with syntax errors, block scalars that
 * embed a config file) and the `key: value` or `"key": "value"` lines of other text (JSON such as terraform.tfstate,
 * Markdown, INI-like configs). Parsed YAML is read by its structure instead (yaml-detectors.ts).
 */
export const KEY_VALUE_DETECTOR: LineDetector = {
  id: 'key-value',
  markers: [CREDENTIAL_HINT.source],
  ignoreCase: true,
  // A comment starts at a `#` after a space: `pass#word` is a value.
  pattern: new RegExp(String.raw`(?:^\s*(?:-\s+)?|[{,]\s*)(?:"([A-Za-z_][\w.-]*)"|'([A-Za-z_][\w.-]*)'|([A-Za-z_][\w.-]*))\s*:\s+(?![|>][-+0-9]*\s*$)(?:${QUOTED_VALUE}|([^\s#{}[\],"'][^\n]*?))\s*,?\s*(?:\s#.*)?$`, 'dg'),
  keyGroups: [1, 2, 3],
  valueGroups: [4, 5, 6],
  quotedGroups: 2,
  kind: (key) => `credential in key ${key ?? '?'}`,
  generic: true,
  lineHas: ':',
};

/** The JSON form of the same: `"password": "x"` anywhere in a line (tfstate, a JSON string in a CI variable). */
const JSON_PAIR_DETECTOR: LineDetector = {
  id: 'key-value',
  markers: [CREDENTIAL_HINT.source],
  ignoreCase: true,
  pattern: /\\?"([A-Za-z_][\w.-]*)\\?"\s*:\s*\\?"([^"\\\n]*)\\?"/dg,
  keyGroups: [1],
  valueGroups: [2],
  quotedGroups: 1,
  kind: (key) => `credential in key ${key ?? '?'}`,
  generic: true,
  lineHas: '"',
};

/** Every detector a text scan may run, in the order their hits are kept. */
const ALL_DETECTORS: readonly LineDetector[] = [...LINE_DETECTORS, KEY_VALUE_DETECTOR, JSON_PAIR_DETECTOR];
const ALL_BUT_KEY_VALUE = ALL_DETECTORS.filter((detector) => detector !== KEY_VALUE_DETECTOR);
const FILE_DETECTORS = LINE_DETECTORS.filter((detector) => detector.files !== undefined);

const markerTests = new Map<LineDetector, (text: string) => boolean>();
/** Whether a text holds one of the detector's markers (see LineDetector.markers). */
export function holdsMarker(detector: LineDetector, text: string): boolean {
  let test = markerTests.get(detector);
  if (!test) markerTests.set(detector, (test = markerTest(detector.markers, detector.ignoreCase === true)));
  return test(text);
}

/** Whether a text holds a marker of any detector that is not generic. */
export const SPECIFIC_MARKERS: readonly string[] = LINE_DETECTORS.filter((detector) => detector.generic !== true && detector.files === undefined).flatMap(
  (detector) => detector.markers,
);
const ANY_SPECIFIC_MARKER = markerTest(SPECIFIC_MARKERS, false);

/** The format detectors (case-sensitive markers, any file), and which of them a text holds markers of, in one pass. */
const FORMAT_DETECTORS = LINE_DETECTORS.filter((detector) => detector.generic !== true && detector.files === undefined && detector.ignoreCase !== true);
const FORMAT_MARKERS = markerSetsTest(FORMAT_DETECTORS.map((detector) => detector.markers));

export interface TextScanOptions {
  /**
   * Where to read `key: value` lines too (KEY_VALUE_DETECTOR, env entries): every line of text that is not YAML
   * parsed by its structure, the lines of a parsed file's block scalars, or none.
   */
  keyValues: 'all' | ReadonlySet<number> | 'none';
  /** Only these 1-based lines (the lines a patch adds); all when absent. */
  lines?: ReadonlySet<number>;
  /** Whether the text holds a credential word (CREDENTIAL_HINT), when the caller has tested it already. */
  hint?: boolean;
  /** False when the caller knows the text holds no marker of SPECIFIC_MARKERS (it tested them with others). */
  specificMarker?: boolean;
}

/**
 * Hits of the line detectors in a file's text: specific formats first (`specific`), generic credential
 * assignments apart (`generic`), so the caller can put structured YAML hits between them.
 */
export function textHits(file: string, text: string, options: TextScanOptions): { specific: SecretHit[]; generic: SecretHit[] } {
  const specific: SecretHit[] = [];
  const generic: SecretHit[] = [];
  const { keyValues } = options;
  // The generic detectors share one marker: a file (and a line) without a credential word has no credential key.
  // The others' markers are tested together first: most files hold none.
  const hint = options.hint ?? CREDENTIAL_HINT.test(text);
  const specificMarker = options.specificMarker ?? ANY_SPECIFIC_MARKER(text);
  // Most files hold neither a credential word nor a marker: only a detector of a file name (.netrc) may read them.
  const formats = specificMarker ? FORMAT_MARKERS(text) : undefined;
  const detectors =
    !hint && !specificMarker && !FILE_DETECTORS.some((detector) => detector.files?.test(file))
      ? []
      : (keyValues !== 'none' ? ALL_DETECTORS : ALL_BUT_KEY_VALUE).filter((detector) => {
          if (detector.files !== undefined) return detector.files.test(file) && holdsMarker(detector, text);
          if (detector.generic) return hint;
          const format = FORMAT_DETECTORS.indexOf(detector);
          return formats !== undefined && (format === -1 ? holdsMarker(detector, text) : formats.has(format));
        });
  const privateKeys = privateKeyHits(file, text, options.lines);
  specific.push(...privateKeys);
  if (detectors.length === 0) return { specific, generic };
  // Source code: a credential is a string literal (`Token = "x"`), never an expression (`session.Token = validToken`).
  const code = isCodePath(file) || HCL_FILE.test(file);
  const lines = text.split('\n');
  const envNames = keyValues !== 'none' ? new EnvEntries() : undefined;
  const listItems = keyValues !== 'none' && hint ? new ListItems() : undefined;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    if (options.lines !== undefined && !options.lines.has(index + 1)) continue;
    if (line.length > 4000) continue; // minified or generated content: the library scan still covers it
    const keyValueLine = keyValues === 'all' || (keyValues !== 'none' && keyValues.has(index + 1));
    const lineHint = hint && CREDENTIAL_HINT.test(line);
    for (const detector of detectors) {
      if ((detector.generic && !lineHint) || (detector.lineHas !== undefined && !line.includes(detector.lineHas))) continue;
      // An ExternalSecret's item (`- secretKey: x` over `remoteRef:`) names a secret kept elsewhere.
      if (detector === KEY_VALUE_DETECTOR && (!keyValueLine || /^\s*remoteRef:/.test(lines[index + 1] ?? ''))) continue;
      for (const hit of lineHits(detector, file, line, index + 1, code)) (detector.generic ? generic : specific).push(hit);
    }
    const item = keyValueLine ? listItems?.next(line) : undefined;
    if (item) {
      const hit = candidate(KEY_VALUE_DETECTOR, file, index + 1, item.column, item.value, item.key, true);
      if (hit) generic.push(hit);
    }
    const env = keyValueLine ? envNames?.next(line, lineHint) : undefined;
    if (env) {
      const hit = candidate(KEY_VALUE_DETECTOR, file, index + 1, env.column, env.value, env.name, false, `credential in env ${env.name}`);
      if (hit) generic.push(hit);
    }
  }
  return { specific, generic };
}

/** Hits of one detector in one line. `code`: only quoted values count for generic detectors. */
export function lineHits(detector: LineDetector, file: string, line: string, lineNumber: number, code: boolean): SecretHit[] {
  const hits: SecretHit[] = [];
  const { pattern, valueGroups, keyGroups, quotedGroups = 0 } = detector;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(line); match; match = pattern.exec(line)) {
    if (match[0] === '') pattern.lastIndex += 1;
    const key = keyGroups?.map((group) => match[group]).find((text) => text !== undefined);
    if (keyGroups !== undefined && (key === undefined || !isCredentialKey(key))) continue;
    const position = valueGroups.findIndex((group) => match[group] !== undefined);
    const group = valueGroups[position];
    if (group === undefined) continue;
    const quoted = position < quotedGroups;
    if (detector.generic && code && !quoted) continue;
    let value = (match[group] ?? '').trim();
    // YAML read as text: an alias (`*db_password`) refers to a value given elsewhere; an anchor (`&pw value`) names it.
    if (detector.generic && !quoted && value.startsWith('*')) continue;
    if (detector.generic && !quoted && value.startsWith('&')) value = value.replace(/^&\S+\s*/, '');
    const start = match.indices?.[group]?.[0] ?? match.index;
    const column = start + 1 + (match[group] ?? '').indexOf(value);
    const hit = candidate(detector, file, lineNumber, column, value, key, quoted);
    if (hit) hits.push(hit);
  }
  return hits;
}

function candidate(detector: LineDetector, file: string, line: number, column: number, value: string, key: string | undefined, quoted: boolean, kind?: string): SecretHit | undefined {
  if (value === '' || isDocumentedExample(value)) return undefined;
  if (!detector.literal && (isInert(value) || isReference(value) || (!quoted && isFunctionCall(value)))) return undefined;
  if (detector.accept && !detector.accept(value)) return undefined;
  if (detector.generic && (SEALED_CIPHERTEXT.test(value) || (key !== undefined && !isPlaceholder(value) && isSecretObjectName(key, value)))) return undefined;
  return {
    kind: kind ?? detector.kind(key),
    value,
    file,
    range: { startLine: line, startColumn: column, endLine: line, endColumn: column + value.length },
    ...(key !== undefined ? { key } : {}),
    // A value that is its own key's name (`client_secret: "client_secret"`) is a template's, like a placeholder.
    placeholder: !detector.literal && (isPlaceholder(value) || (key !== undefined && isOwnKeyName(key, value))),
    detector: `fleetlint/${detector.id}`,
  };
}

/** Line detectors for token formats: id, what the message calls it, a literal marker, the pattern (the token in group 1). */
function providerFormats(formats: readonly (readonly [string, string, string, RegExp])[]): LineDetector[] {
  return formats.map(([id, kind, marker, pattern]) => ({ id, markers: [marker], pattern, valueGroups: [1], kind: () => kind, literal: true }));
}

/** A SealedSecret's encryptedData value (sealed-secrets' ciphertext): safe to commit. */
const SEALED_CIPHERTEXT = /^Ag[A-Za-z0-9+/]{200,}={0,2}$/;

/**
 * An unquoted function call (`get_env("X")`) or Terraform reference (`kubernetes_secret_v1.x.data.token`, in YAML
 * that embeds HCL) is an expression, not a literal.
 */
function isFunctionCall(value: string): boolean {
  return /^[A-Za-z_][\w.]*\(.*\)?$/.test(value) || /^[a-z][a-z0-9_]*(?:\.[a-z0-9_*]+(?:\[[^\]]*\])?){2,}$/.test(value);
}

/** Follows `- name: DB_PASSWORD` / `value: "x"` pairs of a container's env, line by line. */
class EnvEntries {
  #name: { name: string; indent: number; line: number } | undefined;
  #lines = 0;

  /** `hint`: whether the line holds a credential word; without one and with no name pending, the line changes nothing. */
  next(line: string, hint: boolean): { name: string; value: string; column: number } | undefined {
    this.#lines += 1;
    if (!hint && this.#name === undefined) return undefined;
    const named = /^(\s*)-\s+name:\s*["']?([\w.-]+)["']?\s*$/.exec(line);
    if (named) {
      const name = named[2] ?? '';
      this.#name = isCredentialKey(name) ? { name, indent: (named[1] ?? '').length + 2, line: this.#lines } : undefined;
      return undefined;
    }
    const pending = this.#name;
    if (!pending) return undefined;
    const valued = /^(\s*)value:\s*(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#"'][^#\n]*?))\s*(?:#.*)?$/d.exec(line);
    if (valued && (valued[1] ?? '').length === pending.indent) {
      this.#name = undefined;
      const group = valued[2] !== undefined ? 2 : valued[3] !== undefined ? 3 : 4;
      const value = valued[group] ?? '';
      const span: readonly number[] | undefined = valued.indices?.[group];
      return { name: pending.name, value, column: (span?.[0] ?? 0) + 1 };
    }
    if (this.#lines - pending.line > 3) this.#name = undefined;
    return undefined;
  }
}

/** Follows the items of a JSON list under a credential key, one a line: `"unseal_keys_b64": [` then `"x",` lines. */
class ListItems {
  #key: string | undefined;

  next(line: string): { key: string; value: string; column: number } | undefined {
    if (this.#key === undefined && !line.includes('[')) return undefined; // most lines: cheaply
    const opened = /^\s*"([A-Za-z_][\w.-]*)"\s*:\s*\[\s*$/.exec(line);
    if (opened) {
      const key = opened[1] ?? '';
      this.#key = isCredentialKey(key) ? key : undefined;
      return undefined;
    }
    const key = this.#key;
    if (key === undefined) return undefined;
    const item = /^\s*"([^"\\\n]*)",?\s*$/d.exec(line);
    const span: readonly number[] | undefined = item?.indices?.[1];
    if (!item || span === undefined) {
      this.#key = undefined; // `]`, or anything but a string item, ends the list
      return undefined;
    }
    return { key, value: item[1] ?? '', column: (span[0] ?? 0) + 1 };
  }
}

/** PEM private keys, and OpenVPN's static (tls-auth, tls-crypt) keys, hex in the same armour. */
const PEM_HEADER = /-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?|OpenVPN Static key V1)-----/g;

/**
 * PEM private keys with key material: the header, then base64 lines (or `\n`-escaped ones in a JSON string). A
 * header alone (a comment, a truncated README example, a parser's constant) is not a key.
 */
export function privateKeyBlocks(text: string): { index: number; header: string; material: string }[] {
  const blocks: { index: number; header: string; material: string }[] = [];
  PEM_HEADER.lastIndex = 0;
  for (let match = PEM_HEADER.exec(text); match; match = PEM_HEADER.exec(text)) {
    // Key material: base64 lines up to the END line once escapes, quotes and indentation are gone; header lines
    // (`Proc-Type:`) may come first in an encrypted key. An elided body (`...`) is a README's example, not a key.
    const lines = text.slice(match.index + match[0].length, match.index + match[0].length + 8000).split(/\\n|\n/);
    let material = '';
    let elided = false;
    for (const raw of lines) {
      const line = raw.replace(/^[\s"'|>+-]*|[\s"',\\]*$/g, '');
      if (line === '' || /^[\w-]+:\s/.test(line)) continue;
      if (line.includes('-----END') || line.includes('-----BEGIN')) break;
      if (/^(?:\.{3,}|…)$/.test(line)) elided = true;
      if (!/^[A-Za-z0-9+/=]+$/.test(line)) break;
      material += line;
    }
    // 120 characters: an EC P-256 key, the shortest in use, has about 160.
    if (!elided && material.length >= 120) blocks.push({ index: match.index, header: match[0], material: material.slice(0, 64) });
  }
  return blocks;
}

function privateKeyHits(file: string, text: string, lines: ReadonlySet<number> | undefined): SecretHit[] {
  if (!text.includes('PRIVATE KEY') && !text.includes('OpenVPN Static key')) return [];
  const hits: SecretHit[] = [];
  let lineStarts: number[] | undefined;
  for (const { index, header, material } of privateKeyBlocks(text)) {
    lineStarts ??= lineStartsOf(text);
    const line = lineOf(lineStarts, index);
    if (lines !== undefined && !lines.has(line)) continue;
    const column = index - (lineStarts[line - 1] ?? 0) + 1;
    // The value is the key's start, not its header alone: every RSA key has the same header.
    hits.push({ kind: header.includes('OpenVPN') ? 'OpenVPN static key' : 'private key', value: `${header}${material}`, file, range: { startLine: line, startColumn: column, endLine: line, endColumn: column + header.length }, placeholder: false, detector: 'fleetlint/private-key' });
  }
  return hits;
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  return starts;
}

/** The 1-based line of an offset. */
function lineOf(starts: readonly number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((starts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return low + 1;
}
