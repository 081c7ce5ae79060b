import picomatch from 'picomatch';

const matchers = new Map<string, (path: string) => boolean>();

/**
 * A picomatch matcher, compiled once per patterns and options: compiling costs far more than matching, and the
 * same config globs are matched against every repo and finding of a fleet.
 */
export function globMatcher(patterns: string | readonly string[], options: { dot?: boolean } = {}): (path: string) => boolean {
  const key = JSON.stringify([patterns, options.dot === true]);
  let matcher = matchers.get(key);
  if (!matcher) matchers.set(key, (matcher = picomatch(typeof patterns === 'string' ? patterns : [...patterns], options)));
  return matcher;
}
