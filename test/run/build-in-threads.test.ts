import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package.js';
import { localCandidates } from '../../src/run/open-fleet.js';
import { loadFleet } from '../../src/run/load-fleet.js';
import { policyInput } from '../../src/model/policy-input.js';
import { RepoBuilder } from '../../src/model/repo-builder.js';
import { readRepoTexts } from '../../src/model/read-files.js';
import { repoFromMessage, repoMessage } from '../../src/model/repo-transfer.js';
import { locatePath } from '../../src/model/yaml/locate.js';
import { MemorySource } from '../../src/sources/memory.js';
import { EMPTY_CONFIG, type FleetlintConfig } from '../../src/engine/config-types.js';
import type { RepoCheckResults } from '../../src/engine/repo-checks.js';
import { RepoResults } from '../../src/run/repo-results.js';
import { isRepoCheck, type RepoCheck } from '../../src/engine/check.js';
import { runChecks } from '../../src/engine/runner.js';
import { TYPESCRIPT_RULES } from '../../rules/index.js';

const root = packageRoot();

async function loadFixture(name: string, threads: number, threadChecks?: Parameters<typeof loadFleet>[0]['threadChecks']) {
  const candidates = await localCandidates(join(root, 'fixtures', name));
  const materialized = await candidates.materialize(candidates.ids);
  const repos = materialized.flatMap((entry) => (entry.ok ? [{ id: entry.id, source: entry.source }] : []));
  return loadFleet({ root: candidates.root, settings: candidates.settings, repos, threads, ...(threadChecks ? { threadChecks } : {}) });
}

describe('building repos in worker threads', () => {
  it('hands a repo over with its facts, values, positions and located signals', async () => {
    const files = {
      'argocd/application.yaml': 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web\nspec:\n  source:\n    path: helm\n',
      'helm/values.yaml': 'persistence:\n  storageClass: longhorn\nimage:\n  repository: nginx\n  tag: "1.27"\n',
    };
    const source = new MemorySource(files);
    const texts = await readRepoTexts('apps/web', source);
    const built = new RepoBuilder({ registries: [], providers: [] }, [{ id: 'apps/web', texts }]).build('apps/web');
    // What a worker posts is copied by structured clone.
    const repo = repoFromMessage(structuredClone(repoMessage(built)), texts.files, source);

    const plainFacts = (facts: typeof built) => ({ ...facts, yaml: undefined, helm: undefined, k8s: undefined, source: undefined });
    expect(plainFacts(repo)).toEqual(plainFacts(built));
    const { yaml, helm, k8s } = repo;
    const { helm: builtHelm, k8s: builtK8s } = built;
    expect(helm.charts).toEqual(builtHelm.charts);
    expect(helm.values.map((values) => [values.file, values.document.value])).toEqual(builtHelm.values.map((values) => [values.file, values.document.value]));
    expect(k8s.map((object) => object.origin)).toEqual(builtK8s.map((object) => object.origin));
    const values = yaml.get('helm/values.yaml')?.documents[0];
    if (!values) throw new Error('values document expected');
    expect(helm.values[0]?.document).toBe(values);
    expect(locatePath(values, ['image', 'tag']).range).toEqual({ startLine: 5, startColumn: 3, endLine: 5, endColumn: 14 });
  });

  it('gives the same fleet as one thread, for the seed fleet and the hostile one', async () => {
    for (const name of ['homelab', 'hostile']) {
      const [one, two] = await Promise.all([loadFixture(name, 1), loadFixture(name, 2)]);
      expect(JSON.stringify(policyInput(two))).toBe(JSON.stringify(policyInput(one)));
      expect(two.repos.map((repo) => repo.diagnostics)).toEqual(one.repos.map((repo) => repo.diagnostics));
      expect(two.dependencies).toEqual(one.dependencies);
      expect(two.unprovided).toEqual(one.unprovided);
    }
  });

  it('evaluates the repo-scope TypeScript rules where repos are built; the runner replays them only with its options', async () => {
    const config: FleetlintConfig = { ...EMPTY_CONFIG, rules: { 'repo-layout': { severity: 'off' } } };
    const results = new Map<string, RepoCheckResults>();
    const fleet = await loadFixture('homelab', 2, { config, results });
    expect(results.size).toBe(fleet.repos.length);
    const secrets = results.get('operations/scripts')?.['no-secrets'];
    expect(Object.keys(results.get('operations/scripts') ?? {}).sort()).toEqual(['argocd-app-schema', 'ci-config', 'invalid-image-reference', 'no-secrets']);
    if (!secrets) throw new Error('no-secrets results expected');

    const rule = TYPESCRIPT_RULES.find((check) => check.meta.id === 'no-secrets');
    const repo = fleet.repos.find((candidate) => candidate.id === 'operations/scripts');
    if (!rule || !isRepoCheck(rule) || !repo || !('reports' in secrets)) throw new Error('rule, repo and reports expected');
    const replaying = new RepoResults({ evaluatedElsewhere: (id) => results.get(id) });
    // A stand-in with the rule's id: its message shows where the runner evaluated instead of replaying.
    const standIn: RepoCheck = { meta: rule.meta, run: () => [{ message: 'evaluated again' }] };
    const messages = async (options: Record<string, unknown>) => {
      const run = await runChecks({ fleet, checks: [standIn], config: { ...config, rules: { 'no-secrets': { options } } }, repoIds: new Set([repo.id]), stored: replaying });
      return run.findings.filter((finding) => finding.ruleId === 'no-secrets').map((finding) => finding.message);
    };
    expect(secrets.reports.length).toBeGreaterThan(0);
    expect((await messages({})).sort()).toEqual(secrets.reports.map((report) => report.message).sort());
    expect(await messages({ allow: ['x'] })).toEqual(['evaluated again']);
    expect(replaying.stats).toEqual({ evaluated: 2, reused: 0 });
  });

  it('gives byte-identical reports and summaries through the CLI, every severity', () => {
    const run = (threads: string) =>
      spawnSync(process.execPath, [join(root, 'bin', 'fleetlint.js'), 'audit', 'fixtures/homelab', '--threads', threads, '--format', 'sarif'], { cwd: root, encoding: 'utf8', maxBuffer: 1e8 });
    const [one, two] = [run('1'), run('2')];
    expect(two.status).toBe(1);
    expect(two.stdout).toContain('"level": "note"');
    expect(two.stdout).not.toContain('"ruleId": "internal-error"');
    expect(two.stdout).toBe(one.stdout);
    expect(two.stderr).toBe(one.stderr);
  });
});
