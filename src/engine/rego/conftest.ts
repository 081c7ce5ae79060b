import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { isRecord } from '../wasm/decisions.js';
import { PolicyHost, PolicyRuntimeError, PreparedInput } from '../wasm/host.js';
import { buildWasm, cachedBuild, defaultCacheDir, listRegoSources, PolicyCompileError, sourcesKey, stageSources, type RegoSource } from './compile.js';
import type { RegoLoadOptions } from './custom.js';
import { requireOpa, runOpa, OpaCommandError, type OpaCli } from './opa.js';

export type ConftestRule = 'deny' | 'warn' | 'violation';

/** One message of a conftest rule for one YAML document; the runner reports it as `conftest/<rule>`. */
export interface ConftestResult {
  rule: ConftestRule;
  /** The rule as written: `deny`, or a suffixed form such as `deny_privileged`. */
  ruleName: string;
  msg: string;
  file: string;
  /** 0-based index of the document in the file. */
  docIndex: number;
  /** The other keys of an object result (`{"msg": ..., "details": ...}`). */
  details?: Record<string, unknown>;
}

/** A result that was neither a string nor an object with a string `msg`. */
export interface ConftestInvalidResult {
  ruleName: string;
  file: string;
  docIndex: number;
  item: unknown;
  reason: string;
}

export interface ConftestEvaluation {
  results: ConftestResult[];
  invalid: ConftestInvalidResult[];
  /** Rules an `exception` rule switched off for a document, as conftest reports them. */
  exceptions: { ruleName: string; file: string; docIndex: number }[];
  /** Rules that failed at run time; the other rules' results are still there. */
  errors: PolicyRuntimeError[];
}

export interface ConftestOptions extends RegoLoadOptions {
  /** The package whose rules run, as conftest's `--namespace`; `main` by default. */
  namespace?: string;
}

// conftest's own rule name patterns (policy/engine.go): `deny`, `deny_x`, `violation_x_y`, `warn_x`.
const RULE_PATTERN = /^(deny|violation|warn)(_[a-zA-Z0-9]+)*$/;

interface CompiledConftest {
  rules: string[];
  hasException: boolean;
  v0Files: string[];
}

/** conftest policies compiled to one WASM module, evaluated the way `conftest test` feeds YAML. */
export class ConftestPolicies {
  constructor(
    readonly source: string,
    private readonly host: PolicyHost,
    readonly namespace: string,
    /** The deny/warn/violation rules found in the namespace, sorted. */
    readonly rules: readonly string[],
    private readonly hasException: boolean,
    /** Files that were parsed as Rego v0. */
    readonly v0Files: readonly string[],
  ) {}

  /** One evaluation per document, with the document's plain value as `input` (conftest without `--combine`). */
  evaluateDocuments(file: string, documents: Iterable<{ index: number; value: unknown; broken?: boolean }>): ConftestEvaluation {
    const out: ConftestEvaluation = { results: [], invalid: [], exceptions: [], errors: [] };
    for (const doc of documents) {
      // Empty documents (a trailing `---`) and broken ones are not evaluated; parse errors are reported elsewhere.
      if (doc.broken === true || doc.value === undefined || doc.value === null) continue;
      const input = new PreparedInput(doc.value);
      const excepted = this.exceptionsFor(input, out);
      for (const ruleName of this.rules) {
        if (excepted.has(ruleName.replace(/^(deny|violation|warn)_/, ''))) {
          out.exceptions.push({ ruleName, file, docIndex: doc.index });
          continue;
        }
        let value: unknown;
        try {
          value = this.host.evaluateRaw(this.entrypoint(ruleName), input);
        } catch (error) {
          if (!(error instanceof PolicyRuntimeError)) throw error;
          out.errors.push(error);
          continue;
        }
        collectResults(value, ruleName, file, doc.index, out);
      }
    }
    return out;
  }

