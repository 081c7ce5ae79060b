import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { stringify } from 'yaml';

/**
 * A small, safe evaluator for the part of Go's text/template (with sprig and ArgoCD's functions) that
 * ApplicationSets use: actions with fields, variables and pipelines, `if`/`else if`/`else`, `range`, `with`,
 * comments and trim markers, and the functions listed in FUNCTIONS. What it does not evaluate (`define`,
 * `template`, methods, unknown functions, a value it cannot know) throws Unevaluated: the caller then leaves the
 * value unknown rather than guess. No template can read files, the environment or the network.
 */

/** The template uses something not evaluated here, or a value that cannot be known before ArgoCD runs it. */
export class Unevaluated extends Error {}

export interface GoTemplateOptions {
  /** `goTemplateOptions: ["missingkey=error"]`: a missing map key is an error; by default it is "no value". */
  missingKeyError?: boolean;
}

/** A key missing from a map ("no value"): falsy, and unknown when printed. */
const MISSING: unique symbol = Symbol('missing');
type Value = unknown;

export function renderGoTemplate(text: string, data: Value, options: GoTemplateOptions = {}): string {
  if (!text.includes('{{')) return text;
  const nodes = parse(text);
  const out: string[] = [];
  const state: State = { options, steps: 0 };
  execute(nodes, data, new Map([['$', data]]), out, state);
  return out.join('');
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

type Operand =
  | { kind: 'field'; names: string[] }
  | { kind: 'variable'; name: string; names: string[] }
  | { kind: 'function'; name: string }
  | { kind: 'literal'; value: Value }
  | { kind: 'group'; pipeline: Pipeline; names: string[] };

interface Pipeline {
  declare: string[];
  commands: Operand[][];
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'print'; pipeline: Pipeline }
  | { kind: 'if' | 'with'; pipeline: Pipeline; then: Node[]; otherwise: Node[] }
  | { kind: 'range'; pipeline: Pipeline; body: Node[]; otherwise: Node[] };

interface Token {
  kind: 'field' | 'variable' | 'identifier' | 'string' | 'number' | 'pipe' | 'open' | 'close' | 'declare' | 'assign' | 'comma';
  text: string;
  /** Whether whitespace came before: `(x).a` chains a field, `(x) .a` is another argument. */
  spaced: boolean;
}

type Item = { kind: 'text'; text: string } | { kind: 'action'; tokens: Token[] };

/** Splits a template into text and actions, applying `{{- ` and ` -}}` trim markers and dropping comments. */
function items(text: string): Item[] {
  const result: Item[] = [];
  let position = 0;
  let trimNext = false;
  while (position < text.length) {
    const open = text.indexOf('{{', position);
    let chunk = open === -1 ? text.slice(position) : text.slice(position, open);
    if (trimNext) chunk = chunk.replace(/^\s+/, '');
    trimNext = false;
    if (open === -1) {
      if (chunk !== '') result.push({ kind: 'text', text: chunk });
      break;
    }
    let start = open + 2;
    if (/^-[ \t\r\n]/.test(text.slice(start, start + 2))) {
      chunk = chunk.replace(/\s+$/, '');
      start += 1;
    }
    if (chunk !== '') result.push({ kind: 'text', text: chunk });
    const { tokens, end, trim, comment } = lexAction(text, start);
    trimNext = trim;
    position = end;
    if (!comment) result.push({ kind: 'action', tokens });
  }
  return result;
}

function lexAction(text: string, start: number): { tokens: Token[]; end: number; trim: boolean; comment: boolean } {
  const tokens: Token[] = [];
  let index = start;
  let spaced = true;
  const rest = text.slice(index).replace(/^\s+/, '');
  if (rest.startsWith('/*')) {
    const close = text.indexOf('*/', index);
    if (close === -1) throw new Unevaluated('unclosed comment');
    const after = text.slice(close + 2);
    const match = /^\s*(-?)\s*\}\}/.exec(after);
    if (!match) throw new Unevaluated('comment not followed by }}');
    return { tokens, end: close + 2 + match[0].length, trim: match[1] === '-', comment: true };
  }
  for (;;) {
    if (index >= text.length) throw new Unevaluated('unclosed action');
    const char = text[index] ?? '';
    if (/\s/.test(char)) {
      index++;
      spaced = true;
      continue;
    }
    if (text.startsWith('-}}', index) && spaced) return { tokens, end: index + 3, trim: true, comment: false };
    if (text.startsWith('}}', index)) return { tokens, end: index + 2, trim: false, comment: false };
    const here = text.slice(index);
    const match =
      /^(?:\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)/.exec(here) ??
      /^(?:\.[A-Za-z0-9_]+)+/.exec(here) ??
      /^"(?:[^"\\\n]|\\.)*"/.exec(here) ??
      /^`[^`]*`/.exec(here) ??
      /^-?(?:0[xX][0-9a-fA-F]+|[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)/.exec(here) ??
      /^[A-Za-z_][A-Za-z0-9_]*/.exec(here) ??
      /^(?::=|[|(),=.])/.exec(here);
    if (!match) throw new Unevaluated(`unexpected "${char}" in an action`);
    const word = match[0];
    let kind: Token['kind'];
    if (word.startsWith('$')) kind = 'variable';
    else if (word.startsWith('.')) kind = 'field';
    else if (word.startsWith('"') || word.startsWith('`')) kind = 'string';
    else if (/^-?[0-9]/.test(word)) kind = 'number';
    else if (word === '|') kind = 'pipe';
    else if (word === '(') kind = 'open';
    else if (word === ')') kind = 'close';
    else if (word === ':=') kind = 'declare';
    else if (word === '=') kind = 'assign';
    else if (word === ',') kind = 'comma';
    else kind = 'identifier';
    tokens.push({ kind, text: word, spaced });
    spaced = false;
    index += word.length;
  }
}

