import { parseArgs } from 'node:util';
import { runChecks } from '../../engine/runner.js';
import { policyInput } from '../../model/policy-input.js';
import { openLocalFleet } from '../open-fleet.js';
import { configure } from '../configure.js';
import { finish, type FailOn } from '../finish.js';
import { parseFormats } from '../formats.js';
import { modelSummary } from '../summary.js';
import { UsageError, EXIT } from '../usage-error.js';
import { shouldColor, stderr } from '../output.js';

export const AUDIT_USAGE = `fleetlint audit <fleet-root> [options]

Checks every repository of a fleet: the nightly fleet-wide audit.

  --config <file>            fleetlint.config.yaml (default: <fleet-root>/fleetlint.config.yaml)
  --format <name>[=<path>]   text (default), json, sarif, junit, codequality; repeatable
  --sarif-per-repo <dir>     also write one SARIF file per repository, ready for upload
  --fail-on <level>          error (default), warning, note or never
  --baseline <file>          report only findings whose fingerprints are not in it
  --write-baseline <file>    write the fingerprints of this run's findings
  --print-model              print the policy input JSON and stop
  --quiet                    no model summary on stderr`;

const OPTIONS = {
  config: { type: 'string' },
  format: { type: 'string', multiple: true },
  'sarif-per-repo': { type: 'string' },
  'fail-on': { type: 'string', default: 'error' },
  baseline: { type: 'string' },
  'write-baseline': { type: 'string' },
  'print-model': { type: 'boolean', default: false },
  quiet: { type: 'boolean', default: false },
} as const;

export async function audit(argv: string[]): Promise<number> {
  const startedAt = performance.now();
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  if (positionals.length !== 1 || positionals[0] === undefined) throw new UsageError('audit needs exactly one fleet root folder');
  const failOn = parseFailOn(values['fail-on']);
  const formats = parseFormats(values.format ?? []);
  const root = positionals[0];

  const timings: Record<string, number> = {};
  const { config, checks } = await configure(values.config, root);
  const fleet = await openLocalFleet(root, config.providers, timings);
  if (values['print-model']) {
    process.stdout.write(`${JSON.stringify(policyInput(fleet), null, 2)}\n`);
    return EXIT.ok;
  }
  if (!values.quiet) stderr(modelSummary(fleet));

  let started = performance.now();
  const result = await runChecks({ fleet, checks, config });
  timings.checks = performance.now() - started;
  started = performance.now();
  return finish(result, fleet.repos.map((repo) => repo.id), {
    command: 'audit',
    formats,
    failOn,
    ...(values.baseline !== undefined ? { baseline: values.baseline } : {}),
    ...(values['write-baseline'] !== undefined ? { writeBaseline: values['write-baseline'] } : {}),
    ...(values['sarif-per-repo'] !== undefined ? { sarifPerRepo: values['sarif-per-repo'] } : {}),
    color: shouldColor(),
    startedAt,
    phaseTimings: timings,
  });
}

export function parseFailOn(value: string): FailOn {
  if (value === 'error' || value === 'warning' || value === 'note' || value === 'never') return value;
  throw new UsageError(`--fail-on ${value}: expected error, warning, note or never`);
}