  /** Parses a YAML file and evaluates each of its documents. */
  evaluateYaml(file: string, text: string): ConftestEvaluation {
    const documents = parseAllDocuments(text, { logLevel: 'error' }).map((doc, index) => ({ index, broken: doc.errors.length > 0, value: doc.errors.length > 0 ? undefined : doc.toJS() as unknown }));
    return this.evaluateDocuments(file, documents);
  }

  private entrypoint(rule: string): string {
    return `${this.namespace.replaceAll('.', '/')}/${rule}`;
  }

  /** conftest's `exception[_][_] == <rule name without its deny_/warn_/violation_ prefix>`. */
  private exceptionsFor(input: PreparedInput, out: ConftestEvaluation): Set<string> {
    const names = new Set<string>();
    if (!this.hasException) return names;
    let value: unknown;
    try {
      value = this.host.evaluateRaw(this.entrypoint('exception'), input);
    } catch (error) {
      if (!(error instanceof PolicyRuntimeError)) throw error;
      out.errors.push(error);
      return names;
    }
    for (const entry of Array.isArray(value) ? (value as unknown[]) : []) {
      for (const name of Array.isArray(entry) ? (entry as unknown[]) : []) if (typeof name === 'string') names.add(name);
    }
    return names;
  }
}

function collectResults(value: unknown, ruleName: string, file: string, docIndex: number, out: ConftestEvaluation): void {
  if (value === undefined) return;
  const rule = ruleName.replace(/_.*$/, '') as ConftestRule;
  // A set comes out of WASM in hash order: sort it so that reports do not depend on it.
  const items = (Array.isArray(value) ? (value as unknown[]) : [value])
    .map((item) => ({ item, key: JSON.stringify(item) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ item }) => item);
  for (const item of items) {
    if (typeof item === 'string') {
      out.results.push({ rule, ruleName, msg: item, file, docIndex });
    } else if (isRecord(item) && typeof item.msg === 'string') {
      const { msg, ...details } = item;
      out.results.push({ rule, ruleName, msg, file, docIndex, ...(Object.keys(details).length > 0 ? { details } : {}) });
    } else {
      out.invalid.push({ ruleName, file, docIndex, item, reason: 'a conftest result must be a string or an object with a string msg' });
    }
  }
}

/**
 * Compiles a folder of conftest policies. Rego v1 and v0 (`deny[msg] { ... }`) files may be mixed: each file
 * is parsed as v1 first, then as v0, and the staged bundle's manifest declares the v0 ones
 * (`file_rego_versions`), so opa compiles each file with its own syntax into one module.
 */
export async function loadConftestPolicies(dir: string, options: ConftestOptions = {}): Promise<ConftestPolicies> {
  const namespace = options.namespace ?? 'main';
  const sources = await listRegoSources(dir);
  if (sources.length === 0) throw new PolicyCompileError(dir, 'no .rego files');
  const opa = await requireOpa(`conftest policies (${dir})`, options);
  const { dir: built, meta } = await cachedBuild<CompiledConftest>({
    cacheDir: options.cacheDir ?? defaultCacheDir(),
    key: { kind: 'conftest', namespace, opa: opa.version, sources: sourcesKey(sources) },
    validate: parseCompiled,
    produce: (out) => compileConftest(dir, sources, namespace, opa, join(out, 'bundle.tar.gz')),
  });
  const names = new Map(meta.rules.map((rule) => [`${namespace.replaceAll('.', '/')}/${rule}`, `conftest/${rule}`]));
  const host = await PolicyHost.fromFile(join(built, 'bundle.tar.gz'), { names });
  return new ConftestPolicies(dir, host, namespace, meta.rules, meta.hasException, meta.v0Files);
}

