/**
 * The pre-filter in front of secretlint is derived from a table of markers per rule of the recommended preset. These
 * tests keep the two from drifting apart: every rule of the preset has markers, and an example of every message of
 * every rule (values generated here, in the formats the rules document) is reported by secretlint and passes the
 * pre-filter. The same holds for fleetlint's own line detectors and their markers.
 */
import { crc32 } from 'node:zlib';
import { lintSource } from '@secretlint/core';
import { creator as preset, rules } from '@secretlint/secretlint-rule-preset-recommend';
import { describe, expect, it } from 'vitest';
import { libraryHits, mayHoldProviderToken, PRESET_MARKERS, PRESET_RULE_IDS } from '../../src/secrets/library.js';
import { holdsMarker, KEY_VALUE_DETECTOR, LINE_DETECTORS, lineHits } from '../../src/secrets/text-detectors.js';

/** A fixed pseudo-random stream, so the examples are the same on every run. */
let state = 7;
function pick(alphabet: string, length: number): string {
  let out = '';
  for (let index = 0; index < length; index += 1) {
    state = (state * 1103515245 + 12345) % 2147483648;
    out += alphabet[state % alphabet.length] ?? 'a';
  }
  return out;
}
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const b64 = (text: string): string => Buffer.from(text).toString('base64');
const pemBody = (): string => `MII${pick(ALNUM, 300)}`.replace(/(.{64})/g, '$1\n');
const cloudflare = (prefix: string): string => {
  const body = pick(ALNUM, 40);
  return `${prefix}_${body}${crc32(body).toString(16).padStart(8, '0')}`;
};

/** JSON of a length that leaves its closing brace alone in base64's last group, as in real tokens. */
function onePasswordJson(): string {
  let json = '';
  for (let pad = ''; json.length % 3 !== 1; pad += 'x') json = `{"email":"x@1passwordserviceaccounts.lcl","secretKey":"${pick(ALNUM, 40)}","p":"${pad}"}`;
  return json;
}

