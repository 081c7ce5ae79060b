import { describe, expect, it } from 'vitest';
import { sarifFileName } from '../../src/cli/finish.js';

describe('--sarif-per-repo file names', () => {
  it('gives every repository its own file: team/app and team__app no longer share team__app.sarif', () => {
    const repos = ['team/app', 'team__app', 'team_/_app', 'team/_app', 'a/b/c', 'a__b/c', 'a/b__c', 'été/app', 'x.y-z', '_fleet', '.'];
    const names = repos.map(sarifFileName);
    expect(new Set(names).size).toBe(repos.length);
    expect(sarifFileName('team/app')).toBe('team__app.sarif');
    expect(sarifFileName('team__app')).toBe('team_5f_5fapp.sarif');
    expect(sarifFileName('.')).toBe('_fleet.sarif');
    // Only letters, digits, '.', '-' and '_' reach the file system: no separator, no control character.
    for (const name of names) expect(name).toMatch(/^[A-Za-z0-9._-]+$/);
  });
});
