#!/usr/bin/env node
// A recall corpus for secret scanners, generated from a seed: a fleet of GitOps repositories holding random values
// in the real formats of the credentials such a fleet keeps (each planted line recorded with its kind), look-alikes
// that are not secrets, and secrets that exist only in git history. Nothing here is a real credential, and the
// values are made when the corpus is written, never committed.
//
// Usage: node scripts/secrets-corpus.mjs --out DIR [--seed S]   (writes DIR/<repo>/ as git repositories and
// DIR/expected.json). `npm run secrets-compare` writes one and runs fleetlint and gitleaks on it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { crc32 } from 'node:zlib';

export const DEFAULT_SEED = 'fleetlint-secrets-1';

/** mulberry32 over a string seed: the same seed gives the same corpus. */
export function random(seed) {
  let state = 0;
  for (const char of seed) state = (Math.imul(state ^ char.charCodeAt(0), 2654435761) + 1) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const HEX = '0123456789abcdef';
const B64 = `${ALNUM}+/`;
const URLSAFE = `${ALNUM}_-`;
const BECH32 = 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L';
const PW = `${ALNUM}!#%+-_.`;

/** Value generators in the real formats, by kind. */
export function formats(rand) {
  const pick = (alphabet, length) => Array.from({ length }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
  const bytes = (length) => Buffer.from(Array.from({ length }, () => Math.floor(rand() * 256)));
  const password = () => `${pick(ALNUM, 1)}${pick(PW, 14)}${pick('0123456789', 1)}`;
  const b64 = (text) => Buffer.from(text).toString('base64');
  const pemBody = (length) => `MII${bytes(length).toString('base64')}`.match(/.{1,64}/g);
  const jwtPart = (object) => Buffer.from(JSON.stringify(object)).toString('base64url');
  return {
    password,
    hex: (length) => pick(HEX, length),
    b64,
    gitlabPat: () => `glpat-${pick(URLSAFE, 20)}`,
    gitlabRunner: () => `glrt-${pick(URLSAFE, 27)}`,
    gitlabJob: () => `glcbt-64_${pick(URLSAFE, 20)}`,
    gitlabDeploy: () => `gldt-${pick(URLSAFE, 20)}`,
    gitlabTrigger: () => `glptt-${pick(HEX, 40)}`,
    gitlabRegistration: () => `GR1348941${pick(URLSAFE, 20)}`,
    githubPat: () => `ghp_${pick(ALNUM, 36)}`,
    githubFine: () => `github_pat_${pick(ALNUM, 22)}_${pick(ALNUM, 59)}`,
    awsKeyId: () => `AKIA${pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`,
    awsSecret: () => pick(`${ALNUM}/+`, 40),
    slackBot: () => `xoxb-${pick('0123456789', 12)}-${pick('0123456789', 13)}-${pick(ALNUM, 24)}`,
    slackWebhook: () => `https://hooks.slack.com/services/T${pick(UPPER_DIGITS, 8)}/B${pick(UPPER_DIGITS, 10)}/${pick(ALNUM, 24)}`,
    vault: () => `hvs.${pick(URLSAFE, 95)}`,
    grafana: () => `glsa_${pick(ALNUM, 32)}_${pick(HEX, 8)}`,
    dockerPat: () => `dckr_pat_${pick(URLSAFE, 27)}`,
    tailscale: () => `tskey-auth-${pick(ALNUM, 12)}-${pick(ALNUM, 30)}`,
    npm: () => `npm_${pick(ALNUM, 36)}`,
    stripe: () => `sk_live_${pick(ALNUM, 48)}`,
    sendgrid: () => `SG.${pick(URLSAFE, 22)}.${pick(URLSAFE, 43)}`,
    openai: () => `sk-proj-${pick(URLSAFE, 58)}T3BlbkFJ${pick(URLSAFE, 58)}`,
    huggingface: () => `hf_${pick('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 34)}`,
    cloudflare: () => {
      const body = pick(ALNUM, 40);
      return `cfut_${body}${crc32(body).toString(16).padStart(8, '0')}`;
    },
    age: () => `AGE-SECRET-KEY-1${pick(BECH32, 58)}`,
    discord: () => `https://discord.com/api/webhooks/${pick('0123456789', 19)}/${pick(URLSAFE, 68)}`,
    teams: () =>
      `https://homelab.webhook.office.com/webhookb2/${pick(HEX, 8)}-${pick(HEX, 4)}-${pick(HEX, 4)}-${pick(HEX, 4)}-${pick(HEX, 12)}@${pick(HEX, 8)}-${pick(HEX, 4)}-${pick(HEX, 4)}-${pick(HEX, 4)}-${pick(HEX, 12)}/IncomingWebhook/${pick(HEX, 32)}/${pick(HEX, 8)}-${pick(HEX, 4)}-${pick(HEX, 4)}-${pick(HEX, 4)}-${pick(HEX, 12)}`,
    telegram: () => `${pick('0123456789', 10)}:AA${pick(URLSAFE, 33)}`,
    jwt: () => `${jwtPart({ alg: 'HS256', typ: 'JWT' })}.${jwtPart({ sub: `svc-${pick(HEX, 6)}`, iat: 1700000000 + Math.floor(rand() * 1e6) })}.${pick(URLSAFE, 43)}`,
    apr1: () => `$apr1$${pick(ALNUM, 8)}$${pick(`${ALNUM}./`, 22)}`,
    bcrypt: () => `$2y$10$${pick(`${ALNUM}./`, 53)}`,
    wireguard: () => bytes(32).toString('base64'),
    pem: (type) => [`-----BEGIN ${type}PRIVATE KEY-----`, ...pemBody(600), `-----END ${type}PRIVATE KEY-----`],
    azureKey: () => bytes(64).toString('base64'),
    random: (length) => pick(ALNUM, length),
    pick,
  };
}

/** A file built line by line; `secret` and `lookalike` record the line they add. */
export class FileBuilder {
  constructor(corpus, repo, path) {
    Object.assign(this, { corpus, repo, path, lines: [] });
  }
  line(...texts) {
    this.lines.push(...texts);
    return this;
  }
  secret(kind, text) {
    this.lines.push(text);
    this.corpus.secrets.push({ repo: this.repo, file: this.path, line: this.lines.length, kind });
    return this;
  }
  lookalike(kind, text) {
    this.lines.push(text);
    this.corpus.lookalikes.push({ repo: this.repo, file: this.path, line: this.lines.length, kind });
    return this;
  }
  text() {
    return `${this.lines.join('\n')}\n`;
  }
}

/** The corpus as data: repos with files, history-only commits, what is planted where. */
export function generateCorpus(seed = DEFAULT_SEED) {
  const rand = random(seed);
  const f = formats(rand);
  const corpus = { seed, repos: {}, history: [], secrets: [], lookalikes: [] };
  const file = (repo, path) => {
    const builder = new FileBuilder(corpus, repo, path);
    (corpus.repos[repo] ??= []).push(builder);
    return builder;
  };

  // Each "variant" puts a kind in another repo and file shape, three times over, so recall is measured per kind
  // in more than one place.
  for (const [index, repo] of ['platform-infra', 'core-services', 'apps-media', 'observability', 'cicd-runners', 'ops-scripts'].entries()) {
    const n = index;
    // Helm values, bitnami style (an empty existingSecret beside the password).
    file(repo, `helm/${repo}/values.yaml`)
      .line('replicaCount: 1', 'auth:', '  existingSecret: ""', `  username: app${n}`)
      .secret('helm-value-password', `  password: ${f.password()}`)
      .secret('helm-value-password', `  postgresPassword: "${f.password()}"`)
      .line('redis:', '  auth:', '    enabled: true')
      .secret('helm-value-password', `    password: '${f.password()}'`)
      .line('ingress:', '  enabled: true', '  tls:', `    - secretName: ${repo}-tls`)
      .lookalike('secret-name', `  existingSecret: ${repo}-admin`)
      .lookalike('reference', '  adminPassword: "{{ .Values.global.adminPassword }}"');

    // A Kubernetes Secret with stringData and data.
    file(repo, `manifests/${repo}-secret.yaml`)
      .line('apiVersion: v1', 'kind: Secret', 'metadata:', `  name: ${repo}-credentials`, 'type: Opaque', 'stringData:')
      .lookalike('secret-public-field', `  username: svc-${n}`)
      .secret('k8s-secret-stringdata', `  api-token: ${f.random(32)}`)
      .line('data:')
      .secret('k8s-secret-data', `  password: ${f.b64(f.password())}`)
      .lookalike('secret-public-field', `  ca.crt: ${f.b64('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')}`);

    // A Deployment with literal env values.
    file(repo, `manifests/${repo}-deployment.yaml`)
      .line('apiVersion: apps/v1', 'kind: Deployment', 'metadata:', `  name: ${repo}`, 'spec:', '  template:', '    spec:', '      containers:', `        - name: ${repo}`, `          image: registry.homelab.local/${repo}:1.${n}.0`, '          env:', '            - name: DB_PASSWORD')
      .secret('deployment-env', `              value: "${f.password()}"`)
      .line('            - name: API_KEY', '              valueFrom:', '                secretKeyRef:', `                  name: ${repo}-api`, '                  key: api-key');

    // A ConfigMap embedding a config file with a password.
    file(repo, `manifests/${repo}-config.yaml`)
      .line('apiVersion: v1', 'kind: ConfigMap', 'metadata:', `  name: ${repo}-config`, 'data:', '  app.ini: |', '    [database]', '    host = postgres')
      .secret('block-scalar', `    password = ${f.password()}`)
      .line('  settings.yaml: |', '    smtp:', '      host: mail.homelab.local')
      .secret('block-scalar', `      password: ${f.password()}`);

    // .env and shell.
    file(repo, '.env')
      .line('APP_ENV=production')
      .secret('env-file', `DB_PASSWORD=${f.password()}`)
      .secret('env-file', `SECRET_KEY_BASE=${f.hex(64)}`)
      .secret('env-file', `JWT_SIGNING_KEY=${f.random(32)}`)
      .lookalike('reference', 'REDIS_PASSWORD=${REDIS_PASSWORD}');
    file(repo, 'scripts/backup.sh')
      .line('#!/bin/bash', 'set -euo pipefail')
      .secret('pgpassword', `PGPASSWORD=${f.password()} pg_dump -h postgres -U app app > /backup/app.sql`)
      .secret('mysql-p', `mysqldump -uroot -p${f.password().replace(/[!#%]/g, 'x')} --all-databases > /backup/all.sql`)
      .secret('curl-u', `curl -fsS -u admin:${f.password().replace(/[!#%]/g, 'x')} https://nexus.homelab.local/service/rest/v1/status`)
      .secret('sshpass', `sshpass -p '${f.password()}' rsync -a /backup pi@nas.homelab.local:/srv/backup`)
      .lookalike('reference', 'export VAULT_TOKEN="$(vault print token)"');

    // GitLab CI with variables.
    file(repo, '.gitlab-ci.yml')
      .line('stages: [deploy]', 'variables:')
      .secret('ci-variable', `  DEPLOY_PASSWORD: "${f.password()}"`)
      .secret('docker-auth-config', `  DOCKER_AUTH_CONFIG: '{"auths":{"registry.homelab.local":{"auth":"${f.b64(`ci:${f.password().replace(/[!#%]/g, 'x')}`)}"}}}'`)
      .line('deploy:', '  stage: deploy', '  script:')
      .secret('docker-login', `    - docker login -u ci -p ${f.password().replace(/[!#%]/g, 'x')} registry.homelab.local`)
      .lookalike('reference', '    - docker login -u "$CI_REGISTRY_USER" -p "$CI_REGISTRY_PASSWORD" "$CI_REGISTRY"');

    // Terraform.
    file(repo, 'terraform/terraform.tfvars')
      .secret('tfvars', `proxmox_password = "${f.password()}"`)
      .secret('tfvars', `cloudflare_api_token = "${f.random(40)}"`);
    file(repo, 'terraform/main.tf')
      .line('provider "proxmox" {', '  pm_api_url = "https://pve.homelab.local:8006/api2/json"')
      .lookalike('terraform-reference', '  pm_password = var.proxmox_password')
      .lookalike('terraform-reference', '  pm_api_token_secret = kubernetes_secret_v1.proxmox.data.token')
      .line('}');

    // URLs with credentials.
    file(repo, `config/${repo}-connections.yaml`)
      .line('connections:')
      .secret('url-credentials', `  database: postgres://app:${f.password().replace(/[!#%]/g, 'x')}@postgres.${repo}.svc:5432/app`)
      .secret('url-credentials', `  cache: redis://:${f.random(20)}@redis.${repo}.svc:6379/0`)
      .secret('connection-string', `  storage: "DefaultEndpointsProtocol=https;AccountName=bk${n};AccountKey=${f.azureKey()};EndpointSuffix=core.windows.net"`)
      .lookalike('reference', '  metrics: https://${METRICS_USER}:${METRICS_PASSWORD}@metrics.homelab.local');
  }

  // Provider tokens, each in two different places.
  const tokenKinds = [
    ['gitlab-pat', f.gitlabPat],
    ['gitlab-runner-token', f.gitlabRunner],
    ['gitlab-job-token', f.gitlabJob],
    ['gitlab-deploy-token', f.gitlabDeploy],
    ['gitlab-trigger-token', f.gitlabTrigger],
    ['gitlab-runner-registration', f.gitlabRegistration],
    ['github-pat', f.githubPat],
    ['github-fine-grained', f.githubFine],
    ['aws-access-key-id', f.awsKeyId],
    ['slack-bot-token', f.slackBot],
    ['slack-webhook', f.slackWebhook],
    ['vault-token', f.vault],
    ['grafana-token', f.grafana],
    ['docker-hub-pat', f.dockerPat],
    ['tailscale-key', f.tailscale],
    ['npm-token', f.npm],
    ['stripe-key', f.stripe],
    ['sendgrid-key', f.sendgrid],
    ['openai-key', f.openai],
    ['huggingface-token', f.huggingface],
    ['cloudflare-token', f.cloudflare],
    ['discord-webhook', f.discord],
    ['teams-webhook', f.teams],
    ['telegram-bot-token', f.telegram],
  ];
  const scripts = file('ops-scripts', 'scripts/notify.sh').line('#!/bin/sh');
  const values = file('apps-media', 'helm/integrations/values.yaml').line('integrations:');
  for (const [kind, make] of tokenKinds) {
    scripts.secret(kind, `curl -fsS -H "X-Token: ${make()}" https://example.invalid/ >/dev/null`);
    values.secret(kind, `  ${kind.replace(/-/g, '_')}: ${make()}`);
  }
  const aws = file('platform-infra', 'velero/credentials-velero').line('[default]');
  aws.secret('aws-access-key-id', `aws_access_key_id = ${f.awsKeyId()}`).secret('aws-secret-access-key', `aws_secret_access_key = ${f.awsSecret()}`);

  // Keys and files of credentials.
  for (const [repo, type] of [
    ['platform-infra', 'RSA '],
    ['ops-scripts', 'OPENSSH '],
    ['core-services', 'EC '],
  ]) {
    const [header, ...rest] = f.pem(type);
    file(repo, `keys/${type.trim().toLowerCase()}_deploy_key`).secret('private-key', header).line(...rest);
  }
  const [keyHeader, ...keyRest] = f.pem('');
  file('core-services', 'manifests/tls-secret.yaml')
    .line('apiVersion: v1', 'kind: Secret', 'metadata:', '  name: wildcard-tls', 'type: kubernetes.io/tls', 'stringData:')
    .secret('private-key', '  tls.key: |')
    .line(`    ${keyHeader}`, ...keyRest.map((line) => `    ${line}`));
  file('platform-infra', 'kubeconfig/admin.conf')
    .line('apiVersion: v1', 'kind: Config', 'users:', '  - name: admin', '    user:')
    .secret('kubeconfig-client-key', `      client-key-data: ${f.b64(`${f.pem('EC ').join('\n')}\n`)}`)
    .line('  - name: ci', '    user:')
    .secret('kubeconfig-token', `      token: ${f.jwt()}`);
  file('platform-infra', 'docker/config.json').secret('docker-config-auth', `{"auths": {"harbor.homelab.local": {"auth": "${f.b64(`robot$ci:${f.random(32)}`)}"}}}`);
  file('core-services', 'manifests/regcred.yaml')
    .line('apiVersion: v1', 'kind: Secret', 'metadata:', '  name: regcred', 'type: kubernetes.io/dockerconfigjson', 'data:')
    .secret('dockerconfigjson', `  .dockerconfigjson: ${f.b64(JSON.stringify({ auths: { 'harbor.homelab.local': { auth: f.b64(`robot:${f.random(24)}`) } } }))}`);
  file('core-services', 'argocd/repo-secret.yaml')
    .line('apiVersion: v1', 'kind: Secret', 'metadata:', '  name: gitops-repo', '  labels:', '    argocd.argoproj.io/secret-type: repository', 'stringData:')
    .lookalike('secret-public-field', '  type: git')
    .lookalike('secret-public-field', '  url: https://gitlab.homelab.local/homelab/gitops.git')
    .line('  username: argocd')
    .secret('argocd-repo-password', `  password: ${f.gitlabDeploy()}`);
  for (const repo of ['platform-infra', 'ops-scripts']) {
    file(repo, 'wireguard/wg0.conf')
      .line('[Interface]', 'Address = 10.8.0.1/24', 'ListenPort = 51820')
      .secret('wireguard-key', `PrivateKey = ${f.wireguard()}`)
      .line('[Peer]', `PublicKey = ${f.wireguard()}`)
      .secret('wireguard-key', `PresharedKey = ${f.wireguard()}`)
      .line('AllowedIPs = 10.8.0.2/32');
  }
  file('observability', 'alertmanager/alertmanager.yml')
    .line('receivers:', '  - name: pagerduty', '    pagerduty_configs:')
    .secret('routing-key', `      - routing_key: ${f.hex(32)}`)
    .line('  - name: datadog', '    webhook_configs:', '      - url: https://api.datadoghq.eu/api/v1/events')
    .line('global:')
    .secret('app-key', `  datadog_app_key: ${f.hex(40)}`)
    .secret('slack-webhook', `  slack_api_url: ${f.slackWebhook()}`)
    .lookalike('placeholder', '  smtp_auth_password: <SMTP_PASSWORD>');
  file('observability', 'grafana/datasources.yaml')
    .line('apiVersion: 1', 'datasources:', '  - name: loki', '    type: loki', '    basicAuth: true', '    basicAuthUser: grafana', '    secureJsonData:')
    .secret('helm-value-password', `      basicAuthPassword: ${f.password()}`)
    .lookalike('placeholder', '      httpHeaderValue1: "Bearer <TOKEN>"');
  for (const repo of ['core-services', 'apps-media']) {
    file(repo, 'traefik/dashboard-users.yaml')
      .line('http:', '  middlewares:', '    dashboard-auth:', '      basicAuth:', '        users:')
      .secret('htpasswd', `          - "admin:${f.apr1()}"`)
      .secret('htpasswd', `          - "ops:${f.bcrypt()}"`);
  }
  file('ops-scripts', 'sops/age.key').line('# created: 2024-05-01T10:00:00Z', `# public key: age1${f.pick(BECH32.toLowerCase(), 58)}`).secret('age-key', f.age());
  file('ops-scripts', 'home/.netrc').line('machine gitlab.homelab.local').line('  login deploy').secret('netrc', `  password ${f.random(24)}`);
  file('ops-scripts', 'scripts/api-call.sh')
    .secret('authorization-jwt', `curl -H "Authorization: Bearer ${f.jwt()}" https://api.homelab.local/v1/jobs`)
    .secret('authorization-header', `wget --header="PRIVATE-TOKEN: ${f.random(24)}" https://gitlab.homelab.local/api/v4/projects`);
  file('platform-infra', 'terraform/terraform.tfstate')
    .line('{', '  "version": 4,', '  "resources": [', '    {', '      "type": "random_password",', '      "instances": [', '        {', '          "attributes": {')
    .secret('tfstate', `            "result": "${f.random(24)}", "password": "${f.password()}",`)
    .line('            "length": 24', '          }', '        }', '      ]', '    }', '  ]', '}');
  file('cicd-runners', 'runner/config.toml')
    .line('concurrent = 4', '[[runners]]', '  name = "homelab-docker"', '  url = "https://gitlab.homelab.local"')
    .secret('gitlab-runner-token', `  token = "${f.gitlabRunner()}"`)
    .line('  executor = "docker"');
  file('cicd-runners', 'Dockerfile').line('FROM alpine:3.20').secret('dockerfile-env', `ENV NEXUS_PASSWORD=${f.password().replace(/[!#%]/g, 'x')}`).line('RUN apk add --no-cache curl');
  file('apps-media', 'ansible/group_vars/all.yml').line('---', 'media_user: media').secret('ansible-var', `plex_token: ${f.random(20)}`).secret('ansible-var', `nas_password: "${f.password()}"`);
  file('apps-media', 'src/client.go')
    .line('package client', '', 'const (', '\tbaseURL = "https://api.homelab.local"')
    .secret('code-literal', `\tapiToken = "${f.random(32)}"`)
    .line(')', '', 'func login(s *Session) {')
    .lookalike('code-expression', '\ts.Token = validToken')
    .line('}');
  file('apps-media', 'docs/README.md')
    .line('# Media stack', '', 'Log in to the API:', '', '```')
    .secret('docs-token', `export JELLYFIN_API_KEY=${f.hex(32)}`)
    .lookalike('placeholder', 'export SONARR_API_KEY=<your-api-key>')
    .lookalike('placeholder', 'export ROOT_PASSWORD=[ROOT_PASSWORD]')
    .lookalike('placeholder', 'runner register --token glrt-<TOKEN>')
    .lookalike('aws-example', 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE')
    .lookalike('private-key-header-only', '-----BEGIN RSA PRIVATE KEY-----')
    .line('...', '-----END RSA PRIVATE KEY-----', '```');
  // A chart template (not parsed as YAML) and a YAML file with a syntax error.
  file('apps-media', 'charts/jellyfin/Chart.yaml').line('apiVersion: v2', 'name: jellyfin', 'version: 1.0.0');
  file('apps-media', 'charts/jellyfin/templates/secret.yaml')
    .line('apiVersion: v1', 'kind: Secret', 'metadata:', '  name: {{ include "jellyfin.fullname" . }}', 'stringData:')
    .secret('template-literal', `  admin-password: ${f.password()}`)
    .lookalike('reference', '  api-key: {{ .Values.apiKey | quote }}');
  file('observability', 'loki/values.yaml')
    .line('loki:', '  storage:', '    s3:', '      endpoint: minio.homelab.local', '      accessKeyId: loki')
    .secret('broken-yaml', `      secretAccessKey: ${f.random(40)}`)
    .line('      buckets: [chunks, ruler', '  schemaConfig: {}');
  file('observability', 'manifests/sealed.yaml')
    .line('apiVersion: bitnami.com/v1alpha1', 'kind: SealedSecret', 'metadata:', '  name: grafana-admin', 'spec:', '  encryptedData:')
    .lookalike('sealed-secret', `    admin-password: AgB${f.random(120)}`);
  file('observability', 'manifests/external-secret.yaml')
    .line('apiVersion: external-secrets.io/v1beta1', 'kind: ExternalSecret', 'metadata:', '  name: grafana', 'spec:', '  secretStoreRef:', '    name: vault', '    kind: ClusterSecretStore', '  data:')
    .lookalike('external-secret', '    - secretKey: admin-password')
    .line('      remoteRef:', '        key: observability/grafana', '        property: password');
  file('observability', 'values/digests.yaml').line('image:').lookalike('digest', `  digest: sha256:${f.hex(64)}`);
  file('observability', 'values/own-name.yaml').lookalike('own-key-name', 'client_secret: "client_secret"');

  // Held out: formats written into the corpus before fleetlint had a detector for them, under names that say
  // nothing (`value:`), so only a token's own format can find them. compare reports them apart.
  const heldOut = [
    ['google-api-key', () => `AIza${f.pick(URLSAFE, 35)}`],
    ['digitalocean-token', () => `dop_v1_${f.hex(64)}`],
    ['pypi-token', () => `pypi-AgEIcHlwaS5vcmc${f.pick(URLSAFE, 70)}`],
    ['terraform-cloud-token', () => `${f.pick(ALNUM, 14)}.atlasv1.${f.pick(ALNUM, 67)}`],
    ['postman-key', () => `PMAK-${f.hex(24)}-${f.hex(34)}`],
    ['newrelic-key', () => `NRAK-${f.pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 27)}`],
    ['doppler-token', () => `dp.st.prd.${f.pick(ALNUM, 43)}`],
    ['pulumi-token', () => `pul-${f.hex(40)}`],
    ['proxmox-api-token', () => `PVEAPIToken=terraform@pve!ci=${f.hex(8)}-${f.hex(4)}-${f.hex(4)}-${f.hex(4)}-${f.hex(12)}`],
    ['mailgun-key', () => `key-${f.hex(32)}`],
    ['twilio-api-key', () => `SK${f.hex(32)}`],
    ['rubygems-key', () => `rubygems_${f.hex(48)}`],
    ['sentry-token', () => `sntrys_${f.b64(JSON.stringify({ iat: 1700000000, url: 'https://sentry.io', org: 'homelab' })).replace(/=+$/, '')}_${f.pick(ALNUM, 43)}`],
    ['atlassian-token', () => `ATATT3xFfGF0${f.pick(URLSAFE, 180)}=${f.hex(8).toUpperCase()}`],
    ['azure-sas-url', () => `https://backups.blob.core.windows.net/velero?sv=2022-11-02&ss=b&srt=co&sp=rwdlac&se=2030-01-01T00:00:00Z&sig=${encodeURIComponent(f.azureKey().slice(0, 44))}`],
  ];
  const heldOutFile = file('platform-infra', 'config/integrations.yaml').line('integrations:');
  for (const [index, [kind, make]] of heldOut.entries()) heldOutFile.line(`  - name: integration-${index + 1}`).secret(`held-out/${kind}`, `    value: "${make()}"`);

  // Secrets that exist only in history: committed, then removed in the next commit.
  corpus.history.push(
    { repo: 'ops-scripts', file: 'scripts/rotate.sh', kind: 'history-only', before: ['#!/bin/sh', `export VAULT_TOKEN=${f.vault()}`, 'vault kv list secret/'], after: ['#!/bin/sh', 'vault kv list secret/'], line: 2 },
    { repo: 'platform-infra', file: 'terraform/old.tfvars', kind: 'history-only', before: [`proxmox_password = "${f.password()}"`], after: ['# proxmox_password: read from Vault by the pipeline'], line: 1 },
    { repo: 'cicd-runners', file: '.env.ci', kind: 'history-only', before: ['CI=true', `GITLAB_TOKEN=${f.gitlabPat()}`], after: ['CI=true'], line: 2 },
  );
  for (const entry of corpus.history) corpus.secrets.push({ repo: entry.repo, file: entry.file, line: entry.line, kind: entry.kind, historyOnly: true });
  return corpus;
}

function git(cwd, args) {
  execFileSync('git', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, GIT_AUTHOR_DATE: '2024-06-01T12:00:00Z', GIT_COMMITTER_DATE: '2024-06-01T12:00:00Z' } });
}

/** Writes the corpus under `out` (one git repository per repo: history-only secrets first, then the tree) and expected.json. */
export function writeCorpus(out, seed = DEFAULT_SEED) {
  return writeRepos(out, generateCorpus(seed));
}

/** Writes a generated corpus's repositories under `out` (history-only commits first, then the tree) and expected.json. */
export function writeRepos(out, corpus) {
  const root = resolve(out);
  if (existsSync(root) && readdirSync(root).length > 0) {
    if (!existsSync(join(root, 'expected.json'))) throw new Error(`${out} exists and is not a generated corpus (no expected.json); choose an empty folder`);
    rmSync(root, { recursive: true, force: true });
  }
  const { seed } = corpus;
  const write = (repo, path, text) => {
    const target = join(root, repo, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  };
  for (const repo of Object.keys(corpus.repos)) {
    const dir = join(root, repo);
    mkdirSync(dir, { recursive: true });
    git(dir, ['init', '-q', '-b', 'main']);
    git(dir, ['config', 'user.email', 'corpus@example.invalid']);
    git(dir, ['config', 'user.name', 'corpus']);
    const history = corpus.history.filter((entry) => entry.repo === repo);
    if (history.length > 0) {
      for (const entry of history) write(repo, entry.file, `${entry.before.join('\n')}\n`);
      git(dir, ['add', '-A']);
      git(dir, ['commit', '-q', '-m', 'add scripts']);
      for (const entry of history) write(repo, entry.file, `${entry.after.join('\n')}\n`);
      git(dir, ['add', '-A']);
      git(dir, ['commit', '-q', '-m', 'remove the secret']);
    }
    for (const builder of corpus.repos[repo]) write(repo, builder.path, builder.text());
    git(dir, ['add', '-A']);
    git(dir, ['commit', '-q', '-m', 'the fleet as it is']);
  }
  const expected = { seed, secrets: corpus.secrets, lookalikes: corpus.lookalikes };
  writeFileSync(join(root, 'expected.json'), `${JSON.stringify(expected, null, 2)}\n`);
  return expected;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, seed: { type: 'string', default: DEFAULT_SEED } } });
  if (values.out === undefined) {
    console.error('usage: node scripts/secrets-corpus.mjs --out DIR [--seed S]');
    process.exit(2);
  }
  const expected = writeCorpus(values.out, values.seed);
  console.log(`${values.out}: ${expected.secrets.length} secrets (${expected.secrets.filter((secret) => secret.historyOnly).length} only in history), ${expected.lookalikes.length} look-alikes`);
}
