import type { FactOrigin } from './origin.js';
import type { Fleet, FleetSettings, Repo } from './types.js';
import type { CiJob } from './gitlab-ci/types.js';
import type { AppRef, ArgoApplication } from './argocd/types.js';
import type { AppDependency } from './dependencies/types.js';
import { dependencyCycles } from './dependencies/cycles.js';
import { dependencyWaveOrders } from './dependencies/ordering.js';
import { scannerTable } from './gitlab-ci/scanners.js';
import type {
  ApplicationInput,
  FleetSettingsInput,
  ImageReferenceInput,
  JobInput,
  Origin,
  PolicyInput,
  RepoInput,
} from './policy-input/types.js';

/**
 * The policy input: plain JSON that Rego policies (ours and the users') are written against, built from the model.
 * Its shape is the `PolicyInput` type (policy-input/types.ts), from which schemas/policy-input.schema.json is
 * generated; `version` says which.
 */
export const POLICY_INPUT_VERSION: PolicyInput['version'] = 1;

export type { PolicyInput, RepoInput } from './policy-input/types.js';

export function originJson(origin: FactOrigin): Origin {
  return {
    repo: origin.repo,
    file: origin.file,
    line: origin.range.startLine,
    column: origin.range.startColumn,
    ...(origin.docIndex !== undefined ? { docIndex: origin.docIndex } : {}),
    ...(origin.path ? { path: [...origin.path] } : {}),
  };
}

function jobJson(job: CiJob): JobInput {
  const keyOrigins: Record<string, Origin> = {};
  for (const [key, origin] of Object.entries(job.keyOrigins)) keyOrigins[key] = originJson(origin);
  return {
    name: job.name,
    stage: job.stage,
    ...(job.image !== undefined ? { image: job.image } : {}),
    services: job.services,
    script: job.script.map((line) => ({ text: line.text, section: line.section, origin: originJson(line.origin) })),
    when: job.when,
    allowFailure: job.allowFailure,
    needs: job.needs,
    ...(job.optionalNeeds ? { optionalNeeds: job.optionalNeeds } : {}),
    extends: job.extends,
    runsIn: { ...job.runsIn },
    ...(job.unknownConditions ? { unknownConditions: job.unknownConditions } : {}),
    ...(job.assumedUnset ? { assumedUnset: job.assumedUnset } : {}),
    ...(job.unknownKeys ? { unknownKeys: job.unknownKeys } : {}),
    ...(job.providedBy ? { providedBy: { ...job.providedBy } } : {}),
    ...(job.parallel ? { parallel: { job: job.parallel.job, variables: { ...job.parallel.variables } } } : {}),
    ...(job.trigger
      ? {
          trigger: {
            kind: job.trigger.kind,
            target: job.trigger.target,
            ...(job.trigger.strategy !== undefined ? { strategy: job.trigger.strategy } : {}),
            ...(job.trigger.pipeline ? { jobs: job.trigger.pipeline.jobs.map((child) => child.name) } : {}),
          },
        }
      : {}),
    runsInMergeRequests: job.runsInMergeRequests,
    runsOnDefaultBranch: job.runsOnDefaultBranch,
    ...(job.ruleWhen ? { ruleWhen: job.ruleWhen } : {}),
    ...(job.unresolved ? { unresolved: job.unresolved } : {}),
    origin: originJson(job.origin),
    keyOrigins,
    scans: job.scans.map((scan) => ({ category: scan.category, tool: scan.tool, evidence: originJson(scan.evidence), nonFailing: scan.nonFailing })),
    gatesMergeRequests: {
      value: job.gatesMergeRequests.value,
      reason: job.gatesMergeRequests.reason,
      ...(job.gatesMergeRequests.unknown ? { unknown: job.gatesMergeRequests.unknown } : {}),
    },
  };
}

