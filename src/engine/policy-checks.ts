import type { Check, CheckMeta, CheckReport, FleetCheck, PrepareContext, RepoCheck } from './check.js';
import type { PolicySet } from './wasm/policy-set.js';
import { PreparedInput } from './wasm/host.js';
import type { PolicyMetadata } from './wasm/metadata.js';
import type { DecisionLocation, PolicyDecision, PolicyEvaluation } from './wasm/decisions.js';
import { PolicyThread } from './wasm/policy-thread.js';
import { BudgetedEvaluator, BudgetExceeded, type PolicyBudget } from './wasm/budget.js';
import { THREADED_FLEET_SIZE } from '../concurrency.js';
import type { SourceLocation, SourceRange } from '../model/findings.js';
import type { Fleet, FleetSettings, Repo } from '../model/types.js';
import { fleetSettingsJson, policyInput } from '../model/policy-input.js';
import { repoReader } from './wasm/repo-fields.js';
import { splitFix } from './fix/from-json.js';

/** Repos per batch a policy thread evaluates ahead. */
const AHEAD_BATCH_SIZE = 50;

/**
 * Presents each compiled Rego policy as a Check, so the runner treats TypeScript rules and policies alike.
 * Repo-scope policies get `{repo, fleet, options}` (one evaluation per repo, which measured faster than one
 * per fleet and keeps a failure to one repo); fleet-scope policies get the whole policy input plus options.
 * A policy that names the repo fields it reads (`custom.repoFields`, see repoReader) gets only `id` and those
 * in each repo; one that names none gets every field.
 */
export function policyChecks(set: PolicySet, fleetData: unknown, options: { budget?: PolicyBudget } = {}): Check[] {
  set.host.setData(fleetData);
  // Custom policies: evaluated where they can be stopped (see wasm/budget.ts), one thread for the set.
  const budgeted = options.budget === undefined ? undefined : new BudgetedEvaluator(set.host.portable, options.budget);
  // Built once per repo or fleet and shared by every policy: rebuilding per evaluation made audits quadratic.
  // A repo's input is JSON text joined with each policy's options; the runner checks one repo at a time, so only
  // the current repo's texts are kept, one per field set that its policies read.
  const repoTextsOf = lastOne<Repo, Map<string, string>>(() => new Map());
  const repoTextOf = (repo: Repo, fieldsKey: string, readRepo: (repo: Repo) => unknown): string => {
    const texts = repoTextsOf(repo);
    let text = texts.get(fieldsKey);
    if (text === undefined) texts.set(fieldsKey, (text = JSON.stringify(readRepo(repo))));
    return text;
  };
  const fleetSettingsTextOf = memo((settings: FleetSettings) => JSON.stringify(fleetSettingsJson(settings)));
  // The scan templates are CI facts: a policy that names the repo fields it reads and none of CI gets the settings
  // without them (WebAssembly parses the input on every evaluation, one per repo and policy).
  const fleetSettingsWithoutCiTextOf = memo((settings: FleetSettings) => JSON.stringify(fleetSettingsJson(settings, { scanTemplates: false })));

  return set.policies.map((policy) => {
    // A policy that names the repo fields it reads gets only those: WebAssembly parses its input on every
    // evaluation, and a 10,000-repo fleet serialized whole costs tens of seconds for a fleet-scope policy, every
    // repo's CI jobs and Kubernetes objects seconds for a repo-scope one that reads only images.
    const readRepo = repoReader(policy.repoFields);
    const fieldsKey = policy.repoFields?.join(',') ?? '*';
    // The fleet input as JSON text without its closing brace, so that each run appends its options.
    const fleetTextOf = memo((fleet: Fleet) => JSON.stringify(policyInput(fleet, readRepo)).slice(0, -1));
    const readsCi = policy.repoFields === undefined || policy.repoFields.some((field) => field === 'ci' || field.startsWith('ci.'));
    const settingsText = readsCi ? fleetSettingsTextOf : fleetSettingsWithoutCiTextOf;
    const repoInputText = (repo: Repo, settings: FleetSettings, optionsText: string): string =>
      `{"repo":${repoTextOf(repo, fieldsKey, readRepo)},"fleet":${settingsText(settings)},"options":${optionsText}}`;
    /** Evaluations started ahead in a thread (prepare), by repo, with the options text they were made with. */
    let ahead: Map<Repo, { optionsText: string; evaluation: Promise<PolicyEvaluation | undefined> }> | undefined;
    /** Set once an evaluation exceeded the budget: the policy is reported once and not evaluated again. */
    let overBudget = false;
    const evaluate = async (repo: Repo | undefined, optionsText: string, input: () => string): Promise<CheckReport[]> => {
      if (overBudget) return [];
      const started = repo ? ahead?.get(repo) : undefined;
      let evaluation: PolicyEvaluation | undefined;
      if (repo && started) {
        ahead?.delete(repo);
        evaluation = started.optionsText === optionsText ? await started.evaluation : undefined;
      }
      if (budgeted !== undefined) {
        try {
          evaluation = await budgeted.evaluate(policy.entrypoint, input());
        } catch (error) {
          if (!(error instanceof BudgetExceeded)) throw error;
          overBudget = true;
          return [{ message: `policy ${policy.id} was stopped: its evaluation ${error.message}; it is not evaluated for the rest of this run (make the policy cheaper)`, severity: 'error', subject: 'budget-exceeded', ...(repo ? { repo: repo.id } : {}) }];
        }
      }
      const { decisions, invalid } = evaluation ?? set.host.evaluate(policy.entrypoint, PreparedInput.fromJson(input()));
      if (invalid.length > 0) {
        throw new Error(`policy ${policy.id} returned ${invalid.length} malformed decision(s): ${invalid[0]?.reason ?? ''}`);
      }
      return decisions.map((decision) => toReport(policy.id, decision));
    };
    const prepare = ({ fleet, optionsFor, threads }: PrepareContext): void => {
      const repos = fleet.repos.filter((repo) => optionsFor(repo.id) !== undefined);
      if (budgeted !== undefined || threads <= 1 || repos.length < THREADED_FLEET_SIZE) return;
      // Evaluated ahead in a thread of this policy's own while the runner does the rest of the checks.
      const thread = new PolicyThread(set.host.portable);
      ahead = new Map();
      for (let start = 0; start < repos.length; start += AHEAD_BATCH_SIZE) {
        const batch = repos.slice(start, start + AHEAD_BATCH_SIZE).map((repo) => ({ repo, optionsText: JSON.stringify(optionsFor(repo.id)) }));
        const results = thread.evaluate(policy.entrypoint, batch.map(({ repo, optionsText }) => repoInputText(repo, fleet.settings, optionsText)));
        batch.forEach(({ repo, optionsText }, index) => {
          ahead?.set(repo, { optionsText, evaluation: results.then((evaluations) => evaluations[index]) });
        });
      }
      // Closed when the last result is in; unreferenced, it never holds the process.
      void Promise.all([...ahead.values()].map((entry) => entry.evaluation)).then(() => thread.close());
    };
    const meta = policyMeta(policy);
    if (meta.scope === 'repo') {
      return {
        meta: { ...meta, scope: 'repo' },
        prepare,
        run: ({ repo, settings, options }) => {
          const optionsText = JSON.stringify(options);
          return evaluate(repo, optionsText, () => repoInputText(repo, settings, optionsText));
        },
      } satisfies RepoCheck;
    }
    return {
      meta: { ...meta, scope: 'fleet' },
      run: ({ fleet, options }) => {
        const optionsText = JSON.stringify(options);
        return evaluate(undefined, optionsText, () => `${fleetTextOf(fleet)},"options":${optionsText}}`);
      },
    } satisfies FleetCheck;
  });
}

