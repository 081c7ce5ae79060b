/**
 * GitLab CI/CD expressions (`rules:if`, `only:variables`), evaluated in three-valued logic: a pipeline context knows
 * some variables exactly, knows others only to be set (a feature branch's name), and knows nothing of the rest
 * (variables from project settings). Anything that depends on what is not known is `unknown`, which callers treat
 * as "may run".
 */

export type Tri = boolean | 'unknown';

/** What a context knows about a variable. */
export type VarValue =
  | { kind: 'value'; value: string }
  | { kind: 'unset' }
  /** Set and non-empty, value unknown except that it is none of `not` (a feature branch is not `main`). */
  | { kind: 'opaque'; not?: readonly string[] }
  | { kind: 'unknown' };

export type VarLookup = (name: string) => VarValue;

export const UNKNOWN: VarValue = { kind: 'unknown' };
export const UNSET: VarValue = { kind: 'unset' };

export function and(a: Tri, b: Tri): Tri {
  if (a === false || b === false) return false;
  return a === true && b === true ? true : 'unknown';
}

export function or(a: Tri, b: Tri): Tri {
  if (a === true || b === true) return true;
  return a === false && b === false ? false : 'unknown';
}

export function not(a: Tri): Tri {
  return a === 'unknown' ? a : !a;
}

type Token =
  | { t: 'var'; name: string }
  | { t: 'str'; value: string }
  | { t: 'regex'; source: string; flags: string }
  | { t: 'null' }
  | { t: 'op'; op: '==' | '!=' | '=~' | '!~' | '&&' | '||' | '(' | ')' };

type Operand = Exclude<Token, { t: 'op' }>;

function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const variable = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(rest);
    if (variable) {
      tokens.push({ t: 'var', name: variable[1] ?? variable[2] ?? '' });
      i += variable[0].length;
      continue;
    }
    const op = /^(==|!=|=~|!~|&&|\|\||\(|\))/.exec(rest);
    if (op) {
      tokens.push({ t: 'op', op: op[1] as '==' });
      i += op[0].length;
      continue;
    }
    const quoted = /^(?:"([^"]*)"|'([^']*)')/.exec(rest);
    if (quoted) {
      tokens.push({ t: 'str', value: quoted[1] ?? quoted[2] ?? '' });
      i += quoted[0].length;
      continue;
    }
    if (/^null\b/.test(rest)) {
      tokens.push({ t: 'null' });
      i += 4;
      continue;
    }
    if (rest.startsWith('/')) {
      const regex = scanRegex(rest);
      if (!regex) return undefined;
      tokens.push({ t: 'regex', source: regex.source, flags: regex.flags });
      i += regex.length;
      continue;
    }
    return undefined;
  }
  return tokens;
}

/** `/pattern/flags` with `\/` escapes, as GitLab's pattern lexeme reads it. */
function scanRegex(text: string): { source: string; flags: string; length: number } | undefined {
  let j = 1;
  while (j < text.length && text[j] !== '/') j += text[j] === '\\' ? 2 : 1;
  if (j >= text.length || j === 1) return undefined;
  const flags = /^[a-zA-Z]*/.exec(text.slice(j + 1))?.[0] ?? '';
  return { source: text.slice(1, j), flags, length: j + 1 + flags.length };
}

/**
 * Ruby/RE2 patterns as JavaScript: `\A`/`\z` anchors, `(?i)` prefix, `m` meaning dot-all. Undefined when the
 * pattern cannot be translated (then the comparison is unknown, never a crash).
 */
export function toJsRegex(source: string, flags: string): RegExp | undefined {
  const key = `${flags}/${source}`;
  if (regexCache.has(key)) return regexCache.get(key) ?? undefined;
  const regex = translateRegex(source, flags);
  if (regexCache.size > 10_000) regexCache.clear();
  regexCache.set(key, regex ?? null);
  return regex;
}

const regexCache = new Map<string, RegExp | null>();

function translateRegex(source: string, flags: string): RegExp | undefined {
  let pattern = source.replace(/\\\//g, '/');
  let jsFlags = '';
  if (pattern.startsWith('(?i)')) {
    pattern = pattern.slice(4);
    jsFlags += 'i';
  }
  pattern = pattern.replace(/\\A/g, '^').replace(/\\z/g, '$').replace(/\\Z/g, '(?=\\n?$)');
  for (const flag of flags) {
    if (flag === 'i' && !jsFlags.includes('i')) jsFlags += 'i';
    else if (flag === 'm') jsFlags += 's';
    else if (flag !== 'i') return undefined;
  }
  try {
    return new RegExp(pattern, jsFlags);
  } catch {
    return undefined;
  }
}

type Expr = { t: 'operand'; operand: Operand } | { t: 'cmp'; op: '==' | '!=' | '=~' | '!~'; left: Operand; right: Operand } | { t: 'bool'; op: '&&' | '||'; left: Expr; right: Expr };

class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Expr | undefined {
    const expr = this.orExpr();
    return expr && this.index === this.tokens.length ? expr : undefined;
  }

  private peekOp(): string | undefined {
    const token = this.tokens[this.index];
    return token?.t === 'op' ? token.op : undefined;
  }

  private orExpr(): Expr | undefined {
    let left = this.andExpr();
    while (left && this.peekOp() === '||') {
      this.index++;
      const right = this.andExpr();
      if (!right) return undefined;
      left = { t: 'bool', op: '||', left, right };
    }
    return left;
  }

  private andExpr(): Expr | undefined {
    let left = this.primary();
    while (left && this.peekOp() === '&&') {
      this.index++;
      const right = this.primary();
      if (!right) return undefined;
      left = { t: 'bool', op: '&&', left, right };
    }
    return left;
  }

  private primary(): Expr | undefined {
    if (this.peekOp() === '(') {
      this.index++;
      const inner = this.orExpr();
      if (!inner || this.peekOp() !== ')') return undefined;
      this.index++;
      return inner;
    }
    const left = this.operand();
    if (!left) return undefined;
    const op = this.peekOp();
    if (op === '==' || op === '!=' || op === '=~' || op === '!~') {
      this.index++;
      const right = this.operand();
      return right ? { t: 'cmp', op, left, right } : undefined;
    }
    return { t: 'operand', operand: left };
  }

  private operand(): Operand | undefined {
    const token = this.tokens[this.index];
    if (!token || token.t === 'op') return undefined;
    this.index++;
    return token;
  }
}

