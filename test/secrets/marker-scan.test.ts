/**
 * The marker scan only rules positions out before the markers' own regular expression is tried: its answer must be
 * the expression's on any text, with markers at the start, the end, next to characters past Latin-1 whose low byte is
 * a marker's character, and cut short.
 */
import { describe, expect, it } from 'vitest';
import { PRESET_MARKER_SOURCES } from '../../src/secrets/library.js';
import { literalPrefix, markerSetsTest, markerTest } from '../../src/secrets/marker-scan.js';
import { LINE_DETECTORS, SPECIFIC_MARKERS } from '../../src/secrets/text-detectors.js';

describe('literalPrefix', () => {
  it.each([
    ['glpat-', 'glpat-'],
    [String.raw`hooks\.slack\.com`, 'hooks.slack.com'],
    ['SECRET_?ACCESS', 'SECRET'],
    ['gl(?:rt|dt)-', 'gl'],
    [String.raw`\$2[aby]\$`, '$2'],
    [String.raw`:\/\/[^\s/@]+:`, '://'],
    [String.raw`docker\s+login`, 'docker'],
    ['K10[0-9a-f]', 'K10'],
    ['ab+c', 'a'],
    ['a{2}', ''],
    [String.raw`\bkey`, ''],
    ['^key', ''],
    ['(?:a|b)c', ''],
    ['abc|de', ''],
  ])('%s -> %s', (source, prefix) => {
    expect(literalPrefix(source)).toBe(prefix);
  });
});

describe('the markers every file is scanned for', () => {
  // A marker with no literal start sends its whole set back to one expression of every alternative, tried at every
  // position (about 40% of the secret scan when it happened), and one of a single character is tried at most positions.
  it('each start with at least two literal characters, so the one-pass scan is used', () => {
    const short = [...SPECIFIC_MARKERS, ...(PRESET_MARKER_SOURCES ?? [])].filter((marker) => literalPrefix(marker).length < 2);
    expect(short).toEqual([]);
  });
});

describe('markerTest', () => {
  const markers = [...SPECIFIC_MARKERS, ...(PRESET_MARKER_SOURCES ?? [])];
  const expression = new RegExp(markers.join('|'));
  const scan = markerTest(markers, false);

  /** A fixed pseudo-random stream of text that looks like configuration, with the markers' characters in it. */
  let state = 11;
  const next = (bound: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state >>> 8) % bound;
  };
  const chars = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 :-_./$={}"'.split(''), '\n', '\u0167', '\u0153', '\u012d', '\u0100', '\u2028', '\u{1F511}'];
  const noise = (length: number): string => Array.from({ length }, () => chars[next(chars.length)] ?? ' ').join('');

  it('agrees with the expression on every marker, whole, at the start, in the middle, at the end and cut short', () => {
    for (const marker of markers) {
      const prefix = literalPrefix(marker);
      for (const sample of [prefix, prefix.slice(0, -1), prefix.slice(1)]) {
        for (const text of [sample, `${sample}x`, `x${sample}`, `${noise(40)}${sample}`, `${sample}${noise(40)}`, `${noise(20)}${sample}${noise(20)}`]) {
          expect(scan(text), JSON.stringify(text)).toBe(expression.test(text));
        }
      }
    }
  });

  /** Noise and markers' beginnings, whole or cut short: near misses and matches. */
  const pieces = (count: number): string =>
    Array.from({ length: count }, () => {
      const prefix = literalPrefix(markers[next(markers.length)] ?? '');
      return next(2) === 0 ? noise(next(30)) : prefix.slice(0, 1 + next(prefix.length));
    }).join('');

  it('agrees with the expression on random text', () => {
    let found = 0;
    for (let round = 0; round < 3000; round += 1) {
      const text = pieces(next(12));
      const expected = expression.test(text);
      if (expected) found += 1;
      expect(scan(text), JSON.stringify(text)).toBe(expected);
    }
    // The random text must hold markers sometimes, or the comparison above says little.
    expect(found).toBeGreaterThan(300);
    expect(found).toBeLessThan(2700);
  });

  it('markerSetsTest finds the same sets as the sets\' own expressions, on random text', () => {
    const sets = [...LINE_DETECTORS.filter((detector) => detector.ignoreCase !== true).map((detector) => detector.markers), [String.raw`\$[567]?`]];
    const expressions = sets.map((markers) => new RegExp(markers.join('|')));
    const setsIn = markerSetsTest(sets);
    let found = 0;
    for (let round = 0; round < 3000; round += 1) {
      const text = pieces(next(12));
      const expected = expressions.flatMap((expression, index) => (expression.test(text) ? [index] : []));
      found += expected.length;
      expect([...setsIn(text)].sort((a, b) => a - b), JSON.stringify(text)).toEqual(expected);
    }
    expect(found).toBeGreaterThan(1000);
    expect([...setsIn('')]).toEqual([]);
    expect([...setsIn('x$')]).toEqual([sets.length - 1]);
  });

  it('markerSetsTest leaves sets to their expressions when a marker has no literal start', () => {
    const setsIn = markerSetsTest([['glpat-'], [String.raw`\bkey`], ['hooks\\.slack']]);
    expect([...setsIn('a key and glpat-x')]).toEqual([0, 1]);
    expect([...setsIn('monkey hooks.slack')]).toEqual([2]);
  });

  it('finds a match of one character at the end, and nothing in an empty text', () => {
    const short = markerTest([...markers, String.raw`\$[567]?`], false);
    expect(short('abc$')).toBe(true);
    expect(short('')).toBe(false);
    expect(scan('')).toBe(false);
  });

  it('leaves case-insensitive markers and few markers to the expression', () => {
    expect(markerTest(['glpat-'], false)('x GLPAT-')).toBe(false);
    expect(markerTest(markers, true)('x GLPAT-y')).toBe(true);
  });
});
