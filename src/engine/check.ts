import type { DocPath, Severity, SourceLocation, SourceRange } from '../model/findings.js';
import type { Fleet, Repo } from '../model/types.js';

/** What every check declares about itself; docs, the config schema and SARIF rule entries are built from it. */
export interface CheckMeta {
  /** kebab-case rule id, as users write it in config and suppressions. */
  id: string;
  shortDescription: string;
  fullDescription: string;
  defaultSeverity: Severity;
  /** JSON Schema of the rule's options (an object schema); absent when the rule takes none. */
  optionsSchema?: Record<string, unknown>;
  /** Markdown help shown with findings. */
  help: string;
  /** Repo-relative path of the rule's docs page. */
  docsPath: string;
  tags: string[];
  /**
   * `repo` checks run once per repository; `fleet` checks run once and see every repository. A repo-scope
   * TypeScript rule reads its repo and the fleet's settings only: a large audit runs it in the thread that builds
   * the repo, where the fleet-wide facts (ancestry, dependencies) and the other repos are not there yet.
   */
  scope: 'repo' | 'fleet';
  /** How the check is implemented: a TypeScript rule or a compiled Rego policy. */
  implementation: 'typescript' | 'rego';
  /**
   * A wrong and a right example for the rule's doc; a test runs both through the rule. A TypeScript rule gives
   * them here; a built-in policy in `policies/<id>.examples.yaml`, which the docs generator reads.
   */
  examples?: RuleExamples;
}

/** A small fleet that shows a rule at work. */
export interface RuleExample {
  /** What the example shows, in a sentence. */
  description: string;
  /** The example's files: repo id, then path in the repo, then text. */
  repos: Record<string, Record<string, string>>;
  /** The rule's options, as under `rules.<id>.options` in the config; the rule's defaults when absent. */
  options?: Record<string, unknown>;
}

/** A finding a wrong example gives, as the text report shows it. */
export interface ExampleFinding {
  repo: string;
  /** Absent for a finding about the whole repository. */
  file?: string;
  line?: number;
  severity: Severity;
  message: string;
}

export interface RuleExamples {
  /** Gives at least `findings`. */
  wrong: RuleExample & { findings: ExampleFinding[] };
  /** The same intent done right: gives no finding of the rule. */
  right: RuleExample;
}

/** A finding as a check reports it: repo defaults to the repo under check, severity to the rule's default. */
export interface CheckReport {
  message: string;
  severity?: Severity;
  repo?: string;
  file?: string;
  range?: SourceRange;
  path?: DocPath;
  docIndex?: number;
  subject?: string;
  related?: SourceLocation[];
}

export interface CheckContext {
  fleet: Fleet;
  /** The repository under check; for fleet-scope checks, undefined. */
  repo?: Repo;
  /** The rule's options after config defaults are applied. */
  options: Readonly<Record<string, unknown>>;
}

/** What a repo-scope check learns before the runner starts on the repos: see Check.prepare. */
export interface PrepareContext {
  fleet: Fleet;
  /** The options the check will run with on a repo, or undefined where it will not run (off, out of scope, replayed). */
  optionsFor: (repoId: string) => Readonly<Record<string, unknown>> | undefined;
  /** Threads the run may use besides its own (1: none). */
  threads: number;
}

export interface Check {
  meta: CheckMeta;
  run(context: CheckContext): CheckReport[] | Promise<CheckReport[]>;
  /**
   * Called once before the runner checks the repos one by one, so that a check can start work for all of them
   * ahead (a policy evaluates them in another thread meanwhile). What `run` then returns must not change.
   */
  prepare?(context: PrepareContext): void;
}

/** A TypeScript rule: the same face as a Rego policy, defined in one file under rules/. */
export function defineRule(rule: Omit<Check, 'meta'> & { meta: Omit<CheckMeta, 'implementation' | 'docsPath'> }): Check {
  return { ...rule, meta: { ...rule.meta, implementation: 'typescript', docsPath: `docs/rules/${rule.meta.id}.md` } };
}
