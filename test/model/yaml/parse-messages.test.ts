import { describe, expect, it } from 'vitest';
import { parseYamlFile } from '../../../src/model/yaml/parse.js';

describe('parse-error messages', () => {
  it.each([
    ['{a: 1}\n: "Tq4Wm8Zr2Xv6Np1Ks5"\n', 'YAML syntax error: Unexpected map-value-ind token in YAML stream\n1 more syntax error(s) follow in this document; most follow from this one'],
    ['password: |x Tq4Wm8Zr2Xv6Np1Ks5\n  a\n', 'YAML syntax error: Block scalar header includes extra characters\n1 more syntax error(s) follow in this document; most follow from this one'],
  ])('name the problem, not the text it found: %j', (text, message) => {
    const { diagnostics } = parseYamlFile('r', 'f.yaml', text);
    expect(diagnostics.map((finding) => finding.message)).toEqual([message]);
    expect(JSON.stringify(diagnostics)).not.toContain('Tq4Wm8');
  });
});
