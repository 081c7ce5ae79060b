#!/usr/bin/env node
// Measures WASM policy evaluation for a ~90-repo fleet: one call per repo (and entrypoint) against one call
// per fleet (and entrypoint), with the input serialized per call or once (PreparedInput-style ArrayBuffer).
// Also: a no-op entrypoint (the per-call floor) and one aggregate entrypoint that evaluates every policy in a
// single call. Prints timings; asserts nothing. Needs the pinned opa (scripts/install-opa.sh).
//
//   node scripts/bench-wasm.mjs [--repos 90] [--iterations 15]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { loadPolicy } from '@open-policy-agent/opa-wasm';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { repos: { type: 'string', default: '90' }, iterations: { type: 'string', default: '15' } } });
const repoCount = Number(values.repos);
const iterations = Number(values.iterations);

const header = (id) => `# METADATA
# title: bench ${id}
# description: bench policy
# custom:
#   id: ${id}
#   severity: error
#   help: none
#   scope: fleet
package fleetlint.${id.replaceAll('-', '_')}
`;
// Each policy iterates input.repos, so the same module serves per-repo ({repos: [r]}) and per-fleet input.
const policies = {
  'bench-latest-tag': `deny contains {"msg": sprintf("%s floats", [image.raw]), "repo": repo.id, "file": image.origin.file, "path": image.origin.path} if {
	some repo in input.repos
	some image in repo.images
	not image.digest
	object.get(image, "tag", "latest") == "latest"
}`,
  'bench-required-scans': `deny contains {"msg": sprintf("job %s builds without a scan", [job.name]), "repo": repo.id, "file": ".gitlab-ci.yml"} if {
	some repo in input.repos
	some job in repo.ci.jobs
	job.stage == "build"
	scanners := {s | some j in repo.ci.jobs; some s in j.scanners}
	not "trivy" in scanners
}`,
  'bench-resource-limits': `deny contains {"msg": sprintf("%s has no limits", [c.name]), "repo": repo.id, "file": obj.file} if {
	some repo in input.repos
	some obj in repo.k8s
	some c in obj.spec.template.spec.containers
	not c.resources.limits
}`,
  // Nothing to decide: what remains is the per-call cost of copying and parsing the input inside WASM.
  'bench-noop': `deny contains "never" if {
	input.nothing_here
}`,
  'bench-readme': `deny contains {"msg": "no README", "repo": repo.id, "file": "README.md"} if {
	some repo in input.repos
	count([f | some f in repo.files; f.path == "README.md"]) == 0
}`,
};

function makeRepo(i) {
  const id = `group-${i % 10}/repo-${i}`;
  return {
    id,
    kinds: ['helm', 'argocd'],
    files: Array.from({ length: 150 }, (_, f) => ({ path: f === 0 && i % 7 ? 'README.md' : `dir-${f % 12}/file-${f}.yaml`, size: 1000 + f })),
    images: Array.from({ length: 25 }, (_, k) => ({
      raw: `registry.local/team/app-${k}${k % 5 === 0 ? '' : `:1.${k}`}`,
      registry: 'registry.local',
      repository: `team/app-${k}`,
      ...(k % 5 === 0 ? {} : { tag: `1.${k}` }),
      context: 'k8s-container',
      origin: { file: `manifests/app-${k}.yaml`, path: ['spec', 'template', 'spec', 'containers', 0, 'image'] },
      dynamic: false,
    })),
    ci: {
      jobs: Array.from({ length: 15 }, (_, j) => ({
        name: `job-${j}`,
        stage: ['build', 'test', 'deploy'][j % 3],
        script: [`echo step ${j}`, 'make build', 'make test'],
        scanners: j === 4 && i % 3 ? ['trivy'] : [],
      })),
    },
    k8s: Array.from({ length: 15 }, (_, o) => ({
      file: `manifests/obj-${o}.yaml`,
      kind: 'Deployment',
      metadata: { name: `obj-${o}`, labels: { app: `obj-${o}` } },
      spec: { template: { spec: { containers: [{ name: 'main', image: 'x:1', ...(o % 4 ? { resources: { limits: { cpu: '1' } } } : {}) }, { name: 'sidecar', image: 'y:1' }] } } },
    })),
  };
}

