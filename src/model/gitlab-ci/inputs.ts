import type { VarLookup } from './expression.js';
import { flatItems, isNull, scalarString, type CiEntry, type CiNode, type CiScalar, type NodeOrigin } from './node.js';

/**
 * CI/CD inputs (`spec:inputs` in a file's header document, `include: inputs:`, `$[[ inputs.x ]]`), interpolated as
 * GitLab does before the file's own `include:` is expanded. A value that cannot be known offline (a pipeline input
 * without a default, `| expand_vars` of a variable only the instance knows) is never guessed: the text where it is
 * interpolated becomes an unknown scalar (`CiScalar.unknown` names the input), which the resolver treats as unknown.
 */

export type InputType = 'string' | 'number' | 'boolean' | 'array';

export interface InputSpec {
  name: string;
  type: InputType;
  default?: CiNode;
  options?: CiNode[];
  regex?: string;
  origin: NodeOrigin;
}

/** An input's value: a node, or unknown offline (with why). */
export type InputValue = { node: CiNode } | { unknown: string };

export interface InputProblem {
  message: string;
  at: NodeOrigin;
  subject: string;
}

/** GitLab applies at most three functions in one interpolation block. */
export const MAX_INPUT_FUNCTIONS = 3;

const INPUT_TYPES: readonly InputType[] = ['string', 'number', 'boolean', 'array'];

/** The inputs a `spec:` header declares; problems with the declarations are reported. */
export function readSpec(header: CiNode | undefined, problems: InputProblem[]): Map<string, InputSpec> | undefined {
  if (header?.kind !== 'map') return undefined;
  const spec = header.entries.get('spec')?.value;
  if (spec?.kind !== 'map') return undefined;
  const inputs = spec.entries.get('inputs')?.value;
  const declared = new Map<string, InputSpec>();
  if (!inputs || isNull(inputs)) return declared;
  if (inputs.kind !== 'map') {
    problems.push({ message: 'spec:inputs must be a map of input names.', at: inputs.origin, subject: 'inputs-spec' });
    return declared;
  }
  for (const [name, entry] of inputs.entries) {
    const body = entry.value;
    const field = (key: string): CiNode | undefined => (body.kind === 'map' ? body.entries.get(key)?.value : undefined);
    const typeText = scalarString(field('type')) ?? 'string';
    const type = INPUT_TYPES.find((candidate) => candidate === typeText);
    if (!type) {
      problems.push({ message: `input ${name}: type ${typeText} is not one of ${INPUT_TYPES.join(', ')}.`, at: entry.origin, subject: `input-type:${name}` });
    }
    const input: InputSpec = { name, type: type ?? 'string', origin: entry.origin };
    const fallback = field('default');
    if (body.kind === 'map' && body.entries.has('default')) input.default = fallback ?? { kind: 'scalar', value: null, origin: entry.origin };
    const options = field('options');
    if (options && !isNull(options)) input.options = flatItems(options);
    const regex = scalarString(field('regex'));
    if (regex !== undefined) input.regex = regex;
    declared.set(name, input);
  }
  return declared;
}

/**
 * The value of every declared input: the one given (`include: inputs:`, or a pipeline's own inputs), else the
 * default; a required input that is not given is an error for an include, and unknown for a pipeline (its inputs
 * are given when it is run).
 */
export function inputValues(
  spec: ReadonlyMap<string, InputSpec> | undefined,
  given: CiNode | undefined,
  at: NodeOrigin,
  pipelineInputs: boolean,
  problems: InputProblem[],
): Map<string, InputValue> {
  const values = new Map<string, InputValue>();
  const provided = given?.kind === 'map' ? given.entries : new Map<string, CiEntry>();
  if (given && !isNull(given) && given.kind !== 'map') problems.push({ message: 'include: inputs must be a map of input names and values.', at: given.origin, subject: 'inputs-given' });
  if (!spec) {
    if (provided.size > 0) problems.push({ message: `Inputs are given (${[...provided.keys()].join(', ')}) but the included file declares none (no spec:inputs header).`, at, subject: 'inputs-undeclared' });
    return values;
  }
  for (const [name, entry] of provided) {
    if (!spec.has(name)) problems.push({ message: `Unknown input ${name}: the included file declares ${[...spec.keys()].join(', ') || 'none'}.`, at: entry.origin, subject: `input-unknown:${name}` });
  }
  for (const [name, input] of spec) {
    const entry = provided.get(name);
    if (entry) {
      const value = entry.value;
      const unknown = unknownOf(value);
      if (unknown !== undefined) values.set(name, { unknown });
      else {
        checkValue(input, value, problems);
        values.set(name, { node: value });
      }
    } else if (input.default !== undefined) {
      values.set(name, { node: input.default });
    } else if (pipelineInputs) {
      values.set(name, { unknown: `inputs.${name}` });
    } else {
      problems.push({ message: `Input ${name} is required and not given.`, at, subject: `input-required:${name}` });
      values.set(name, { unknown: `inputs.${name}` });
    }
  }
  return values;
}