async function compileConftest(dir: string, sources: RegoSource[], namespace: string, opa: OpaCli, outFile: string): Promise<CompiledConftest> {
  const stage = await stageSources(sources);
  try {
    const parsed = await Promise.all(sources.map((source) => parseRego(opa, stage, source.path, dir)));
    const rules = new Set<string>();
    for (const module of parsed) if (module.package === namespace) for (const rule of module.rules) rules.add(rule);
    const hasException = rules.delete('exception');
    const checked = [...rules].filter((rule) => RULE_PATTERN.test(rule)).sort();
    if (checked.length === 0) throw new PolicyCompileError(dir, `no deny, warn or violation rules in package ${namespace}`);
    const v0Files = parsed.filter((m) => m.v0).map((m) => m.path);
    if (v0Files.length > 0) {
      const fileVersions = Object.fromEntries(v0Files.map((path) => [`/${path}`, 0]));
      await writeFile(join(stage, '.manifest'), JSON.stringify({ rego_version: 1, file_rego_versions: fileVersions }));
    }
    const entrypoints = [...checked, ...(hasException ? ['exception'] : [])].map((rule) => `${namespace.replaceAll('.', '/')}/${rule}`);
    await buildWasm(opa, stage, entrypoints, outFile, dir);
    return { rules: checked, hasException, v0Files };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

interface ParsedModule {
  path: string;
  package: string;
  rules: string[];
  v0: boolean;
}

/** `opa parse` as Rego v1, then as v0; a file that is neither reports its v1 errors. */
async function parseRego(opa: OpaCli, stage: string, path: string, dir: string): Promise<ParsedModule> {
  const args = ['parse', '--format', 'json', '--json-include', '-comments,-locations', path];
  let v0 = false;
  let output: string;
  try {
    output = await runOpa(opa, args, stage);
  } catch (v1Error) {
    if (!(v1Error instanceof OpaCommandError)) throw v1Error;
    try {
      output = await runOpa(opa, ['parse', '--v0-compatible', ...args.slice(1)], stage);
      v0 = true;
    } catch {
      throw new PolicyCompileError(dir, `${path} is neither valid Rego v1 nor v0:\n${parseErrors(v1Error.output, path)}`);
    }
  }
  const ast: unknown = JSON.parse(output);
  const root = isRecord(ast) ? ast : {};
  const pkgPath = isRecord(root.package) && Array.isArray(root.package.path) ? (root.package.path as unknown[]) : [];
  const pkg = pkgPath.slice(1).map((term) => (isRecord(term) ? String(term.value) : '')).join('.');
  const rules = (Array.isArray(root.rules) ? (root.rules as unknown[]) : []).flatMap((rule) => {
    const ref = isRecord(rule) && isRecord(rule.head) && Array.isArray(rule.head.ref) ? (rule.head.ref as unknown[]) : [];
    const first = ref[0];
    // Only single-name heads (`deny`, `deny_x`): `deny.x contains ...` is not a conftest rule.
    return ref.length === 1 && isRecord(first) && typeof first.value === 'string' ? [first.value] : [];
  });
  return { path, package: pkg, rules, v0 };
}

/** opa parse prints its errors as JSON; turn them into `file:row: message` lines. */
function parseErrors(output: string, path: string): string {
  try {
    const parsed: unknown = JSON.parse(output);
    const errors = isRecord(parsed) && Array.isArray(parsed.errors) ? (parsed.errors as unknown[]).filter(isRecord) : [];
    if (errors.length === 0) return output;
    return errors
      .map((e) => `  ${path}:${isRecord(e.location) && typeof e.location.row === 'number' ? e.location.row : '?'}: ${String(e.message)}`)
      .join('\n');
  } catch {
    return output;
  }
}

function parseCompiled(value: unknown): CompiledConftest {
  const ok =
    isRecord(value) &&
    Array.isArray(value.rules) &&
    (value.rules as unknown[]).every((r) => typeof r === 'string') &&
    typeof value.hasException === 'boolean' &&
    Array.isArray(value.v0Files) &&
    (value.v0Files as unknown[]).every((f) => typeof f === 'string');
  if (!ok) throw new Error('damaged conftest cache entry');
  return value as unknown as CompiledConftest;
}
