// gitlab-ci-local's bundle calls the ES2025 Set methods, which Node 20 lacks; ci-compare preloads these for it
// (`node --import`). Only what a Set needs for union, intersection and the like; nothing of fleetlint uses them.
const proto = Set.prototype;
const define = (name, fn) => {
  if (!(name in proto)) Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true });
};
define('union', function union(other) {
  const out = new Set(this);
  for (const value of other.keys()) out.add(value);
  return out;
});
define('intersection', function intersection(other) {
  const out = new Set();
  for (const value of this) if (other.has(value)) out.add(value);
  return out;
});
define('difference', function difference(other) {
  const out = new Set();
  for (const value of this) if (!other.has(value)) out.add(value);
  return out;
});
define('symmetricDifference', function symmetricDifference(other) {
  const out = new Set(this);
  for (const value of other.keys()) {
    if (this.has(value)) out.delete(value);
    else out.add(value);
  }
  return out;
});
define('isSubsetOf', function isSubsetOf(other) {
  for (const value of this) if (!other.has(value)) return false;
  return true;
});
define('isSupersetOf', function isSupersetOf(other) {
  for (const value of other.keys()) if (!this.has(value)) return false;
  return true;
});
define('isDisjointFrom', function isDisjointFrom(other) {
  for (const value of this) if (other.has(value)) return false;
  return true;
});
