// A small seeded PRNG: the generator must give byte-identical fleets for one seed, and Math.random cannot be seeded.

/** mulberry32: 32-bit state, fast, good enough for picking content (not for cryptography). */
export function makeRandom(seed) {
  let state = hashSeed(String(seed));
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min, max) => min + Math.floor(next() * (max - min + 1));
  const pick = (items) => items[Math.floor(next() * items.length)];
  const chance = (p) => next() < p;
  /** Picks a key of `weights` with probability proportional to its value (insertion order decides ties). */
  const weighted = (weights) => {
    const total = Object.values(weights).reduce((sum, weight) => sum + weight, 0);
    let roll = next() * total;
    for (const [key, weight] of Object.entries(weights)) {
      roll -= weight;
      if (roll < 0) return key;
    }
    return Object.keys(weights).at(-1);
  };
  const token = (length, alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789') =>
    Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
  return { next, int, pick, chance, weighted, token };
}

/** FNV-1a, so that any string works as a seed. */
function hashSeed(text) {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
