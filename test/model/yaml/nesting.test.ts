import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseYamlFile } from '../../../src/model/yaml/parse.js';
import { deepestFlowLevel, excessiveNesting, MAX_NESTING, measuredNesting, nestingBound } from '../../../src/model/yaml/nesting.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const DEEP_COMPACT = join(ROOT, 'fixtures/hostile/deep-compact');

/** The same pseudo-random numbers below `bound` on every run (a linear congruential generator, fixed seed). */
function randomNumbers(seed: number): (bound: number) => number {
  let state = seed;
  return (bound) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % bound;
  };
}

/** Pieces of YAML that open, close or hide nesting, put together at random. */
const PIECES = ['- ', '? ', ': ', 'a: ', 'k:', '[', ']', '{', '}', ', ', '"', "'", "it's ", 'a#b ', ' # ]] ', '|\n', '>-\n', '\\"', '&a ', '*a ', '!t ', 'x', '\n', '\n  ', '\n    ', '\n- ', '\r', '\r\n', '\t', '---\n', '...\n', '-', '?', ':'];

function randomText(random: (bound: number) => number): string {
  let text = '';
  for (let count = 5 + random(120); count > 0; count--) {
    const piece = PIECES[random(PIECES.length)] as string;
    text += random(4) === 0 ? piece.repeat(1 + random(12)) : piece;
  }
  return text;
}

describe('YAML nesting', () => {
  it('bounds what the parser nests from above, on random texts and on every fixture', () => {
    const random = randomNumbers(20261207);
    const texts = Array.from({ length: 4000 }, () => randomText(random));
    for (const dir of ['fixtures/homelab/platform', 'fixtures/hostile', 'fixtures/cases']) {
      for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
        if (entry.isFile() && /\.ya?ml$/.test(entry.name)) texts.push(readFileSync(join(entry.parentPath, entry.name), 'utf8'));
      }
    }
    const under: string[] = [];
    for (const text of texts) {
      const bound = nestingBound(text);
      const measured = measuredNesting(text).depth;
      // The cheap bound, and the bound with the lexer's flow depth, are both at or above the parser's depth.
      if (bound.block + 2 * bound.openers < measured || bound.block + 2 * deepestFlowLevel(text) < measured) under.push(JSON.stringify(text));
    }
    expect(under.slice(0, 3)).toEqual([]);
  });

  it.each([
    ['compact-sequence.yaml', 2, 801],
    ['complex-keys.yaml', 2, 801],
    ['brackets-after-quote.yaml', 2, 412],
    ['brackets-after-hash.yaml', 2, 411],
    ['.gitlab-ci.yml', 2, 801],
  ])('refuses %s at the collection that goes past the limit, without parsing it', (file, line, column) => {
    const text = readFileSync(join(DEEP_COMPACT, file), 'utf8');
    const { parsed, diagnostics } = parseYamlFile('deep-compact', file, text);
    expect(diagnostics.map((finding) => [finding.message, finding.range?.startLine, finding.range?.startColumn])).toEqual([
      [`YAML nests deeper than ${String(MAX_NESTING)} levels; the file is not loaded`, line, column],
    ]);
    expect(parsed.documents.map((document) => document.broken)).toEqual([true]);
  });

  it('loads a file at the limit, and counts what the parser nests rather than lines or brackets', () => {
    const text = readFileSync(join(DEEP_COMPACT, 'at-the-limit.yaml'), 'utf8');
    expect(measuredNesting(text).depth).toBe(399);
    const { parsed, diagnostics } = parseYamlFile('deep-compact', 'at-the-limit.yaml', text);
    expect(diagnostics).toEqual([]);
    let value = parsed.documents[0]?.value;
    let depth = 0;
    while (Array.isArray(value)) {
      value = value[0];
      depth++;
    }
    expect([depth, value]).toEqual([399, 'x']);
    // Brackets in quotes, comments and block scalars do not nest; a pair in a flow sequence nests a mapping.
    expect(excessiveNesting(`a: "${'['.repeat(1000)}"\nb: |\n  ${'{'.repeat(1000)}\n# ${'['.repeat(1000)}\n`)).toBeUndefined();
    expect(measuredNesting('[a: [b: c]]').depth).toBe(4);
  });

  it('refuses collections nested as keys past 16 levels, where the yaml package would take seconds', () => {
    const text = readFileSync(join(DEEP_COMPACT, 'nested-keys.yaml'), 'utf8');
    const { parsed, diagnostics } = parseYamlFile('deep-compact', 'nested-keys.yaml', text);
    expect(diagnostics.map((finding) => [finding.message, finding.range?.startLine, finding.range?.startColumn])).toEqual([
      ['YAML nests collections as mapping keys deeper than 16 levels; the document is not loaded', 2, 35],
    ]);
    expect(parsed.documents[0]?.broken).toBe(true);
    const sixteen = parseYamlFile('r', 'keys.yaml', `${'? '.repeat(17)}x\n`);
    expect(sixteen.diagnostics).toEqual([]);
    expect(sixteen.parsed.documents[0]?.broken).toBe(false);
  });
});
