import type { DocPath, FindingData, Fix, Severity, SourceLocation, SourceRange } from '../model/findings.js';
import type { Fleet, FleetSettings, Repo } from '../model/types.js';

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
  /** `repo` checks run once per repository and see only it (RepoCheckContext); `fleet` checks run once and see every repository. */
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

/**
 * A finding as a check reports it: repo defaults to the repo under check, severity to the rule's default.
 *
 * A check names the place either with `file` (and `path`, `docIndex` or `range`), or with `origin`, the place the
 * fact it is about was written. The runner turns an origin into the finding's place, or, when the origin lies in
 * another repository than the finding (a job of a CI template the repo includes), reports the finding at this
 * repo's include of that repository and lists the origin first among the related locations: the pipeline that
 * breaks is this repo's, a scoped run of it (lint, mr) keeps the finding, and the template repo does not get one
 * finding per consumer. Related locations that name a path and no range get the path's range.
 */
export interface CheckReport {
  message: string;
  severity?: Severity;
  repo?: string;
  file?: string;
  range?: SourceRange;
  path?: DocPath;
  docIndex?: number;
  /** Where the fact was written; takes the place of file, path, docIndex and range. */
  origin?: SourceLocation;
  subject?: string;
  related?: SourceLocation[];
  /** Structured details for reports and tools (see FindingData). */
  data?: FindingData;
  /** How to repair it (see Fix); a Rego decision gives one as `data.fix`. */
  fix?: Fix;
}

/** The rule's options after config defaults and overrides are applied. */
type CheckOptions = Readonly<Record<string, unknown>>;

/**
 * What a repo-scope check sees: its repository and the fleet's settings, nothing of the other repositories. A
 * large audit runs the TypeScript ones in the thread that builds the repo, where the fleet-wide facts (ancestry,
 * dependencies) and the other repos are not there yet; the same function runs them on the main thread otherwise.
 */
export interface RepoCheckContext {
  repo: Repo;
  settings: FleetSettings;
  options: CheckOptions;
}

/** What a fleet-scope check sees: the whole fleet, once. */
export interface FleetCheckContext {
  fleet: Fleet;
  options: CheckOptions;
}

/** What a repo-scope check learns before the runner starts on the repos: see RepoCheck.prepare. */
export interface PrepareContext {
  fleet: Fleet;
  /** The options the check will run with on a repo, or undefined where it will not run (off, out of scope, replayed). */
  optionsFor: (repoId: string) => CheckOptions | undefined;
  /** Threads the run may use besides its own (1: none). */
  threads: number;
}

type Reports = CheckReport[] | Promise<CheckReport[]>;

/** A check run once per repository. */
export interface RepoCheck {
  meta: CheckMeta & { scope: 'repo' };
  run(context: RepoCheckContext): Reports;
  /**
   * Called once before the runner checks the repos one by one, so that a check can start work for all of them
   * ahead (a policy evaluates them in another thread meanwhile). What `run` then returns must not change.
   */
  prepare?(context: PrepareContext): void;
}

/** A check run once for the whole fleet. */
export interface FleetCheck {
  meta: CheckMeta & { scope: 'fleet' };
  run(context: FleetCheckContext): Reports;
}

export type Check = RepoCheck | FleetCheck;

export function isRepoCheck(check: Check): check is RepoCheck {
  return check.meta.scope === 'repo';
}

type RuleDefinition<C extends Check> = Omit<C, 'meta'> & { meta: Omit<C['meta'], 'implementation' | 'docsPath'> };

/** A TypeScript rule: the same face as a Rego policy, defined in one file under rules/. */
export function defineRule(rule: RuleDefinition<RepoCheck>): RepoCheck;
export function defineRule(rule: RuleDefinition<FleetCheck>): FleetCheck;
export function defineRule(rule: RuleDefinition<RepoCheck> | RuleDefinition<FleetCheck>): Check {
  return { ...rule, meta: { ...rule.meta, implementation: 'typescript', docsPath: `docs/rules/${rule.meta.id}.md` } } as Check;
}