/** Rule id -> message id -> a file (name and text) that gives that message. */
const EXAMPLES: Record<string, Record<string, { file: string; text: string } | 'not-text' | 'off'>> = {
  '@secretlint/secretlint-rule-aws': {
    AWSSecretAccessKey: { file: 'creds', text: `AWS_SECRET_ACCESS_KEY=${pick(ALNUM, 40)}\n` },
    // Off unless the rule's `enableIDScanRule` is set (it is not): fleetlint's aws-access-key-id detector finds ids.
    AWSAccessKeyID: 'off',
    AWSAccountID: 'off',
  },
  '@secretlint/secretlint-rule-gcp': {
    PrivateKeyJSON: { file: 'sa.json', text: JSON.stringify({ type: 'service_account', private_key_id: pick(HEX, 40), private_key: `-----BEGIN PRIVATE KEY-----\n${pemBody()}\n-----END PRIVATE KEY-----\n` }) },
    // A .p12 keystore is binary: fleetlint does not read binary files (it says which, in a note).
    PrivateKeyP12: 'not-text',
  },
  '@secretlint/secretlint-rule-privatekey': { PrivateKey: { file: 'id_rsa', text: `-----BEGIN RSA PRIVATE KEY-----\n${pemBody()}\n-----END RSA PRIVATE KEY-----\n` } },
  '@secretlint/secretlint-rule-npm': {
    PackageJSON_xOauthToken: { file: 'package.json', text: `{"dependencies": {"x": "git+https://${pick(HEX, 40)}:x-oauth-basic@github.com/o/x.git"}}\n` },
    Npmrc_authToken: { file: '.npmrc', text: `//registry.npmjs.org/:_authToken=${pick(HEX, 36)}\n` },
    NPM_ACCESS_TOKEN: { file: 'env', text: `NPM=npm_${pick(ALNUM, 36)}\n` },
  },
  '@secretlint/secretlint-rule-basicauth': { BasicAuth: { file: 'urls', text: `https://user:${pick(ALNUM, 12)}@example.com/x\n` } },
  '@secretlint/secretlint-rule-slack': {
    SLACK_TOKEN: { file: 'env', text: `xoxb-${pick('0123456789', 12)}-${pick('0123456789', 13)}-${pick(ALNUM, 24)}\n` },
    IncomingWebhook: { file: 'env', text: `https://hooks.slack.com/services/T${pick('ABCDEFGHJK', 8)}/B${pick('ABCDEFGHJK', 10)}/${pick(ALNUM, 24)}\n` },
  },
  '@secretlint/secretlint-rule-sendgrid': { SENDGRID_KEY: { file: 'env', text: `SG.${pick(ALNUM, 22)}.${pick(ALNUM, 43)}\n` } },
  '@secretlint/secretlint-rule-shopify': { SHOPIFY_KEY: { file: 'env', text: `shpat_${pick(HEX, 32)}\n` } },
  '@secretlint/secretlint-rule-stripe': {
    STRIPE_SECRET_KEY_LIVE: { file: 'env', text: `sk_live_${pick(ALNUM, 48)}\n` },
    STRIPE_SECRET_KEY_TEST: { file: 'env', text: `sk_test_${pick(ALNUM, 48)}\n` },
    STRIPE_RESTRICTED_KEY_LIVE: { file: 'env', text: `rk_live_${pick(ALNUM, 48)}\n` },
    STRIPE_RESTRICTED_KEY_TEST: { file: 'env', text: `rk_test_${pick(ALNUM, 48)}\n` },
  },
  '@secretlint/secretlint-rule-github': { GITHUB_TOKEN: { file: 'env', text: `ghp_${pick(ALNUM, 36)}\n` } },
  '@secretlint/secretlint-rule-gitlab': { GITLAB_PERSONAL_ACCESS_TOKEN: { file: 'env', text: `glpat-${pick(ALNUM, 20)}\n` } },
  '@secretlint/secretlint-rule-grafana': {
    GRAFANA_CLOUD_API_TOKEN: { file: 'env', text: `glc_${pick(ALNUM, 60)}==\n` },
    GRAFANA_SERVICE_ACCOUNT_TOKEN: { file: 'env', text: `glsa_${pick(ALNUM, 32)}_${pick(HEX, 8)}\n` },
  },
  '@secretlint/secretlint-rule-openai': { OPENAI_TOKEN: { file: 'env', text: `sk-proj-${pick(ALNUM, 58)}T3BlbkFJ${pick(ALNUM, 58)}\n` } },
  '@secretlint/secretlint-rule-anthropic': { ANTHROPIC_API_KEY: { file: 'env', text: `sk-ant-api03-${pick(ALNUM, 93)}AA\n` } },
  '@secretlint/secretlint-rule-groq': { GROQ_API_KEY: { file: 'env', text: `gsk_${pick(ALNUM, 52)}\n` } },
  '@secretlint/secretlint-rule-huggingface': { HUGGINGFACE_USER_ACCESS_TOKEN: { file: 'env', text: `hf_${pick('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', 34)}\n` } },
  '@secretlint/secretlint-rule-linear': { LINEAR_API_TOKEN: { file: 'env', text: `lin_api_${pick(ALNUM, 40)}\n` } },
  '@secretlint/secretlint-rule-notion': { NOTION_INTEGRATION_TOKEN: { file: 'env', text: `ntn_${pick('0123456789', 11)}${pick(ALNUM, 35)}\n` } },
  // A service account token is `ops_` and base64 JSON whose closing brace stands alone in the last group (`fQ`).
  '@secretlint/secretlint-rule-1password': { OPS_TOKEN: { file: 'env', text: `ops_${b64(onePasswordJson())}\n` } },
  '@secretlint/secretlint-rule-database-connection-string': {
    MongoDBConnection: { file: 'env', text: `mongodb+srv://app:${pick(ALNUM, 16)}@cluster0.example.net/db\n` },
    MySQLConnection: { file: 'env', text: `mysql://app:${pick(ALNUM, 16)}@db.example.com:3306/app\n` },
    PostgreSQLConnection: { file: 'env', text: `postgresql://app:${pick(ALNUM, 16)}@db.example.com:5432/app\n` },
  },
  '@secretlint/secretlint-rule-hashicorp-vault': {
    HASHICORP_VAULT_SERVICE_TOKEN: { file: 'env', text: `hvs.${pick(ALNUM, 95)}\n` },
    HASHICORP_VAULT_BATCH_TOKEN: { file: 'env', text: `hvb.${pick(ALNUM, 150)}\n` },
    HASHICORP_VAULT_RECOVERY_TOKEN: { file: 'env', text: `hvr.${pick(ALNUM, 95)}\n` },
  },
  '@secretlint/secretlint-rule-vercel': {
    VERCEL_PERSONAL_ACCESS_TOKEN: { file: 'env', text: `vcp_${pick(ALNUM, 40)}\n` },
    VERCEL_INTEGRATION_TOKEN: { file: 'env', text: `vci_${pick(ALNUM, 40)}\n` },
    VERCEL_APP_ACCESS_TOKEN: { file: 'env', text: `vca_${pick(ALNUM, 40)}\n` },
    VERCEL_APP_REFRESH_TOKEN: { file: 'env', text: `vcr_${pick(ALNUM, 40)}\n` },
    VERCEL_AI_GATEWAY_API_KEY: { file: 'env', text: `vck_${pick(ALNUM, 40)}\n` },
  },
  '@secretlint/secretlint-rule-databricks': { DATABRICKS_PERSONAL_ACCESS_TOKEN: { file: 'env', text: `dapi${pick(HEX, 32)}\n` } },
  '@secretlint/secretlint-rule-docker': { DOCKER_PERSONAL_ACCESS_TOKEN: { file: 'env', text: `dckr_pat_${pick(ALNUM, 27)}\n` } },
  '@secretlint/secretlint-rule-figma': { FIGMA_PERSONAL_ACCESS_TOKEN: { file: 'env', text: `figd_${pick(ALNUM, 40)}\n` } },
  '@secretlint/secretlint-rule-cloudflare': {
    CLOUDFLARE_GLOBAL_API_KEY: { file: 'env', text: `${cloudflare('cfk')}\n` },
    CLOUDFLARE_USER_API_TOKEN: { file: 'env', text: `${cloudflare('cfut')}\n` },
    CLOUDFLARE_ACCOUNT_API_TOKEN: { file: 'env', text: `${cloudflare('cfat')}\n` },
  },
  '@secretlint/secretlint-rule-tailscale': {
    TAILSCALE_API_KEY: { file: 'env', text: `tskey-api-${pick(ALNUM, 12)}-${pick(ALNUM, 30)}\n` },
    TAILSCALE_AUTH_KEY: { file: 'env', text: `tskey-auth-${pick(ALNUM, 12)}-${pick(ALNUM, 30)}\n` },
    TAILSCALE_CLIENT_KEY: { file: 'env', text: `tskey-client-${pick(ALNUM, 12)}-${pick(ALNUM, 30)}\n` },
    TAILSCALE_SCIM_KEY: { file: 'env', text: `tskey-scim-${pick(ALNUM, 12)}-${pick(ALNUM, 30)}\n` },
    TAILSCALE_WEBHOOK_KEY: { file: 'env', text: `tskey-webhook-${pick(ALNUM, 12)}-${pick(ALNUM, 30)}\n` },
    TAILSCALE_KEY: { file: 'env', text: `tskey-other-${pick(ALNUM, 12)}-${pick(ALNUM, 30)}\n` },
  },
  '@secretlint/secretlint-rule-filter-comments': { IGNORE_MESSAGE: 'not-text' },
};

