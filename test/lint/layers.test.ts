/**
 * The import layers (eslint.config.js LAYER_RULES, docs/architecture.md): imports planted in files of each layer,
 * linted by the real ESLint with the project's layer rules. A lower layer importing a higher one must fail.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package.js';

const root = packageRoot();

async function linter(): Promise<ESLint> {
  const { LAYER_RULES } = (await import(pathToFileURL(join(root, 'eslint.config.js')).href)) as { LAYER_RULES: Linter.Config[] };
  return new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser }, plugins: { '@typescript-eslint': tseslint.plugin } }, ...LAYER_RULES],
  });
}

/** The messages of the layer rule for `code` placed at `file` (the file need not exist). */
async function problems(eslint: ESLint, file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath: join(root, file) });
  return (result?.messages ?? []).map((message) => `${message.ruleId ?? 'parse'}: ${message.message}`);
}

describe('import layers', () => {
  const forbidden: [string, string][] = [
    ['src/model/planted.ts', "import { loadFleet } from '../run/load-fleet.js';"],
    ['src/model/yaml/planted.ts', "import type { Check } from '../../engine/check.js';"],
    ['src/model/planted.ts', "import { TYPESCRIPT_RULES } from '../../rules/index.js';"],
    ['src/sources/planted.ts', "import type { Repo } from '../model/types.js';"],
    ['src/engine/planted.ts', "import { TYPESCRIPT_RULES } from '../../rules/index.js';"],
    ['src/engine/wasm/planted.ts', "import { RepoResults } from '../../run/repo-results.js';"],
    ['src/report/planted.ts', "import { runChecks } from '../engine/runner.js';"],
    ['src/report/planted.ts', "import { TYPESCRIPT_RULES } from '../../rules/index.js';"],
    ['rules/planted.ts', "import { loadChecks } from '../src/run/checks.js';"],
    ['src/render/planted.ts', "import { runChecks } from '../engine/runner.js';"],
    ['src/render/planted.ts', "import { redact } from '../secrets/redact.js';"],
    ['src/secrets/planted.ts', "import { runChecks } from '../engine/runner.js';"],
    ['src/crawl/planted.ts', "import { UsageError } from '../cli/usage-error.js';"],
    ['src/run/planted.ts', "export { main } from '../cli/main.js';"],
    ['src/planted.ts', "import type { Repo } from './model/types.js';"],
  ];
  const allowed: [string, string][] = [
    ['src/run/planted.ts', "import { runChecks } from '../engine/runner.js';\nimport { TYPESCRIPT_RULES } from '../../rules/index.js';"],
    ['src/report/planted.ts', "import type { RunResult } from '../engine/runner.js';\nimport { compareFindings } from '../model/finding-order.js';"],
    ['rules/planted.ts', "import { defineRule } from '../src/engine/check.js';\nimport { redact } from '../src/secrets/redact.js';"],
    ['src/render/planted.ts', "import type { Repo } from '../model/types.js';\nimport type { FileSource } from '../sources/file-source.js';"],
    ['src/engine/wasm/planted.ts', "import { runChecks } from '../runner.js';\nimport { mapLimit } from '../../concurrency.js';"],
    ['src/model/gitlab-ci/planted.ts', "import { ruleOutcome } from './rules.js';"],
  ];

  it('rejects an import of the same layer or a higher one', async () => {
    const eslint = await linter();
    for (const [file, code] of forbidden) {
      const found = await problems(eslint, file, code);
      expect(found, `${file}: ${code}`).toHaveLength(1);
      expect(found[0]).toMatch(/^@typescript-eslint\/no-restricted-imports: /);
    }
  });

  it('accepts imports downwards, type imports of the engine in reports, and shared leaves', async () => {
    const eslint = await linter();
    for (const [file, code] of allowed) expect(await problems(eslint, file, code), `${file}: ${code}`).toEqual([]);
  });
});