function applicationJson(app: ArgoApplication): ApplicationInput {
  return {
    name: app.name,
    ...(app.namespace !== undefined ? { namespace: app.namespace } : {}),
    ...(app.project !== undefined ? { project: app.project } : {}),
    sources: app.sources.map((source) => ({
      ...(source.repoURL !== undefined ? { repoURL: source.repoURL } : {}),
      ...(source.path !== undefined ? { path: source.path } : {}),
      ...(source.chart !== undefined ? { chart: source.chart } : {}),
      ...(source.targetRevision !== undefined ? { targetRevision: source.targetRevision } : {}),
      helmValueFiles: source.helmValueFiles,
      ...(source.fleetRepo !== undefined ? { fleetRepo: source.fleetRepo } : {}),
      ...(source.ref !== undefined ? { ref: source.ref } : {}),
      ...(source.directoryRecurse !== undefined ? { directoryRecurse: source.directoryRecurse } : {}),
      origin: originJson(source.origin),
    })),
    destination: app.destination,
    automatedSync: app.automatedSync,
    wave: app.wave,
    ...(app.waveAnnotation !== undefined ? { waveAnnotation: app.waveAnnotation } : {}),
    waveValid: app.waveValid,
    ...(app.waveProblem !== undefined ? { waveProblem: app.waveProblem } : {}),
    ...(app.waveUnknown ? { waveUnknown: true as const } : {}),
    declaredDependsOn: app.declaredDependsOn,
    ...(app.dependsOnOrigin ? { dependsOnOrigin: originJson(app.dependsOnOrigin) } : {}),
    unknownSpecKeys: app.unknownSpecKeys,
    unknownSpecKeyOrigins: app.unknownSpecKeyOrigins.map(originJson),
    ancestors: (app.ancestors ?? []).map((ancestor) => ({ repo: ancestor.repo, name: ancestor.name })),
    ...(app.generatedBy ? { generatedBy: { repo: app.generatedBy.repo, name: app.generatedBy.name } } : {}),
    origin: originJson(app.origin),
    waveOrigin: originJson(app.waveOrigin),
  };
}

/**
 * Every repo field of the policy input, built on demand: a fleet-scope policy that reads a few fields
 * (`custom.repoFields`) gets only those, built alone.
 */