const config = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: preset }] };

describe('the pre-filter in front of secretlint', () => {
  it('has markers for every rule of the preset', () => {
    expect(PRESET_RULE_IDS.length).toBeGreaterThan(20);
    expect(PRESET_RULE_IDS.filter((id) => PRESET_MARKERS[id] === undefined)).toEqual([]);
  });

  const cases = rules.flatMap((rule) => Object.keys(rule.messages).map((message) => [rule.meta.id, message] as const));
  it.each(cases)('%s %s: the example is reported and passes the pre-filter', async (ruleId, messageId) => {
    const example = EXAMPLES[ruleId]?.[messageId];
    expect(example, `no example for ${ruleId} ${messageId}`).toBeDefined();
    if (example === undefined || example === 'not-text' || example === 'off') return;
    const ext = /\.[^./]+$/.exec(example.file)?.[0] ?? '';
    const result = await lintSource({ source: { filePath: `/${example.file}`, content: example.text, contentType: 'text', ext }, options: { config } });
    expect(result.messages.map((message) => `${message.ruleId} ${message.messageId}`)).toContain(`${ruleId} ${messageId}`);
    expect(mayHoldProviderToken(example.text)).toBe(true);
    expect((await libraryHits(example.file, example.text)).length).toBeGreaterThan(0);
  });

  it('skips text without any marker', () => {
    expect(mayHoldProviderToken('replicaCount: 2\nimage:\n  repository: traefik\n  tag: v3.1.2\n')).toBe(false);
  });
});

