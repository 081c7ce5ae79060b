/**
 * What the package declares about itself agrees everywhere users read it. The install tests (test/install/) check
 * that the declarations hold; these check that they are made once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packageRoot } from '../../src/package.js';

const ROOT = packageRoot();
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const manifest = JSON.parse(read('package.json')) as { version: string; engines: { node: string }; bin: Record<string, string> };

describe('the Node.js version', () => {
  const major = /^>=(\d+)$/.exec(manifest.engines.node)?.[1];

  it('is declared in engines as a minimum major version', () => {
    expect(major, `engines.node is ${manifest.engines.node}`).toMatch(/^\d+$/);
  });

  it('is the line CI pins (scripts/node-version) and tests on', () => {
    expect(read('scripts/node-version').trim()).toMatch(new RegExp(`^${String(major)}\\.\\d+\\.\\d+$`));
  });

  it('is the image of the CI template and of the documented jobs', () => {
    const template = parse(read('ci/fleetlint.gitlab-ci.yml')) as Record<string, { image?: string }>;
    expect(template['.fleetlint:mr']?.image).toBe(`node:${String(major)}-alpine`);
    for (const doc of ['ci/fleetlint.gitlab-ci.yml', 'templates/fleetlint-mr.yml', 'docs/merge-requests.md', 'docs/nightly-audit.md']) {
      const images = [...read(doc).matchAll(/\bnode:(\d+)(?:-alpine)?\b/g)].map((match) => match[1]);
      expect(images.length, doc).toBeGreaterThan(0);
      expect(new Set(images), doc).toEqual(new Set([major]));
    }
  });

  it('is what the README says fleetlint needs', () => {
    expect(read('README.md')).toContain(`Node.js ${String(major)} or later`);
  });
});

describe('.pre-commit-hooks.yaml', () => {
  it('runs the installed fleetlint binary on what the commit changes', () => {
    const hooks = parse(read('.pre-commit-hooks.yaml')) as Record<string, unknown>[];
    expect(hooks).toHaveLength(1);
    const [hook] = hooks;
    expect(hook).toMatchObject({ id: 'fleetlint', language: 'node', pass_filenames: true, require_serial: true });
    // language: node puts the package's bins on PATH; the entry must name one of them.
    const [command, ...args] = String(hook?.entry).split(' ');
    expect(Object.keys(manifest.bin)).toContain(command);
    expect(args).toEqual(['lint', '--staged', '--since', 'HEAD']);
  });
});
