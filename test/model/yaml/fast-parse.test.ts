import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, type Document } from 'yaml';
import { fastParse } from '../../../src/model/yaml/fast-parse.js';
import { PARSE_OPTIONS } from '../../../src/model/yaml/parse.js';
import { treeFromDocument, type TreeNode } from '../../../src/model/yaml/tree.js';

const ROOT = resolve(import.meta.dirname, '../../..');

/** A tree as plain data; an alias as the offset of its target. */
function plain(node: TreeNode | null | undefined): unknown {
  if (!node) return node;
  switch (node.kind) {
    case 'scalar':
      return { s: node.start, e: node.end, v: node.value, plain: node.plain, source: node.source, tag: node.tag };
    case 'alias':
      return { s: node.start, e: node.end, alias: node.target?.start };
    case 'seq':
      return { s: node.start, e: node.end, tag: node.tag, items: node.items.map(plain) };
    case 'map':
      return { s: node.start, e: node.end, tag: node.tag, pairs: node.pairs.map((pair) => [plain(pair.key), plain(pair.value)]) };
  }
}

/** What the yaml package makes of a text that it parses without a problem; undefined for any error or warning. */
function viaYamlPackage(text: string): unknown[] | undefined {
  const docs = parseAllDocuments(text, PARSE_OPTIONS) as Document.Parsed[];
  if (docs.some((doc) => doc.errors.length > 0 || doc.warnings.length > 0)) return undefined;
  return docs.map((doc) => ({ value: doc.toJS({ maxAliasCount: 1000 }) as unknown, tree: plain(treeFromDocument(doc)) }));
}

function viaFastPath(text: string): unknown[] | undefined {
  return fastParse(text)?.map((document) => ({ value: document.value, tree: plain(document.tree) }));
}

