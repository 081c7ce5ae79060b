/**
 * Reports written in pieces (#19: a report of a million findings is longer than a V8 string may be): the pieces
 * joined are exactly the bytes of the report rendered whole, in every format (text and JUnit render whole by joining
 * their pieces: their tests pin those bytes), and the JSON serialiser matches
 * JSON.stringify(value, null, 2) on every shape JSON has.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonChunks } from '../../src/report/json-chunks.js';
import { REPORT_FORMATS, renderReport, reportChunks } from '../../src/report/index.js';
import { writeReport } from '../../src/cli/write-report.js';
import { auditHomelab, fixedReportInput } from '../support/homelab.js';

describe('jsonChunks', () => {
  it.each([
    ['scalars', [1, -2.5, 'a "quoted"\nline', true, false, null, '', 1e21]],
    ['empty containers', { a: [], b: {}, c: [[], [{}]] }],
    ['left-out values', { kept: 1, gone: undefined, fn: () => 1, list: [undefined, () => 1, 2] }],
    ['nesting and unicode keys', { 'é\u0000"': { deep: [{ x: [1, [2, [3]]] }] } }],
    ['toJSON', { when: new Date(0), custom: { toJSON: () => ({ y: 1 }) } }],
    ['a scalar at the top', 'text'],
  ])('%s: the same text as JSON.stringify', (_name, value) => {
    expect([...jsonChunks(value)].join('')).toBe(JSON.stringify(value, null, 2));
  });
});

describe('reportChunks and writeReport', () => {
  it('give the bytes of renderReport for the homelab audit, in every format', async () => {
    const { fleet, result } = await auditHomelab();
    const input = fixedReportInput(fleet, result);
    const folder = await mkdtemp(join(tmpdir(), 'fleetlint-report-'));
    for (const format of REPORT_FORMATS) {
      const whole = renderReport(format, input);
      const pieces = [...reportChunks(format, input)];
      expect(pieces.join(''), format).toBe(whole);
      // The JSON formats come in many pieces, text and JUnit a line at a time: never one string of the whole report.
      if (['json', 'sarif', 'codequality'].includes(format)) expect(pieces.length, format).toBeGreaterThan(1000);
      if (['text', 'junit'].includes(format)) expect(pieces.length, format).toBeGreaterThan(result.findings.length);
      const path = join(folder, 'nested', `report.${format}`);
      await writeReport(path, reportChunks(format, input));
      expect(await readFile(path, 'utf8'), format).toBe(whole);
    }
  });
});
