/**
 * Whether a text holds any of many markers (regular expression sources), in one pass over the text that costs about
 * a quarter of one regular expression made of them all.
 *
 * V8's regular expressions try every alternative at every position when the alternatives share no prefix: about a
 * hundred markers made that test the secret scan's largest cost. Each marker here starts with literal characters
 * (`glpat-`, `AKIA`, `hooks\.slack\.com`); a table of their first two characters (and a second of their first
 * three) says at which positions a marker can start, and the markers' own regular expression, sticky, is tried only
 * there. The tables only rule positions out, so the answer is always the regular expression's: characters past
 * Latin-1 share entries with others and are tried more often, never skipped.
 */
export function markerTest(markers: readonly string[], ignoreCase: boolean): (text: string) => boolean {
  const source = markers.join('|');
  const prefixes = markers.map(literalPrefix);
  // A few markers are found faster by the expression alone (it skips ahead on a literal), and a case-insensitive set
  // or a marker that does not start with a literal character is left to it.
  if (markers.length < FEW_MARKERS || ignoreCase || prefixes.some((prefix) => prefix.length === 0)) {
    const pattern = new RegExp(source, ignoreCase ? 'i' : '');
    return (text) => pattern.test(text);
  }
  const pattern = new RegExp(source, 'y');
  // By the first two characters' low bytes: 0 no marker starts so, 1 try the expression, 2 look at the third first.
  const pairs = new Uint8Array(1 << 16);
  const triples = new Uint8Array(1 << 16);
  for (const prefix of prefixes) {
    // UTF-16 code units, as the scan reads the text.
    const first = prefix.charCodeAt(0) & 0xff;
    if (prefix.length === 1) for (let next = 0; next < 256; next += 1) pairs[(first << 8) | next] = 1;
    else if (prefix.length === 2) pairs[(first << 8) | (prefix.charCodeAt(1) & 0xff)] = 1;
    else {
      const pair = (first << 8) | (prefix.charCodeAt(1) & 0xff);
      if (pairs[pair] === 0) pairs[pair] = 2;
      triples[tripleKey(pair, prefix.charCodeAt(2) & 0xff)] = 1;
    }
  }
  return (text) => {
    const length = text.length;
    if (length === 0) return false;
    let previous = text.charCodeAt(0) & 0xff;
    for (let index = 1; index < length; index += 1) {
      const current = text.charCodeAt(index) & 0xff;
      const pair = (previous << 8) | current;
      const entry = pairs[pair];
      if (entry !== 0 && (entry === 1 || triples[tripleKey(pair, index + 1 < length ? text.charCodeAt(index + 1) & 0xff : 0)] === 1)) {
        pattern.lastIndex = index - 1;
        if (pattern.test(text)) return true;
      }
      previous = current;
    }
    // A match of one character, at the last position, has no pair.
    pattern.lastIndex = length - 1;
    return pattern.test(text);
  };
}

/**
 * Which of some sets of markers (case-sensitive regular expression sources) a text holds, in one pass: the indices of
 * the sets found. A set's own expression, sticky, is tried only where one of its markers can start, by their first
 * two characters as in markerTest; without the third, which would not say which set. One pass instead of one a set:
 * a file that holds any marker is asked this of fifty detectors.
 */
export function markerSetsTest(sets: readonly (readonly string[])[]): (text: string) => Set<number> {
  const patterns = sets.map((markers) => new RegExp(markers.join('|'), 'y'));
  const prefixes = sets.map((markers) => markers.map(literalPrefix));
  if (prefixes.some((ofSet) => ofSet.some((prefix) => prefix.length === 0))) {
    const wholes = sets.map((markers) => new RegExp(markers.join('|')));
    return (text) => new Set(wholes.flatMap((whole, index) => (whole.test(text) ? [index] : [])));
  }
  const setsByPair = new Map<number, number[]>();
  const pairs = new Uint8Array(1 << 16);
  const add = (pair: number, index: number): void => {
    const list = setsByPair.get(pair) ?? [];
    if (!list.includes(index)) list.push(index);
    setsByPair.set(pair, list);
    pairs[pair] = 1;
  };
  for (const [index, ofSet] of prefixes.entries()) {
    for (const prefix of ofSet) {
      const first = prefix.charCodeAt(0) & 0xff;
      if (prefix.length === 1) for (let next = 0; next < 256; next += 1) add((first << 8) | next, index);
      else add((first << 8) | (prefix.charCodeAt(1) & 0xff), index);
    }
  }
  const at = (found: Set<number>, index: number, text: string, position: number): void => {
    const pattern = patterns[index];
    if (pattern === undefined || found.has(index)) return;
    pattern.lastIndex = position;
    if (pattern.test(text)) found.add(index);
  };
  return (text) => {
    const found = new Set<number>();
    const length = text.length;
    if (length === 0) return found;
    let previous = text.charCodeAt(0) & 0xff;
    for (let index = 1; index < length && found.size < sets.length; index += 1) {
      const current = text.charCodeAt(index) & 0xff;
      const pair = (previous << 8) | current;
      if (pairs[pair] !== 0) for (const set of setsByPair.get(pair) ?? []) at(found, set, text, index - 1);
      previous = current;
    }
    // A match of one character, at the last position, has no pair.
    for (let set = 0; set < sets.length; set += 1) at(found, set, text, length - 1);
    return found;
  };
}

/** Measured on the homelab fleet's text: one expression of 8 markers costs as much as this scan, of 16 markers more. */
const FEW_MARKERS = 12;

function tripleKey(pair: number, third: number): number {
  return pair ^ (Math.imul(third, 0x9e37) & 0xffff);
}

/**
 * The literal characters a regular expression source starts with: `hooks\.slack` -> `hooks.slack`, `SECRET_?ACCESS`
 * -> `SECRET` (a quantified character is not certain), `gl(?:rt|dt)-` -> `gl`. Empty when a top-level `|` makes the
 * source more than one alternative.
 */
export function literalPrefix(source: string): string {
  if (hasTopLevelAlternative(source)) return '';
  let prefix = '';
  let index = 0;
  while (index < source.length) {
    const char = source.charAt(index);
    let literal: string;
    let width = 1;
    if (char === '\\') {
      const escaped = source.charAt(index + 1);
      // `\d`, `\s`, `\b`, `\1`, `\u…`: classes, assertions, references and codes, not the character itself.
      if (escaped === '' || /[A-Za-z0-9]/.test(escaped)) break;
      literal = escaped;
      width = 2;
    } else if ('.^$|?*+()[]{}'.includes(char)) break;
    else literal = char;
    const next = source.charAt(index + width);
    if (next !== '' && '?*+{'.includes(next)) break;
    prefix += literal;
    index += width;
  }
  return prefix;
}

function hasTopLevelAlternative(source: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let index = 0; index < source.length; index += 1) {
    const char = source.charAt(index);
    if (char === '\\') index += 1;
    else if (inClass) inClass = char !== ']';
    else if (char === '[') inClass = true;
    else if (char === '(') depth += 1;
    else if (char === ')') depth -= 1;
    else if (char === '|' && depth === 0) return true;
  }
  return false;
}
