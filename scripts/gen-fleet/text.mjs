// Filler prose and small helpers shared by the content builders. Prose avoids `KEY=value` and credential-looking
// words, so that only planted secrets are findings.

const WORDS = (
  'the service runs in the homelab cluster and is deployed by argocd from this repository changes are reviewed in ' +
  'merge requests and rolled out by wave storage comes from longhorn ingress from traefik and certificates from ' +
  'cert-manager backups run nightly to minio upgrades follow the upstream release notes pin versions and test in ' +
  'staging first monitoring scrapes metrics every minute alerts go to the operations channel logs are shipped to loki'
).split(' ');

export function sentence(random, words = random.int(8, 20)) {
  const text = Array.from({ length: words }, () => random.pick(WORDS)).join(' ');
  return `${text[0].toUpperCase()}${text.slice(1)}.`;
}

export function paragraph(random, sentences = random.int(1, 3)) {
  return Array.from({ length: sentences }, () => sentence(random)).join(' ');
}

/** A README or doc page whose length follows the repo's size class. */
export function markdown(random, title, size) {
  const sections = { small: 0, medium: random.int(1, 3), large: random.int(4, 10) }[size ?? 'small'];
  const parts = [`# ${title}`, '', paragraph(random)];
  for (let index = 0; index < sections; index++) {
    parts.push('', `## ${random.pick(['Setup', 'Upgrades', 'Operations', 'Troubleshooting', 'Design', 'Backups'])}`, '', paragraph(random));
    if (random.chance(0.4)) parts.push('', '```bash', `kubectl -n ${title.toLowerCase().replace(/[^a-z0-9-]/g, '')} get pods`, '```');
  }
  return `${parts.join('\n')}\n`;
}

export function version(random) {
  return `${random.int(0, 4)}.${random.int(0, 30)}.${random.int(0, 12)}`;
}

/** `count` plain environment entries for a values file (names that no secret detector reads as credentials). */
export function envEntries(random, count, indent = '  ') {
  const names = ['LOG_LEVEL', 'TZ', 'PUID', 'PGID', 'WORKERS', 'CACHE_SIZE', 'FEATURE_FLAGS', 'BASE_URL', 'LISTEN_PORT', 'MAX_UPLOAD'];
  const lines = [];
  for (let index = 0; index < count; index++) {
    const name = `${random.pick(names)}_${index}`;
    lines.push(`${indent}- name: ${name}`, `${indent}  value: "${random.pick(['info', 'Europe/Brussels', '1000', '4', '512Mi', 'true', 'http://localhost'])}"`);
  }
  return lines;
}

export const GROUP = 'homelab';
export const HOST = 'gitlab.homelab.local';
export const REGISTRY = 'harbor.homelab.local';
export const TEMPLATES_PROJECT = `${GROUP}/platform/ci-templates`;

export function repoUrl(id) {
  return `https://${HOST}/${GROUP}/${id}.git`;
}

/** The `include:` of a pipeline that uses the generated ci-templates repo. */
export function includeTemplates(files) {
  return ['include:', `  - project: '${TEMPLATES_PROJECT}'`, '    file:', ...files.map((file) => `      - 'templates/${file}.yml'`)];
}