function parse(text: string): Node[] {
  const list = items(text);
  let index = 0;
  const block = (terminators: readonly string[]): { nodes: Node[]; ended: string; tokens: Token[] } => {
    const nodes: Node[] = [];
    while (index < list.length) {
      const item = list[index++] as Item;
      if (item.kind === 'text') {
        nodes.push(item);
        continue;
      }
      const [first, ...rest] = item.tokens;
      if (!first) throw new Unevaluated('empty action');
      const keyword = first.kind === 'identifier' ? first.text : '';
      if (terminators.includes(keyword)) return { nodes, ended: keyword, tokens: rest };
      if (keyword === 'if' || keyword === 'with') nodes.push(conditional(keyword, rest));
      else if (keyword === 'range') nodes.push(range(rest));
      else if (['define', 'template', 'block', 'break', 'continue', 'end', 'else'].includes(keyword)) throw new Unevaluated(`{{${keyword}}} is not evaluated`);
      else nodes.push({ kind: 'print', pipeline: pipeline(item.tokens) });
    }
    if (terminators.length > 0) throw new Unevaluated('missing {{end}}');
    return { nodes, ended: '', tokens: [] };
  };
  const conditional = (kind: 'if' | 'with', tokens: Token[]): Node => {
    const then = block(['else', 'end']);
    let otherwise: Node[] = [];
    if (then.ended === 'else') {
      const [next, ...rest] = then.tokens;
      // `{{else if x}}` is an `if` inside the else branch that shares the outer `{{end}}`.
      if (next?.kind === 'identifier' && (next.text === 'if' || next.text === 'with')) otherwise = [conditional(next.text, rest)];
      else otherwise = block(['end']).nodes;
    }
    return { kind, pipeline: pipeline(tokens), then: then.nodes, otherwise };
  };
  const range = (tokens: Token[]): Node => {
    const body = block(['else', 'end']);
    const otherwise = body.ended === 'else' ? block(['end']).nodes : [];
    return { kind: 'range', pipeline: pipeline(tokens), body: body.nodes, otherwise };
  };
  return block([]).nodes;
}

/** A double-quoted Go string literal; escapes JSON does not have (`\\x41`, octal) are not evaluated. */
function stringLiteral(literal: string): string {
  try {
    return JSON.parse(literal) as string;
  } catch {
    throw new Unevaluated(`string ${literal}`);
  }
}

