#!/usr/bin/env node
// A held-out recall corpus for secret scanners: written without reading fleetlint's detectors, of kinds the main
// corpus (scripts/secrets-corpus.mjs) does not list, in the file shapes where a homelab or GitOps fleet keeps them
// (docker-compose stacks, Ansible vars, Flux/ArgoCD manifests, Home Assistant, Terraform). Values are random in the
// real formats, generated from a seed when the corpus is written, never committed and never real credentials.
//
// Usage: node scripts/secrets-heldout.mjs --out DIR [--seed S]   (writes DIR/<repo>/ as git repositories and
// DIR/expected.json). `npm run secrets-compare` writes one and runs fleetlint and gitleaks on it.
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { FileBuilder, formats, random, writeRepos } from './secrets-corpus.mjs';

export const HELDOUT_SEED = 'fleetlint-heldout-3';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const ALNUM = `ABCDEFGHIJKLMNOPQRSTUVWXYZ${LOWER}${DIGITS}`;
const URLSAFE = `${ALNUM}_-`;
const B64 = `${ALNUM}+/`;

/** The held-out corpus as data, in the shape generateCorpus (secrets-corpus.mjs) gives. */
export function generateHeldout(seed = HELDOUT_SEED) {
  const rand = random(seed);
  const f = formats(rand);
  const { pick, hex, password: pw } = f;
  const bytes = (length) => Buffer.from(Array.from({ length }, () => Math.floor(rand() * 256)));
  const b64bytes = (length) => bytes(length).toString('base64');
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick('89ab', 1)}${hex(3)}-${hex(12)}`;
  // A password without the characters that would need quoting in a URL, a mount option or a shell word.
  const plain = () => pw().replace(/[!#%+]/g, 'x');
  const jwtPart = (object) => Buffer.from(JSON.stringify(object)).toString('base64url');
  const hassToken = () => `${jwtPart({ alg: 'HS256', typ: 'JWT' })}.${jwtPart({ iss: hex(32), iat: 1717000000, exp: 2032360000 })}.${pick(URLSAFE, 43)}`;
  const influxToken = () => `${bytes(64).toString('base64url')}==`;
  const kubeadmToken = () => `${pick(`${LOWER}${DIGITS}`, 6)}.${pick(`${LOWER}${DIGITS}`, 16)}`;
  const b2Key = () => `K00${pick('3456', 1)}${pick(ALNUM, 27)}`;
  const cfToken = () => pick(URLSAFE, 40);

  const corpus = { seed, repos: {}, history: [], secrets: [], lookalikes: [] };
  const file = (repo, path) => {
    const builder = new FileBuilder(corpus, repo, path);
    (corpus.repos[repo] ??= []).push(builder);
    return builder;
  };

  // ---- docker-stacks: a docker host's compose stacks, .env files and app configs.
  const stacks = 'docker-stacks';
  file(stacks, 'vaultwarden/docker-compose.yml')
    .line('services:', '  vaultwarden:', '    image: vaultwarden/server:1.32.0', '    restart: unless-stopped', '    environment:', '      DOMAIN: "https://vault.home.example"', '      SIGNUPS_ALLOWED: "false"')
    .secret('vaultwarden-admin-token', `      ADMIN_TOKEN: "${b64bytes(48)}"`)
    .line('      SMTP_HOST: smtp.fastmail.com', '      SMTP_FROM: vault@home.example', '      SMTP_USERNAME: alerts@home.example')
    .secret('smtp-app-password', `      SMTP_PASSWORD: ${pick(`${LOWER}${DIGITS}`, 16)}`)
    .line('    volumes:', '      - ./data:/data');
  file(stacks, 'vaultwarden-offsite/vaultwarden.env')
    .line('DOMAIN=https://vault-offsite.home.example', 'WEBSOCKET_ENABLED=true')
    .secret('argon2-hash', `ADMIN_TOKEN='$argon2id$v=19$m=65540,t=3,p=4$${bytes(32).toString('base64').replace(/=+$/, '')}$${bytes(32).toString('base64').replace(/=+$/, '')}'`);
  file(stacks, 'authentik/.env')
    .secret('authentik-env', `PG_PASS=${b64bytes(36)}`)
    .secret('authentik-env', `AUTHENTIK_SECRET_KEY=${b64bytes(60)}`)
    .line('AUTHENTIK_ERROR_REPORTING__ENABLED=true', 'AUTHENTIK_EMAIL__HOST=smtp.fastmail.com')
    .lookalike('reference', 'AUTHENTIK_EMAIL__PASSWORD=${SMTP_PASSWORD}')
    .lookalike('reference', 'AUTHENTIK_BOOTSTRAP_TOKEN=${AUTHENTIK_BOOTSTRAP_TOKEN:?bootstrap token required}');
  file(stacks, 'pihole/docker-compose.yml')
    .line('services:', '  pihole:', '    image: pihole/pihole:2024.07.0', '    environment:', '      - TZ=Europe/Amsterdam')
    .secret('compose-env-list', `      - WEBPASSWORD=${plain()}`)
    .line('      - FTLCONF_LOCAL_IPV4=192.168.1.2', '    ports:', '      - "53:53/udp"');
  file(stacks, 'paperless/docker-compose.env')
    .line('PAPERLESS_URL=https://paperless.home.example', 'PAPERLESS_TIME_ZONE=Europe/Amsterdam')
    .secret('paperless-secret-key', `PAPERLESS_SECRET_KEY=${pick(`${ALNUM}!@%^&*(-_=+)`, 50)}`)
    .line('PAPERLESS_OCR_LANGUAGE=deu+eng');
  file(stacks, 'paperless/docker-compose.env.example')
    .line('# Copy to docker-compose.env and fill in')
    .lookalike('placeholder', 'PAPERLESS_SECRET_KEY=change-me')
    .lookalike('placeholder', 'PAPERLESS_ADMIN_PASSWORD=<your-password>');
  file(stacks, 'cloudflared/docker-compose.yml')
    .line('services:', '  cloudflared:', '    image: cloudflare/cloudflared:2024.8.2', '    restart: unless-stopped')
    .secret('cloudflare-tunnel-token', `    command: tunnel --no-autoupdate run --token ${Buffer.from(JSON.stringify({ a: hex(32), t: uuid(), s: b64bytes(32) })).toString('base64')}`);
  file(stacks, 'cloudflared/credentials.json')
    .line('{', `  "AccountTag": "${hex(32)}",`)
    .secret('cloudflare-tunnel-credentials', `  "TunnelSecret": "${b64bytes(32)}",`)
    .lookalike('uuid-id', `  "TunnelID": "${uuid()}"`)
    .line('}');
  file(stacks, 'traefik/docker-compose.yml')
    .line('services:', '  traefik:')
    .lookalike('image-digest', `    image: traefik:v3.1.2@sha256:${hex(64)}`)
    .line('    environment:')
    .secret('dns-provider-token', `      - CF_DNS_API_TOKEN=${cfToken()}`)
    .line('      - CF_API_EMAIL=admin@home.example', '    labels:', '      - traefik.http.routers.api.rule=Host(`traefik.home.example`)');
  file(stacks, 'traefik/letsencrypt/acme.json')
    .line('{', '  "letsencrypt": {', '    "Account": {', '      "Email": "admin@home.example",', '      "Registration": {', `        "uri": "https://acme-v02.api.letsencrypt.org/acme/acct/${pick(DIGITS, 10)}"`, '      },')
    .secret('acme-json-private-key', `      "PrivateKey": "MIIJKQIBAAKCAgEA${b64bytes(1600)}",`)
    .line('      "KeyType": "4096"', '    },', '    "Certificates": null', '  }', '}');
  file(stacks, 'minio/bootstrap.sh')
    .line('#!/bin/sh', 'set -e')
    .secret('minio-mc-alias', `mc alias set homelab https://s3.home.example admin ${pick(ALNUM, 40)}`)
    .line('mc mb --ignore-existing homelab/backups');
  file(stacks, 'restic/backup.env')
    .line('RESTIC_REPOSITORY=b2:homelab-backups:/docker')
    .secret('restic-password', `RESTIC_PASSWORD=${pw()}`)
    .line(`B2_ACCOUNT_ID=005${hex(22)}`)
    .secret('backblaze-app-key', `B2_ACCOUNT_KEY=${b2Key()}`)
    .lookalike('path', 'RESTIC_PASSWORD_FILE=/run/secrets/restic-password');
  file(stacks, 'restic/SHA256SUMS').lookalike('checksum', `${hex(64)}  restic_0.17.0_linux_amd64.bz2`);
  file(stacks, 'rclone/rclone.conf')
    .line('[b2]', 'type = b2', `account = 005${hex(22)}`)
    .secret('backblaze-app-key', `key = ${b2Key()}`)
    .line('hard_delete = true', '', '[gdrive]', 'type = drive', 'scope = drive')
    .secret('rclone-oauth-token', `token = {"access_token":"ya29.a0${pick(URLSAFE, 150)}","token_type":"Bearer","refresh_token":"1//0${pick(URLSAFE, 98)}","expiry":"2024-06-01T13:00:00.000000+02:00"}`)
    .line('', '[nas]', 'type = sftp', 'host = nas.home.example', 'user = backup')
    .secret('rclone-obscured-pass', `pass = ${bytes(28).toString('base64url')}`);
  file(stacks, 'msmtp/msmtprc')
    .line('defaults', 'auth on', 'tls on', '', 'account fastmail', 'host smtp.fastmail.com', 'port 587', 'from nas@home.example', 'user alerts@home.example')
    .secret('msmtprc-password', `password ${pw()}`)
    .line('', 'account default : fastmail');
  file(stacks, 'ddclient/ddclient.conf')
    .line('daemon=300', 'ssl=yes', 'use=web', 'protocol=cloudflare', 'zone=home.example', 'login=token')
    .secret('ddclient-password', `password=${cfToken()}`)
    .line('vpn.home.example');
  file(stacks, 'woodpecker/docker-compose.yml')
    .line('services:', '  woodpecker-server:', '    image: woodpeckerci/woodpecker-server:v2.7.0', '    environment:', '      - WOODPECKER_HOST=https://ci.home.example', '      - WOODPECKER_GITEA=true', '      - WOODPECKER_GITEA_URL=https://git.home.example', '      - WOODPECKER_GITEA_CLIENT=' + uuid())
    .secret('gitea-oauth-secret', `      - WOODPECKER_GITEA_SECRET=gto_${pick('abcdefghijklmnopqrstuvwxyz234567', 52)}`)
    .secret('ci-agent-secret', `      - WOODPECKER_AGENT_SECRET=${hex(64)}`);
  file(stacks, 'gitea-runner/.env')
    .line('GITEA_INSTANCE_URL=https://git.home.example')
    .secret('runner-registration-token', `GITEA_RUNNER_REGISTRATION_TOKEN=${pick(ALNUM, 40)}`)
    .line('GITEA_RUNNER_NAME=docker-01');
  const synapseSymbols = `${ALNUM}.,;:^&*-_+=~@`;
  file(stacks, 'synapse/homeserver.yaml')
    .line('server_name: "home.example"', 'pid_file: /data/homeserver.pid', 'listeners:', '  - port: 8008', '    type: http', '    resources:', '      - names: [client, federation]', 'database:', '  name: psycopg2', '  args:', '    user: synapse', '    host: postgres')
    .secret('synapse-secret', `registration_shared_secret: "${pick(synapseSymbols, 50)}"`)
    .secret('synapse-secret', `macaroon_secret_key: "${pick(synapseSymbols, 50)}"`)
    .line('report_stats: false', 'signing_key_path: "/data/home.example.signing.key"');
  file(stacks, 'mastodon/.env.production')
    .line('LOCAL_DOMAIN=social.home.example', 'REDIS_HOST=redis')
    .secret('mastodon-otp-secret', `OTP_SECRET=${hex(128)}`)
    .secret('vapid-private-key', `VAPID_PRIVATE_KEY=${bytes(32).toString('base64url')}=`)
    .lookalike('public-key', `VAPID_PUBLIC_KEY=B${bytes(64).toString('base64url')}=`);
  file(stacks, 'nextcloud/config/config.php')
    .line('<?php', '$CONFIG = array (')
    .lookalike('instance-id', `  'instanceid' => 'oc${pick(`${LOWER}${DIGITS}`, 10)}',`)
    .secret('nextcloud-config', `  'passwordsalt' => '${pick(`${ALNUM}+/`, 30)}',`)
    .secret('nextcloud-config', `  'secret' => '${pick(`${ALNUM}+/`, 48)}',`)
    .line("  'trusted_domains' =>", '  array (', "    0 => 'cloud.home.example',", '  ),', "  'dbtype' => 'pgsql',", "  'dbhost' => 'postgres',", "  'dbuser' => 'oc_admin',")
    .secret('nextcloud-config', `  'dbpassword' => '${pw()}',`)
    .line("  'installed' => true,", ');');
  file(stacks, 'sonarr/config.xml')
    .line('<Config>', '  <BindAddress>*</BindAddress>', '  <Port>8989</Port>')
    .secret('arr-api-key', `  <ApiKey>${hex(32)}</ApiKey>`)
    .line('  <AuthenticationMethod>Forms</AuthenticationMethod>', '</Config>');
  file(stacks, 'homepage/config/services.yaml')
    .line('- Media:', '    - Sonarr:', '        href: https://sonarr.home.example', '        widget:', '          type: sonarr', '          url: http://sonarr:8989')
    .secret('homepage-widget-key', `          key: ${hex(32)}`)
    .line('- Infrastructure:', '    - Proxmox:', '        widget:', '          type: proxmox', '          url: https://pve.home.example:8006', '          username: api@pam!homepage')
    .secret('homepage-widget-key', `          password: ${uuid()}`);
  file(stacks, 'recipes/recipes/settings.py')
    .line('from pathlib import Path', '', 'BASE_DIR = Path(__file__).resolve().parent.parent', '')
    .secret('django-secret-key', `SECRET_KEY = 'django-insecure-${pick(`${LOWER}${DIGITS}!@#$%^&*(-_=+)`, 50)}'`)
    .line('', 'DEBUG = False', "ALLOWED_HOSTS = ['recipes.home.example']");
  file(stacks, 'wiki/config/master.key').secret('rails-master-key', hex(32));
  file(stacks, 'watchtower/docker-compose.yml')
    .line('services:', '  watchtower:', '    image: containrrr/watchtower:1.7.1', '    environment:', '      WATCHTOWER_SCHEDULE: "0 0 4 * * *"', '      WATCHTOWER_NOTIFICATIONS: shoutrrr')
    .secret('shoutrrr-url', `      WATCHTOWER_NOTIFICATION_URL: "discord://${pick(URLSAFE, 68)}@${pick(DIGITS, 19)}"`)
    .line('    volumes:', '      - /var/run/docker.sock:/var/run/docker.sock');
  file(stacks, 'stacks/README.md')
    .line('# Stacks', '', 'Every stack reads its secrets from a `.env` beside it. Example from the Authelia docs:', '', '```yaml')
    .lookalike('docs-example', 'jwt_secret: a_very_important_secret')
    .line('```');

  // ---- homelab-ansible: inventories, roles, cloud-init and bootstrap scripts.
  const ansible = 'homelab-ansible';
  file(ansible, 'inventory/host_vars/pve1.yml')
    .line('---', 'ansible_host: 192.168.1.10', 'proxmox_api_user: root@pam')
    .secret('ansible-vars', `proxmox_api_password: ${pw()}`)
    .lookalike('fingerprint', `pbs_fingerprint: "${Array.from({ length: 32 }, () => hex(2)).join(':')}"`);
  file(ansible, 'inventory/group_vars/all/vars.yml')
    .line('---', 'timezone: Europe/Amsterdam', 'samba_users:', '  - name: media')
    .secret('ansible-vars', `    smb_password: ${pw()}`)
    .lookalike('reference', 'db_root_password: "{{ vault_db_root_password }}"')
    .lookalike('reference', `cloudflare_api_token: "{{ lookup('env', 'CF_API_TOKEN') }}"`);
  file(ansible, 'roles/cifs/files/smbcredentials').line('username=media').secret('cifs-credentials', `password=${pw()}`).line('domain=WORKGROUP');
  file(ansible, 'roles/nas/files/fstab')
    .line('UUID=3b1f6e2a-0000-4000-8000-1234567890ab / ext4 defaults 0 1')
    .secret('fstab-cifs', `//nas.home.example/media /mnt/media cifs username=media,password=${plain()},uid=1000,gid=1000,iocharset=utf8 0 0`);
  file(ansible, 'roles/vpn/files/ipsec.secrets').line('# /etc/ipsec.secrets').secret('ipsec-psk', `: PSK "${b64bytes(24)}"`);
  file(ansible, 'roles/vpn/files/ta.key')
    .line('#', '# 2048 bit OpenVPN static key', '#')
    .secret('openvpn-static-key', '-----BEGIN OpenVPN Static key V1-----')
    .line(...Array.from({ length: 16 }, () => hex(32)), '-----END OpenVPN Static key V1-----');
  file(ansible, 'roles/snmp/templates/snmpd.conf.j2')
    .line('agentAddress udp:161', 'sysLocation homelab rack')
    .secret('snmp-community', `rocommunity ${pick(ALNUM, 16)} 192.168.1.0/24`);
  file(ansible, 'cloud-init/user-data.yaml')
    .line('#cloud-config', 'users:', '  - name: ops', '    groups: [sudo]', '    shell: /bin/bash', '    ssh_authorized_keys:')
    .lookalike('public-key', `      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${pick(B64, 43)} ops@laptop`)
    .secret('cloud-init-passwd-hash', `    passwd: $6$rounds=4096$${pick(`${ALNUM}./`, 16)}$${pick(`${ALNUM}./`, 86)}`)
    .line('chpasswd:', '  expire: false', '  list: |')
    .secret('cloud-init-chpasswd', `    root:${plain()}`)
    .line('runcmd:', '  - curl -fsSL https://tailscale.com/install.sh | sh')
    .secret('headscale-preauth-key', `  - tailscale up --login-server https://hs.home.example --authkey ${hex(48)}`);
  file(ansible, 'scripts/join-worker.sh')
    .line('#!/bin/sh')
    .secret('kubeadm-token', `kubeadm join 192.168.10.5:6443 --token ${kubeadmToken()} \\`)
    .lookalike('public-hash', `  --discovery-token-ca-cert-hash sha256:${hex(64)}`);
  file(ansible, 'docs/kubeadm.md')
    .line('# Joining a node', '', 'From the kubeadm documentation:', '', '```')
    .lookalike('docs-example', 'kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef --discovery-token-unsafe-skip-ca-verification')
    .line('```');
  file(ansible, 'vault/init.json')
    .line('{', '  "unseal_keys_b64": [')
    .secret('vault-unseal-key', `    "${b64bytes(33)}",`)
    .secret('vault-unseal-key', `    "${b64bytes(33)}"`)
    .line('  ],', '  "unseal_shares": 2,', '  "unseal_threshold": 2,', '  "recovery_keys_b64": []', '}');
  file(ansible, 'roles/consul/templates/consul.hcl')
    .line('datacenter = "homelab"', 'data_dir   = "/opt/consul"')
    .secret('consul-gossip-key', `encrypt    = "${b64bytes(32)}"`)
    .line('acl {', '  enabled = true', '  default_policy = "deny"', '  tokens {')
    .secret('consul-acl-token', `    agent = "${uuid()}"`)
    .line('  }', '}');
  file(ansible, 'roles/postfix/files/sasl_passwd').secret('postfix-sasl', `[smtp.gmail.com]:587 alerts@home.example:${pick(LOWER, 16)}`);

  // ---- home-ops: a Flux/ArgoCD Kubernetes repository.
  const ops = 'home-ops';
  file(ops, 'kubernetes/apps/argocd/argocd-cm.yaml')
    .line('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: argocd-cm', '  namespace: argocd', 'data:', '  url: https://argocd.home.example', '  dex.config: |', '    connectors:', '      - type: github', '        id: github', '        name: GitHub', '        config:')
    .lookalike('oauth-client-id', `          clientID: Iv1.${hex(16)}`)
    .secret('argocd-oidc-client-secret', `          clientSecret: ${hex(40)}`)
    .line('          orgs:', '            - name: home-example');
  file(ops, 'kubernetes/apps/argocd-edge/argocd-cm.yaml')
    .line('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: argocd-cm', '  namespace: argocd', 'data:', '  oidc.config: |', '    name: Authentik', '    issuer: https://auth.home.example/application/o/argocd/', '    clientID: argocd')
    .secret('argocd-oidc-client-secret', `    clientSecret: ${pick(ALNUM, 128)}`)
    .line('    requestedScopes: ["openid", "profile", "email", "groups"]');
  file(ops, 'kubernetes/apps/argocd-lab/argocd-cm.yaml')
    .line('apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: argocd-cm', 'data:', '  oidc.config: |', '    name: Authentik', '    issuer: https://auth.home.example/application/o/argocd-lab/', '    clientID: argocd-lab')
    .lookalike('reference', '    clientSecret: $oidc.authentik.clientSecret');
  file(ops, 'kubernetes/apps/default/n8n/helmrelease.sops.yaml')
    .line('apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: n8n', 'spec:', '  values:', '    config:', '      auth:')
    .lookalike('sops-ciphertext', `        apiKey: ENC[AES256_GCM,data:${b64bytes(30)},iv:${b64bytes(32)},tag:${b64bytes(16)},type:str]`)
    .secret('sops-leftover', `        webhookSecret: ${pick(ALNUM, 32)}`)
    .line('sops:', '  age:', '    - recipient: age1' + pick('qpzry9x8gf2tvdw0s3jn54khce6mua7l', 58), '      enc: |', '        -----BEGIN AGE ENCRYPTED FILE-----', `        ${b64bytes(48)}`, '        -----END AGE ENCRYPTED FILE-----', '  encrypted_regex: ^(apiKey)$', '  version: 3.8.1');
  file(ops, '.sops.yaml')
    .line('creation_rules:', '  - path_regex: kubernetes/.*\\.sops\\.ya?ml', '    encrypted_regex: ^(data|stringData)$')
    .lookalike('public-key', `    age: age1${pick('qpzry9x8gf2tvdw0s3jn54khce6mua7l', 58)}`)
    .lookalike('fingerprint', `    pgp: ${hex(40).toUpperCase()}`);
  file(ops, 'kubernetes/apps/network/external-dns/rfc2136/helmrelease.yaml')
    .line('apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: external-dns-rfc2136', 'spec:', '  values:', '    provider:', '      name: rfc2136', '    extraArgs:', '      - --rfc2136-host=192.168.1.1', '      - --rfc2136-port=53', '      - --rfc2136-zone=home.example', '      - --rfc2136-tsig-keyname=externaldns')
    .secret('external-dns-arg', `      - --rfc2136-tsig-secret=${b64bytes(32)}`)
    .line('      - --rfc2136-tsig-secret-alg=hmac-sha256', '      - --rfc2136-tsig-axfr');
  file(ops, 'kubernetes/apps/network/external-dns/pihole/helmrelease.yaml')
    .line('apiVersion: helm.toolkit.fluxcd.io/v2', 'kind: HelmRelease', 'metadata:', '  name: external-dns-pihole', 'spec:', '  values:', '    provider:', '      name: pihole', '    extraArgs:', '      - --pihole-server=http://pihole.network.svc')
    .secret('external-dns-arg', `      - --pihole-password=${plain()}`)
    .line('    policy: upsert-only');
  file(ops, 'kubernetes/bootstrap/talos/encryption-config.yaml')
    .line('apiVersion: apiserver.config.k8s.io/v1', 'kind: EncryptionConfiguration', 'resources:', '  - resources:', '      - secrets', '    providers:', '      - aescbc:', '          keys:', '            - name: key1')
    .secret('encryption-config-key', `              secret: ${b64bytes(32)}`)
    .line('      - identity: {}');
  file(ops, 'kubernetes/bootstrap/talos/talsecret.yaml')
    .line('cluster:', `  id: ${b64bytes(32)}`)
    .secret('talos-secret', `  secret: ${b64bytes(32)}`)
    .line('secrets:')
    .secret('talos-secret', `  bootstraptoken: ${kubeadmToken()}`)
    .secret('talos-secret', `  secretboxencryptionsecret: ${b64bytes(32)}`)
    .line('trustdinfo:')
    .secret('talos-secret', `  token: ${kubeadmToken()}`);
  file(ops, 'kubernetes/apps/monitoring/alertmanager/config/alertmanager.yaml')
    .line('route:', '  receiver: pushover', 'receivers:', '  - name: pushover', '    pushover_configs:')
    .secret('pushover-key', `      - user_key: u${pick(`${LOWER}${DIGITS}`, 29)}`)
    .secret('pushover-key', `        token: a${pick(`${LOWER}${DIGITS}`, 29)}`)
    .line('  - name: opsgenie', '    opsgenie_configs:')
    .secret('opsgenie-api-key', `      - api_key: ${uuid()}`)
    .line('  - name: ntfy', '    webhook_configs:', '      - url: https://ntfy.home.example/alertmanager', '        http_config:', '          authorization:')
    .secret('ntfy-token', `            credentials: tk_${pick(`${LOWER}${DIGITS}`, 29)}`);
  file(ops, 'kubernetes/apps/monitoring/prometheus/scrape-configs.yaml')
    .line('scrape_configs:', '  - job_name: proxmox', '    metrics_path: /pve', '    basic_auth:', '      username: prometheus@pve')
    .secret('prometheus-basic-auth', `      password: ${pw()}`)
    .line('  - job_name: hass', '    metrics_path: /api/prometheus')
    .secret('prometheus-bearer-token', `    bearer_token: ${hassToken()}`)
    .line('    static_configs:', '      - targets: ["hass.home.example:8123"]');
  file(ops, 'kubernetes/apps/monitoring/grafana/grafana.ini')
    .line('[server]', 'root_url = https://grafana.home.example', '', '[auth.generic_oauth]', 'enabled = true', 'name = Authentik', 'client_id = grafana')
    .secret('grafana-oauth-secret', `client_secret = ${pick(ALNUM, 40)}`)
    .line('scopes = openid profile email');
  file(ops, 'kubernetes/apps/monitoring/grafana/dashboards/nodes.json')
    .line('{', '  "title": "Nodes",')
    .lookalike('uuid-id', `  "uid": "${pick(`${ALNUM}`, 14)}",`)
    .line('  "panels": []', '}');
  file(ops, 'kubernetes/apps/default/app/deployment.yaml')
    .line('apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: app', 'spec:', '  template:', '    metadata:', '      annotations:')
    .lookalike('checksum', `        checksum/config: ${hex(64)}`)
    .line('    spec:', '      containers:', '        - name: app', '          image: ghcr.io/home-example/app:1.0.0');
  file(ops, 'kubernetes/apps/cert-manager/webhook.yaml')
    .line('apiVersion: admissionregistration.k8s.io/v1', 'kind: ValidatingWebhookConfiguration', 'metadata:', '  name: cert-manager-webhook', 'webhooks:', '  - name: webhook.cert-manager.io', '    clientConfig:')
    .lookalike('public-cert', `      caBundle: ${Buffer.from(`-----BEGIN CERTIFICATE-----\n${b64bytes(300)}\n-----END CERTIFICATE-----\n`).toString('base64')}`);
  file(ops, 'kubernetes/apps/flux-system/gitrepository.yaml')
    .line('apiVersion: source.toolkit.fluxcd.io/v1', 'kind: GitRepository', 'metadata:', '  name: home-ops', 'spec:', '  url: https://github.com/home-example/home-ops', '  ref:')
    .lookalike('git-sha', `    commit: ${hex(40)}`)
    .line('  secretRef:')
    .lookalike('secret-name', '    name: home-ops-deploy-key');
  file(ops, 'kubernetes/apps/security/sealed-smtp.yaml')
    .line('apiVersion: bitnami.com/v1alpha1', 'kind: SealedSecret', 'metadata:', '  name: smtp', 'spec:', '  encryptedData:')
    .lookalike('sealed-secret', `    password: AgA${pick(B64, 300)}`);
  file(ops, 'renovate/config.js')
    .line('module.exports = {', "  platform: 'gitea',", "  endpoint: 'https://git.home.example/api/v1',")
    .secret('renovate-token', `  token: '${hex(40)}',`)
    .line('  hostRules: [', '    {', "      matchHost: 'registry.home.example',", "      username: 'renovate',")
    .secret('renovate-host-rule', `      password: '${pw()}',`)
    .line('    },', '  ],', '};');
  file(ops, 'keycloak/realm-homelab.json')
    .line('{', '  "realm": "homelab",', '  "enabled": true,', '  "clients": [', '    {', '      "clientId": "grafana",', '      "clientAuthenticatorType": "client-secret",')
    .secret('keycloak-client-secret', `      "secret": "${pick(ALNUM, 32)}",`)
    .line('      "redirectUris": ["https://grafana.home.example/*"]', '    }', '  ]', '}');
  file(ops, 'kubernetes/apps/security/authelia/configuration.yml')
    .line('server:', '  address: tcp://0.0.0.0:9091', 'storage:')
    .secret('authelia-secret', `  encryption_key: ${pick(ALNUM, 64)}`)
    .line('  postgres:', '    address: tcp://postgres:5432', '    database: authelia', 'identity_providers:', '  oidc:')
    .secret('authelia-secret', `    hmac_secret: ${pick(ALNUM, 64)}`)
    .line('    clients: []');
  file(ops, 'kubernetes/apps/security/vaultwarden/values.yaml')
    .line('smtp:', '  host: smtp.fastmail.com')
    .lookalike('secret-name', '  existingSecret: vaultwarden-smtp')
    .lookalike('placeholder', '  password: ""');

  // ---- hass-config: Home Assistant, ESPHome, Zigbee2MQTT, Frigate, Telegraf.
  const hass = 'hass-config';
  file(hass, 'secrets.yaml')
    .line('# Use this file to store secrets like usernames and passwords.')
    .lookalike('coordinates', 'home_latitude: 52.373080')
    .secret('influxdb-token', `influxdb_token: ${influxToken()}`)
    .secret('hass-secrets', `spotify_client_secret: ${hex(32)}`)
    .secret('slack-app-token', `slack_app_token: xapp-1-A${pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 10)}-${pick(DIGITS, 13)}-${hex(64)}`);
  file(hass, 'configuration.yaml')
    .line('homeassistant:', '  name: Home', 'mqtt:', '  broker: mosquitto', '  username: hass')
    .lookalike('reference', '  password: !secret mqtt_password');
  file(hass, 'esphome/garage-door.yaml')
    .line('esphome:', '  name: garage-door', 'esp32:', '  board: esp32dev', 'ota:', '  - platform: esphome')
    .secret('esphome-ota-password', `    password: "${hex(32)}"`)
    .line('logger:');
  file(hass, 'zigbee2mqtt/configuration.yaml')
    .line('homeassistant: true', 'mqtt:', '  server: mqtt://mosquitto', 'serial:', '  port: /dev/ttyUSB0', 'advanced:', '  pan_id: 6754')
    .secret('zigbee-network-key', `  network_key: [${Array.from({ length: 16 }, () => Math.floor(rand() * 256)).join(', ')}]`)
    .line('  channel: 15');
  file(hass, 'frigate/config.yml')
    .line('mqtt:', '  host: mosquitto', 'cameras:', '  driveway:', '    ffmpeg:', '      inputs:')
    .secret('rtsp-credentials', `        - path: rtsp://admin:${plain()}@192.168.20.11:554/cam/realmonitor?channel=1&subtype=0`)
    .line('          roles: [detect, record]');
  file(hass, 'telegraf/telegraf.conf')
    .line('[agent]', '  interval = "10s"', '', '[[outputs.influxdb_v2]]', '  urls = ["http://influxdb:8086"]')
    .secret('influxdb-token', `  token = "${influxToken()}"`)
    .line('  organization = "home"', '  bucket = "telegraf"');

  // ---- infra-terraform: providers, cloud credentials files, package manager configs.
  const tf = 'infra-terraform';
  file(tf, 'providers.tf')
    .line('provider "cloudflare" {')
    .secret('terraform-provider', `  api_token = "${cfToken()}"`)
    .line('}', '', 'provider "hcloud" {')
    .secret('terraform-provider', `  token = "${pick(ALNUM, 64)}"`)
    .line('}', '', 'provider "proxmox" {', '  endpoint = "https://pve.home.example:8006/"')
    .secret('proxmox-api-token', `  api_token = "terraform@pve!provider=${uuid()}"`)
    .line('  insecure = true', '}', '', 'provider "b2" {', `  application_key_id = "005${hex(22)}"`)
    .secret('backblaze-app-key', `  application_key    = "${b2Key()}"`)
    .line('}');
  file(tf, '.terraform.lock.hcl')
    .line('provider "registry.terraform.io/cloudflare/cloudflare" {', '  version     = "4.40.0"', '  constraints = "~> 4.0"', '  hashes = [')
    .lookalike('lock-hash', `    "h1:${b64bytes(32)}",`)
    .lookalike('lock-hash', `    "zh:${hex(64)}",`)
    .line('  ]', '}');
  file(tf, '.envrc')
    .line('export TF_VAR_zone=home.example', `export SCW_ACCESS_KEY=SCW${pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 17)}`)
    .secret('envrc-export', `export SCW_SECRET_KEY=${uuid()}`)
    .secret('envrc-export', `export HCLOUD_TOKEN=${pick(ALNUM, 64)}`);
  const gcpPem = f.pem('').join('\\n');
  file(tf, 'gcp/terraform-sa.json')
    .line('{', '  "type": "service_account",', '  "project_id": "homelab-dns-421337",', `  "private_key_id": "${hex(40)}",`)
    .secret('gcp-service-account-key', `  "private_key": "${gcpPem}\\n",`)
    .line('  "client_email": "terraform@homelab-dns-421337.iam.gserviceaccount.com",', `  "client_id": "${pick(DIGITS, 21)}",`, '  "token_uri": "https://oauth2.googleapis.com/token"', '}');
  file(tf, 'ops/aws/credentials')
    .line('[homelab-sso]', `aws_access_key_id = ASIA${pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`, `aws_secret_access_key = ${f.awsSecret()}`)
    .secret('aws-session-token', `aws_session_token = IQoJb3JpZ2luX2VjE${pick(B64, 400)}`);
  file(tf, 'ci/pip.conf').line('[global]').secret('pip-index-url', `index-url = https://ci:${plain()}@nexus.home.example/repository/pypi-all/simple`).line('timeout = 60');
  file(tf, 'ci/.npmrc')
    .line('registry=https://nexus.home.example/repository/npm-all/')
    .secret('npmrc-auth', `//nexus.home.example/repository/npm-private/:_authToken=NpmToken.${uuid()}`)
    .secret('npmrc-auth', `//registry.home.example/:_auth=${f.b64(`ci:${plain()}`)}`)
    .line('always-auth=true');
  file(tf, 'scripts/load-secrets.sh')
    .line('#!/bin/sh', 'set -eu')
    .secret('infisical-token', `infisical export --env=prod --token=st.${uuid()}.${hex(32)}.${hex(32)} > .env.prod`);

  // Secrets only in history: committed, then replaced in the next commit.
  corpus.history.push(
    {
      repo: ansible,
      file: 'inventory/group_vars/all/unifi.yml',
      kind: 'history-only',
      before: ['---', 'unifi_user: ansible', `unifi_password: ${pw()}`],
      after: ['---', 'unifi_user: ansible', 'unifi_password: "{{ vault_unifi_password }}"'],
      line: 3,
    },
    {
      repo: stacks,
      file: 'watchtower/.env',
      kind: 'history-only',
      before: ['WATCHTOWER_NOTIFICATIONS=shoutrrr', `WATCHTOWER_NOTIFICATION_URL=pushover://shoutrrr:a${pick(`${LOWER}${DIGITS}`, 29)}@u${pick(`${LOWER}${DIGITS}`, 29)}/`],
      after: ['WATCHTOWER_NOTIFICATIONS=shoutrrr', 'WATCHTOWER_NOTIFICATION_URL=${NOTIFY_URL}'],
      line: 2,
    },
  );
  for (const entry of corpus.history) corpus.secrets.push({ repo: entry.repo, file: entry.file, line: entry.line, kind: entry.kind, historyOnly: true });
  return corpus;
}

/** Writes the held-out corpus under `out` as git repositories, and expected.json. */
export function writeHeldout(out, seed = HELDOUT_SEED) {
  return writeRepos(out, generateHeldout(seed));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, seed: { type: 'string', default: HELDOUT_SEED } } });
  if (values.out === undefined) {
    console.error('usage: node scripts/secrets-heldout.mjs --out DIR [--seed S]');
    process.exit(2);
  }
  const expected = writeHeldout(values.out, values.seed);
  const kinds = new Set(expected.secrets.map((secret) => secret.kind));
  console.log(`${values.out}: ${expected.secrets.length} secrets in ${kinds.size} kinds (${expected.secrets.filter((secret) => secret.historyOnly).length} only in history), ${expected.lookalikes.length} look-alikes`);
}
