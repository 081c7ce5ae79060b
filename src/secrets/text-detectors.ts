import { CREDENTIAL_HINT, isCredentialKey, isInert, isPlaceholder, isReference } from './classify.js';
import type { SecretHit } from './types.js';

interface LinePattern {
  detector: string;
  kind: (match: RegExpExecArray) => string;
  pattern: RegExp;
  /** Index of the capture group holding the secret value. */
  valueGroup: number;
  /** Index of the capture group holding the key, when the pattern is an assignment. */
  keyGroup?: number;
  /** What a file must hold for the pattern to match one of its lines: most files are skipped whole. */
  mayMatch: (text: string) => boolean;
}

/**
 * Line detectors for text of any kind (shell, env files, HCL, Dockerfiles, scripts inside YAML). YAML
 * `key: value` pairs are left to the YAML detector, which knows the document structure. The generic assignment
 * comes last: where it overlaps a specific detector (`docker login --password=x`), the specific message is kept.
 */
const LINE_PATTERNS: LinePattern[] = [
  {
    detector: 'fleetlint/url-credentials',
    kind: () => 'password in a URL',
    pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/'"]+:([^\s@/'"]+)@/gi,
    valueGroup: 1,
    mayMatch: (text) => text.includes('://') && text.includes('@'),
  },
  {
    detector: 'fleetlint/docker-login',
    kind: () => 'password passed to docker login',
    pattern: /\bdocker\s+login\b[^\n]*?\s(?:-p|--password)(?:\s+|=)("[^"]*"|'[^']*'|[^\s]+)/g,
    valueGroup: 1,
    mayMatch: (text) => text.includes('docker'),
  },
  {
    detector: 'fleetlint/aws-access-key-id',
    kind: () => 'AWS access key id',
    pattern: /\b((?:AKIA|ASIA)[A-Z0-9]{16})\b/g,
    valueGroup: 1,
    mayMatch: (text) => text.includes('AKIA') || text.includes('ASIA'),
  },
  {
    detector: 'fleetlint/private-key',
    kind: () => 'private key',
    pattern: /(-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----)/g,
    valueGroup: 1,
    mayMatch: (text) => text.includes('PRIVATE KEY-----'),
  },
  {
    // export PM_API_TOKEN_SECRET="secret", ENV DB_PASSWORD=x, password = "x" (HCL, tfvars, .env), --docker-password=x
    detector: 'fleetlint/assignment',
    kind: (match) => `credential assigned to ${match[1] ?? 'a variable'}`,
    pattern: /(?:^|[\s;])(?:export\s+|ENV\s+|ARG\s+|set\s+|--?)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*("([^"\n]*)"|'([^'\n]*)'|([^\s"'#;]+))/g,
    keyGroup: 1,
    valueGroup: 0, // chosen among groups 3-5 below
    // The key must be a credential key (isCredentialKey).
    mayMatch: (text) => text.includes('=') && CREDENTIAL_HINT.test(text),
  },
];

export function textHits(file: string, text: string): SecretHit[] {
  const hits: SecretHit[] = [];
  const patterns = LINE_PATTERNS.filter((pattern) => pattern.mayMatch(text));
  if (patterns.length === 0) return hits;
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line.length > 4000) return; // minified or generated content: the library scan still covers it
    for (const { detector, kind, pattern, valueGroup, keyGroup } of patterns) {
      pattern.lastIndex = 0;
      for (let match = pattern.exec(line); match; match = pattern.exec(line)) {
        if (keyGroup !== undefined && !isCredentialKey(match[keyGroup] ?? '')) continue;
        const quoted = keyGroup !== undefined ? (match[3] ?? match[4] ?? match[5]) : match[valueGroup];
        if (quoted === undefined) continue;
        const value = stripQuotes(quoted);
        if (isInert(value) || isReference(value)) continue;
        const column = line.indexOf(quoted, match.index) + 1 + (value === quoted ? 0 : 1);
        hits.push({
          kind: kind(match),
          value,
          file,
          range: { startLine: index + 1, startColumn: column, endLine: index + 1, endColumn: column + value.length },
          placeholder: isPlaceholder(value),
          detector,
        });
      }
    }
  });
  return hits;
}

function stripQuotes(value: string): string {
  return /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
}
