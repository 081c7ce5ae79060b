#!/usr/bin/env node
// Differential test of fleetlint's GitLab CI resolver against an independent implementation of GitLab CI
// semantics, gitlab-ci-local (`--preview` and `--list-json`), on the same pipelines. Not part of `npm test` or CI:
// it needs gitlab-ci-local (a devDependency) and git, and takes pipelines from folders given on the command line.
//
//   npm run build && npm run ci-compare -- <folder>... [--json out.json] [--show 20] [--project <host>/<path>]
//   (CI_COMPARE_GITLAB_CI_LOCAL=<folder>: gitlab-ci-local installed there instead of in the project's node_modules)
//
// Every folder with a .gitlab-ci.yml below the folders given is a case (a git repository is one case, its inner
// folders are not searched). Each case is copied to a temporary git repository (remote gitlab.example.com/group/
// project, or --project's, branch main), and includes that neither tool can read offline (templates, components
// and projects outside the case, remote URLs) are removed from both tools' input, with empty stand-ins for the
// hidden jobs they would define; two shapes gitlab-ci-local cannot take are rewritten (forGitlabCiLocal). Then both tools resolve it; fleetlint for every kind of pipeline at once, gitlab-ci-local
// once per kind, with GitLab's predefined variables of that kind. Printed: per field, how many jobs agree among
// the cases that both tools accept.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, isMap, isSeq } from 'yaml';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

async function loadFleetlint() {
  const dist = path.join(repoRoot, 'dist/src/model');
  if (!fs.existsSync(path.join(dist, 'gitlab-ci/resolve.js'))) throw new Error('dist/ is not built: run `npm run build` first');
  const { parseYamlFile } = await import(path.join(dist, 'yaml/parse.js'));
  const { resolvePipeline } = await import(path.join(dist, 'gitlab-ci/resolve.js'));
  const { PER_MERGE_REQUEST, PIPELINE_KINDS } = await import(path.join(dist, 'gitlab-ci/pipeline-kinds.js'));
  const { default: ciConfig } = await import(path.join(repoRoot, 'dist/rules/ci-config.js'));
  return { parseYamlFile, resolvePipeline, PER_MERGE_REQUEST, PIPELINE_KINDS, ciConfig };
}

const PROJECT = { host: 'gitlab.example.com', path: 'group/project', branch: 'main', feature: 'feature/change', tag: 'v1.2.3' };

/** gitlab-ci-local's variables for each kind of pipeline (pipeline-kinds.ts describes fleetlint's). */
function kindArgs(kind) {
  const mr = [
    'CI_PIPELINE_SOURCE=merge_request_event', 'CI_MERGE_REQUEST_IID=1', 'CI_MERGE_REQUEST_ID=1',
    `CI_MERGE_REQUEST_SOURCE_BRANCH_NAME=${PROJECT.feature}`, `CI_MERGE_REQUEST_TARGET_BRANCH_NAME=${PROJECT.branch}`,
    'CI_MERGE_REQUEST_EVENT_TYPE=detached', `CI_MERGE_REQUEST_PROJECT_PATH=${PROJECT.path}`,
    `CI_MERGE_REQUEST_SOURCE_PROJECT_PATH=${PROJECT.path}`, `CI_OPEN_MERGE_REQUESTS=${PROJECT.path}!1`,
  ];
  switch (kind) {
    case 'mergeRequest':
      return { branch: PROJECT.feature, variables: mr, unset: ['CI_COMMIT_BRANCH'] };
    case 'branch':
      return { branch: PROJECT.feature, variables: ['CI_PIPELINE_SOURCE=push', `CI_OPEN_MERGE_REQUESTS=${PROJECT.path}!1`], unset: [] };
    case 'defaultBranch':
      return { branch: PROJECT.branch, variables: ['CI_PIPELINE_SOURCE=push'], unset: [] };
    case 'tag':
      return { branch: PROJECT.branch, variables: ['CI_PIPELINE_SOURCE=push', `CI_COMMIT_TAG=${PROJECT.tag}`, `CI_COMMIT_REF_NAME=${PROJECT.tag}`], unset: ['CI_COMMIT_BRANCH'] };
    case 'schedule':
      return { branch: PROJECT.branch, variables: ['CI_PIPELINE_SOURCE=schedule'], unset: [] };
    default:
      throw new Error(`unknown kind ${kind}`);
  }
}