function checkValue(input: InputSpec, value: CiNode, problems: InputProblem[]): void {
  const fail = (message: string): void => {
    problems.push({ message: `Input ${input.name}: ${message}`, at: value.origin, subject: `input-value:${input.name}` });
  };
  const scalar = value.kind === 'scalar' ? value.value : undefined;
  switch (input.type) {
    case 'array':
      if (value.kind !== 'seq') fail('the value is not an array.');
      break;
    case 'boolean':
      if (typeof scalar !== 'boolean') fail('the value is not a boolean.');
      break;
    case 'number':
      if (typeof scalar !== 'number') fail('the value is not a number.');
      break;
    case 'string':
      if (value.kind !== 'scalar' || typeof scalar !== 'string') fail('the value is not a string.');
      break;
  }
  if (input.options && value.kind === 'scalar') {
    const allowed = input.options.map(scalarString);
    if (!allowed.includes(scalarString(value))) fail(`${String(scalar)} is not one of the options (${allowed.join(', ')}).`);
  }
  if (input.regex !== undefined && typeof scalar === 'string') {
    const regex = rubyRegex(input.regex);
    if (!regex) fail(`its regex ${input.regex} is not a valid pattern.`);
    else if (!regex.test(scalar)) fail(`${scalar} does not match ${input.regex}.`);
  }
}

/** `/pattern/` or `pattern`, as GitLab reads an input's regex. */
function rubyRegex(text: string): RegExp | undefined {
  const slashed = /^\/(.*)\/([a-z]*)$/s.exec(text);
  try {
    return new RegExp(slashed?.[1] ?? text, slashed?.[2]?.includes('i') ? 'i' : '');
  } catch {
    return undefined;
  }
}

const unknownReasons = new WeakMap<CiNode, string | null>();

/** The reason a node is (or holds) a value unknown offline; memoized, trees are shared. */
export function unknownOf(node: CiNode | undefined): string | undefined {
  if (!node) return undefined;
  if (node.kind === 'scalar') return node.unknown;
  if (node.kind === 'ref') return undefined;
  const known = unknownReasons.get(node);
  if (known !== undefined) return known ?? undefined;
  let reason: string | undefined;
  const children = node.kind === 'seq' ? node.items : [...node.entries.values()].map((entry) => entry.value);
  for (const child of children) {
    reason = unknownOf(child);
    if (reason !== undefined) break;
  }
  unknownReasons.set(node, reason ?? null);
  return reason;
}

const BLOCK = /\$\[\[\s*(.*?)\s*\]\]/g;

const interpolates = new WeakMap<CiNode, boolean>();

/** Whether a tree holds `$[[ ... ]]` anywhere (in values or keys); memoized, trees are shared. */
export function hasInterpolation(node: CiNode): boolean {
  const known = interpolates.get(node);
  if (known !== undefined) return known;
  let found = false;
  if (node.kind === 'scalar') found = typeof node.value === 'string' && node.value.includes('$[[');
  else if (node.kind === 'seq') found = node.items.some(hasInterpolation);
  else if (node.kind === 'map') found = [...node.entries].some(([key, entry]) => key.includes('$[[') || hasInterpolation(entry.value));
  interpolates.set(node, found);
  return found;
}

export interface Interpolation {
  values: ReadonlyMap<string, InputValue>;
  /** Variables `| expand_vars` may expand: predefined and project ones (as in `include:`). */
  vars: VarLookup;
  problems: InputProblem[];
}

/** The tree with every `$[[ inputs.x ]]` replaced. A block that is a whole value takes the input's type. */
export function interpolate(node: CiNode, scope: Interpolation): CiNode {
  if (!hasInterpolation(node)) return node;
  switch (node.kind) {
    case 'scalar':
      return interpolateScalar(node, scope);
    case 'seq':
      return { ...node, items: node.items.map((item) => interpolate(item, scope)) };
    case 'map': {
      const entries = new Map<string, CiEntry>();
      for (const [key, entry] of node.entries) {
        const name = key.includes('$[[') ? interpolateText(key, entry.origin, scope) : { text: key };
        entries.set(name.text, { value: interpolate(entry.value, scope), origin: entry.origin });
      }
      return { ...node, entries };
    }
    case 'ref':
      return node;
  }
}

