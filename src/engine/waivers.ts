import { globMatcher } from '../glob-matcher.js';
import type { Finding, FindingDraft, SourceRange } from '../model/findings.js';
import type { Waiver } from './config-types.js';

export interface WaiverState {
  waiver: Waiver;
  index: number;
  expired: boolean;
  used: boolean;
}

/** Waivers expire at the end of their `expires` day (UTC). */
export function waiverStates(waivers: readonly Waiver[], today: Date): WaiverState[] {
  const todayText = today.toISOString().slice(0, 10);
  return waivers.map((waiver, index) => ({ waiver, index, expired: waiver.expires !== undefined && waiver.expires < todayText, used: false }));
}

export function matchWaiver(finding: Finding, states: readonly WaiverState[]): WaiverState | undefined {
  for (const state of states) {
    const { waiver } = state;
    if (state.expired || waiver.rule !== finding.ruleId) continue;
    if (!globMatcher(waiver.repo)(finding.repo)) continue;
    if (waiver.file !== undefined && (finding.file === undefined || !globMatcher(waiver.file, { dot: true })(finding.file))) continue;
    state.used = true;
    return state;
  }
  return undefined;
}

/** Expired waivers and waivers that matched nothing are findings on the config file. */
export function waiverFindings(states: readonly WaiverState[], configFile: string | undefined): FindingDraft[] {
  const file = configFile ?? 'fleetlint.config.yaml';
  const findings: FindingDraft[] = [];
  for (const state of states) {
    const { waiver } = state;
    const who = waiver.owner ? ` (owner ${waiver.owner})` : '';
    const subject = `waiver:${waiver.rule}:${waiver.repo}:${waiver.file ?? ''}`;
    if (state.expired) {
      findings.push({
        ruleId: 'expired-waiver',
        severity: 'warning',
        message: `waiver for ${waiver.rule} on ${waiver.repo}${waiver.file ? ` ${waiver.file}` : ''}${who} expired on ${waiver.expires ?? ''}; its findings are reported again`,
        repo: '.',
        file,
        range: lineRange(waiver.line ?? 1),
        subject,
        // Which repositories the waiver covers: a one-repo run (lint, mr) reports it when its repo is one of them.
        data: { kind: 'expired-waiver', repos: waiver.repo },
      });
    } else if (!state.used) {
      findings.push({
        ruleId: 'unused-suppression',
        severity: 'warning',
        message: `waiver for ${waiver.rule} on ${waiver.repo}${waiver.file ? ` ${waiver.file}` : ''}${who} matches no finding; remove it`,
        repo: '.',
        file,
        range: lineRange(waiver.line ?? 1),
        subject,
        data: { kind: 'unused-suppression', rules: [waiver.rule] },
      });
    }
  }
  return findings;
}

function lineRange(line: number): SourceRange {
  return { startLine: line, startColumn: 1, endLine: line, endColumn: 1 };
}