function pipeline(tokens: Token[]): Pipeline {
  let rest = tokens;
  const declare: string[] = [];
  const declareAt = tokens.findIndex((token) => token.kind === 'declare' || token.kind === 'assign');
  if (declareAt > 0 && tokens.slice(0, declareAt).every((token) => token.kind === 'variable' || token.kind === 'comma')) {
    declare.push(...tokens.slice(0, declareAt).filter((token) => token.kind === 'variable').map((token) => token.text));
    rest = tokens.slice(declareAt + 1);
  }
  const commands: Operand[][] = [[]];
  let index = 0;
  const operand = (): Operand => {
    const token = rest[index++] as Token;
    switch (token.kind) {
      case 'field':
        return { kind: 'field', names: token.text === '.' ? [] : token.text.slice(1).split('.') };
      case 'variable': {
        const [name = '$', ...names] = token.text.split('.');
        return { kind: 'variable', name, names };
      }
      case 'string':
        return { kind: 'literal', value: token.text.startsWith('`') ? token.text.slice(1, -1) : stringLiteral(token.text) };
      case 'number':
        return { kind: 'literal', value: Number(token.text) };
      case 'identifier':
        if (token.text === 'true' || token.text === 'false') return { kind: 'literal', value: token.text === 'true' };
        if (token.text === 'nil') return { kind: 'literal', value: null };
        return { kind: 'function', name: token.text };
      case 'open': {
        let depth = 1;
        const start = index;
        while (index < rest.length && depth > 0) {
          const next = rest[index++] as Token;
          if (next.kind === 'open') depth++;
          if (next.kind === 'close') depth--;
        }
        if (depth !== 0) throw new Unevaluated('unbalanced parentheses');
        const group: Operand = { kind: 'group', pipeline: pipeline(rest.slice(start, index - 1)), names: [] };
        // `(index .a 0).b`: a field chained on the group.
        while (rest[index]?.kind === 'field' && rest[index]?.spaced === false) group.names.push(...(rest[index++]?.text.slice(1).split('.') ?? []));
        return group;
      }
      default:
        if (token.text === '.') return { kind: 'field', names: [] };
        throw new Unevaluated(`unexpected "${token.text}"`);
    }
  };
  while (index < rest.length) {
    if (rest[index]?.kind === 'pipe') {
      index++;
      commands.push([]);
      continue;
    }
    commands[commands.length - 1]?.push(operand());
  }
  if (commands.some((command) => command.length === 0)) throw new Unevaluated('empty command in a pipeline');
  return { declare, commands };
}

// ---------------------------------------------------------------------------------------------------------------
// Execution

interface State {
  options: GoTemplateOptions;
  /** Actions run so far: a bound, so that no template runs long. */
  steps: number;
}

const MAX_STEPS = 100_000;

function execute(nodes: readonly Node[], dot: Value, variables: Map<string, Value>, out: string[], state: State): void {
  for (const node of nodes) {
    if (++state.steps > MAX_STEPS) throw new Unevaluated('the template runs too long');
    switch (node.kind) {
      case 'text':
        out.push(node.text);
        break;
      case 'print': {
        const value = evaluatePipeline(node.pipeline, dot, variables, state);
        if (node.pipeline.declare.length === 0) out.push(printed(value));
        break;
      }
      case 'if':
      case 'with': {
        const scope = new Map(variables);
        const value = evaluatePipeline(node.pipeline, dot, scope, state);
        if (truth(value)) execute(node.then, node.kind === 'with' ? value : dot, scope, out, state);
        else execute(node.otherwise, dot, scope, out, state);
        break;
      }
      case 'range': {
        const scope = new Map(variables);
        const value = evaluatePipeline({ declare: [], commands: node.pipeline.commands }, dot, scope, state);
        const entries: [Value, Value][] = Array.isArray(value)
          ? value.map((item: unknown, index) => [index, item])
          : isPlainMap(value)
            ? Object.keys(value).sort().map((key) => [key, value[key]])
            : typeof value === 'number' && Number.isInteger(value)
              ? Array.from({ length: Math.max(0, value) }, (_unused, index) => [index, index])
              : value === null || value === MISSING
                ? []
                : fail(`cannot range over ${typeof value}`);
        if (entries.length === 0) execute(node.otherwise, dot, scope, out, state);
        const [first, second] = node.pipeline.declare;
        for (const [key, item] of entries) {
          const inner = new Map(scope);
          if (second !== undefined && first !== undefined) {
            inner.set(first, key);
            inner.set(second, item);
          } else if (first !== undefined) {
            inner.set(first, item);
          }
          execute(node.body, item, inner, out, state);
        }
        break;
      }
    }
  }
}

