import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/engine/config.js';
import { DIAGNOSTICS } from '../../src/engine/diagnostics.js';
import { builtinChecks } from '../../src/run/checks.js';

const waiver = (expires: string): string => `waivers:\n  - rule: no-latest-tag\n    repo: apps/web\n    reason: pinned next sprint\n    expires: ${expires}\n`;

describe('waiver expiry dates (issue 15, item 13)', () => {
  it('refuses a day that is not in the calendar, naming its line: 2999-13-45 used to be a waiver that never expires', async () => {
    const metas = [...DIAGNOSTICS, ...(await builtinChecks()).map((check) => check.meta)];
    for (const expires of ['2999-13-45', '2027-02-30', '2026-00-10']) {
      const parse = (): unknown => parseConfig('fleetlint.config.yaml', waiver(expires), metas);
      expect(parse).toThrow(ConfigError);
      expect(parse).toThrow(`line 5: waivers.0.expires: ${expires} is not a date (expected YYYY-MM-DD, a real day)`);
    }
    expect(parseConfig('fleetlint.config.yaml', waiver('2028-02-29'), metas).waivers.map((entry) => entry.expires)).toEqual(['2028-02-29']);
  });
});
