/**
 * `JSON.stringify(value, null, 2)` as a sequence of pieces, so a report of a million findings is written without
 * ever being one string: V8 strings stop at about 512 MB (`RangeError: Invalid string length`, #19). The bytes are
 * exactly `JSON.stringify`'s; `test/report/json-chunks.test.ts` compares them.
 */
const STEP = '  ';

export function* jsonChunks(value: unknown, indent = ''): Generator<string> {
  const json = toJsonValue(value);
  if (Array.isArray(json)) {
    if (json.length === 0) {
      yield '[]';
      return;
    }
    const inner = indent + STEP;
    yield '[\n';
    for (let index = 0; index < json.length; index += 1) {
      yield inner;
      const item: unknown = json[index];
      // Array holes, undefined and functions are null in an array, as JSON.stringify writes them.
      yield* isOmitted(toJsonValue(item)) ? ['null'] : jsonChunks(item, inner);
      yield index < json.length - 1 ? ',\n' : '\n';
    }
    yield `${indent}]`;
    return;
  }
  if (typeof json === 'object' && json !== null) {
    const entries = Object.entries(json).filter(([, item]) => !isOmitted(toJsonValue(item)));
    if (entries.length === 0) {
      yield '{}';
      return;
    }
    const inner = indent + STEP;
    yield '{\n';
    for (const [index, [key, item]] of entries.entries()) {
      yield `${inner}${JSON.stringify(key)}: `;
      yield* jsonChunks(item, inner);
      yield index < entries.length - 1 ? ',\n' : '\n';
    }
    yield `${indent}}`;
    return;
  }
  yield JSON.stringify(json);
}

/** What JSON.stringify serialises in place of a value: its toJSON(), if it has one. */
function toJsonValue(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && 'toJSON' in value && typeof value.toJSON === 'function') return (value.toJSON as () => unknown)();
  return value;
}

/** Values JSON.stringify leaves out of an object (and writes as null in an array). */
function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}