function evaluatePipeline(pipeline: Pipeline, dot: Value, variables: Map<string, Value>, state: State): Value {
  let value: Value = undefined;
  let piped = false;
  for (const command of pipeline.commands) {
    value = evaluateCommand(command, dot, variables, state, piped ? [value] : []);
    piped = true;
  }
  if (pipeline.declare.length > 1) throw new Unevaluated('several variables outside range');
  const [name] = pipeline.declare;
  if (name !== undefined) variables.set(name, value);
  return value;
}

function evaluateCommand(command: readonly Operand[], dot: Value, variables: Map<string, Value>, state: State, piped: Value[]): Value {
  const [head, ...rest] = command;
  if (!head) throw new Unevaluated('empty command');
  if (head.kind === 'function') {
    const fn = FUNCTIONS.get(head.name);
    if (!fn) throw new Unevaluated(`function "${head.name}" is not evaluated`);
    // `and`/`or` evaluate their arguments lazily in Go; evaluating all of them here only matters for errors.
    return fn([...rest.map((operand) => evaluateOperand(operand, dot, variables, state)), ...piped]);
  }
  if (rest.length > 0 || piped.length > 0) throw new Unevaluated('arguments to a non-function (a method call)');
  return evaluateOperand(head, dot, variables, state);
}

function evaluateOperand(operand: Operand, dot: Value, variables: Map<string, Value>, state: State): Value {
  switch (operand.kind) {
    case 'literal':
      return operand.value;
    case 'field':
      return fieldChain(dot, operand.names, state);
    case 'variable':
      if (!variables.has(operand.name)) throw new Unevaluated(`undefined variable ${operand.name}`);
      return fieldChain(variables.get(operand.name), operand.names, state);
    case 'group':
      return fieldChain(evaluatePipeline(operand.pipeline, dot, new Map(variables), state), operand.names, state);
    case 'function': {
      const fn = FUNCTIONS.get(operand.name);
      if (!fn) throw new Unevaluated(`function "${operand.name}" is not evaluated`);
      return fn([]);
    }
  }
}

function fieldChain(value: Value, names: readonly string[], state: State): Value {
  let current = value;
  for (const name of names) {
    if (!isPlainMap(current)) throw new Unevaluated(`field ${name} of a ${current === MISSING || current === null || current === undefined ? 'missing value' : typeof current}`);
    if (Object.hasOwn(current, name)) current = current[name];
    else if (state.options.missingKeyError) throw new Unevaluated(`map has no entry for key "${name}"`);
    else current = MISSING;
  }
  return current;
}

function fail(message: string): never {
  throw new Unevaluated(message);
}

function isPlainMap(value: Value): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Go's `truth`: false for the zero values, empty collections and no value. */
function truth(value: Value): boolean {
  if (value === MISSING || value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainMap(value)) return Object.keys(value).length > 0;
  return true;
}

/** How Go prints a value with `{{ }}` (fmt's %v). "<no value>" (a missing key, a null) is taken as unknown. */
function printed(value: Value): string {
  if (value === MISSING || value === undefined || value === null) throw new Unevaluated('a value that is missing ("<no value>")');
  return goString(value);
}

