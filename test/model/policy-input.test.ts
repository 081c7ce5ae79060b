import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { policyInput } from '../../src/model/policy-input.js';
import { locatePath } from '../../src/model/yaml/locate.js';
import { parseYamlFile } from '../../src/model/yaml/parse.js';
import { packageRoot } from '../../src/package.js';
import { auditHomelab, HOMELAB } from '../support/homelab.js';

const schema = JSON.parse(readFileSync(join(packageRoot(), 'schemas', 'policy-input.schema.json'), 'utf8')) as Record<string, unknown>;

describe('the policy input', () => {
  it('of fixtures/homelab is what schemas/policy-input.schema.json documents', async () => {
    const { fleet } = await auditHomelab();
    const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, strictRequired: false }).compile(schema);
    const valid = validate(JSON.parse(JSON.stringify(policyInput(fleet))));
    expect(validate.errors ?? [], 'schema errors').toEqual([]);
    expect(valid).toBe(true);
  });

  it('names for every dependency the apps whose waves order it', async () => {
    const { fleet } = await auditHomelab();
    const { dependencies } = policyInput(fleet) as { dependencies: { fromRepo: string; from: string; toRepo: string; to: string; orderedBy?: unknown }[] };
    expect(dependencies.length).toBeGreaterThan(0);
    // In the seed, the app-of-apps registrations are roots of their own: no tree holds two of the apps.
    for (const dependency of dependencies) {
      expect(dependency.orderedBy).toEqual({ from: { repo: dependency.fromRepo, name: dependency.from }, to: { repo: dependency.toRepo, name: dependency.to } });
    }
  });
});

interface Origin {
  repo: string;
  file: string;
  line: number;
  column?: number;
  docIndex?: number;
  path?: (string | number)[];
}

/** Every `origin`-shaped object (repo, file, line) anywhere in the input, with where it was found. */
function origins(value: unknown, at: string, found: { at: string; origin: Origin }[] = []): { at: string; origin: Origin }[] {
  if (Array.isArray(value)) {
    value.forEach((item, index) => origins(item, `${at}[${String(index)}]`, found));
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.repo === 'string' && typeof record.file === 'string' && typeof record.line === 'number') found.push({ at, origin: record as unknown as Origin });
    for (const [key, child] of Object.entries(record)) origins(child, `${at}.${key}`, found);
  }
  return found;
}

/**
 * The policy input of fixtures/homelab is no longer pinned by a golden file (2.5 MB nobody could review). Its shape is
 * the schema above; its findings are pinned by test/golden/homelab/findings.txt; these pin what neither covers.
 */
describe('the policy input of fixtures/homelab', () => {
  it('places every fact where its file says it: each origin is the line and column of its YAML path', async () => {
    const { fleet } = await auditHomelab();
    const input = JSON.parse(JSON.stringify(policyInput(fleet))) as unknown;
    const files = new Map<string, { lines: number; documents: ReturnType<typeof parseYamlFile>['parsed']['documents'] }>();
    const fileOf = (origin: Origin): { lines: number; documents: ReturnType<typeof parseYamlFile>['parsed']['documents'] } => {
      const key = `${origin.repo}/${origin.file}`;
      let file = files.get(key);
      if (!file) {
        const text = readFileSync(join(HOMELAB, origin.repo, origin.file), 'utf8');
        file = { lines: text.split('\n').length, documents: /\.ya?ml$/.test(origin.file) ? parseYamlFile(origin.repo, origin.file, text).parsed.documents : [] };
        files.set(key, file);
      }
      return file;
    };
    const all = origins(input, 'input');
    const wrong: string[] = [];
    for (const { at, origin } of all) {
      const file = fileOf(origin);
      if (origin.line < 1 || origin.line > file.lines) wrong.push(`${at}: line ${String(origin.line)} is not in ${origin.repo}/${origin.file}`);
      if (origin.path === undefined) continue;
      const document = file.documents[origin.docIndex ?? 0];
      if (!document) {
        wrong.push(`${at}: ${origin.repo}/${origin.file} has no document ${String(origin.docIndex ?? 0)}`);
        continue;
      }
      const { range, exact } = locatePath(document, origin.path);
      if (!exact || range.startLine !== origin.line || (origin.column !== undefined && range.startColumn !== origin.column)) {
        wrong.push(`${at}: ${JSON.stringify(origin.path)} is at ${String(range.startLine)}:${String(range.startColumn)}${exact ? '' : ' (not found)'}, origin says ${String(origin.line)}:${String(origin.column)}`);
      }
    }
    expect(all.length).toBeGreaterThan(1000);
    expect(wrong).toEqual([]);
  });

  it("gives every Application the wave of the fleet's deployment order (MISTAKES.md), traefik 0 for lack of an annotation (S1)", async () => {
    const { fleet } = await auditHomelab();
    const { repos } = policyInput(fleet) as { repos: { id: string; applications: { name: string; wave: number }[] }[] };
    const actual = new Map<string, number>();
    for (const repo of repos) for (const app of repo.applications) actual.set(app.name, app.wave);
    const expected = new Map(Object.entries(HOMELAB_WAVES).flatMap(([wave, names]) => names.map((name) => [name, Number(wave)] as const)));
    // kubernetes/argocd-apps registers some of them again as `<name>-app`, in the same wave.
    for (const [name, wave] of actual) {
      const registered = /^(.+)-app$/.exec(name)?.[1];
      if (registered !== undefined && expected.has(registered)) expected.set(name, wave === expected.get(registered) ? wave : -1);
    }
    expect(Object.fromEntries([...actual].sort())).toEqual(Object.fromEntries([...expected].sort()));
  });
});

/** MISTAKES.md's wave table, by wave; `root` and `core-networking` are app-of-apps without a wave. */
const HOMELAB_WAVES: Record<number, string[]> = {
  0: ['cilium', 'traefik', 'core-networking', 'root'],
  1: ['metallb', 'cert-manager'],
  2: ['external-dns', 'istio', 'cert-manager-issuers'],
  3: ['longhorn', 'minio'],
  4: ['vault', 'external-secrets-operator', 'sealed-secrets', 'step-ca'],
  5: ['harbor', 'jfrog-artifactory', 'smallstep'],
  6: ['prometheus-stack', 'loki-stack'],
  7: ['wazuh', 'falco', 'tetragon', 'kubearmor', 'grafana-dashboards', 'velero'],
  8: ['kyverno', 'opa', 'kubescape', 'polaris'],
  9: ['trivy', 'clair', 'crowdsec', 'dependency-track', 'teleport', 'kyverno-policies'],
  10: ['ollama', 'sonarqube', 'audiobookshelf', 'calibre-web', 'jellyfin', 'qbittorrent', 'tdarr', 'immich', 'photoprism', 'n8n', 'nextcloud', 'vaultwarden', 'home-assistant', 'littlelink', 'pihole', 'shlink'],
  11: ['arr-stack', 'node-red', 'open-webui'],
  12: ['homepage-dashboard'],
};

