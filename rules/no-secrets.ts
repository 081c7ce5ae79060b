import { defineRule, type CheckReport, type RuleExamples } from '../src/engine/check.js';
import type { Repo } from '../src/model/types.js';
import { scanFile } from '../src/secrets/scan.js';
import { redact } from '../src/secrets/redact.js';
import type { SecretHit } from '../src/secrets/types.js';

export default defineRule({
  meta: {
    id: 'no-secrets',
    shortDescription: 'Secrets must not be committed to git',
    fullDescription:
      "Every text file of every repository is scanned, whatever its YAML parse made of it (templates and files with syntax errors are read as text): provider token formats (secretlint's recommended preset and fleetlint's own: GitLab's token prefixes, webhooks, JWTs, age keys, cloud tokens), private keys with key material, credential keys with literal values in YAML, HCL, env, INI, JSON and shell, credentials in URLs, connection strings and command lines (`docker login -p`, `curl -u`, `mysql -p`, `sshpass -p`), htpasswd hashes, docker config `auth`, and Kubernetes Secrets read decoded, key by key. Findings name the key path (`auth.password`, the Secret's key), never the value: messages show a short prefix and the length, and fingerprints are built from the place. With `audit --history`, secrets that are gone from the tree but still in git history are reported at the commit that added them. Values in tests and examples, words and names, and examples in documentation are notes, not errors.",
    defaultSeverity: 'error',
    help: 'Rotate the secret first: it is in the git history, and removing the line does not remove it from there. Then keep the value out of git: a masked CI/CD variable for pipelines, a secret in Vault read through an ExternalSecret, or a SealedSecret for Kubernetes, and make the file refer to it (`${VAR}`, `existingSecret: <name>`, `secretKeyRef`). References (`${VAR}`, `{{ ... }}`, `var.x`) and keys that only name a secret (`existingSecret`, `secretName`) are not reported; placeholders such as `changeme`, words and names, values in tests and examples in documentation are notes.',
    tags: ['security', 'secrets'],
    scope: 'repo',
    examples: examples(),
  },
  async run({ repo }) {
    const reports: CheckReport[] = [];
    for (const file of repo.files) {
      if (file.text === undefined || isLockFile(file.path)) continue;
      // The runner reports at most 200 findings of a file (engine/finding-cap.ts) and counts the rest.
      for (const hit of await scanFile(file.path, file.text, repo.yaml.get(file.path))) reports.push(toReport(hit));
    }
    const binaryNote = binaryFilesNote(repo);
    if (binaryNote) reports.push(binaryNote);
    return reports;
  },
});

function toReport(hit: SecretHit): CheckReport {
  const action = hit.placeholder
    ? 'looks like a placeholder; make sure no real value replaces it in git'
    : hit.doubt !== undefined
      ? `${hit.doubt}; check that it is not live`
      : 'move it to a secret store and rotate it';
  return {
    message: `${hit.kind}: ${redact(hit.value)} — ${action}`,
    severity: hit.placeholder || hit.doubt !== undefined ? 'note' : 'error',
    file: hit.file,
    range: hit.range,
    ...(hit.path ? { path: hit.path } : {}),
    ...(hit.docIndex !== undefined ? { docIndex: hit.docIndex } : {}),
    // The place, never the value: a digest of a weak password would let anyone test guesses against it offline.
    subject: `${hit.detector}:${hit.key ?? ''}`,
  };
}

/** Dependency lock files hold versions and integrity hashes, never credentials (`"parse-passwd": "^1.0.0"`). */
function isLockFile(path: string): boolean {
  return /(?:^|\/)(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|go\.sum|Cargo\.lock|poetry\.lock|Pipfile\.lock|composer\.lock|Gemfile\.lock|mix\.lock|packages\.lock\.json|\.terraform\.lock\.hcl|Chart\.lock)$/.test(path);
}

/** Binary files are not scanned; one note per repo says which, without a finding per image. */
function binaryFilesNote(repo: Repo): CheckReport | undefined {
  const binary = repo.files.filter((file) => file.skipped === 'binary').map((file) => file.path);
  if (binary.length === 0) return undefined;
  const shown = binary.slice(0, 5).join(', ');
  const more = binary.length > 5 ? ` (+${binary.length - 5} more)` : '';
  return {
    message: `${binary.length} binary file(s) not scanned for secrets: ${shown}${more}`,
    severity: 'note',
    subject: 'binary-files',
  };
}

function examples(): RuleExamples {
  return {
    wrong: {
      description: 'A database password written into the Helm values.',
      repos: { 'apps/web': { 'helm/values.yaml': 'postgresql:\n  auth:\n    username: web\n    password: Zq8vN2rT6wXk4pLm\n' } },
      findings: [
        { repo: 'apps/web', file: 'helm/values.yaml', line: 4, severity: 'error', message: 'credential in key password: Zq8v… (16 chars) — move it to a secret store and rotate it' },
      ],
    },
    right: {
      description: 'The values name a Secret that an ExternalSecret fills from Vault; the password is not in git.',
      repos: {
        'apps/web': {
          'helm/values.yaml': 'postgresql:\n  auth:\n    username: web\n    existingSecret: web-db\n',
          'deploy/external-secret.yaml': [
            'apiVersion: external-secrets.io/v1beta1',
            'kind: ExternalSecret',
            'metadata:',
            '  name: web-db',
            'spec:',
            '  secretStoreRef: {name: vault, kind: ClusterSecretStore}',
            '  target: {name: web-db}',
            '  data:',
            '    - secretKey: password',
            '      remoteRef: {key: apps/web/db, property: password}',
            '',
          ].join('\n'),
        },
      },
    },
  };
}
