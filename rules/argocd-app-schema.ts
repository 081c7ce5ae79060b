import type { ErrorObject, ValidateFunction } from 'ajv';
import { defineRule, type CheckReport, type RuleExamples } from '../src/engine/check.js';
import type { Fix } from '../src/model/findings.js';
import { application, appProject } from '../src/generated/argocd-crd-validators.js';

type ArgoKind = 'Application' | 'AppProject';

/**
 * The fields of the real CRDs (schemas/argocd-crds.schema.json), compiled ahead by scripts/build-validators.mjs:
 * compiling them in every run cost a cold ajv about 30 ms.
 */
const validators: Record<ArgoKind, ValidateFunction> = { Application: application, AppProject: appProject };

export default defineRule({
  meta: {
    id: 'argocd-app-schema',
    shortDescription: 'ArgoCD Applications and AppProjects must match the CRD schema',
    fullDescription:
      'Application and AppProject documents are validated against the fields of the real argoproj.io/v1alpha1 CRDs. ArgoCD drops unknown fields silently, so a misplaced key such as `spec.syncWaves` looks configured but never takes effect.',
    defaultSeverity: 'error',
    help: 'For a field that is not in the CRD, fix its spelling (`selfHeal`, not `selfheal`) or move it where the CRD has it: sync waves, for instance, are the annotation `argocd.argoproj.io/sync-wave: "N"` under `metadata.annotations`, not `spec.syncWaves`. For a missing field, add it (`spec.destination`, and `spec.source` or `spec.sources`); for a value of the wrong type, write the type the message names.',
    tags: ['argocd', 'correctness'],
    scope: 'repo',
    examples: examples(),
  },
  run({ repo }) {
    const reports: CheckReport[] = [];
    for (const object of repo.k8s) {
      if (!object.apiVersion.startsWith('argoproj.io/') || (object.kind !== 'Application' && object.kind !== 'AppProject')) continue;
      // A kustomize patch holds only what it changes; a document an overlay patches is checked as rendered, below.
      if (object.kustomizePatch !== undefined || object.supersededBy !== undefined) continue;
      const validate = validators[object.kind];
      if (validate(object.document.value)) continue;
      for (const error of validate.errors ?? []) {
        const { path, message, subject } = describe(object.kind, object.name ?? 'unnamed', error);
        const report = { message, file: object.document.file, path, docIndex: object.document.index, subject };
        const fix = object.kind === 'Application' && subject.endsWith(':spec.syncWaves:additionalProperties') ? syncWavesFix(repo.id, report, object.document.value) : undefined;
        reports.push(fix ? { ...report, fix } : report);
      }
    }
    // What the render phase produced (an app-of-apps chart or kustomization, an overlay's patched Application), at
    // the line the user owns for each field: the values line, the template or manifest line.
    for (const fact of [...repo.argocd.applications, ...repo.argocd.projects]) {
      if (!fact.renderedBy || !fact.object) continue;
      const { value, locator } = fact.object;
      const validate = validators[fact.kind];
      if (validate(value)) continue;
      for (const error of validate.errors ?? []) {
        const { path, message, subject } = describe(fact.kind, fact.name, error);
        const origin = locator.at(path);
        reports.push({ message: `${message} (as ${fact.renderedBy.name} renders it)`, origin, ...(origin.repo !== repo.id ? { repo: origin.repo } : {}), subject });
      }
    }
    return reports;
  },
});

/** The finding for one schema error: the path of the field it is about, the message, the subject. */
function describe(kind: string, name: string, error: ErrorObject): { path: (string | number)[]; message: string; subject: string } {
  const path = error.instancePath.split('/').slice(1).map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment.replace(/~1/g, '/').replace(/~0/g, '~')));
  const params = error.params as Record<string, unknown>;
  let message: string;
  let fullPath = path;
  if (error.keyword === 'additionalProperties') {
    const key = String(params.additionalProperty);
    fullPath = [...path, key];
    const hint = key === 'syncWaves' ? '; sync waves are set with the annotation argocd.argoproj.io/sync-wave: "N"' : '';
    message = `${kind} ${name}: ${fullPath.join('.')} is not a field of the ${kind} CRD; ArgoCD ignores it${hint}`;
  } else if (error.keyword === 'required') {
    message = `${kind} ${name}: ${[...path, String(params.missingProperty)].join('.')} is required`;
  } else {
    message = `${kind} ${name}: ${path.join('.') || '(document)'} ${error.message ?? 'is invalid'}`;
  }
  return { message, path: fullPath, subject: `${kind}/${name}:${fullPath.join('.')}:${error.keyword}` };
}

const WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/**
 * `spec.syncWaves` moved to the annotation ArgoCD reads, quoted as the API server wants it: the wave the author
 * meant is the one number it holds (`syncWaves: 2`, or one `- wave: 2`). Where the annotation exists, it is what
 * ArgoCD uses already, and the ignored field is only removed. Anything else is left for a person to decide.
 */
function syncWavesFix(repo: string, report: { file?: string; docIndex?: number }, document: unknown): Fix | undefined {
  if (report.file === undefined) return undefined;
  const spec = field(document, 'spec');
  const annotations = field(field(document, 'metadata'), 'annotations');
  const place = { repo, file: report.file, kind: 'yaml' as const, docIndex: report.docIndex ?? 0 };
  const remove = { ...place, op: 'delete' as const, path: ['spec', 'syncWaves'] };
  if (field(annotations, WAVE_ANNOTATION) !== undefined) return { description: `remove spec.syncWaves (the ${WAVE_ANNOTATION} annotation decides the wave)`, edits: [remove] };
  const written = field(spec, 'syncWaves');
  const only = Array.isArray(written) && written.length === 1 ? field(written[0], 'wave') : written;
  const wave = typeof only === 'number' ? only : typeof only === 'string' && /^-?\d+$/.test(only.trim()) ? Number(only.trim()) : undefined;
  if (wave === undefined || !Number.isSafeInteger(wave)) return undefined;
  return {
    description: `move spec.syncWaves to the ${WAVE_ANNOTATION} annotation ("${wave}")`,
    edits: [{ ...place, op: 'set', path: ['metadata', 'annotations', WAVE_ANNOTATION], value: String(wave) }, remove],
  };
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

function examples(): RuleExamples {
  const application = (automated: string): string => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: grafana
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://grafana.github.io/helm-charts
    chart: grafana
    targetRevision: 8.5.1
  destination:
    server: https://kubernetes.default.svc
    namespace: grafana
  syncPolicy:
    automated:
      prune: true
      ${automated}
`;
  return {
    wrong: {
      description: 'A misspelt key: ArgoCD drops `selfheal`, so the app never heals, and nothing says so.',
      repos: { 'apps/grafana': { 'argocd/application.yaml': application('selfheal: true') } },
      findings: [
        {
          repo: 'apps/grafana',
          file: 'argocd/application.yaml',
          line: 18,
          severity: 'error',
          message: 'Application grafana: spec.syncPolicy.automated.selfheal is not a field of the Application CRD; ArgoCD ignores it',
        },
      ],
    },
    right: {
      description: 'The field as the CRD spells it.',
      repos: { 'apps/grafana': { 'argocd/application.yaml': application('selfHeal: true') } },
    },
  };
}
