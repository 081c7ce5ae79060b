import { describe, expect, it } from 'vitest';
import { parseDecisions } from '../../src/engine/wasm/decisions.js';

describe('parseDecisions', () => {
  it('treats an undefined decision as an empty set', () => {
    expect(parseDecisions(undefined)).toEqual({ decisions: [], invalid: [] });
  });

  it('keeps the known fields and ignores extra ones', () => {
    const item = { msg: 'm', repo: 'r', file: 'f', path: ['a', 0], line: 2, severity: 'note', subject: 's', extra: { x: 1 } };
    expect(parseDecisions([item])).toEqual({
      decisions: [{ msg: 'm', repo: 'r', file: 'f', path: ['a', 0], line: 2, severity: 'note', subject: 's' }],
      invalid: [],
    });
  });

  it('keeps data, the structured details a decision carries to its finding', () => {
    const data = { kind: 'order', from: { repo: 'a', name: 'x' }, to: { repo: 'b', name: 'y' }, waves: [3, 1] };
    expect(parseDecisions([{ msg: 'm', repo: 'r', file: 'f', subject: 's', data }]).decisions).toEqual([{ msg: 'm', repo: 'r', file: 'f', subject: 's', data }]);
  });

  it.each([
    [{ repo: 'r', file: 'f' }, 'msg must be a non-empty string'],
    [{ msg: 'm', file: 'f' }, 'repo must be a non-empty string'],
    [{ msg: 'm', repo: 'r' }, 'file (or origin) must be given'],
    [{ msg: 'm', repo: 'r', file: 3 }, 'file must be a string'],
    [{ msg: 'm', repo: 'r', origin: { file: 'f' } }, 'origin must be an object {repo, file, line?, path?}'],
    [{ msg: 'm', repo: 'r', file: 'f', docIndex: -1 }, 'docIndex must be a non-negative integer'],
    [{ msg: 'm', repo: 'r', file: 'f', path: 'a.b' }, 'path must be an array of keys and indexes'],
    [{ msg: 'm', repo: 'r', file: 'f', path: ['a', -1] }, 'path must be an array of keys and indexes'],
    [{ msg: 'm', repo: 'r', file: 'f', line: 0 }, 'line must be a positive integer'],
    [{ msg: 'm', repo: 'r', file: 'f', severity: 'fatal' }, 'severity must be one of error, warning, note'],
    [{ msg: 'm', repo: 'r', file: 'f', subject: 3 }, 'subject must be a string'],
    [{ msg: 'm', repo: 'r', file: 'f', data: ['missing', 'iac'] }, 'data must be an object'],
    [{ msg: 'm', repo: 'r', file: 'f', data: 'missing:iac' }, 'data must be an object'],
    ['a string', 'a decision must be an object {msg, repo, file, ...}'],
  ])('reports %j as invalid', (item, reason) => {
    expect(parseDecisions([item])).toEqual({ decisions: [], invalid: [{ item, reason }] });
  });

  it('reports a decision that is not a set', () => {
    expect(parseDecisions(true)).toEqual({ decisions: [], invalid: [{ item: true, reason: 'the decision must be a set of objects' }] });
  });
});

describe('parseDecisions with origins', () => {
  it('accepts an origin (a fact origin copied from the input) and related locations instead of a file', () => {
    const origin = { repo: 'platform/ci-templates', file: 'templates/x.yml', line: 4, column: 3, path: ['job', 'image'], docIndex: 0 };
    const item = { msg: 'm', repo: 'svc', origin, related: [{ repo: 'svc', file: 'helm/values.yaml', line: 12, column: 1 }] };
    expect(parseDecisions([item])).toEqual({
      decisions: [{ msg: 'm', repo: 'svc', origin, related: [{ repo: 'svc', file: 'helm/values.yaml', line: 12, column: 1 }] }],
      invalid: [],
    });
  });
});