/** An example line for each of fleetlint's line detectors (by id and pattern order). */
const LINE_EXAMPLES: Record<string, string[]> = {
  'url-credentials': ['redis://:' + pick(ALNUM, 16) + '@redis:6379'],
  'url-token': ['discord://' + pick(ALNUM, 68) + '@123456789012345678'],
  'minio-client': ['mc alias set homelab https://s3.example.com admin ' + pick(ALNUM, 40)],
  'ipsec-secret': [': PSK "' + pick(ALNUM, 32) + '"'],
  'snmp-community': ['rocommunity ' + pick(ALNUM, 16) + ' 192.168.1.0/24'],
  'gossip-key': ['encrypt = "' + Buffer.from(pick(ALNUM, 32)).toString('base64') + '"'],
  'npmrc-auth': ['//registry.example.com/:_authToken=' + pick(ALNUM, 36)],
  msmtprc: ['password ' + pick(ALNUM, 16)],
  'rclone-config': ['key = K005' + pick(ALNUM, 27)],
  'postfix-sasl-passwd': ['[smtp.example.com]:587 me@example.com:' + pick(ALNUM, 16)],
  'rails-master-key': [pick(HEX, 32)],
  'argon2-hash': ['$argon2id$v=19$m=65540,t=3,p=4$' + pick(ALNUM, 22) + '$' + pick(ALNUM, 43)],
  'xml-element': ['<ApiKey>' + pick(HEX, 32) + '</ApiKey>'],
  dotenv: ['PAPERLESS_SECRET_KEY=d4WbW(5oZ!xF' + pick(ALNUM, 30)],
  'docker-login': ['docker login -u ci -p ' + pick(ALNUM, 16) + ' registry.example.com'],
  'curl-user': ['curl -u admin:' + pick(ALNUM, 16) + ' https://example.com'],
  'mysql-password': ['mysql -uroot -p' + pick(ALNUM, 16) + ' -e "select 1"'],
  sshpass: ['sshpass -p ' + pick(ALNUM, 16) + ' ssh pi@host'],
  netrc: ['  password ' + pick(ALNUM, 16), 'machine host login me password ' + pick(ALNUM, 16)],
  pgpass: ['db.lan:5432:app:app:' + pick(ALNUM, 16)],
  'k3s-token': ['K10' + pick(HEX, 64) + '::server:' + pick(HEX, 32)],
  'aws-access-key-id': ['AKIA' + pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)],
  'gitlab-token': ['glrt-' + pick(ALNUM, 24)],
  'teams-webhook': ['https://x.webhook.office.com/webhookb2/' + pick(HEX, 60)],
  'discord-webhook': ['https://discord.com/api/webhooks/123456789012345678/' + pick(ALNUM, 68)],
  'telegram-bot-token': ['1234567890:AA' + pick(ALNUM, 33)],
  'sendgrid-key': ['SG.' + pick(ALNUM, 20) + '-_.' + pick(ALNUM, 40) + '-_-'],
  jwt: ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4IiwiaWF0IjoxfQ.' + pick(ALNUM, 43)],
  'authorization-header': ['Authorization: Bearer ' + pick(ALNUM, 32)],
  'age-secret-key': ['AGE-SECRET-KEY-1' + pick('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58)],
  'password-hash': ['admin:$apr1$' + pick(ALNUM, 8) + '$' + pick(ALNUM, 22)],
  'docker-auth': ['{"auth": "' + b64('user:' + pick(ALNUM, 12)) + '"}'],
  'encoded-private-key': ['client-key-data: ' + b64(`-----BEGIN EC PRIVATE KEY-----\n${pemBody()}\n-----END EC PRIVATE KEY-----\n`)],
  assignment: ['DB_PASSWORD=' + pick(ALNUM, 16), "'dbpassword' => '" + pick(ALNUM, 16) + "',", '--password ' + pick(ALNUM, 16)],
  'google-api-key': ['AIza' + pick(ALNUM, 35)],
  'digitalocean-token': ['dop_v1_' + pick(HEX, 64)],
  'pypi-token': ['pypi-AgEIcHlwaS5vcmc' + pick(ALNUM, 60)],
  'terraform-cloud-token': [pick(ALNUM, 14) + '.atlasv1.' + pick(ALNUM, 67)],
  'postman-key': ['PMAK-' + pick(HEX, 24) + '-' + pick(HEX, 34)],
  'newrelic-key': ['NRAK-' + pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 27)],
  'doppler-token': ['dp.st.prd.' + pick(ALNUM, 43)],
  'pulumi-token': ['pul-' + pick(HEX, 40)],
  'proxmox-api-token': ['PVEAPIToken=terraform@pve!ci=' + [8, 4, 4, 4, 12].map((length) => pick(HEX, length)).join('-')],
  'mailgun-key': ['key-' + pick(HEX, 32)],
  'twilio-api-key': ['SK' + pick(HEX, 32)],
  'rubygems-key': ['rubygems_' + pick(HEX, 48)],
  'sentry-token': ['sntryu_' + pick(HEX, 64)],
  'atlassian-token': ['ATATT3xFfGF0' + pick(ALNUM, 180)],
  'azure-sas-signature': ['https://x.blob.core.windows.net/c?sv=2022-11-02&sp=r&sig=' + pick(ALNUM, 43) + '%3D'],
  'azure-client-secret': ['abc8Q~' + pick(ALNUM, 34)],
  'heroku-api-key': ['HRKU-' + pick(ALNUM, 60)],
};

