import { describe, expect, it } from 'vitest';
import { Progress, type ProgressStream } from '../../src/cli/progress.js';

function stream(isTTY: boolean): ProgressStream & { text: string } {
  const target = {
    isTTY,
    columns: 80,
    text: '',
    write(chunk: string): boolean {
      target.text += chunk;
      return true;
    },
  };
  return target;
}

describe('progress on stderr', () => {
  it('draws one updating line on a terminal, and removes it when done', () => {
    const out = stream(true);
    const progress = new Progress({ stream: out, env: {}, intervalMs: 0 });
    expect(progress.enabled).toBe(true);
    progress.update({ discovered: 85 }, 'discovered');
    progress.update({ cloned: 3, toClone: 85 }, 'cloning');
    progress.update({ loaded: 85, checked: 255, toCheck: 510 }, 'checking');
    progress.log('a message');
    progress.done();
    expect(out.text).not.toContain('\n\u001b');
    expect(out.text.split('\r\u001b[2K').filter((part) => part !== '')).toEqual([
      'fleetlint discovered: discovered 85',
      'fleetlint cloning: discovered 85 · cloned 3/85',
      'fleetlint checking: discovered 85 · cloned 3/85 · loaded 85 · checked 50%',
      'a message\n',
      'fleetlint checking: discovered 85 · cloned 3/85 · loaded 85 · checked 50%',
    ]);
  });

  it('is quiet in CI, when stderr is not a terminal, and with --quiet; messages still go out', () => {
    for (const progress of [new Progress({ stream: stream(true), env: { CI: 'true' } }), new Progress({ stream: stream(false), env: {} }), new Progress({ stream: stream(true), env: {}, quiet: true })]) {
      expect(progress.enabled).toBe(false);
    }
    const out = stream(false);
    const progress = new Progress({ stream: out, env: {} });
    progress.update({ discovered: 1 }, 'discovered');
    progress.log('only this');
    progress.done();
    expect(out.text).toBe('only this\n');
  });

  it('cuts the line to the terminal width', () => {
    const out = stream(true);
    out.columns = 30;
    new Progress({ stream: out, env: {}, intervalMs: 0 }).update({ discovered: 12345, cloned: 12000, toClone: 12345, loaded: 12345 }, 'cloning');
    expect(out.text.replace('\r\u001b[2K', '')).toHaveLength(29);
  });
});
