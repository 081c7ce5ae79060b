import { lintSource } from '@secretlint/core';
import { secretLintProfiler } from '@secretlint/profiler';
import { creator as recommendedPreset, rules as presetRules } from '@secretlint/secretlint-rule-preset-recommend';
import { markerTest } from './marker-scan.js';
import type { SecretHit } from './types.js';

/**
 * What a text must hold for each rule of secretlint's recommended preset to report anything in it: regular
 * expression sources, matched case-sensitively (as the rules' own patterns are). Running secretlint on every file costs ~0.25 ms each; the
 * pre-filter made of these skips the files that cannot match (most of a fleet), which keeps the secret scan off
 * the audit's critical path.
 *
 * The pre-filter is derived from this table and the preset's own list of rules: a rule of a newer preset that has
 * no entry here turns the pre-filter off (every file goes to secretlint) instead of being silently skipped, and
 * `test/secrets/library.test.ts` checks that an example of every message of every rule passes it.
 */
export const PRESET_MARKERS: Readonly<Record<string, readonly string[]>> = {
  // Access key and account ids only with the rule's `enableIDScanRule` (off): fleetlint's own detector finds ids.
  '@secretlint/secretlint-rule-aws': ['SECRET_?ACCESS', 'secret_?access', 'Secret_?Access'],
  '@secretlint/secretlint-rule-gcp': ['private_key'],
  '@secretlint/secretlint-rule-privatekey': ['PRIVATE KEY'],
  '@secretlint/secretlint-rule-npm': ['x-oauth-basic', '_authToken=', 'npm_'],
  '@secretlint/secretlint-rule-basicauth': [String.raw`:\/\/[^\s/@]+:[^\s/@]+@`],
  '@secretlint/secretlint-rule-slack': ['xoxb-', 'xoxp-', 'xoxa-', 'xoxo-', 'xoxr-', 'xapp-', 'hooks\\.slack\\.com'],
  '@secretlint/secretlint-rule-sendgrid': ['SG\\.'],
  '@secretlint/secretlint-rule-shopify': ['shppa_', 'shpca_', 'shpat_', 'shpss_'],
  '@secretlint/secretlint-rule-stripe': ['k_live_', 'k_test_'],
  '@secretlint/secretlint-rule-github': ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
  '@secretlint/secretlint-rule-gitlab': ['glpat-'],
  '@secretlint/secretlint-rule-grafana': ['glc_', 'glsa_'],
  '@secretlint/secretlint-rule-openai': ['T3BlbkFJ'],
  '@secretlint/secretlint-rule-anthropic': ['sk-ant-'],
  '@secretlint/secretlint-rule-groq': ['gsk_'],
  '@secretlint/secretlint-rule-huggingface': ['hf_'],
  '@secretlint/secretlint-rule-linear': ['lin_api_'],
  '@secretlint/secretlint-rule-notion': ['ntn_'],
  '@secretlint/secretlint-rule-1password': ['ops_ey'],
  // Reported only with a user and a password in the URL, as basic auth is.
  '@secretlint/secretlint-rule-database-connection-string': [String.raw`:\/\/[^\s/@]+:[^\s/@]+@`],
  '@secretlint/secretlint-rule-hashicorp-vault': ['hvs\\.', 'hvb\\.', 'hvr\\.'],
  '@secretlint/secretlint-rule-vercel': ['vcp_', 'vci_', 'vca_', 'vcr_', 'vck_'],
  '@secretlint/secretlint-rule-databricks': ['dapi'],
  '@secretlint/secretlint-rule-docker': ['dckr_pat_'],
  '@secretlint/secretlint-rule-figma': ['figd_'],
  '@secretlint/secretlint-rule-cloudflare': ['cfk_', 'cfut_', 'cfat_'],
  '@secretlint/secretlint-rule-tailscale': ['tskey-'],
  // Only filters the other rules' messages by `secretlint-disable` comments: it finds nothing itself.
  '@secretlint/secretlint-rule-filter-comments': [],
};

/** The preset's rule ids, in its order. */
export const PRESET_RULE_IDS: readonly string[] = presetRules.map((rule) => rule.meta.id);

/** Every rule's markers; undefined (no filtering) when a rule of the preset has no entry. */
function presetMarkers(): string[] | undefined {
  const markers: string[] = [];
  for (const id of PRESET_RULE_IDS) {
    const ofRule = PRESET_MARKERS[id];
    if (ofRule === undefined) return undefined;
    markers.push(...ofRule);
  }
  return markers;
}

/** What the pre-filter looks for, or undefined when every text goes to secretlint. */
export const PRESET_MARKER_SOURCES: readonly string[] | undefined = presetMarkers();

const MAY_HOLD_PROVIDER_TOKEN = PRESET_MARKER_SOURCES && markerTest(PRESET_MARKER_SOURCES, false);

/** Whether secretlint may find anything in the text (see PRESET_MARKERS). */
export function mayHoldProviderToken(text: string): boolean {
  return MAY_HOLD_PROVIDER_TOKEN?.(text) ?? true;
}

const config = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommendedPreset }] };

// secretlint times every rule on every file with performance marks, on by default, and keeps every mark and measure
// (and Node keeps the marks too) until someone reads them: memory that grows with the files scanned, and a tenth of
// the scan's time. Its profiler says to turn it off when its results are not wanted; fleetlint never reads them.
secretLintProfiler.setEnabled(false);

/** `mayHold`: the pre-filter's answer, when the caller has it already. */
export async function libraryHits(file: string, text: string, mayHold = mayHoldProviderToken(text)): Promise<SecretHit[]> {
  if (!mayHold) return [];
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
  ['api', 'API'],
  ['basicauth', 'basic-auth credential'],
  ['postgresqlconnection', 'PostgreSQL connection string'],
  ['mysqlconnection', 'MySQL connection string'],
  ['mongodbconnection', 'MongoDB connection string'],
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