/** A file each detector that reads only some files reads. */
const DETECTOR_FILES: Record<string, string> = {
  pgpass: '.pgpass',
  msmtprc: '.msmtprc',
  'rclone-config': 'rclone/rclone.conf',
  'postfix-sasl-passwd': 'postfix/sasl_passwd',
  'rails-master-key': 'config/master.key',
  dotenv: 'paperless/docker-compose.env',
};

describe("fleetlint's line detectors", () => {
  const detectors = [...LINE_DETECTORS, KEY_VALUE_DETECTOR];
  const seen = new Map<string, number>();
  const cases = detectors.map((detector) => {
    const index = seen.get(detector.id) ?? 0;
    seen.set(detector.id, index + 1);
    return [detector.id, index, detector] as const;
  });
  it.each(cases)('%s (#%i): its example matches and holds a marker', (id, index, detector) => {
    const line = id === 'key-value' ? `password: ${pick(ALNUM, 16)}` : LINE_EXAMPLES[id]?.[index];
    expect(line, `no example for ${id} #${String(index)}`).toBeDefined();
    if (line === undefined) return;
    expect(holdsMarker(detector, line)).toBe(true);
    const file = detector.files ? (DETECTOR_FILES[id] ?? '.netrc') : 'example.txt';
    expect(lineHits(detector, file, line, 1, false).map((hit) => hit.detector)).toEqual([`fleetlint/${id}`]);
  });
});