function interpolateScalar(node: CiScalar, scope: Interpolation): CiNode {
  const text = String(node.value);
  const whole = /^\$\[\[\s*(.*?)\s*\]\]$/s.exec(text);
  if (whole && !whole[1]?.includes(']]')) {
    const result = evaluateBlock(whole[1] ?? '', node.origin, scope);
    if ('keep' in result) return node;
    if ('unknown' in result) return { ...node, unknown: result.unknown };
    if (result.node) return retag(result.node, node.origin);
    return { ...node, value: result.text };
  }
  const result = interpolateText(text, node.origin, scope);
  return result.unknown === undefined ? { ...node, value: result.text } : { ...node, unknown: result.unknown };
}

/** A node given as an input value, placed where it is interpolated (its lines stay the value's own). */
function retag(value: CiNode, origin: NodeOrigin): CiNode {
  return value.kind === 'scalar' ? { ...value, origin } : value;
}

function interpolateText(text: string, at: NodeOrigin, scope: Interpolation): { text: string; unknown?: string } {
  let unknown: string | undefined;
  const out = text.replace(BLOCK, (_match, inner: string) => {
    const result = evaluateBlock(inner, at, scope);
    if ('keep' in result) return _match;
    if ('unknown' in result) {
      unknown ??= result.unknown;
      return _match;
    }
    return result.text;
  });
  return unknown === undefined ? { text: out } : { text, unknown };
}

type BlockResult = { unknown: string } | { keep: true } | { node?: CiNode; text: string };

/** `inputs.name | fn | fn(args)`: the input's value with the functions applied. */
function evaluateBlock(inner: string, at: NodeOrigin, scope: Interpolation): BlockResult {
  const [head = '', ...functions] = inner.split('|').map((part) => part.trim());
  // `$[[ matrix.X ]]` (in needs:parallel:matrix) is a parallel instance's value, replaced per instance later.
  if (/^matrix\.[A-Za-z0-9_-]+$/.test(head)) return { keep: true };
  const access = /^inputs\.([A-Za-z0-9_-]+)$/.exec(head);
  if (!access) {
    scope.problems.push({ message: `Unknown interpolation key: ${head} (only inputs.<name> is interpolated).`, at, subject: `interpolation:${head}` });
    return { unknown: head };
  }
  const name = access[1] ?? '';
  const value = scope.values.get(name);
  if (!value) {
    scope.problems.push({ message: `Unknown interpolation key: inputs.${name} is not declared in spec:inputs.`, at, subject: `interpolation:${name}` });
    return { unknown: `inputs.${name}` };
  }
  if ('unknown' in value) return value;
  if (functions.length > MAX_INPUT_FUNCTIONS) {
    scope.problems.push({ message: `Too many functions in an interpolation block (${functions.length}); GitLab allows ${MAX_INPUT_FUNCTIONS}.`, at, subject: `interpolation-functions:${name}` });
    return { unknown: `inputs.${name}` };
  }
  let text = textOf(value.node);
  for (const fn of functions) {
    const applied = applyFunction(fn, text, scope, at);
    if (typeof applied !== 'string') return applied;
    text = applied;
  }
  return functions.length === 0 ? { node: value.node, text } : { text };
}

function textOf(node: CiNode): string {
  if (node.kind === 'scalar') return node.value === null ? '' : String(node.value);
  return JSON.stringify(plain(node));
}

function plain(node: CiNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(plain);
    case 'map':
      return Object.fromEntries([...node.entries].map(([key, entry]) => [key, plain(entry.value)]));
    case 'ref':
      return null;
  }
}

function applyFunction(fn: string, text: string, scope: Interpolation, at: NodeOrigin): string | { unknown: string } {
  if (fn === 'expand_vars') {
    let unknown: string | undefined;
    const out = text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (match, braced: string | undefined, bare: string | undefined) => {
      const name = braced ?? bare ?? '';
      const value = scope.vars(name);
      if (value.kind === 'value') return value.value;
      if (value.kind === 'unset') return '';
      unknown ??= `$${name}`;
      return match;
    });
    return unknown === undefined ? out : { unknown };
  }
  const truncate = /^truncate\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(fn);
  if (truncate) return text.slice(Number(truncate[1]), Number(truncate[1]) + Number(truncate[2]));
  if (fn === 'posix_escape') return text.replace(/([^A-Za-z0-9_\-.,:/@\n])/g, '\\$1');
  scope.problems.push({ message: `Unknown interpolation function ${fn} (GitLab has expand_vars, truncate(offset, length), posix_escape).`, at, subject: `interpolation-function:${fn}` });
  return { unknown: fn };
}