/** Where two plain values first differ, as a path and both sides; undefined when they are equal. */
function firstDifference(actual: unknown, expected: unknown, path = ''): string | undefined {
  if (Object.is(actual, expected)) return undefined;
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null || Array.isArray(actual) !== Array.isArray(expected)) {
    return `${path}: ${JSON.stringify(actual)} is not ${JSON.stringify(expected)}`;
  }
  for (const key of new Set([...Object.keys(actual), ...Object.keys(expected)])) {
    const difference = firstDifference((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${path}.${key}`);
    if (difference) return difference;
  }
  return undefined;
}

/** Compares both parsers on each text; returns how many the fast path took and where they differ. */
function compare(texts: { name: string; text: string }[]): { taken: number; differences: string[] } {
  let taken = 0;
  const differences: string[] = [];
  for (const { name, text } of texts) {
    const fast = viaFastPath(text);
    if (!fast) continue;
    taken++;
    const difference = firstDifference(fast, viaYamlPackage(text));
    if (difference) differences.push(`${name}${difference}`);
  }
  return { taken, differences };
}

function yamlFilesUnder(dir: string, out: { name: string; text: string }[] = []): { name: string; text: string }[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yamlFilesUnder(path, out);
    else if (/\.ya?ml$/.test(name)) out.push({ name: path.slice(ROOT.length), text: readFileSync(path, 'utf8') });
  }
  return out;
}

interface GenerateModule {
  generateFleet: (options: { repos: number; seed?: string }) => { repos: { id: string; files: Record<string, string> }[] };
}

/** Small edits that break YAML in the ways people do: a lost or extra indicator, quote, bracket, tab or line break. */
const EDITS = [':', '-', ' ', '  ', '\t', '"', "'", '[', ']', '{', '}', '#', '\n', '&a ', '*a', '!', '|', '>', '? ', ',', '%', '@', '`', '\n  ', ': x', '- y'];

/** The same pseudo-random numbers below `bound` on every run (a linear congruential generator, fixed seed). */
function randomNumbers(seed: number): (bound: number) => number {
  let state = seed;
  return (bound) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % bound;
  };
}

/** One or two edits at random places. */
function edited(text: string, random: (bound: number) => number): string {
  let result = text;
  for (let count = 1 + random(2); count > 0; count--) {
    const at = random(result.length + 1);
    result = random(3) === 0 ? result.slice(0, at) + result.slice(at + 1 + random(3)) : result.slice(0, at) + (EDITS[random(EDITS.length)] as string) + result.slice(at);
  }
  return result;
}

describe('the fast YAML path', () => {
  it('gives the yaml package values and offsets for every fixture, test and corpus file it takes', () => {
    // test/ holds the vendored corpus (test/vendor/corpus) too.
    const files = [...yamlFilesUnder(join(ROOT, 'fixtures')), ...yamlFilesUnder(join(ROOT, 'test'))];
    const { taken, differences } = compare(files);
    expect(differences).toEqual([]);
    // Most files take the fast path; the rest are the hostile fixtures and files with tags or empty documents.
    expect(taken).toBeGreaterThan(files.length * 0.85);
  });

  it('gives the same for a generated fleet', async () => {
    const generator = (await import(pathToFileURL(join(ROOT, 'scripts/gen-fleet/generate.mjs')).href)) as GenerateModule;
    const files = generator.generateFleet({ repos: 120, seed: 'fast-parse' }).repos.flatMap((repo) =>
      Object.entries(repo.files)
        .filter(([path]) => /\.ya?ml$/.test(path))
        .map(([path, text]) => ({ name: `${repo.id}/${path}`, text })),
    );
    const { taken, differences } = compare(files);
    expect(differences).toEqual([]);
    expect(taken).toBe(files.length);
  });

  it('on broken YAML, never takes a file the yaml package finds an error in, and agrees on the ones it takes', () => {
    const files = [...yamlFilesUnder(join(ROOT, 'fixtures/homelab')), ...yamlFilesUnder(join(ROOT, 'test/vendor/corpus'))].filter(({ text }) => text.length < 6000);
    const random = randomNumbers(20261126);
    let taken = 0;
    const problems: string[] = [];
    for (let index = 0; index < 3000; index++) {
      const text = edited((files[random(files.length)] as { text: string }).text, random);
      const fast = viaFastPath(text);
      if (!fast) continue;
      taken++;
      const docs = parseAllDocuments(text, PARSE_OPTIONS) as Document.Parsed[];
      const errors = docs.flatMap((doc) => doc.errors.map((error) => error.code));
      if (errors.length > 0) problems.push(`taken though the yaml package finds ${errors.join(', ')}: ${JSON.stringify(text)}`);
      else {
        const difference = firstDifference(fast, docs.map((doc) => ({ value: doc.toJS({ maxAliasCount: 1000 }) as unknown, tree: plain(treeFromDocument(doc)) })));
        if (difference) problems.push(`${difference} in ${JSON.stringify(text)}`);
      }
    }
    expect(problems.slice(0, 3)).toEqual([]);
    // Most edits still leave a file it can take: the comparison is not vacuous.
    expect(taken).toBeGreaterThan(1500);
  });

  const TRICKY: Record<string, string> = {
    'merge keys and aliases': '.base: &base\n  image: alpine:3.20\n  tags: [a, b]\njob:\n  <<: *base\n  script: [echo]\nother: *base\n',
    '!reference': 'job:\n  script:\n    - !reference [.setup, script]\n    - echo\n',
    'block scalars': 'a: |\n  x\n\n  y\n\nb: >-\n  folded\n  text\n# comment\nc: |-\n    deeper\nd: last\n',
    'block scalar last': 'script: |\n  echo one\n  echo two\n',
    'core scalars': 'a: 1.10\nb: 0o17\nc: 0x1F\nd: .inf\ne: ~\nf: 1e3\ng: 1_000\nh: "1.10"\ni: true\nj: False\nk: -.5\nl: +12\nm: null\nn: NULL\no: 0.\n',
    'numeric and boolean keys': '80: http\n443: https\ntrue: yes\n',
    'flow collections': 'a: [1, {b: c}, "d"]  # trailing ] }\ne: {f: [g, h], i: j}\n',
    'nested map with trailing comments': 'a:\n  b:\n    c: 1\n    # about c\n\n  # about a\nd: 2\n',
    'trailing comments at each depth': 'a:\n  b:\n    c: 1\n  # about b\n  d:\n  - e\n  # after e\n\n  f: 2\n    # deeper\n  g:\n    h: [1]\n      # deep\n\n# top\n',
    'trailing comments at the end': 'a:\n  b:\n    - c\n    # c\n   # three\n',
    'comments before an indented line': 'a:\n  b:\n    c: 1\n    # c\n  d: 2\n',
    'sequences at the key indentation': 'spec:\n  containers:\n  - name: a\n    image: nginx\n  - name: b\n',
    'multiple documents': 'a: 1\n---\nb: 2\n...\n---\n- c\n',
    'quoted keys and values': '"a b": \'c\'\n\'d\': "e\\n"\n',
    'comments everywhere': '# head\na: 1 # one\n# between\nb:\n  # inside\n  c: 2\n',
    'CRLF line ends': 'a: 1\r\nb:\r\n  c: two\r\n',
    'multi-line plain scalar': 'a: one\n  two\n  three\nb: x\n',
    'empty values': 'a:\nb: 1\nc:\n',
    'explicit keys': '? a\n: b\n? [c, d]\n: e\n',
    'tabs and odd spacing': 'a:   1\t# tab before\nb:\t"x"\nc: [ 1 ,2 ]\n',
    'flow maps over lines': 'a: {\n  b: 1,\n  c: [2,\n    3],\n}\nd: 4\n',
    'document markers and comments': '# c\n---\n# d\na: 1\n--- # e\nb: 2\n',
    'sequence of sequences': '- - a\n  - b\n- - c\n',
    'anchored collections in sequences': '- &x\n  a: 1\n- *x\n- &y [1]\n- *y\n',
    'CRLF block scalars': 'script: |\r\n  echo one\r\n  echo two\r\nafter: 1\r\n',
    'document end markers': 'a: 1\n...\n---\nb: 2\n...\n',
    'anchors on keys and values': '&k key: &v value\nother: *v\n',
    'flow maps with quoted keys': '{"a:b": 1, \'c d\': [x, "y, z"]}\n',
    'flow sequences over lines with comments': 'a: [one, # first\n  two,\n  three]  # done\nb: 2\n',
    'hash signs inside plain scalars': 'color: a#fff\nurl: http://x/#frag\nnote: value # a comment\n',
    'long plain strings and colons': 'cmd: echo a:b c: d\ntime: 12:30:45\nurl: https://example.com:8443/path\n',
    'nested sequences of maps with comments between': 'jobs:\n  - name: a\n    # about b\n    run: x\n\n  # next job\n  - name: b\n    run: y\n',
    'anchored scalars': 'a: &v 1.10\nb: *v\nc: &s text\nd: *s\n',
  };

  it.each(Object.entries(TRICKY))('gives the same, or leaves it to the yaml package, for %s', (name, text) => {
    expect(compare([{ name, text }]).differences).toEqual([]);
  });

  it('takes the common shapes', () => {
    for (const name of ['merge keys and aliases', '!reference', 'block scalars', 'core scalars', 'flow collections', 'nested map with trailing comments', 'multiple documents', 'CRLF line ends', 'anchored scalars']) {
      expect(viaFastPath(TRICKY[name] as string), name).toBeDefined();
    }
  });

  it('leaves to the yaml package what it does not model', () => {
    const declined = {
      'a syntax error': 'a: [1, 2\nb: 3\n',
      'a duplicate key': 'a: 1\na: 2\n',
      'an unknown tag': 'password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n',
      'an alias bomb': `a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 8 }, (_, index) => `l${index}: &l${index} [${Array(10).fill(index === 0 ? '*a' : `*l${index - 1}`).join(', ')}]`).join('\n')}\n`,
      'a recursive alias': 'a: &a [*a]\n',
      'an empty document': '---\n---\na: 1\n',
      'a null key': '~: value\n',
      'a byte order mark': '\uFEFFa: 1\n',
      'a keep-chomped block scalar': 'a: |+\n  x\n\nb: 1\n',
      'an empty sequence entry': 'a:\n  -\n  - b\n',
      'a tab in indentation': '\t---\na: 1\n',
    };
    for (const [name, text] of Object.entries(declined)) expect(fastParse(text), name).toBeUndefined();
  });
});