const REPO_FIELDS: { [Field in keyof RepoInput]: (repo: Repo) => RepoInput[Field] } = {
  id: (repo) => repo.id,
  kinds: (repo) => repo.kinds,
  files: (repo) => repo.files.map((file) => file.path),
  ci: (repo) => {
    const ci = repo.ci;
    return ci
      ? {
          file: ci.file,
          ...(ci.docIndex !== undefined ? { docIndex: ci.docIndex } : {}),
          stages: ci.stages,
          stagesDeclared: ci.stagesDeclared,
          workflowAllowsMergeRequests: ci.workflowAllowsMergeRequests,
          runsIn: { ...ci.runsIn },
          ...(ci.unknownConditions ? { unknownConditions: ci.unknownConditions } : {}),
          partial: ci.partial === true,
          includes: ci.includes.map((include) => ({
            type: include.type,
            target: include.target,
            ...(include.project !== undefined ? { project: include.project } : {}),
            ...(include.ref !== undefined ? { ref: include.ref } : {}),
            ...(include.resolvedRepo !== undefined ? { resolvedRepo: include.resolvedRepo } : {}),
            resolved: include.resolved,
            ...(include.conditional !== undefined ? { conditional: include.conditional } : {}),
            ...(include.viaRepo !== undefined ? { viaRepo: include.viaRepo } : {}),
            ...(include.provides ? { provides: include.provides } : {}),
            origin: originJson(include.origin),
          })),
          unresolvedSources: ci.unresolvedSources.map((source) => ({
            type: source.type,
            target: source.target,
            ...(source.provides ? { provides: source.provides } : {}),
            origin: originJson(source.origin),
          })),
          jobs: ci.jobs.map(jobJson),
        }
      : null;
  },
  applications: (repo) => {
    // Several Applications of one name in a repo (each cluster's tree has its own): facts that name an app by
    // repo and name mean the first, and policies that index apps by them skip the others.
    const seen = new Set<string>();
    return repo.argocd.applications.map((app) => {
      const json = applicationJson(app);
      const duplicate = seen.has(app.name);
      seen.add(app.name);
      return duplicate ? { ...json, duplicateName: true as const } : json;
    });
  },
  appProjects: (repo) => repo.argocd.projects.map((project) => ({
    name: project.name,
    sourceRepos: project.sourceRepos,
    destinations: project.destinations,
    origin: originJson(project.origin),
  })),
  applicationSets: (repo) => repo.argocd.applicationSets.map((set) => ({ name: set.name, origin: originJson(set.origin) })),
  images: (repo) => repo.images.map((image) => ({
    ...referenceJson(image),
    context: image.context,
    dynamic: image.dynamic,
    fleetRegistry: image.fleetRegistry,
    ...(image.job !== undefined ? { job: image.job } : {}),
    origin: originJson(image.origin),
    ...(image.tagOrigin ? { tagOrigin: originJson(image.tagOrigin) } : {}),
  })),
  invalidImages: (repo) => repo.invalidImages.map((image) => ({
    raw: image.raw,
    context: image.context,
    error: image.error,
    ...(image.job !== undefined ? { job: image.job } : {}),
    origin: originJson(image.origin),
    ...(image.jobOrigin ? { jobOrigin: originJson(image.jobOrigin) } : {}),
  })),
  publishedImages: (repo) => repo.publishedImages.map((image) => ({
    ...referenceJson(image),
    dynamic: image.dynamic,
    command: image.command,
    job: image.job,
    origin: originJson(image.origin),
  })),
  helmValuesFiles: (repo) => repo.helm.values.map((values) => values.file),
  charts: (repo) => repo.helm.charts.map((chart) => ({
    file: chart.file,
    ...(chart.name !== undefined ? { name: chart.name } : {}),
    ...(chart.version !== undefined ? { version: chart.version } : {}),
    ...(chart.appVersion !== undefined ? { appVersion: chart.appVersion } : {}),
  })),
  k8sObjects: (repo) => repo.k8s.map((object) => ({
    apiVersion: object.apiVersion,
    kind: object.kind,
    ...(object.name !== undefined ? { name: object.name } : {}),
    ...(object.namespace !== undefined ? { namespace: object.namespace } : {}),
    origin: originJson(object.origin),
  })),
};

const REPO_FIELD_NAMES: readonly string[] = Object.keys(REPO_FIELDS);

const isRepoField = (field: string): field is keyof RepoInput => Object.hasOwn(REPO_FIELDS, field);

/** A repo as the policy input has it: every field, or only `id` and the fields named. */
export function repoJson(repo: Repo, fields: readonly string[] = REPO_FIELD_NAMES): Partial<RepoInput> {
  const json: Record<string, unknown> = {};
  for (const field of fields.includes('id') ? fields : ['id', ...fields]) {
    if (isRepoField(field)) json[field] = REPO_FIELDS[field](repo);
  }
  return json;
}

/** The fleet-wide settings part of the input, which repo-scope policies get next to their repo. */
export function fleetSettingsJson(settings: FleetSettings, parts: { scanTemplates?: boolean } = {}): FleetSettingsInput {
  return {
    ...(settings.gitlabHost !== undefined ? { gitlabHost: settings.gitlabHost } : {}),
    ...(settings.group !== undefined ? { group: settings.group } : {}),
    registries: settings.registries,
    scanners: scannerTable(settings.scanners).map(({ category, tool }) => ({ category, tool })),
    ...(parts.scanTemplates !== false && settings.scanTemplates && settings.scanTemplates.length > 0 ? { scanTemplates: settings.scanTemplates } : {}),
  };
}

