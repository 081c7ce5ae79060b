/**
 * Validators built from the real schemas: SARIF (draft-04), the run result and GitLab Code Quality (draft-07) with
 * ajv, JUnit with xmllint.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { repoRoot, vendoredSchemas } from './fixture.js';

function readSchema(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).slice(0, 10).map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`).join('\n');
}

/** Returns a checker that throws with the schema errors, so a failing test says what is wrong. */
function checker(validate: ValidateFunction): (data: unknown) => void {
  return (data) => {
    if (!validate(data)) throw new Error(`schema validation failed:\n${describeErrors(validate.errors)}`);
  };
}

// CommonJS packages: under NodeNext the default import is `module.exports`, whose `.default` is the export.
const Ajv04 = ajvDraft04.default;
const addFormats = ajvFormats.default;

let sarif: ((data: unknown) => void) | undefined;
export function assertValidSarif(text: string): void {
  if (!sarif) {
    const ajv = new Ajv04({ allErrors: true, strict: false });
    addFormats(ajv);
    sarif = checker(ajv.compile(readSchema(path.join(vendoredSchemas, 'sarif-schema-2.1.0.json'))));
  }
  sarif(JSON.parse(text));
}

/** Compiled on first use, so that one broken schema fails only the tests that use it. */
function draft07(file: string): (data: unknown) => void {
  let check: ((data: unknown) => void) | undefined;
  return (data) => {
    if (!check) {
      const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, strictRequired: false });
      addFormats(ajv);
      check = checker(ajv.compile(readSchema(file)));
    }
    check(data);
  };
}

export const assertValidRunResult = draft07(path.join(repoRoot, 'schemas/run-result.schema.json'));
export const assertValidCodeQuality = draft07(path.join(repoRoot, 'test/schemas/codequality.schema.json'));

/** GitLab's JUnit schema (vendored, test/vendor/schemas/README.md). */
export const JUNIT_XSD = path.join(vendoredSchemas, 'junit-gitlab.xsd');

/** Runs the real xmllint against the JUnit schema; a missing xmllint fails the test, it never skips it. */
export function xmllint(xml: string): { status: number | null; output: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'fleetlint-junit-'));
  try {
    const file = path.join(dir, 'report.xml');
    writeFileSync(file, xml);
    const run = spawnSync('xmllint', ['--noout', '--schema', JUNIT_XSD, file], { encoding: 'utf8' });
    if (run.error) throw new Error(`xmllint could not be run (${run.error.message}); install it with: apt-get install -y libxml2-utils`);
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
