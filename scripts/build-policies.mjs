#!/usr/bin/env node
// Compiles the Rego policies under policies/ into the committed WASM bundle and metadata.
//
//   node scripts/build-policies.mjs            build policies/ into policies/bundle.tar.gz + policies/metadata.json
//   node scripts/build-policies.mjs --check    rebuild into a temp dir; exit 1 when the committed artifacts differ
//   options: --policies <dir> (default policies/), --out <dir> (default = --policies), --opa <path to opa>
//
// The policy file convention (checked here):
//   policies/<id>.rego       package fleetlint.<id with - as _>, a package-scope `# METADATA` block with
//                            title, description, related_resources (first = docs URL, optional) and
//                            custom {id, severity, help, tags, scope, options (JSON Schema, optional),
//                            repoFields (the repo fields, or dotted paths into them, that the policy reads; optional)};
//                            entrypoint `deny`, a set of {msg, repo, file, path?, line?, severity?, subject?}
//   policies/<id>_test.rego  its `opa test` suite (not bundled)
//   policies/lib/*.rego      shared helpers, package fleetlint.lib.* (bundled, no metadata)
//   policies/_*/             not part of the shipped bundle (samples, scratch)
//
// `opa build` writes its tarball with zeroed timestamps and relative paths, so the bundle is byte-identical
// across builds of the same sources with the same opa version; that is what makes `--check` possible.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ID_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const SEVERITIES = ['error', 'warning', 'note'];
const SCOPES = ['repo', 'fleet'];
const BUNDLE = 'bundle.tar.gz';
const METADATA = 'metadata.json';
const CAPABILITIES = 'wasm-capabilities.json';
/**
 * The capabilities policies compile against: the builtins of the opa-wasm SDK's capabilities.json, plus
 *  - builtins that opa's WASM compiler implements natively (opa v1.22 internal/compiler/wasm/wasm.go,
 *    `builtinsFunctions`) but that the SDK's file, written for older opa releases, does not list; a test
 *    evaluates each of them through the host, so a wrong entry here fails there;
 *  - language features that only change parsing: `rego_v1` (opa 1.x refuses to parse v1 Rego without it),
 *    `keywords_in_refs` (lets a policy write `rule.if` for GitLab CI `rules:`) and `template_strings`
 *    ($"..." compiles to internal.template_string, one of the native builtins).
 */
const WASM_NATIVE_BUILTINS = ['array.flatten', 'array.reverse', 'internal.template_string', 'object.keys', 'object.union_n', 'strings.reverse'];
const PARSER_FEATURES = ['keywords_in_refs', 'rego_v1', 'template_strings'];

class BuildError extends Error {}

