/**
 * fixtures/hostile/planted-secrets holds one secret of each kind where fleetlint quotes or copies text: a parse
 * error's token, an image reference, remote include URLs (a job token, a signed URL), CI script lines (docker login,
 * exported AWS keys), a Kubernetes Secret, a private key, a GitLab token. The built CLI writes every output it has
 * over the hostile fleet, and none may hold a planted value: the reports in every format, the per-repo SARIF, the
 * printed model, the snapshot every merge-request job downloads, the shards' fragments, stats and stderr. And a merge
 * of the fragments, built from masked texts, still equals the single run.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package.js';

const root = packageRoot();

const PLANTED = {
  parseErrorToken: 'Tq4Wm8Zr2Xv6Np1Ks5',
  imagePassword: 'Ib3Hq7Yt1Rw5Dz9',
  jobToken: 'Jt6Pk2Nc8Vm4Qx0Lw',
  urlSignature: 'c0ffee5197a9b1d3e5f7a9b1d3e5f708',
  dockerPassword: 'Dk9Lm3Qp7Rz1Ws5',
  awsKeyId: 'AKIAQ2W7E4R9T6Y1U3I8',
  awsSecretKey: 'aW5s8Ec3Rk1Ty7Uv2Xb9Nm4Qp6Zs0Lh3Jd5Gf8',
  secretData: 'U200UnQ4VnEyV3g2WWIx',
  secretDataDecoded: 'Sm4Rt8Vq2Wx6Yb1',
  secretStringData: 'Sd7Fg1Hj5Kl9Zx3',
  gitlabToken: 'glpat-Gp4Hr8Kt2Mv6Qz0Xs3Wd',
  privateKeyLine1: 'MIIEpAIBAAKCAQEAq8Zx4Vw2Nm6Lk0Jh9Gf3Ds7Ap1Qo5Iu',
  privateKeyLine2: 'Pk2Lm7Nb4Vc9Xz1As6Df3Gh8Jk5Qw0Er2Ty7Ui4Op9Zm1Xn',
} as const;

/** Every 8-character piece past the first four characters (a redacted form may show up to four). */
function pieces(value: string): string[] {
  const result: string[] = [];
  for (let start = 1; start + 8 <= value.length; start += 1) result.push(value.slice(start, start + 8));
  return result;
}

function fleetlint(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'fleetlint.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, CI_NODE_INDEX: '', CI_NODE_TOTAL: '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every file under a folder, gunzipped where it is gzip. */
function readAll(dir: string): Map<string, string> {
  const texts = new Map<string, string>();
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    if (!statSync(path).isFile()) continue;
    const bytes = readFileSync(path);
    texts.set(name, (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8'));
  }
  return texts;
}

describe('planted secrets in fixtures/hostile, through every output of the CLI', () => {
  const outputs = new Map<string, string>();
  let out: string;

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'fleetlint-planted-'));
    const formats = ['json', 'sarif', 'junit', 'codequality', 'html', 'markdown'].flatMap((format) => ['--format', `${format}=${join(out, `report.${format}`)}`]);
    const audit = fleetlint(['audit', 'fixtures/hostile', '--format', 'text', ...formats, '--sarif-per-repo', join(out, 'sarif'), '--write-snapshot', join(out, 'snapshot.json.gz'), '--stats', join(out, 'stats.json'), '--write-baseline', join(out, 'baseline.json')]);
    expect(audit.status).toBe(1);
    outputs.set('audit stdout', audit.stdout).set('audit stderr', audit.stderr);
    const model = fleetlint(['audit', 'fixtures/hostile', '--print-model', '--quiet']);
    expect(model.status).toBe(0);
    outputs.set('--print-model', model.stdout);
    for (const shard of ['1/2', '2/2']) {
      const run = fleetlint(['audit', 'fixtures/hostile', '--shard', shard, '--write-fragment', join(out, `fragment-${shard.replace('/', '-of-')}.json.gz`), '--quiet']);
      expect(run.status).toBe(0);
      outputs.set(`shard ${shard} stderr`, run.stderr);
    }
    const merged = fleetlint(['merge', join(out, 'fragment-1-of-2.json.gz'), join(out, 'fragment-2-of-2.json.gz'), '--format', `json=${join(out, 'merged.json')}`]);
    outputs.set('merge stderr', merged.stderr);
    // The pre-commit hook's and the merge request job's command: lint over the same repository in git.
    const repo = mkdtempSync(join(tmpdir(), 'fleetlint-planted-repo-'));
    cpSync(join(root, 'fixtures', 'hostile', 'planted-secrets'), repo, { recursive: true });
    for (const args of [['init', '-q'], ['add', '.'], ['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'planted']]) spawnSync('git', args, { cwd: repo });
    const lint = fleetlint(['lint', repo, '--format', 'text', ...['json', 'sarif', 'junit', 'codequality'].flatMap((format) => ['--format', `${format}=${join(out, `lint.${format}`)}`])]);
    expect(lint.status).toBe(1);
    outputs.set('lint stdout', lint.stdout).set('lint stderr', lint.stderr);
    for (const [name, text] of readAll(out)) outputs.set(name, text);
  }, 120_000);

  it('writes every output, the model, the snapshot and both fragments', () => {
    for (const name of ['report.json', 'report.sarif', 'report.junit', 'report.codequality', 'report.html', 'report.markdown', 'snapshot.json.gz', 'fragment-1-of-2.json.gz', 'fragment-2-of-2.json.gz', 'stats.json', 'merged.json', 'lint.json', 'lint.sarif']) expect([...outputs.keys()]).toContain(name);
    expect([...outputs.keys()].filter((name) => name.startsWith('sarif/')).length).toBeGreaterThan(5);
    const findings = (JSON.parse(outputs.get('report.json') ?? '{}') as { findings: { repo: string; ruleId: string; message: string }[] }).findings.filter((finding) => finding.repo === 'planted-secrets');
    // Each kind is found where it is, so its text went through a check and a report.
    for (const rule of ['no-secrets', 'invalid-image-reference', 'parse-error', 'unresolved-include']) expect(findings.map((finding) => finding.ruleId)).toContain(rule);
    expect(findings.filter((finding) => finding.ruleId === 'no-secrets').length).toBeGreaterThanOrEqual(7);
  });

  it.each(Object.entries(PLANTED))('no output holds %s, nor a piece of it', (_kind, value) => {
    const leaks: string[] = [];
    for (const [name, text] of outputs) {
      if (text.includes(value)) leaks.push(`${name}: the whole value`);
      else for (const piece of pieces(value)) if (text.includes(piece)) leaks.push(`${name}: ${piece}`);
    }
    expect(leaks).toEqual([]);
  });

  it('the merge of the masked fragments equals the single run', () => {
    const findings = (name: string): unknown => (JSON.parse(outputs.get(name) ?? '{}') as { findings: unknown }).findings;
    expect(findings('merged.json')).toEqual(findings('report.json'));
  });
});
