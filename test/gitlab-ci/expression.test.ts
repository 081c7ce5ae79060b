import { describe, expect, it } from 'vitest';
import { evaluateExpression, isValidExpression, toJsRegex, type VarLookup, type VarValue } from '../../src/model/gitlab-ci/expression.js';

const vars: Record<string, VarValue> = {
  SOURCE: { kind: 'value', value: 'merge_request_event' },
  BRANCH: { kind: 'opaque', not: ['main'] },
  EMPTY: { kind: 'value', value: '' },
  MAIN: { kind: 'value', value: 'main' },
  TAG: { kind: 'unset' },
  PATTERN: { kind: 'value', value: '/^ma/' },
  REF: { kind: 'value', value: 'v1.2.3' },
};
const lookup: VarLookup = (name) => vars[name] ?? { kind: 'unknown' };
const evaluate = (text: string): boolean | 'unknown' => evaluateExpression(text, lookup);

describe('CI expressions (three-valued)', () => {
  it.each([
    ['$SOURCE == "merge_request_event"', true],
    ["$SOURCE != 'push'", true],
    ['$SOURCE', true],
    ['$EMPTY', false],
    ['$TAG', false],
    ['$USER_VAR', 'unknown'],
    ['$TAG == null', true],
    ['$EMPTY == null', false],
    ['$BRANCH == "main"', false],
    ['$BRANCH == $MAIN', false],
    ['$BRANCH == "feature/x"', 'unknown'],
    ['$BRANCH', true],
    ['$USER_VAR == "x"', 'unknown'],
    ['$MAIN =~ /^MA/i', true],
    ['$MAIN =~ $PATTERN', true],
    ['$REF =~ /\\Av[0-9]+\\.[0-9]+\\.[0-9]+\\z/', true],
    ['$REF !~ /^v/', false],
    ['$TAG =~ /.*/', false],
    ['$TAG !~ /.*/', true],
    ['$BRANCH =~ /^feature/', 'unknown'],
    ['$SOURCE == "push" || $MAIN == "main"', true],
    ['$SOURCE == "push" || $USER_VAR', 'unknown'],
    ['$SOURCE == "push" && $USER_VAR', false],
    ['$MAIN && ($TAG || $SOURCE == "merge_request_event")', true],
    ['$MAIN == "main" || $TAG && $SOURCE == "x"', true],
    ['($MAIN == "main" || $TAG) && $SOURCE == "x"', false],
    ['${MAIN} == "main"', true],
    ['$MAIN = "main"', 'unknown'],
  ] as const)('%s → %s', (text, expected) => {
    expect(evaluate(text)).toBe(expected);
  });

  it('recognizes invalid expressions', () => {
    expect(isValidExpression('$A == "x" &&')).toBe(false);
    expect(isValidExpression('($A')).toBe(false);
    expect(isValidExpression('$A =~ /x/ && ($B || $C != null)')).toBe(true);
  });

  it('translates Ruby regex anchors and flags, refusing what it cannot translate', () => {
    expect(toJsRegex('\\Afoo\\z', '')?.test('foo')).toBe(true);
    expect(toJsRegex('(?i)abc', '')?.test('ABC')).toBe(true);
    expect(toJsRegex('a(', '')).toBeUndefined();
    expect(toJsRegex('a', 'x')).toBeUndefined();
  });
});
