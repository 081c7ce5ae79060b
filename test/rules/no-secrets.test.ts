import noSecrets from '../../rules/no-secrets.js';
import { ruleTester, type ExpectedFinding } from '../support/rule-tester.js';

/**
 * A secret finding: the message shows the redacted form (a short prefix and the length) and never the value.
 * The values below are fake but pattern-valid, so the provider detectors fire on them.
 */
function secret(value: string, redacted: string, at: ExpectedFinding): ExpectedFinding {
  return { severity: 'error', ...at, messageIncludes: [...asList(at.messageIncludes), redacted], messageExcludes: value };
}

/** A placeholder: reported as a note, still redacted. */
function placeholder(value: string, redacted: string, at: ExpectedFinding): ExpectedFinding {
  return { ...secret(value, redacted, at), severity: 'note' };
}

function asList(value: string | readonly string[] | undefined): readonly string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}

const GITLAB_PAT = 'glpat-Hx7kQ2mP9vRt4LwZ8nYc';
const AWS_KEY_ID = 'AKIA4HOMELAB7VELERO2';
const SLACK_TOKEN = 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';
const GITHUB_TOKEN = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';

ruleTester(noSecrets).run({
  valid: [
    { name: 'plain configuration without credentials', files: { 'values.yaml': 'replicaCount: 2\nimage:\n  repository: traefik\n  tag: v3.1.2\n' } },
    {
      name: 'environment variables and command substitution in YAML',
      files: {
        'values.yaml': [
          'password: ${DB_PASSWORD}',
          'token: $GITLAB_TOKEN',
          'apiKey: $(cat /run/secrets/api-key)',
          'clientSecret: "${OAUTH_CLIENT_SECRET}"',
          '',
        ].join('\n'),
      },
    },
    {
      name: 'templates and lookups',
      files: {
        'values.yaml': ['adminPassword: "{{ .Values.admin.password }}"', "secretKey: lookup('env', 'MINIO_SECRET_KEY')", 'token: "{{ lookup(\'hashi_vault\', \'secret/gitlab\') }}"', ''].join('\n'),
      },
    },
    {
      name: 'Terraform references in HCL',
      files: {
        'terraform/main.tf': [
          'resource "proxmox_vm_qemu" "k8s" {',
          '  password = var.vm_password',
          '  token    = local.api_token',
          '  secret   = data.vault_generic_secret.pm.data["secret"]',
          '}',
          'variable "password" {',
          '  type      = string',
          '  sensitive = true',
          '}',
          '',
        ].join('\n'),
      },
    },
    {
      name: 'shell variables, ${VAR} and $(cmd) are references',
      files: {
        'scripts/deploy.sh': [
          '#!/bin/bash',
          'export TOKEN="${CI_JOB_TOKEN}"',
          'DB_PASSWORD=$DB_PASSWORD',
          'VAULT_TOKEN=$(vault print token)',
          'docker login -u "$CI_REGISTRY_USER" -p "$CI_REGISTRY_PASSWORD" "$CI_REGISTRY"',
          'git clone "https://${GITLAB_USER}:${GITLAB_TOKEN}@gitlab.homelab.local/homelab/x.git"',
          '',
        ].join('\n'),
      },
    },
    {
      name: 'docker login in CI with variables',
      files: { '.gitlab-ci.yml': 'build:\n  script:\n    - docker login -u "$CI_REGISTRY_USER" -p "$CI_REGISTRY_PASSWORD" $CI_REGISTRY\n' },
    },
    {
      name: 'keys that name a secret rather than hold one',
      files: {
        'values.yaml': [
          'existingSecret: grafana-admin',
          'secretName: traefik-tls',
          'tokenSecretRef:',
          '  name: cloudflare-api-token',
          '  key: api-token',
          'passwordKey: admin-password',
          'tlsSecret: my-tls',
          'ingress:',
          '  basicAuth:',
          '    secret: dashboard-auth',
          'env:',
          '  - name: DB_PASSWORD',
          '    valueFrom:',
          '      secretKeyRef:',
          '        name: postgres',
          '        key: password',
          'auth:',
          '  existingSecret: keycloak-admin',
          '  password: from-existing-secret',
          'monitoringPasscodeSecretName: monitoring',
          'monitoringPasscodeSecretKey: passcode',
          '',
        ].join('\n'),
      },
    },
    {
      name: 'ExternalSecret data items name a remote secret',
      files: {
        'external-secrets/db.yaml': [
          'apiVersion: external-secrets.io/v1beta1',
          'kind: ExternalSecret',
          'metadata:',
          '  name: db',
          'spec:',
          '  secretStoreRef:',
          '    name: vault-backend',
          '    kind: ClusterSecretStore',
          '  data:',
          '    - secretKey: password',
          '      remoteRef:',
          '        key: secret/db',
          '        property: password',
          '',
        ].join('\n'),
      },
    },
    {
      name: 'ExternalSecret items inside Helm values (secretKey beside remoteRef)',
      files: { 'helm/values.yaml': 'externalSecret:\n  data:\n    - secretKey: apiToken\n      remoteRef:\n        key: cloudflare\n        property: token\n' },
    },
    {
      name: 'SealedSecret encryptedData is ciphertext',
      files: {
        'sealed/db.yaml': [
          'apiVersion: bitnami.com/v1alpha1',
          'kind: SealedSecret',
          'metadata:',
          '  name: db',
          'spec:',
          '  encryptedData:',
          '    password: AgBy8hCi8G3ZkVVr0Q9W1mNOsmEp5KxRt4bcd0zY',
          '',
        ].join('\n'),
      },
    },
    {
      name: 'digests, checksums, empty values, booleans and short numbers',
      files: {
        'values.yaml': [
          'token: sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
          'password: ""',
          'secret: true',
          'apiKey: false',
          'clientSecret: ~',
          'passphrase: 1234',
          '',
        ].join('\n'),
        '.env': 'DB_PASSWORD=\nAPI_TOKEN=""\n',
      },
    },
    {
      name: 'a Secret whose values are empty or substituted at deploy time',
      files: { 'secret.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ""\n  token: ${DB_TOKEN}\n' },
    },
  ],
  invalid: [
    // Provider tokens (secretlint's recommended preset and fleetlint's own line detectors).
    {
      name: 'GitLab personal access token',
      files: { 'scripts/update-dns.sh': `#!/bin/bash\nGITLAB_TOKEN="${GITLAB_PAT}"\n` },
      findings: [secret(GITLAB_PAT, 'glpa… (26 chars)', { file: 'scripts/update-dns.sh', line: 2, column: 15, messageIncludes: 'GitLab personal access token' })],
    },
    {
      name: 'AWS access key id',
      files: { 'credentials.txt': `[default]\naws_access_key_id = ${AWS_KEY_ID}\n` },
      findings: [secret(AWS_KEY_ID, 'AKIA… (20 chars)', { file: 'credentials.txt', line: 2, column: 21, messageIncludes: 'AWS access key id' })],
    },
    {
      name: 'private key header',
      files: { 'keys/id_rsa': '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1234567890abcdefghijklmnop\n-----END RSA PRIVATE KEY-----\n' },
      findings: [
        secret('BEGIN RSA PRIVATE KEY', '----… (31 chars)', { file: 'keys/id_rsa', line: 1, column: 1, messageIncludes: 'private key' }),
      ],
    },
    {
      name: 'password in a basic-auth URL',
      files: { 'scripts/clone.sh': 'git clone https://user:pass@host/group/repo.git\n' },
      // Only the password is the secret: "p" of four characters.
      findings: [secret(':pass@', 'p… (4 chars)', { file: 'scripts/clone.sh', line: 1, column: 24, endColumn: 28, messageIncludes: 'password in a URL' })],
    },
    {
      name: 'basic-auth URL the library recognises',
      files: { 'values.yaml': 'mirror: https://deploy:Tok3nValue99@gitlab.example.com/group/repo.git\n' },
      findings: [secret('Tok3nValue99', 'http… (46 chars)', { file: 'values.yaml', line: 1, column: 9, messageIncludes: 'basic-auth credential' })],
    },
    {
      name: 'Slack token',
      files: { 'notify.sh': `SLACK_BOT=${SLACK_TOKEN}\n` },
      findings: [secret(SLACK_TOKEN, 'xoxb… (56 chars)', { file: 'notify.sh', line: 1, column: 11, messageIncludes: 'slack token' })],
    },
    {
      name: 'GitHub token',
      files: { 'mirror.sh': `GH=${GITHUB_TOKEN}\n` },
      findings: [secret(GITHUB_TOKEN, 'ghp_… (40 chars)', { file: 'mirror.sh', line: 1, column: 4, messageIncludes: 'GitHub token' })],
    },
    {
      name: 'a provider token under a credential key is one finding, not two',
      files: { 'values.yaml': `gitlab:\n  token: ${GITLAB_PAT}\n` },
      findings: [secret(GITLAB_PAT, 'glpa… (26 chars)', { file: 'values.yaml', line: 2, column: 10, messageIncludes: 'GitLab personal access token' })],
    },

    // Credential keys with literal values.
    {
      name: 'YAML credential keys with literal values',
      files: {
        'helm/values.yaml': [
          'password: hunter2hunter',
          'grafana:',
          '  adminPassword: Adm1nPass!',
          'env:',
          '  POSTGRES_PASSWORD: pgS3cretValue',
          'apiKey: ak-1234567890abcdef',
          'oidc:',
          '  clientSecret: gloas-3f9a1b2c4d5e6f708192a3b4c5d6e7f8',
          'minio:',
          '  secretKey: sk9876543210zyx',
          '',
        ].join('\n'),
      },
      findings: [
        secret('hunter2hunter', 'hun… (13 chars)', { file: 'helm/values.yaml', line: 1, column: 1, messageIncludes: 'credential in key password' }),
        secret('Adm1nPass!', 'Ad… (10 chars)', { line: 3, column: 3, messageIncludes: 'credential in key adminPassword' }),
        secret('pgS3cretValue', 'pgS… (13 chars)', { line: 5, column: 3, messageIncludes: 'credential in key POSTGRES_PASSWORD' }),
        secret('ak-1234567890abcdef', 'ak-1… (19 chars)', { line: 6, column: 1, messageIncludes: 'credential in key apiKey' }),
        secret('gloas-3f9a1b2c4d5e6f708192a3b4c5d6e7f8', 'gloa… (38 chars)', { line: 8, column: 3, messageIncludes: 'credential in key clientSecret' }),
        secret('sk9876543210zyx', 'sk9… (15 chars)', { line: 10, column: 3, messageIncludes: 'credential in key secretKey' }),
      ],
    },
    {
      name: 'a CI variable holding a password',
      files: { '.gitlab-ci.yml': 'variables:\n  DOCKER_PASSWORD: "D0ckerPassw0rd"\nbuild:\n  script:\n    - echo build\n' },
      findings: [secret('D0ckerPassw0rd', 'D0c… (14 chars)', { file: '.gitlab-ci.yml', line: 2, column: 3, messageIncludes: 'credential in key DOCKER_PASSWORD' })],
    },
    {
      name: 'HCL password assignment in a .tf file',
      files: { 'terraform/main.tf': 'provider "proxmox" {\n  pm_api_url = "https://pve:8006/api2/json"\n  password = "tfS3cretPass"\n}\n' },
      findings: [secret('tfS3cretPass', 'tfS… (12 chars)', { file: 'terraform/main.tf', line: 3, column: 15, endColumn: 27, messageIncludes: 'credential assigned to password' })],
    },
    {
      name: '.env assignment',
      files: { '.env': 'DB_HOST=postgres\nDB_PASSWORD=envS3cretPass\n' },
      findings: [secret('envS3cretPass', 'env… (13 chars)', { file: '.env', line: 2, column: 13, messageIncludes: 'credential assigned to DB_PASSWORD' })],
    },
    {
      name: 'shell export of a token',
      files: { 'scripts/test-proxmox-auth.sh': '#!/bin/bash\nexport TOKEN="shellT0kenValue"\n' },
      findings: [secret('shellT0kenValue', 'she… (15 chars)', { file: 'scripts/test-proxmox-auth.sh', line: 2, column: 15, messageIncludes: 'credential assigned to TOKEN' })],
    },
    {
      name: 'docker login -p with a literal password',
      files: { '.gitlab-ci.yml': 'push:\n  script:\n    - docker login -u x -p D0ckerPassw0rd registry.example.com\n' },
      findings: [secret('D0ckerPassw0rd', 'D0c… (14 chars)', { file: '.gitlab-ci.yml', line: 3, column: 28, messageIncludes: 'password passed to docker login' })],
    },
    {
      name: 'docker login --password= is reported as docker login, not as a generic assignment',
      files: { 'scripts/push.sh': 'docker login --username admin --password=D0ckerPassw0rd harbor.homelab.local\n' },
      findings: [secret('D0ckerPassw0rd', 'D0c… (14 chars)', { file: 'scripts/push.sh', line: 1, column: 42, messageIncludes: 'password passed to docker login' })],
    },
    {
      name: 'command-line flags that pass a credential (the seed\'s --docker-password=token, MISTAKES K5)',
      files: {
        'scripts/create-harbor-pull-secret.sh': [
          'kubectl create secret docker-registry harbor-pull \\',
          '  --docker-server=harbor.homelab.local \\',
          '  --docker-username=robot \\',
          '  --docker-password=token',
          'mysql --user=root --password=Mysq1R00tPw -e "select 1"',
          '',
        ].join('\n'),
      },
      findings: [
        placeholder('token', 't… (5 chars)', { file: 'scripts/create-harbor-pull-secret.sh', line: 4, column: 21, messageIncludes: 'credential assigned to docker-password' }),
        secret('Mysq1R00tPw', 'My… (11 chars)', { line: 5, column: 30, messageIncludes: 'credential assigned to password' }),
      ],
    },
    {
      name: 'Kubernetes Secret with data',
      files: { 'manifests/secret.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: cGFzc3dvcmQxMjM0NQ==\n' },
      findings: [secret('cGFzc3dvcmQxMjM0NQ==', 'cGFz… (20 chars)', { file: 'manifests/secret.yaml', line: 6, column: 3, messageIncludes: 'value of password in Kubernetes Secret db (data)' })],
    },
    {
      name: 'Kubernetes Secret with stringData, in the second document of a file',
      files: {
        'buckets/init-buckets.yaml': [
          'apiVersion: v1',
          'kind: ConfigMap',
          'metadata:',
          '  name: buckets',
          '---',
          'apiVersion: v1',
          'kind: Secret',
          'metadata:',
          '  name: minio-root',
          'stringData:',
          '  rootUser: admin-user',
          '  rootPassword: Hx9-minio-R00t-2024!',
          '',
        ].join('\n'),
      },
      findings: [
        secret('admin-user', 'ad… (10 chars)', { file: 'buckets/init-buckets.yaml', line: 11, column: 3, messageIncludes: 'value of rootUser in Kubernetes Secret minio-root (stringData)' }),
        secret('Hx9-minio-R00t-2024!', 'Hx9-… (20 chars)', { file: 'buckets/init-buckets.yaml', line: 12, column: 3, messageIncludes: 'value of rootPassword' }),
      ],
    },

    // Placeholders: notes, not errors.
    {
      name: 'placeholders in YAML are notes',
      files: {
        'values.yaml': ['password: changeme', 'token: your-token-here', 'apiKey: <token>', 'secretKey: xxx', 'clientSecret: xxxxxxxx', ''].join('\n'),
      },
      findings: [
        placeholder('changeme', 'ch… (8 chars)', { file: 'values.yaml', line: 1, column: 1, messageIncludes: 'placeholder' }),
        placeholder('your-token-here', 'you… (15 chars)', { line: 2, column: 1 }),
        placeholder('<token>', '<… (7 chars)', { line: 3, column: 1 }),
        placeholder('xxx', '… (3 chars)', { line: 4, column: 1 }),
        placeholder('xxxxxxxx', 'xx… (8 chars)', { line: 5, column: 1 }),
      ],
    },
    {
      name: 'placeholders in shell (the seed scripts) are notes',
      files: { 'scripts/create-gitlab-structure.sh': 'GITLAB_TOKEN="your-access-token"\nexport PM_API_TOKEN_SECRET="secret"\n' },
      findings: [
        placeholder('your-access-token', 'your… (17 chars)', { file: 'scripts/create-gitlab-structure.sh', line: 1, column: 15 }),
        placeholder('secret', 's… (6 chars)', { line: 2, column: 29 }),
      ],
    },

    // Files that are not scanned.
    {
      name: 'binary files give one note per repo',
      repos: {
        'applications/photos/immich': { 'docs/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x0d, 0x0a]), 'docs/shot.png': Buffer.from([0x00, 0x01, 0x02, 0x03]), 'README.md': '# immich\n' },
        'applications/photos/photoprism': { 'icon.ico': Buffer.from([0x00, 0x00, 0x01, 0x00]) },
      },
      findings: [
        { repo: 'applications/photos/immich', severity: 'note', messageIncludes: '2 binary file(s) not scanned for secrets: docs/logo.png, docs/shot.png' },
        { repo: 'applications/photos/photoprism', severity: 'note', messageIncludes: '1 binary file(s) not scanned for secrets: icon.ico' },
      ],
    },
  ],
});