const parsedCache = new Map<string, Expr | null>();

/** Parses an expression once per distinct text; undefined when GitLab's grammar does not accept it. */
function parseExpression(text: string): Expr | undefined {
  let expr = parsedCache.get(text);
  if (expr === undefined) {
    const tokens = tokenize(text);
    expr = (tokens && new Parser(tokens).parse()) ?? null;
    if (parsedCache.size > 10_000) parsedCache.clear();
    parsedCache.set(text, expr);
  }
  return expr ?? undefined;
}

export function isValidExpression(text: string): boolean {
  return parseExpression(text) !== undefined;
}

/**
 * Called with what made a comparison undecidable: `$NAME` for a variable whose value is not known offline (or only
 * known to be set, as a feature branch's name), `expression` for text fleetlint cannot read.
 */
export type UnknownTrace = (reason: string) => void;

/** Evaluates an expression; unparsable text is `unknown` (GitLab would reject it, which is not ours to decide here). */
export function evaluateExpression(text: string, vars: VarLookup, trace?: UnknownTrace): Tri {
  const expr = parseExpression(text);
  if (!expr) {
    trace?.('expression');
    return 'unknown';
  }
  return evaluate(expr, vars, trace);
}

function evaluate(expr: Expr, vars: VarLookup, trace: UnknownTrace | undefined): Tri {
  switch (expr.t) {
    case 'bool': {
      const left = evaluate(expr.left, vars, trace);
      if (expr.op === '&&' && left === false) return false;
      if (expr.op === '||' && left === true) return true;
      const right = evaluate(expr.right, vars, trace);
      return expr.op === '&&' ? and(left, right) : or(left, right);
    }
    case 'operand':
      return traced(truthy(valueOf(expr.operand, vars)), [expr.operand], vars, trace);
    case 'cmp': {
      if (expr.op === '==' || expr.op === '!=') {
        const equal = equals(valueOf(expr.left, vars), valueOf(expr.right, vars));
        return traced(expr.op === '==' ? equal : not(equal), [expr.left, expr.right], vars, trace);
      }
      const matched = matches(valueOf(expr.left, vars), expr.right, vars);
      return traced(expr.op === '=~' ? matched : not(matched), [expr.left, expr.right], vars, trace);
    }
  }
}

/** An undecided comparison names the variables it could not know. */
function traced(result: Tri, operands: readonly Operand[], vars: VarLookup, trace: UnknownTrace | undefined): Tri {
  if (result !== 'unknown' || !trace) return result;
  let named = false;
  for (const operand of operands) {
    if (operand.t !== 'var') continue;
    const kind = vars(operand.name).kind;
    if (kind === 'unknown' || kind === 'opaque') {
      trace(`$${operand.name}`);
      named = true;
    }
  }
  // Both sides known and still undecided: a pattern fleetlint cannot translate.
  if (!named) trace('expression');
  return result;
}

function valueOf(operand: Operand, vars: VarLookup): VarValue {
  switch (operand.t) {
    case 'var':
      return vars(operand.name);
    case 'str':
      return { kind: 'value', value: operand.value };
    case 'null':
      return UNSET;
    case 'regex':
      return { kind: 'value', value: `/${operand.source}/${operand.flags}` };
  }
}

function truthy(value: VarValue): Tri {
  switch (value.kind) {
    case 'value':
      return value.value !== '';
    case 'unset':
      return false;
    case 'opaque':
      return true;
    case 'unknown':
      return 'unknown';
  }
}

function equals(a: VarValue, b: VarValue): Tri {
  if (a.kind === 'unknown' || b.kind === 'unknown') return 'unknown';
  if (a.kind === 'unset' || b.kind === 'unset') return a.kind === b.kind;
  if (a.kind === 'value' && b.kind === 'value') return a.value === b.value;
  if (a.kind === 'opaque' && b.kind === 'value') return b.value === '' || a.not?.includes(b.value) ? false : 'unknown';
  if (a.kind === 'value' && b.kind === 'opaque') return equals(b, a);
  return 'unknown';
}

function matches(left: VarValue, right: Operand, vars: VarLookup): Tri {
  let regex: RegExp | undefined;
  if (right.t === 'regex') regex = toJsRegex(right.source, right.flags);
  else {
    // GitLab accepts a variable holding `/pattern/` on the right-hand side.
    const value = valueOf(right, vars);
    if (value.kind !== 'value') return 'unknown';
    const scanned = scanRegex(value.value);
    if (!scanned || scanned.length !== value.value.length) return 'unknown';
    regex = toJsRegex(scanned.source, scanned.flags);
  }
  if (!regex) return 'unknown';
  if (left.kind === 'unset') return false;
  if (left.kind !== 'value') return 'unknown';
  return regex.test(left.value);
}