// --- cases ---------------------------------------------------------------------------------------------------------

function findCases(root, out = []) {
  if (!fs.existsSync(root)) return out;
  if (fs.existsSync(path.join(root, '.gitlab-ci.yml'))) {
    out.push(root);
    if (fs.existsSync(path.join(root, '.git'))) return out;
  }
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === '.git' || entry.name === 'node_modules') continue;
    findCases(path.join(root, entry.name), out);
  }
  return out;
}

function listFiles(dir, base = dir, out = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    // gitlab-ci-local writes its expanded configuration to .gitlab-ci-local/: not the case's files.
    if (entry.name === '.git' || entry.name === '.gitlab-ci-local') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) listFiles(full, base, out);
    else if (entry.isFile()) out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out;
}

function run(command, args, options) {
  return spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 120_000, ...options });
}

function git(cwd, ...args) {
  const result = run('git', ['-c', 'user.email=ci-compare@example.com', '-c', 'user.name=ci-compare', ...args], { cwd });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

// --- fleetlint -----------------------------------------------------------------------------------------------------

function resolveWithFleetlint(fleetlint, dir) {
  const files = listFiles(dir);
  const parsed = new Map();
  const lookup = (_repo, file) => {
    if (parsed.has(file)) return parsed.get(file);
    const full = path.join(dir, file);
    if (!fs.existsSync(full) || !fs.statSync(full).isFile()) return 'missing';
    const result = fleetlint.parseYamlFile('case', file, fs.readFileSync(full, 'utf8')).parsed;
    parsed.set(file, result);
    return result;
  };
  return fleetlint.resolvePipeline({
    repoId: 'case',
    lookup,
    resolveProject: () => undefined,
    listFiles: () => files,
    projectPath: PROJECT.path,
    serverHost: PROJECT.host,
    defaultBranch: PROJECT.branch,
  });
}

/**
 * Removes the includes fleetlint found unreadable offline from the case's files (both tools then read the same
 * configuration), and adds stand-ins for the hidden jobs and references they would have defined.
 */
function withoutOfflineIncludes(dir, result) {
  const pipeline = result.pipeline;
  if (!pipeline) return false;
  const offline = pipeline.includes.filter((include) => include.problem === 'not resolvable offline' && include.viaRepo === undefined);
  if (offline.length === 0) return false;
  const byFile = new Map();
  for (const include of offline) {
    const lines = byFile.get(include.origin.file) ?? new Set();
    lines.add(include.origin.range.startLine);
    byFile.set(include.origin.file, lines);
  }
  for (const [file, lines] of byFile) {
    const full = path.join(dir, file);
    const text = fs.readFileSync(full, 'utf8');
    const lineOf = (offset) => text.slice(0, offset).split('\n').length;
    const documents = parseAllDocuments(text);
    for (const document of documents) {
      const include = isMap(document.contents) ? document.contents.get('include', true) : undefined;
      if (isSeq(include)) {
        include.items = include.items.filter((item) => !lines.has(lineOf(item.range?.[0] ?? 0)));
        if (include.items.length === 0) document.contents.delete('include');
      } else if (include && lines.has(lineOf(include.range?.[0] ?? 0))) document.contents.delete('include');
    }
    fs.writeFileSync(full, documents.map((document) => document.toString({ lineWidth: 0 })).join(''));
  }
  // Jobs of GitLab's templates and components that were removed: the pipeline's own overrides of them go too, and
  // so do jobs without a script, which only override a job of a removed include (omnibus-gitlab's danger-review).
  const overrides = pipeline.jobs.filter((job) => !job.trigger && !job.script.some((line) => line.section === 'script'));
  const provided = new Set([...pipeline.jobs.filter((job) => job.providedBy), ...overrides].map((job) => job.parallel?.job ?? job.name));
  if (provided.size > 0) {
    for (const file of listFiles(dir).filter((name) => /\.ya?ml$/.test(name))) {
      const full = path.join(dir, file);
      const documents = parseAllDocuments(fs.readFileSync(full, 'utf8'));
      let changed = false;
      for (const document of documents) {
        if (!isMap(document.contents)) continue;
        for (const name of provided) if (document.contents.delete(name)) changed = true;
      }
      if (changed) fs.writeFileSync(full, documents.map((document) => document.toString({ lineWidth: 0 })).join(''));
    }
  }
  // Stand-ins: `.name` hidden jobs for missing extends parents, with the keys !reference reads.
  const stubs = new Map();
  for (const job of pipeline.jobs) {
    for (const missing of job.unresolved ?? []) {
      const reference = /^!reference \[(.*)\]$/.exec(missing);
      const parts = reference ? reference[1].split(', ') : [missing];
      const [name, ...keys] = parts;
      const stub = stubs.get(name) ?? {};
      let node = stub;
      keys.forEach((key, index) => {
        node[key] ??= index === keys.length - 1 ? [] : {};
        node = node[key];
      });
      stubs.set(name, stub);
    }
  }
  if (stubs.size > 0) {
    const stubFile = '.ci-compare-stubs.yml';
    fs.writeFileSync(path.join(dir, stubFile), JSON.stringify(Object.fromEntries(stubs), null, 2));
    const rootFile = path.join(dir, '.gitlab-ci.yml');
    const documents = parseAllDocuments(fs.readFileSync(rootFile, 'utf8'));
    const config = documents[documents.length - 1];
    if (isMap(config.contents)) {
      const include = config.contents.get('include', true);
      const entry = config.createNode({ local: stubFile });
      if (isSeq(include)) include.items.unshift(entry);
      else if (include) config.contents.set('include', config.createNode([entry, include]));
      else config.contents.set('include', config.createNode([{ local: stubFile }]));
      fs.writeFileSync(rootFile, documents.map((document) => document.toString({ lineWidth: 0 })).join(''));
    }
  }
  return true;
}

/**
 * Two shapes GitLab accepts and gitlab-ci-local 4.75 rejects, rewritten in both tools' input so that the real
 * pipelines of gitlab-runner and omnibus-gitlab can be compared at all (neither rewrite touches a compared field):
 * - a `needs` entry naming a matrix instance by its name (`"helper images: [alpine ...]"`, gitlab-runner): gitlab-ci-local
 *   does not find the instance; the entry is dropped (needs are not compared).
 * - `=~ $VAR` / `!~ $VAR` in an `if:` with a variable no global `variables:` defines (`$CI_JOB_NAME =~
 *   $SKIP_JOB_REGEX`, omnibus-gitlab, set only for its child pipelines): gitlab-ci-local turns the unset variable
 *   into `=~ null`, which its evaluator cannot run. GitLab finds no match with an unset pattern; a literal pattern
 *   that matches nothing says the same.
 */
function forGitlabCiLocal(dir) {
  const defined = globalVariableNames(dir);
  let changed = false;
  for (const file of listFiles(dir).filter((name) => /\.ya?ml$/.test(name))) {
    const full = path.join(dir, file);
    const text = fs.readFileSync(full, 'utf8');
    const patterns = text.replace(/^(.*\bif:\s.*)$/gm, (line) => line.replace(/([=!]~)\s*\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (match, op, name) => (defined.has(name) ? match : `${op} /^ci-compare-unset$/`)));
    const documents = parseAllDocuments(patterns);
    let needsChanged = false;
    for (const document of documents) {
      if (!isMap(document.contents)) continue;
      for (const pair of document.contents.items) {
        const needs = isMap(pair.value) ? pair.value.get('needs', true) : undefined;
        if (!isSeq(needs)) continue;
        const kept = needs.items.filter((item) => !(typeof item?.value === 'string' && /^.+: \[.+\]$/s.test(item.value)));
        if (kept.length !== needs.items.length) {
          needs.items = kept;
          needsChanged = true;
        }
      }
    }
    const out = needsChanged ? documents.map((document) => document.toString({ lineWidth: 0 })).join('') : patterns;
    if (out !== text) {
      fs.writeFileSync(full, out);
      changed = true;
    }
  }
  return changed;
}

// --- gitlab-ci-local -----------------------------------------------------------------------------------------------

function gitlabCiLocal(dir, home, args) {
  // CI_COMPARE_GITLAB_CI_LOCAL: a folder where gitlab-ci-local is installed apart (its node_modules' parent), so that
  // installing it does not touch the project's node_modules.
  const from = process.env.CI_COMPARE_GITLAB_CI_LOCAL;
  const entry = require.resolve('gitlab-ci-local/dist/index.js', from ? { paths: [path.resolve(from)] } : undefined);
  const preload = path.join(repoRoot, 'scripts/ci-compare/set-methods.mjs');
  // GITLAB_CI: gitlab-ci-local says "false" (it runs locally); GitLab, whose semantics are compared, says "true".
  const result = run(process.execPath, ['--import', preload, entry, '--no-json-schema-validation', '--variable', 'GITLAB_CI=true', ...args], {
    cwd: dir,
    env: { ...process.env, HOME: home, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  if (result.status !== 0) return { error: (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' ') };
  return { stdout: result.stdout };
}

function listJson(dir, home, kind, extra = []) {
  const { branch, unset } = kindArgs(kind);
  const variables = [...kindArgs(kind).variables, ...extra];
  git(dir, 'checkout', '-q', branch);
  const result = gitlabCiLocal(dir, home, ['--list-json', ...variables.flatMap((v) => ['--variable', v]), ...unset.flatMap((v) => ['--unset-variable', v])]);
  if (result.error) return result;
  // Warnings may come first on stdout; the JSON starts on a line of its own.
  const start = /^\[\]?$/m.exec(result.stdout)?.index ?? -1;
  try {
    return { jobs: JSON.parse(result.stdout.slice(start)) };
  } catch (error) {
    return { error: `list-json output: ${error.message}` };
  }
}

function preview(dir, home) {
  git(dir, 'checkout', '-q', PROJECT.branch);
  const result = gitlabCiLocal(dir, home, ['--preview']);
  if (result.error) return result;
  const documents = parseAllDocuments(result.stdout.slice(result.stdout.indexOf('---')));
  // The preview repeats anchors as aliases, more than the yaml library's guard against alias bombs allows.
  return { data: documents[0]?.toJS({ maxAliasCount: -1 }) ?? {} };
}

// --- comparison ----------------------------------------------------------------------------------------------------

/**
 * gitlab-ci-local names instances `job: [a,b]` and `job: [1/3]`; GitLab (and fleetlint) `job: [a, b]` and
 * `job 1/3`. Both sides are compared in one form (`job: [a,b]`, `job 1/3`), since a value may hold a comma.
 */
function normalizeName(name) {
  const node = /^(.*): \[(\d+)\/(\d+)\]$/.exec(name);
  if (node) return `${node[1]} ${node[2]}/${node[3]}`;
  return name.replace(/: \[(.*)\]$/s, (_match, values) => `: [${values.replace(/,\s*/g, ',')}]`);
}

function imageOf(value) {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : typeof value.name === 'string' ? value.name : undefined;
}

function flat(value) {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return [String(value)];
  return value.flatMap(flat);
}

/**
 * gitlab-ci-local's extra variables for a kind of pipeline whose creation fleetlint finds unknown only because the
 * ref may be protected (omnibus-gitlab creates tag pipelines for protected tags only). fleetlint's job answers
 * there are for the pipeline GitLab creates; gitlab-ci-local, which says CI_COMMIT_REF_PROTECTED=false and does not
 * model a workflow that creates no pipeline, would list the jobs of a pipeline GitLab never creates. So it is run
 * for the protected ref, where the pipeline exists. Empty: no such kind.
 */
function whenCreated(pipeline, kind) {
  const conditions = pipeline?.runsIn[kind] === 'unknown' ? (pipeline.unknownIn?.[kind]?.conditions ?? []) : [];
  return conditions.length === 1 && conditions[0] === '$CI_COMMIT_REF_PROTECTED' ? ['CI_COMMIT_REF_PROTECTED=true'] : [];
}

/** Whether a reason of fleetlint's "unknown" stands for what truly cannot be known offline. */
function legitimateReason(fleetlint, reason, kind, yamlVisible, globalVariables) {
  if (reason === 'changes' || reason === 'exists' || reason === 'project' || reason === 'kubernetes' || reason.startsWith('inputs.')) return true;
  if (!reason.startsWith('$')) return false;
  const name = reason.slice(1);
  if (fleetlint.PER_MERGE_REQUEST.has(name) || name === 'CI_COMMIT_TAG' || name === 'CI_COMMIT_REF_PROTECTED') return true;
  // A variable the global `variables:` define, read where GitLab sees them (job and workflow rules), is one
  // fleetlint could have read: its own shortcoming. In include:rules GitLab does not see them (only predefined
  // variables and the project's, group's, instance's, trigger's, schedule's): there its value is a setting.
  if (yamlVisible && globalVariables.has(name)) return false;
  // Others a schedule may set (omnibus-gitlab's PIPELINE_TYPE, NIGHTLY: a job's own variables are read, not
  // unknown), and GitLab's own CI_ ones; and in include:rules, any a project setting may set.
  return kind === 'schedule' || name.startsWith('CI_') || name.startsWith('GITLAB_') || !yamlVisible;
}

/** Whether an "unknown" of fleetlint (its reasons in this kind of pipeline) truly cannot be known offline. */
function legitimatelyUnknown(fleetlint, reasons, kind, globalVariables) {
  if (!reasons || reasons.conditions.length + (reasons.include?.length ?? 0) === 0) return false;
  return (
    reasons.conditions.every((reason) => legitimateReason(fleetlint, reason, kind, true, globalVariables)) &&
    (reasons.include ?? []).every((reason) => legitimateReason(fleetlint, reason, kind, false, globalVariables))
  );
}

/** The names the files' top-level `variables:` define. */
function globalVariableNames(dir) {
  const names = new Set();
  for (const file of listFiles(dir).filter((name) => /\.ya?ml$/.test(name))) {
    for (const document of parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
      const variables = isMap(document.contents) ? document.contents.get('variables', true) : undefined;
      if (isMap(variables)) for (const pair of variables.items) names.add(String(pair.key?.value ?? pair.key));
    }
  }
  return names;
}

function newTally() {
  return { agree: 0, total: 0 };
}

function count(tally, agrees) {
  tally.total++;
  if (agrees) tally.agree++;
}

async function main() {
  const args = process.argv.slice(2);
  const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
  const show = args.includes('--show') ? Number(args[args.indexOf('--show') + 1]) : 15;
  // --project <host>/<path>: where the pipelines run (omnibus-gitlab includes most of its jobs only on gitlab.com).
  const project = args.includes('--project') ? args[args.indexOf('--project') + 1] : undefined;
  if (project !== undefined) {
    const slash = project.indexOf('/');
    PROJECT.host = project.slice(0, slash);
    PROJECT.path = project.slice(slash + 1);
  }
  const roots = args.filter((arg, index) => !arg.startsWith('--') && !['--json', '--show', '--project'].includes(args[index - 1]));
  if (roots.length === 0) {
    console.error('usage: npm run ci-compare -- <folder>... [--json out.json] [--show n] [--project <host>/<path>]');
    process.exit(2);
  }
  const fleetlint = await loadFleetlint();
  const cases = roots.flatMap((root) => findCases(path.resolve(root)));
  const tallies = { jobSet: newTally(), stage: newTally(), image: newTally(), script: newTally(), beforeScript: newTally(), whenRuns: newTally(), whenRunsByJob: newTally(), unknown: 0, notPreviewed: 0, protectedRef: 0 };
  const outcome = { both: 0, onlyFleetlint: 0, onlyGitlabCiLocal: 0, neither: 0, prepared: 0, shimmed: 0 };
  const disagreements = [];
  // For --json: how often each reason (by kind) stands behind one of fleetlint's "unknown" answers.
  const unknownReasons = {};
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-compare-'));
  const home = path.join(work, 'home');
  fs.mkdirSync(home);
  for (const [index, source] of cases.entries()) {
    const label = path.relative(process.cwd(), source) || source;
    const dir = path.join(work, `case-${index}`);
    fs.cpSync(source, dir, { recursive: true, filter: (from) => path.basename(from) !== '.git' && !path.basename(from).startsWith('.gitlab-ci-local') });
    if (forGitlabCiLocal(dir)) outcome.shimmed++;
    let result = resolveWithFleetlint(fleetlint, dir);
    if (withoutOfflineIncludes(dir, result)) {
      outcome.prepared++;
      result = resolveWithFleetlint(fleetlint, dir);
    }
    git(dir, 'init', '-q', '-b', PROJECT.branch);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'case');
    git(dir, 'branch', PROJECT.feature);
    git(dir, 'remote', 'add', 'origin', `https://${PROJECT.host}/${PROJECT.path}.git`);
    // gitlab-ci-local evaluates `changes` with `git diff origin/<default branch>`: the clone's remote branch.
    git(dir, 'update-ref', `refs/remotes/origin/${PROJECT.branch}`, 'HEAD');
    // What GitLab would reject: the resolver's errors and the ci-config rule's (stages, needs, dependencies).
    const ruleErrors = result.pipeline ? fleetlint.ciConfig.run({ repo: { id: 'case', ci: result.pipeline }, settings: {}, options: {} }).map((report) => report.message) : [];
    const fleetlintErrors = [...result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), ...ruleErrors];
    const fleetlintAccepts = result.pipeline !== undefined && fleetlintErrors.length === 0;
    const previewed = preview(dir, home);
    const lists = Object.fromEntries(fleetlint.PIPELINE_KINDS.map((kind) => [kind, previewed.error ? { error: previewed.error } : listJson(dir, home, kind, whenCreated(result.pipeline, kind))]));
    const gclAccepts = !previewed.error && Object.values(lists).every((list) => !list.error);
    if (fleetlintAccepts && gclAccepts) outcome.both++;
    else if (fleetlintAccepts) outcome.onlyFleetlint++;
    else if (gclAccepts) outcome.onlyGitlabCiLocal++;
    else outcome.neither++;
    if (!fleetlintAccepts || !gclAccepts) {
      const why = !fleetlintAccepts ? `fleetlint: ${fleetlintErrors.join('; ') || 'no pipeline'}` : '';
      const gclWhy = previewed.error ?? Object.values(lists).find((list) => list.error)?.error ?? '';
      if (process.env.CI_COMPARE_VERBOSE) console.error(`skip ${label}: ${[why, gclWhy && `gitlab-ci-local: ${gclWhy}`].filter(Boolean).join(' | ')}`);
      fs.rmSync(dir, { recursive: true, force: true });
      continue;
    }
    const pipeline = result.pipeline;
    const ours = new Map(pipeline.jobs.map((job) => [normalizeName(job.name), job]));
    // Every job of any kind of pipeline (an include may apply to tag pipelines only), as fleetlint lists them.
    const theirs = new Map();
    for (const kind of fleetlint.PIPELINE_KINDS) for (const job of lists[kind].jobs) if (!theirs.has(normalizeName(job.name))) theirs.set(normalizeName(job.name), job);
    const globalVariables = globalVariableNames(dir);
    const note = (field, job, detail) => disagreements.push({ case: label, field, job, detail });
    const compareWritten = (job, written, name) => {
      const image = imageOf(written.image);
      count(tallies.image, (job.image ?? undefined) === image);
      if ((job.image ?? undefined) !== image) note('image', name, `${job.image} vs ${image}`);
      for (const [section, tally] of [['script', tallies.script], ['before_script', tallies.beforeScript]]) {
        const mine = job.script.filter((line) => line.section === section).map((line) => line.text);
        const yours = flat(written[section]);
        const same = JSON.stringify(mine) === JSON.stringify(yours);
        count(tally, same);
        if (!same) note(section, name, `${JSON.stringify(mine).slice(0, 120)} vs ${JSON.stringify(yours).slice(0, 120)}`);
      }
    };
    for (const name of new Set([...ours.keys(), ...theirs.keys()])) {
      const both = ours.has(name) && theirs.has(name);
      count(tallies.jobSet, both);
      if (!both) {
        note('job set', name, ours.has(name) ? 'only fleetlint' : 'only gitlab-ci-local');
        continue;
      }
      const job = ours.get(name);
      const other = theirs.get(name);
      count(tallies.stage, job.stage === other.stage);
      if (job.stage !== other.stage) note('stage', name, `${job.stage} vs ${other.stage}`);
      // --preview shows the default branch's configuration: a job only an include of other pipelines adds (a tag's,
      // a merge request's) is not in it, and its written fields cannot be compared.
      const written = previewed.data[job.parallel?.job ?? job.name];
      if (written === undefined) tallies.notPreviewed++;
      else compareWritten(job, written, name);
      if (job.ruleWhen === undefined) continue;
      let allKinds = true;
      for (const kind of fleetlint.PIPELINE_KINDS) {
        // gitlab-ci-local does not model workflow:rules that create no pipeline: nothing to compare there.
        if (pipeline.runsIn[kind] === false) continue;
        if (whenCreated(pipeline, kind).length > 0) tallies.protectedRef++;
        const listed = lists[kind].jobs.find((each) => normalizeName(each.name) === name);
        const runs = listed !== undefined && listed.when !== 'never';
        const mine = job.runsIn[kind];
        const reasons = job.unknownIn?.[kind];
        const reasonList = [...(reasons?.conditions ?? []), ...(reasons?.include ?? []).map((each) => `include ${each}`)];
        let agrees = mine === runs;
        if (mine === 'unknown') {
          tallies.unknown++;
          agrees = legitimatelyUnknown(fleetlint, reasons, kind, globalVariables);
          for (const reason of reasonList) {
            const key = `${kind} ${reason}`;
            unknownReasons[key] = (unknownReasons[key] ?? 0) + 1;
          }
        }
        count(tallies.whenRuns, agrees);
        if (!agrees) {
          allKinds = false;
          const why = reasonList.length > 0 ? ` (${reasonList.join(', ')})` : '';
          note('when', name, `${kind}: fleetlint ${String(mine)}${why} vs gitlab-ci-local ${runs ? (listed?.when ?? '') : 'not run'}`);
        }
      }
      count(tallies.whenRunsByJob, allKinds);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  fs.rmSync(work, { recursive: true, force: true });

  const percent = (tally) => (tally.total === 0 ? 'n/a' : `${((100 * tally.agree) / tally.total).toFixed(1)}%`);
  const row = (label, tally) => `| ${label} | ${tally.agree} / ${tally.total} | ${percent(tally)} |`;
  console.log(`cases: ${cases.length}; accepted by both: ${outcome.both}; only fleetlint: ${outcome.onlyFleetlint}; only gitlab-ci-local: ${outcome.onlyGitlabCiLocal}; neither: ${outcome.neither}; with offline includes removed: ${outcome.prepared}; rewritten for gitlab-ci-local's limits: ${outcome.shimmed}`);
  console.log('');
  console.log('| field | agree | share |');
  console.log('| --- | --- | --- |');
  console.log(row('job set', tallies.jobSet));
  console.log(row('stage', tallies.stage));
  console.log(row('image', tallies.image));
  console.log(row('script', tallies.script));
  console.log(row('before_script', tallies.beforeScript));
  console.log(row('when a job runs (job × kind, jobs with rules)', tallies.whenRuns));
  console.log(row('when a job runs (every kind, jobs with rules)', tallies.whenRunsByJob));
  console.log(`job × kind in pipelines created for protected refs only (compared with gitlab-ci-local run for a protected ref): ${tallies.protectedRef}`);
  console.log(`fleetlint "unknown" (job × kind): ${tallies.unknown}; jobs not in the default branch's preview (image, script not compared): ${tallies.notPreviewed}`);
  if (disagreements.length > 0) {
    console.log('');
    console.log(`first ${Math.min(show, disagreements.length)} of ${disagreements.length} disagreements:`);
    for (const d of disagreements.slice(0, show)) console.log(`  ${d.case} · ${d.field} · ${d.job}: ${d.detail}`);
  }
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ outcome, tallies, unknownReasons, disagreements }, null, 2));
}

await main();