/**
 * `repoOf` builds each repo's part: all of it by default, or the fields a policy reads (then a repo holds only
 * some of its fields, which the type cannot say).
 */
export function policyInput(fleet: Fleet, repoOf: (repo: Repo) => Partial<RepoInput> = repoJson): PolicyInput {
  // Which two Applications' waves order each dependency, from the app-of-apps tree.
  const orders = dependencyWaveOrders(fleet.dependencies, fleet.repos);
  // A dependency whose resources skip the dry run is retried by ArgoCD until it holds: it orders nothing, so it
  // makes no cycle either.
  const ordered = fleet.dependencies.filter((dependency) => dependency.skipDryRun !== true);
  const cycles = dependencyCycles(ordered);
  return {
    version: POLICY_INPUT_VERSION,
    fleet: fleetSettingsJson(fleet.settings),
    repos: fleet.repos.map((repo) => repoOf(repo) as RepoInput),
    dependencies: fleet.dependencies.map((dependency, index) => {
      const order = orders[index];
      return {
        fromRepo: dependency.fromRepo,
        from: dependency.from,
        toRepo: dependency.toRepo,
        to: dependency.to,
        capability: dependency.capability,
        evidence: dependency.evidence.map((evidence) => ({
          description: evidence.description,
          origin: originJson(evidence.origin),
          ...(evidence.provider ? { provider: { description: evidence.provider.description, origin: originJson(evidence.provider.origin) } } : {}),
          ...(evidence.skipDryRun ? { skipDryRun: true } : {}),
        })),
        ...(dependency.skipDryRun ? { skipDryRun: true } : {}),
        ...(order ? { orderedBy: { from: { repo: order.from.repo, name: order.from.name }, to: { repo: order.to.repo, name: order.to.name } } } : {}),
      };
    }),
    dependencyCycles: cycles,
    ...(cycles.length > 0 ? { dependencyCycleEvidence: cycles.map((cycle) => cycleEvidence(cycle, ordered)) } : {}),
    ...(fleet.duplicateApplications && fleet.duplicateApplications.length > 0
      ? {
          duplicateApplications: fleet.duplicateApplications.map((duplicate) => ({
            instance: duplicate.instance,
            ...(duplicate.namespace !== undefined ? { namespace: duplicate.namespace } : {}),
            name: duplicate.name,
            apps: duplicate.apps.map((app) => ({ repo: app.repo, origin: originJson(app.origin) })),
          })),
        }
      : {}),
    unprovided: fleet.unprovided.map((reference) => ({
      fromRepo: reference.fromRepo,
      from: reference.from,
      capability: reference.capability,
      value: reference.value,
      known: reference.known,
      evidence: { description: reference.evidence.description, origin: originJson(reference.evidence.origin) },
    })),
  };
}

/** The dependencies between a cycle's members, each once with its first evidence: the whole cycle, with why. */
function cycleEvidence(cycle: readonly AppRef[], dependencies: readonly AppDependency[]): { from: string; to: string; capability: string; origin: Origin }[] {
  const members = new Set(cycle.map((app) => `${app.repo}\0${app.name}`));
  return dependencies
    .filter((dependency) => members.has(`${dependency.fromRepo}\0${dependency.from}`) && members.has(`${dependency.toRepo}\0${dependency.to}`))
    .flatMap((dependency) => (dependency.evidence[0] ? [{ from: dependency.from, to: dependency.to, capability: dependency.capability, origin: originJson(dependency.evidence[0].origin) }] : []));
}

/** An image reference's parts as the policy input holds them (deployed and published images alike). */
function referenceJson(image: { raw: string; registry: string; repository: string; tag?: string; digest?: string }): ImageReferenceInput {
  return {
    raw: image.raw,
    registry: image.registry,
    repository: image.repository,
    ...(image.tag !== undefined ? { tag: image.tag } : {}),
    ...(image.digest !== undefined ? { digest: image.digest } : {}),
  };
}
