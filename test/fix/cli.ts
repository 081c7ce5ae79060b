/** The built CLI as users run it, for the `fix` tests: each call a fresh process, no code cache. */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/package.js';

export function fleetlint(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'fleetlint.js'), ...args], { encoding: 'utf8', env: { ...process.env, FLEETLINT_NO_CODE_CACHE: '1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface JsonFinding {
  ruleId: string;
  repo: string;
  subject?: string;
  fingerprint: string;
  message: string;
}

/** Every finding of an audit of `root`, warnings and notes included (no --quiet, which keeps errors only). */
export function audit(root: string): JsonFinding[] {
  const { stdout } = fleetlint(['audit', root, '--format', 'json', '--fail-on', 'never']);
  return (JSON.parse(stdout) as { findings: JsonFinding[] }).findings;
}

/**
 * The CLI in a child process without blocking this one: for tests whose servers (a registry's auth front) run in
 * the test process and must answer while fleetlint runs.
 */
export function fleetlintAsync(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [join(packageRoot(), 'bin', 'fleetlint.js'), ...args], { env: { ...process.env, FLEETLINT_NO_CODE_CACHE: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => { resolveRun({ status, stdout, stderr }); });
  });
}

/**
 * A no-latest-tag finding on a job the required-scans fix added (`security:gitleaks` extends the template's
 * `.security:gitleaks`): the job runs the template's image, whose tag the rule already reported, before the fix,
 * for a repo whose job extends the same template job. The same defect in one more repo, fixed in the template.
 */
export function inheritedTemplateImage(finding: JsonFinding, before: readonly JsonFinding[]): boolean {
  const job = /^CI job (\S+) image uses the latest tag \((\S+)\)/.exec(finding.message);
  if (finding.ruleId !== 'no-latest-tag' || !job?.[1]?.startsWith('security:')) return false;
  const image = job[2] ?? '';
  return before.some((other) => other.ruleId === 'no-latest-tag' && other.repo !== finding.repo && other.message.includes(`image uses the latest tag (${image})`));
}