function main() {
  const { values } = parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      policies: { type: 'string', default: join(repoRoot, 'policies') },
      out: { type: 'string' },
      opa: { type: 'string' },
    },
  });
  const policiesDir = resolve(values.policies);
  const outDir = resolve(values.out ?? policiesDir);
  const opa = resolveOpa(values.opa);

  const work = mkdtempSync(join(tmpdir(), 'fleetlint-policies-'));
  try {
    const built = join(work, 'out');
    mkdirSync(built);
    build(opa, policiesDir, built, join(work, 'src'));
    if (values.check) {
      const stale = [CAPABILITIES, METADATA, BUNDLE].filter((name) => !sameFile(join(built, name), join(outDir, name)));
      if (stale.length > 0) {
        console.error(`build-policies: committed artifacts are out of date: ${stale.join(', ')}`);
        console.error('build-policies: run `npm run policies:build` and commit the result');
        process.exitCode = 1;
        return;
      }
      console.log(`build-policies: ${relative(process.cwd(), outDir) || '.'} is up to date`);
      return;
    }
    mkdirSync(outDir, { recursive: true });
    const written = [];
    for (const name of [CAPABILITIES, METADATA, BUNDLE]) {
      const from = join(built, name);
      // No policies, no bundle: remove a stale one rather than ship policies that no longer exist.
      if (!existsSync(from)) rmSync(join(outDir, name), { force: true });
      else {
        cpSync(from, join(outDir, name));
        written.push(join(relative(process.cwd(), outDir), name));
      }
    }
    console.log(`build-policies: wrote ${written.join(', ')}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Builds the artifacts of `policiesDir` into `outDir`, using `stageDir` as opa's input. */
function build(opa, policiesDir, outDir, stageDir) {
  const capabilitiesPath = join(outDir, CAPABILITIES);
  writeFileSync(capabilitiesPath, derivedCapabilities(opa));

  const files = listPolicyFiles(policiesDir);
  const metadata = { opaVersion: opa.version, policies: [] };
  if (files.length > 0) {
    // opa only sees the staged copies: no generated JSON gets loaded as data, no test or sample gets bundled.
    for (const file of files) cpSync(join(policiesDir, file), join(stageDir, file));
    const inspected = JSON.parse(run(opa.path, ['inspect', '-a', '--format', 'json', '.'], stageDir));
    metadata.policies = policiesFromInspect(inspected);
    if (metadata.policies.length > 0) {
      const entrypoints = metadata.policies.flatMap((p) => ['-e', p.entrypoint]);
      run(opa.path, ['build', '-t', 'wasm', '--capabilities', capabilitiesPath, ...entrypoints, '-o', join(outDir, BUNDLE), '.'], stageDir);
    }
  }
  writeFileSync(join(outDir, METADATA), `${JSON.stringify(metadata, null, 2)}\n`);
}

function derivedCapabilities(opa) {
  const source = join(repoRoot, 'node_modules/@open-policy-agent/opa-wasm/capabilities.json');
  const capabilities = JSON.parse(readFileSync(source, 'utf8'));
  const current = JSON.parse(run(opa.path, ['capabilities', '--current'])).builtins;
  const listed = new Set(capabilities.builtins.map((b) => b.name));
  for (const name of WASM_NATIVE_BUILTINS.filter((n) => !listed.has(n))) {
    const builtin = current.find((b) => b.name === name);
    if (!builtin) throw new BuildError(`opa ${opa.version} has no builtin ${name}; update WASM_NATIVE_BUILTINS`);
    capabilities.builtins.push(builtin);
  }
  capabilities.builtins.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  capabilities.features = [...new Set([...(capabilities.features ?? []), ...PARSER_FEATURES])].sort();
  return `${JSON.stringify(capabilities, null, 2)}\n`;
}

/** Policy sources, sorted, relative to the policies folder: no tests, nothing under `_*` or `.*` folders. */
function listPolicyFiles(dir, prefix = '') {
  const files = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('_') && !entry.name.startsWith('.')) files.push(...listPolicyFiles(dir, rel));
    } else if (entry.name.endsWith('.rego') && !entry.name.endsWith('_test.rego')) {
      files.push(rel);
    }
  }
  return files.sort();
}

/** Turns `opa inspect -a` output into sorted policy metadata, reporting every convention problem at once. */
function policiesFromInspect(inspected) {
  const problems = [];
  const policies = [];
  const annotations = inspected.annotations ?? [];
  for (const [namespace, nsFiles] of Object.entries(inspected.namespaces ?? {})) {
    const pkg = namespace.replace(/^data\./, '');
    if (pkg.startsWith('fleetlint.lib.')) continue;
    const file = nsFiles[0];
    if (!pkg.startsWith('fleetlint.') || pkg.split('.').length !== 2) {
      problems.push(`${nsFiles.join(', ')}: package ${pkg} must be fleetlint.<policy_id> (or fleetlint.lib.* for helpers)`);
      continue;
    }
    if (nsFiles.length !== 1) problems.push(`package ${pkg} is split over ${nsFiles.join(', ')}: one policy, one file`);
    const found = annotations.find((a) => a.annotations?.scope === 'package' && pathOf(a.path) === pkg);
    if (!found) {
      problems.push(`${file}: package ${pkg} has no package-scope # METADATA block`);
      continue;
    }
    const a = found.annotations;
    const custom = a.custom ?? {};
    const where = `${found.location?.file ?? file}:${found.location?.row ?? 1}`;
    const bad = (message) => problems.push(`${where}: ${message}`);
    if (typeof custom.id !== 'string' || !ID_PATTERN.test(custom.id)) bad('custom.id must be a kebab-case id');
    else if (custom.id.replaceAll('-', '_') !== pkg.slice('fleetlint.'.length)) bad(`package must be fleetlint.${custom.id.replaceAll('-', '_')} for id ${custom.id}`);
    else if (basename(file) !== `${custom.id}.rego`) bad(`file must be named ${custom.id}.rego`);
    if (typeof a.title !== 'string' || a.title === '') bad('title is required');
    if (typeof a.description !== 'string' || a.description === '') bad('description is required');
    if (!SEVERITIES.includes(custom.severity)) bad(`custom.severity must be one of ${SEVERITIES.join(', ')}`);
    if (!SCOPES.includes(custom.scope)) bad(`custom.scope must be one of ${SCOPES.join(', ')}`);
    if (typeof custom.help !== 'string' || custom.help === '') bad('custom.help is required');
    if (custom.tags !== undefined && !(Array.isArray(custom.tags) && custom.tags.every((t) => typeof t === 'string'))) bad('custom.tags must be a list of strings');
    if (custom.options !== undefined && (typeof custom.options !== 'object' || custom.options === null || Array.isArray(custom.options))) bad('custom.options must be a JSON Schema object');
    if (custom.repoFields !== undefined && !(Array.isArray(custom.repoFields) && custom.repoFields.every((f) => typeof f === 'string'))) bad('custom.repoFields must be a list of repo field names');
    const docsUrl = a.related_resources?.[0]?.ref;
    policies.push({
      id: custom.id,
      title: a.title,
      description: a.description,
      severity: custom.severity,
      scope: custom.scope,
      help: custom.help,
      tags: [...(custom.tags ?? [])].sort(),
      ...(docsUrl ? { docsUrl } : {}),
      ...(custom.options !== undefined ? { options: custom.options } : {}),
      ...(custom.repoFields !== undefined ? { repoFields: [...custom.repoFields].sort() } : {}),
      package: pkg,
      entrypoint: `${pkg.replaceAll('.', '/')}/deny`,
      file: file.split(sep).join('/').replace(/^\//, ''),
    });
  }
  if (problems.length > 0) throw new BuildError(`policy convention problems:\n  ${problems.sort().join('\n  ')}`);
  return policies.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

function pathOf(refPath) {
  return (refPath ?? []).slice(1).map((part) => part.value).join('.');
}

function resolveOpa(explicit) {
  const pinned = readFileSync(join(repoRoot, 'scripts/opa-version'), 'utf8').trim();
  const local = join(repoRoot, '.tools/bin/opa');
  const path = explicit ?? process.env.OPA ?? (existsSync(local) ? local : 'opa');
  let version;
  try {
    version = /^Version: (.+)$/m.exec(run(path, ['version']))?.[1];
  } catch {
    throw new BuildError(`opa not found (${path}); run scripts/install-opa.sh to install v${pinned} into .tools/bin`);
  }
  // The bundle is committed and checked byte for byte: another compiler version would produce other bytes.
  if (version !== pinned) throw new BuildError(`${path} is opa ${version}, the pin is ${pinned}; run scripts/install-opa.sh`);
  return { path, version };
}

function run(command, args, cwd) {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    if (error.code === 'ENOENT') throw error;
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
    throw new BuildError(`opa ${args[0]} failed:\n${output}`);
  }
}

function sameFile(a, b) {
  if (!existsSync(a) || !existsSync(b)) return existsSync(a) === existsSync(b);
  return readFileSync(a).equals(readFileSync(b));
}

try {
  main();
} catch (error) {
  if (!(error instanceof BuildError)) throw error;
  console.error(`build-policies: ${error.message}`);
  process.exitCode = 1;
}
