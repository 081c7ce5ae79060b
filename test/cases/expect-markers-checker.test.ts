/** The # expect: checker itself: it must catch what would let a fixture fleet pass without testing anything. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/findings.js';
import { compareMarkers, inlineMarkers, sideFileMarkers } from '../support/expect-markers.js';
import { tempDir } from '../sources/git-fixture.js';

function finding(repo: string, ruleId: string, file?: string, line?: number): Finding {
  return {
    ruleId, severity: 'error', message: 'm', repo, fingerprint: 'f',
    ...(file === undefined ? {} : { file }),
    ...(line === undefined ? {} : { range: { startLine: line, startColumn: 1, endLine: line, endColumn: 2 } }),
  };
}

describe('the # expect: checker', () => {
  let root: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir('fleetlint-markers-'));
    mkdirSync(join(root, 'team/app/k8s'), { recursive: true });
    mkdirSync(join(root, 'team/app-two'), { recursive: true });
    writeFileSync(join(root, 'team/app/k8s/pod.yaml'), 'spec:\n  image: nginx:latest  # expect: no-latest-tag\n  other: 1 #expect: a-rule, a-rule , b-rule\n');
    writeFileSync(join(root, 'team/app-two/run.sh'), 'TOKEN="x"  # expect: no-secrets\n');
    writeFileSync(join(root, 'outside.yaml'), 'a: 1  # expect: not-in-a-repo\n');
    writeFileSync(join(root, 'side.txt'), '# a comment\nteam/app Dockerfile:1 no-latest-tag  why\nteam/app - repo-layout  no file\n\n');
    writeFileSync(join(root, 'bad-side.txt'), 'team/app Dockerfile no-latest-tag\n');
  });
  afterAll(async () => {
    await cleanup();
  });

  it('reads inline markers per repo (the longest repo id), several per line and repeated, not outside the repos', () => {
    expect(inlineMarkers(root, ['team/app', 'team/app-two'])).toEqual([
      'team/app-two|run.sh|1|no-secrets',
      'team/app|k8s/pod.yaml|2|no-latest-tag',
      'team/app|k8s/pod.yaml|3|a-rule',
      'team/app|k8s/pod.yaml|3|a-rule',
      'team/app|k8s/pod.yaml|3|b-rule',
    ]);
  });

  it('reads a side file, and rejects a malformed line with its place', () => {
    expect(sideFileMarkers(join(root, 'side.txt'))).toEqual(['team/app|-|-|repo-layout', 'team/app|Dockerfile|1|no-latest-tag']);
    expect(sideFileMarkers(join(root, 'missing.txt'))).toEqual([]);
    expect(() => sideFileMarkers(join(root, 'bad-side.txt'))).toThrow(/bad-side\.txt:1: expected/);
  });

  it('checking every finding: a false positive, a miss and a second finding of one marker', () => {
    const expected = ['r|a.yaml|2|x', 'r|a.yaml|3|y'];
    expect(compareMarkers(expected, [finding('r', 'x', 'a.yaml', 2), finding('r', 'y', 'a.yaml', 3)], 'all')).toEqual({ missing: [], unexpected: [] });
    expect(compareMarkers(expected, [finding('r', 'x', 'a.yaml', 2), finding('r', 'z', 'b.yaml', 9)], 'all')).toEqual({ missing: ['r|a.yaml|3|y'], unexpected: ['r|b.yaml|9|z'] });
    expect(compareMarkers(expected, [finding('r', 'x', 'a.yaml', 2), finding('r', 'x', 'a.yaml', 2), finding('r', 'y', 'a.yaml', 3)], 'all').unexpected).toEqual(['r|a.yaml|2|x']);
  });

  it('checking marked lines only: other lines are left to a golden file, marked lines are checked exactly', () => {
    const expected = ['r|a.yaml|2|x', 'r|-|-|layout'];
    const elsewhere = finding('r', 'z', 'b.yaml', 9);
    expect(compareMarkers(expected, [finding('r', 'x', 'a.yaml', 2), finding('r', 'layout'), elsewhere], 'marked-lines')).toEqual({ missing: [], unexpected: [] });
    expect(compareMarkers(expected, [finding('r', 'x', 'a.yaml', 2), finding('r', 'w', 'a.yaml', 2), elsewhere], 'marked-lines')).toEqual({ missing: ['r|-|-|layout'], unexpected: ['r|a.yaml|2|w'] });
  });
});