/** A value as Go's fmt prints it with %v (maps as `map[k:v]`, numbers as float64). */
export function goString(value: Value): string {
  if (value === null || value === undefined || value === MISSING) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return goNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(goString).join(' ')}]`;
  if (isPlainMap(value)) return `map[${Object.keys(value).sort().map((key) => `${key}:${goString(value[key])}`).join(' ')}]`;
  throw new Unevaluated('a value of an unknown kind');
}

/**
 * Go's %v of a float64, which every JSON or YAML number is in ArgoCD: strconv's shortest 'g' form, with an
 * exponent when it is below -4 or at least 6 (1000000 prints as 1e+06).
 */
function goNumber(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return '0';
  const [mantissa = '', power = '0'] = value.toExponential().split('e');
  const exponent = Number(power);
  if (exponent >= -4 && exponent < 6) return String(value);
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Functions: Go's builtins, the sprig functions ApplicationSets use, and ArgoCD's own (normalize, toYaml).

type TemplateFunction = (args: Value[]) => Value;

const text = (value: Value): string => (value === MISSING || value === undefined || value === null ? '' : typeof value === 'string' ? value : goString(value));
const number = (value: Value): number => (typeof value === 'number' ? value : fail(`a number was expected, got ${typeof value}`));
const arity = (args: Value[], count: number, name: string): void => {
  if (args.length !== count) fail(`${name} takes ${String(count)} arguments`);
};
/** sprig's `empty`. */
const empty = (value: Value): boolean => !truth(value);

function compare(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return fail('incomparable values');
}

function equal(a: Value, b: Value): boolean {
  if (a === MISSING || b === MISSING) fail('comparison with a missing value');
  if (a === null || b === null) return a === b;
  if (typeof a !== typeof b || typeof a === 'object') fail('incompatible types for comparison');
  return a === b;
}

/** ArgoCD's SanitizeName: lowercase, `[^-a-z0-9.]` to `-`, at most 253 characters, no `-`/`.` at either end. */
export function sanitizeName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^-a-z0-9.]/g, '-')
    .slice(0, 253)
    .replace(/^[-.]+|[-.]+$/g, '');
}

/** sigs.k8s.io/yaml's Marshal, as ArgoCD's toYaml: sorted keys, sequences not indented, no trailing newline. */
function toYaml(value: Value): string {
  if (value === MISSING) fail('toYaml of a missing value');
  return stringify(value, { sortMapEntries: true, indentSeq: false, lineWidth: 0 }).replace(/\n$/, '');
}

function toJson(value: Value): string {
  if (value === MISSING) fail('toJson of a missing value');
  const sorted = (inner: Value): Value => (Array.isArray(inner) ? inner.map(sorted) : isPlainMap(inner) ? Object.fromEntries(Object.keys(inner).sort().map((key) => [key, sorted(inner[key])])) : inner);
  // Go's encoding/json escapes <, > and & for HTML.
  return JSON.stringify(sorted(value)).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

function printf(format: string, args: Value[]): string {
  let index = 0;
  return format.replace(/%([-+ 0#]*)(\d*)(?:\.(\d+))?([sdvqtf%])/g, (_match, flags: string, width: string, precision: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    const arg = args[index++];
    let result: string;
    if (verb === 's' || verb === 'v') result = text(arg);
    else if (verb === 'q') result = JSON.stringify(text(arg));
    else if (verb === 't') result = String(arg === true);
    else if (verb === 'f') result = number(arg).toFixed(precision === undefined ? 6 : Number(precision));
    else result = String(Math.trunc(number(arg)));
    const pad = Number(width || '0');
    if (result.length < pad) result = flags.includes('-') ? result.padEnd(pad) : result.padStart(pad, flags.includes('0') && verb !== 's' ? '0' : ' ');
    return result;
  });
}

const FUNCTION_TABLE: Record<string, TemplateFunction> = {
  and: (args) => args.find((arg) => !truth(arg)) ?? args[args.length - 1],
  or: (args) => args.find((arg) => truth(arg)) ?? args[args.length - 1],
  not: (args) => !truth(args[0]),
  eq: (args) => args.slice(1).some((arg) => equal(args[0], arg)),
  ne: (args) => (arity(args, 2, 'ne'), !equal(args[0], args[1])),
  lt: (args) => compare(args[0], args[1]) < 0,
  le: (args) => compare(args[0], args[1]) <= 0,
  gt: (args) => compare(args[0], args[1]) > 0,
  ge: (args) => compare(args[0], args[1]) >= 0,
  len: ([value]) => (typeof value === 'string' ? Buffer.byteLength(value) : Array.isArray(value) ? value.length : isPlainMap(value) ? Object.keys(value).length : fail('len of a value without length')),
  index: ([collection, ...keys]) => {
    let current = collection;
    for (const key of keys) {
      if (Array.isArray(current)) {
        const at = number(key);
        if (at < 0 || at >= current.length) fail('index out of range');
        current = current[at];
      } else if (isPlainMap(current)) {
        current = Object.hasOwn(current, text(key)) ? current[text(key)] : null;
      } else {
        fail('index of a value that is not a map or a list');
      }
    }
    return current;
  },
  print: (args) => args.map(text).join(''),
  printf: ([format, ...args]) => printf(text(format), args),
  default: ([fallback, value]) => (empty(value) ? fallback : value),
  empty: ([value]) => empty(value),
  coalesce: (args) => args.find((arg) => !empty(arg)) ?? null,
  ternary: ([yes, no, condition]) => (truth(condition) ? yes : no),
  toString: (args: Value[]) => text(args[0]),
  toYaml: ([value]) => toYaml(value),
  toJson: ([value]) => toJson(value),
  quote: (args) => args.filter((arg) => arg !== null && arg !== MISSING).map((arg) => JSON.stringify(text(arg))).join(' '),
  squote: (args) => args.filter((arg) => arg !== null && arg !== MISSING).map((arg) => `'${text(arg)}'`).join(' '),
  indent: ([spaces, value]) => text(value).replace(/^/gm, ' '.repeat(number(spaces))),
  nindent: ([spaces, value]) => `\n${text(value).replace(/^/gm, ' '.repeat(number(spaces)))}`,
  upper: ([value]) => text(value).toUpperCase(),
  lower: ([value]) => text(value).toLowerCase(),
  title: ([value]) => text(value).replace(/(^|[^\p{L}\p{N}])(\p{L})/gu, (_match, before: string, letter: string) => before + letter.toUpperCase()),
  trim: ([value]) => text(value).trim(),
  trimPrefix: ([prefix, value]) => (text(value).startsWith(text(prefix)) ? text(value).slice(text(prefix).length) : text(value)),
  trimSuffix: ([suffix, value]) => (text(suffix) !== '' && text(value).endsWith(text(suffix)) ? text(value).slice(0, -text(suffix).length) : text(value)),
  replace: ([old, replacement, value]) => text(value).split(text(old)).join(text(replacement)),
  contains: ([part, value]) => text(value).includes(text(part)),
  hasPrefix: ([prefix, value]) => text(value).startsWith(text(prefix)),
  hasSuffix: ([suffix, value]) => text(value).endsWith(text(suffix)),
  splitList: ([separator, value]) => text(value).split(text(separator)),
  join: ([separator, list]) => (Array.isArray(list) ? list.map(text).join(text(separator)) : text(list)),
  list: (args) => args,
  dict: (args) => {
    const map: Record<string, Value> = {};
    for (let index = 0; index < args.length; index += 2) map[text(args[index])] = args[index + 1] ?? '';
    return map;
  },
  get: ([map, key]) => (isPlainMap(map) && Object.hasOwn(map, text(key)) ? map[text(key)] : ''),
  hasKey: ([map, key]) => isPlainMap(map) && Object.hasOwn(map, text(key)),
  dig: (args) => {
    const map = args[args.length - 1];
    const fallback = args[args.length - 2];
    let current: Value = map;
    for (const key of args.slice(0, -2)) {
      if (!isPlainMap(current) || !Object.hasOwn(current, text(key))) return fallback;
      current = current[text(key)];
    }
    return current;
  },
  first: ([list]) => (Array.isArray(list) ? ((list as Value[])[0] ?? null) : fail('first of a value that is not a list')),
  last: ([list]) => (Array.isArray(list) ? ((list as Value[])[list.length - 1] ?? null) : fail('last of a value that is not a list')),
  base: ([value]) => posix.basename(text(value)) || '.',
  dir: ([value]) => posix.dirname(text(value)),
  trunc: ([length, value]) => {
    const count = number(length);
    const source = text(value);
    return count >= 0 ? source.slice(0, count) : source.slice(Math.max(0, source.length + count));
  },
  b64enc: ([value]) => Buffer.from(text(value)).toString('base64'),
  sha256sum: ([value]) => createHash('sha256').update(text(value)).digest('hex'),
  normalize: ([value]) => sanitizeName(text(value)),
};

/** By name; a Map, so that no name reaches Object's own properties (`constructor`). */
const FUNCTIONS: ReadonlyMap<string, TemplateFunction> = new Map(Object.entries(FUNCTION_TABLE));