function readWasm(bundle) {
  // A tar member: 512-byte header (name at 0, octal size at 124), then the data padded to 512.
  const tar = gunzipSync(readFileSync(bundle));
  for (let offset = 0; offset < tar.length; ) {
    const name = tar.subarray(offset, offset + 100).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(tar.subarray(offset + 124, offset + 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    if (name === '/policy.wasm') return tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (name === '') break;
  }
  throw new Error('no policy.wasm in bundle');
}

function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(label, fn) {
  fn(); // warm-up
  const samples = [];
  let decisions = 0;
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    decisions = fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  console.log(`${label.padEnd(52)} median ${median(samples).toFixed(1).padStart(7)} ms   min ${Math.min(...samples).toFixed(1).padStart(7)} ms   count ${decisions}`);
}

const work = mkdtempSync(join(tmpdir(), 'fleetlint-bench-wasm-'));
try {
  for (const [id, body] of Object.entries(policies)) {
    mkdirSync(join(work, 'src', 'lib'), { recursive: true });
    writeFileSync(join(work, 'src', `${id}.rego`), `${header(id)}\n${body}\n`);
  }
  // One extra entrypoint that evaluates every policy, so that the input is parsed once for all of them.
  const real = Object.keys(policies).filter((id) => id !== 'bench-noop');
  writeFileSync(join(work, 'src', 'lib', 'all.rego'), `package fleetlint.lib.all\n\nall := {${real.map((id) => `"${id}": data.fleetlint.${id.replaceAll('-', '_')}.deny`).join(', ')}}\n`);
  const opa = process.env.OPA ?? join(root, '.tools/bin/opa');
  const entrypointArgs = [...Object.keys(policies).map((id) => `fleetlint/${id.replaceAll('-', '_')}/deny`), 'fleetlint/lib/all/all'].flatMap((e) => ['-e', e]);
  execFileSync(opa, ['build', '-t', 'wasm', '--capabilities', join(root, 'policies/wasm-capabilities.json'), ...entrypointArgs, '-o', join(work, 'bundle.tar.gz'), '.'], { cwd: join(work, 'src'), stdio: 'inherit' });
  const policy = await loadPolicy(readWasm(join(work, 'bundle.tar.gz')));
  const entrypoints = real.map((id) => `fleetlint/${id.replaceAll('-', '_')}/deny`);
  const repos = Array.from({ length: repoCount }, (_, i) => makeRepo(i));
  const fleetJson = JSON.stringify({ repos });
  console.log(`${repoCount} repos, ${entrypoints.length} entrypoints, fleet input ${(fleetJson.length / 1024 / 1024).toFixed(2)} MiB JSON (${(fleetJson.length / repoCount / 1024).toFixed(0)} KiB per repo), ${iterations} iterations\n`);

  const count = (resultSet) => resultSet[0]?.result?.length ?? 0;
  const encode = (value) => new TextEncoder().encode(JSON.stringify(value)).buffer;

  time('JSON.stringify of the fleet input (for scale)', () => JSON.stringify({ repos }).length);
  time('per repo, no-op entrypoint (input copy + parse only)', () => {
    let n = 0;
    for (const repo of repos) n += count(policy.evaluate({ repos: [repo] }, 'fleetlint/bench_noop/deny'));
    return n;
  });
  time('per repo × entrypoint, input serialized per call', () => {
    let n = 0;
    for (const repo of repos) for (const e of entrypoints) n += count(policy.evaluate({ repos: [repo] }, e));
    return n;
  });
  time('per repo × entrypoint, input serialized once per repo', () => {
    let n = 0;
    for (const repo of repos) {
      const input = encode({ repos: [repo] });
      for (const e of entrypoints) n += count(policy.evaluate(input, e));
    }
    return n;
  });
  time('per fleet × entrypoint, input serialized per call', () => {
    let n = 0;
    for (const e of entrypoints) n += count(policy.evaluate({ repos }, e));
    return n;
  });
  time('per fleet × entrypoint, input serialized once', () => {
    let n = 0;
    const input = encode({ repos });
    for (const e of entrypoints) n += count(policy.evaluate(input, e));
    return n;
  });
  const countAll = (resultSet) => Object.values(resultSet[0]?.result ?? {}).reduce((n, d) => n + d.length, 0);
  time('per repo, one aggregate entrypoint for all policies', () => {
    let n = 0;
    for (const repo of repos) n += countAll(policy.evaluate({ repos: [repo] }, 'fleetlint/lib/all/all'));
    return n;
  });
  time('per fleet, one aggregate entrypoint for all policies', () => countAll(policy.evaluate({ repos }, 'fleetlint/lib/all/all')));
  console.log(`\nwasm memory after the runs: ${(policy.mem.buffer.byteLength / 1024 / 1024).toFixed(1)} MiB`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
