import { describe, expect, it } from 'vitest';
import { REPORT_FORMATS, renderReport, renderSarifPerRepo } from '../../src/report/index.js';
import { sampleInput } from './fixture.js';

describe('renderReport', () => {
  it.each(REPORT_FORMATS)('%s: the same input gives byte-identical output', (format) => {
    const first = renderReport(format, sampleInput());
    expect(first.length).toBeGreaterThan(0);
    expect(renderReport(format, sampleInput())).toBe(first);
  });

  it('leaves its input as it was', () => {
    const input = sampleInput();
    for (const format of REPORT_FORMATS) renderReport(format, input);
    for (const [, log] of renderSarifPerRepo(input)) expect(log.length).toBeGreaterThan(0);
    expect(input).toEqual(sampleInput());
  });

  it('writes no absolute path and no timestamp', () => {
    for (const format of REPORT_FORMATS) {
      const output = renderReport(format, sampleInput());
      expect(output).not.toContain(process.cwd());
      expect(output).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
    }
  });

  it('renders the per-repository SARIF logs deterministically', () => {
    expect([...renderSarifPerRepo(sampleInput())]).toEqual([...renderSarifPerRepo(sampleInput())]);
  });
});
