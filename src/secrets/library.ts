import { lintSource } from '@secretlint/core';
import { creator as recommendedPreset } from '@secretlint/secretlint-rule-preset-recommend';
import type { SecretHit } from './types.js';

/**
 * Provider token formats come from secretlint's recommended preset, a maintained library. Running it on
 * every file costs ~0.25 ms each; this cheap filter of the markers its rules look for skips the files that
 * cannot match (most of a fleet), which keeps the secret scan off the audit's critical path.
 */
const MAY_HOLD_PROVIDER_TOKEN =
  /AKIA|ASIA|aws|BEGIN|PRIVATE|:\/\/[^\s/@]+:[^\s/@]+@|xox[abposr]-|hooks\.slack|ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|glpat-|glptt-|gldt-|GR1348941|npm_|sk-|sk_live|rk_live|AIza|SG\.|shpat_|shpss_|dop_v1_|\b1\/\/|-----|hf_|sq0|xapp-/;

const config = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommendedPreset }] };

export async function libraryHits(file: string, text: string): Promise<SecretHit[]> {
  if (!MAY_HOLD_PROVIDER_TOKEN.test(text)) return [];
  const extension = /\.[^./]+$/.exec(file)?.[0] ?? '';
  const result = await lintSource({ source: { filePath: `/${file}`, content: text, contentType: 'text', ext: extension }, options: { config } });
  return result.messages.map((message) => ({
    kind: describe(message.messageId),
    value: text.slice(message.range[0], message.range[1]),
    file,
    // secretlint columns are 0-based; fleetlint's are 1-based.
    range: { startLine: message.loc.start.line, startColumn: message.loc.start.column + 1, endLine: message.loc.end.line, endColumn: message.loc.end.column + 1 },
    placeholder: false,
    detector: `secretlint/${message.ruleId.replace(/^@secretlint\/secretlint-rule-/, '')}`,
  }));
}

const ACRONYMS = new Map([
  ['aws', 'AWS'],
  ['gitlab', 'GitLab'],
  ['github', 'GitHub'],
  ['gcp', 'GCP'],
  ['npm', 'npm'],
  ['openai', 'OpenAI'],
  ['basicauth', 'basic-auth credential'],
  ['postgresqlconnection', 'PostgreSQL connection string'],
]);

/** `GITLAB_PERSONAL_ACCESS_TOKEN` or `AWSSecretAccessKey` -> "GitLab personal access token", "AWS secret access key". */
function describe(messageId: string): string {
  // Whole ids first: `BasicAuth` would otherwise be split into words before the table could name it.
  const whole = ACRONYMS.get(messageId.toLowerCase());
  if (whole !== undefined) return whole;
  return messageId
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_]+/)
    .map((word) => ACRONYMS.get(word.toLowerCase()) ?? word.toLowerCase())
    .join(' ');
}
