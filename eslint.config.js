// typescript-eslint's strict type-checked rules over the whole TypeScript tree, and the import layers.
import tseslint from 'typescript-eslint';

/**
 * The layers, top to bottom (docs/architecture.md): a folder imports only folders of the rows below its own, never
 * one of its own row or above. `rules` is the top-level rules/ folder, the others are under src/. The files at the
 * top of src/ (package.ts, concurrency.ts, ...) and src/generated/ are shared leaves: anything may import them, and
 * they import no folder.
 */
export const LAYERS = [
  ['cli'],
  ['run'],
  ['report', 'docs', 'rules'],
  ['engine'],
  ['secrets', 'render', 'crawl'],
  ['model'],
  ['sources'],
];
const LEAVES = ['src/*.ts', 'src/generated/**/*.ts'];

/** Matches a relative import specifier that leads into one of `folders`, from any depth under src/ or rules/. */
const into = (folders) => `^(\\.\\.?/)+(src/)?(${folders.join('|')})(/|$)`;
const order = LAYERS.map((row) => row.join(', ')).join(' → ');
const filesOf = (folder) => (folder === 'rules' ? ['rules/**/*.ts'] : [`src/${folder}/**/*.ts`]);

/** The layer rules alone (test/lint/layers.test.ts plants violations against them). */
export const LAYER_RULES = [
  ...LAYERS.flatMap((row, rank) =>
    row.map((folder) => {
      const above = LAYERS.slice(0, rank + 1).flat().filter((other) => other !== folder);
      const patterns = [{ regex: into(above), caseSensitive: true, message: `${folder} may import only the layers below its own: imports go one way, down (${order}).` }];
      // Reports are pure functions of a run's result: the engine's types only, none of its code.
      if (folder === 'report') patterns.push({ regex: into(['engine']), caseSensitive: true, allowTypeImports: true, message: "report imports the engine's types only (import type)." });
      return { files: filesOf(folder), rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] } };
    }),
  ),
  {
    files: LEAVES,
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: into(LAYERS.flat()), caseSensitive: true, message: 'a shared leaf module imports no layer folder.' }] }],
    },
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'src/generated/**', 'node_modules/**', 'fixtures/**', '.tools/**', 'bin/**', 'scripts/**/*.mjs', 'eslint.config.js', 'vitest.config.ts'] },
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  ...LAYER_RULES,
);
