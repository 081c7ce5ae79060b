import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineRule, type Check } from '../../src/engine/check.js';
import { runChecks } from '../../src/engine/runner.js';
import { EMPTY_CONFIG } from '../../src/engine/config-types.js';
import { loadCustomPolicies } from '../../src/engine/rego/custom.js';
import { policyChecks } from '../../src/engine/policy-checks.js';
import { fleetFromFiles } from '../support/fleet.js';

/** The same rule twice: every Helm values image must name a tag. Once in TypeScript, once in Rego. */
const typescriptRule: Check = defineRule({
  meta: {
    id: 'helm-image-tag',
    shortDescription: 'Helm images name a tag',
    fullDescription: 'Helm images name a tag.',
    defaultSeverity: 'warning',
    help: 'Add a tag.',
    tags: ['test'],
    scope: 'repo',
  },
  run({ repo }) {
    return repo.images
      .filter((image) => image.context === 'helm-map' && image.tag === undefined)
      .map((image) => ({
        message: `image ${image.raw} names no tag`,
        file: image.origin.file,
        ...(image.origin.path ? { path: image.origin.path } : {}),
        ...(image.origin.docIndex !== undefined ? { docIndex: image.origin.docIndex } : {}),
        subject: image.raw,
      }));
  },
});

const REGO = `# METADATA
# title: Helm images name a tag
# description: Helm images name a tag.
# custom:
#   id: helm-image-tag
#   severity: warning
#   help: Add a tag.
#   tags: [test]
#   scope: repo
package fleetlint.helm_image_tag

deny contains decision if {
	some image in input.repo.images
	image.context == "helm-map"
	not image.tag
	decision := {
		"msg": sprintf("image %s names no tag", [image.raw]),
		"repo": input.repo.id,
		"origin": image.origin,
		"subject": image.raw,
	}
}
`;

describe('a TypeScript rule and a Rego policy with the same logic', () => {
  it('give identical findings: same ranges, same fingerprints', async () => {
    const fleet = await fleetFromFiles({
      'apps/one': {
        'helm/values.yaml': 'image:\n  repository: ghcr.io/acme/one\n  pullPolicy: Always\nsidecar:\n  image:\n    repository: busybox\n    tag: "1.36"\n',
      },
      'apps/two': {
        'helm/values.yaml': `# two images\nfirst:\n  image:\n    repository: nginx\nsecond:\n  image:\n    repository: redis\n    digest: sha256:${'0123'.repeat(16)}\n`,
      },
    });
    const dir = mkdtempSync(join(tmpdir(), 'fleetlint-equivalence-'));
    writeFileSync(join(dir, 'helm-image-tag.rego'), REGO);
    const [regoCheck] = policyChecks(await loadCustomPolicies(dir, { cacheDir: join(dir, '.cache') }), {});
    if (!regoCheck) throw new Error('the policy did not load');

    const fromTypescript = await runChecks({ fleet, checks: [typescriptRule], config: EMPTY_CONFIG });
    const fromRego = await runChecks({ fleet, checks: [regoCheck], config: EMPTY_CONFIG });
    // The help text is the one field that comes from each check's own metadata rather than its logic.
    const strip = (findings: typeof fromRego.findings) => findings.map((finding) => ({ ...finding, help: undefined }));

    expect(fromTypescript.findings.map((f) => [f.repo, f.file, f.range?.startLine])).toEqual([
      ['apps/one', 'helm/values.yaml', 2],
      ['apps/two', 'helm/values.yaml', 4],
      ['apps/two', 'helm/values.yaml', 7],
    ]);
    expect(strip(fromRego.findings)).toEqual(strip(fromTypescript.findings));
  });
});