/** `compute`, remembered for the last key only. */
function lastOne<K, V>(compute: (key: K) => V): (key: K) => V {
  let last: { key: K; value: V } | undefined;
  return (key) => {
    if (last?.key !== key) last = { key, value: compute(key) };
    return last.value;
  };
}

/** `compute`, remembered per key object for as long as the key lives. */
function memo<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    if (!cache.has(key)) cache.set(key, compute(key));
    return cache.get(key) as V;
  };
}

/** A policy's metadata in the shape every check has. */
export function policyMeta(policy: PolicyMetadata): CheckMeta {
  return {
    id: policy.id,
    shortDescription: policy.title,
    fullDescription: policy.description,
    defaultSeverity: policy.severity,
    ...(policy.options ? { optionsSchema: policy.options } : {}),
    help: policy.help,
    docsPath: `docs/rules/${policy.id}.md`,
    tags: policy.tags,
    scope: policy.scope,
    implementation: 'rego',
  };
}

/** A decision as a check report; the runner places it (at an include of another repo's fact) and locates paths. */
function toReport(policyId: string, decision: PolicyDecision): CheckReport {
  const related = (decision.related ?? []).map(toSourceLocation);
  // A repair the decision proposes travels as the finding's fix, not as its data.
  const split = decision.data ? splitFix(decision.data) : {};
  if ('invalid' in split) throw new Error(`policy ${policyId} returned a malformed fix: ${split.invalid}`);
  const place: DecisionLocation | undefined = decision.file ? { repo: decision.repo, file: decision.file, ...positionOf(decision) } : undefined;
  return {
    message: decision.msg,
    repo: decision.repo,
    ...(decision.severity ? { severity: decision.severity } : {}),
    ...(decision.subject !== undefined ? { subject: decision.subject } : {}),
    ...(split.data ? { data: split.data } : {}),
    ...(split.fix ? { fix: split.fix } : {}),
    ...(decision.origin ? { origin: toSourceLocation(decision.origin) } : place ? placeReport(place) : {}),
    ...(related.length > 0 ? { related } : {}),
  };
}

function positionOf(decision: PolicyDecision): Omit<DecisionLocation, 'repo' | 'file'> {
  return {
    ...(decision.path ? { path: decision.path } : {}),
    ...(decision.line !== undefined ? { line: decision.line } : {}),
    ...(decision.docIndex !== undefined ? { docIndex: decision.docIndex } : {}),
  };
}

/** A path is preferred to a line: the runner turns it into a full range. */
function placeReport(place: DecisionLocation): Pick<CheckReport, 'file' | 'path' | 'docIndex' | 'range'> {
  if (place.path) return { file: place.file, path: place.path, ...(place.docIndex !== undefined ? { docIndex: place.docIndex } : {}) };
  if (place.line !== undefined) return { file: place.file, range: lineRange(place.line, place.column) };
  return { file: place.file };
}

/** A location as the runner takes it: a path (located where its document is loaded), else the line as a range. */
function toSourceLocation(location: DecisionLocation): SourceLocation {
  return {
    repo: location.repo,
    file: location.file,
    ...(location.path ? { path: location.path, ...(location.docIndex !== undefined ? { docIndex: location.docIndex } : {}) } : {}),
    ...(location.line !== undefined ? { range: lineRange(location.line, location.column) } : {}),
  };
}

function lineRange(line: number, column = 1): SourceRange {
  return { startLine: line, startColumn: column, endLine: line, endColumn: column };
}
