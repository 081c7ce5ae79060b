import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openLocalFleet } from '../../src/run/open-fleet.js';
import { configure } from '../../src/cli/configure.js';
import { runChecks } from '../../src/engine/runner.js';
import type { Fleet } from '../../src/model/types.js';
import { packageRoot } from '../../src/package.js';
import type { FleetRender, RenderedObject } from '../../src/render/types.js';
import { at, render } from '../support/render.js';

const ROOT = join(packageRoot(), 'fixtures', 'render');

let fleet: Fleet;
let result: FleetRender;

beforeAll(async () => {
  fleet = await openLocalFleet(ROOT, [], {}, { off: 'rendered below, by the test itself' });
  result = await render(fleet);
});

/** `ruleId@repo/file:line` of every `# expect: <rule-id>` marker in the fixture fleet's files. */
async function expectedMarkers(prefix: string): Promise<string[]> {
  const expected: string[] = [];
  for (const repo of fleet.repos) {
    for (const file of repo.files) {
      const text = file.text ?? (await readFile(join(ROOT, repo.id, file.path), 'utf8'));
      text.split('\n').forEach((line, index) => {
        const marker = /#\s*expect:\s*([a-z-]+)/.exec(line);
        if (marker?.[1]?.startsWith(prefix) === true) expected.push(`${marker[1]}@${repo.id}/${file.path}:${String(index + 1)}`);
      });
    }
  }
  return expected.sort();
}

/** Every rendered container image with the line a finding about it would point at. */
function imageLines(): string[] {
  const lines: string[] = [];
  for (const app of result.apps) {
    for (const object of app.objects) {
      containers(object).forEach((container, index) => {
        const path = ['spec', 'template', 'spec', 'containers', index, 'image'];
        const location = result.locate(object, path);
        lines.push(`${app.app.name} ${String(container.image)} -> ${location.repo}/${at(location)} (${location.via})`);
      });
    }
  }
  return lines.sort();
}

function containers(object: RenderedObject): { image?: unknown }[] {
  const spec = (object.value.spec as { template?: { spec?: { containers?: unknown } } } | undefined)?.template?.spec;
  return Array.isArray(spec?.containers) ? (spec.containers as { image?: unknown }[]) : [];
}

describe('fixtures/render', () => {
  it('gives the render findings at the marked lines', async () => {
    const actual = result.apps.flatMap((app) => [...app.errors, ...app.notes]).map((finding) => `${finding.ruleId}@${finding.repo}/${at(finding)}`);
    expect(actual.sort()).toEqual(await expectedMarkers('render-'));
  });

  it('points every rendered image at the line that set it, marked where a latest tag is', async () => {
    expect(imageLines()).toEqual([
      'shop busybox:latest -> apps/shop/overlays/prod/debug-sidecar.yaml:10 (values)',
      'shop harbor.homelab.local/shop/api:2.3.1 -> apps/shop/base/deployment.yaml:10 (manifest)',
      // The tag came from the ref repo's values; the exporter's `latest` is the template's own default.
      'web harbor.homelab.local/library/nginx:latest -> platform/values/web/prod.yaml:2 (values)',
      'web nginx/nginx-prometheus-exporter:latest -> apps/web/chart/templates/deployment.yaml:12 (template)',
    ]);
    const latest = imageLines()
      .filter((line) => line.includes(':latest '))
      .map((line) => `no-latest-tag@${(/-> (\S+)/.exec(line) ?? [])[1] ?? ''}`);
    expect(latest.sort()).toEqual(await expectedMarkers('no-latest-tag'));
  });

  it('gives the audit its no-latest-tag findings on rendered content at the marked lines', async () => {
    const { config, checks } = await configure(undefined, ROOT);
    const audited = await openLocalFleet(ROOT, config.providers, {});
    const { findings } = await runChecks({ fleet: audited, checks, config });
    const latest = findings.filter((finding) => finding.ruleId === 'no-latest-tag').map((finding) => `no-latest-tag@${finding.repo}/${finding.file ?? ''}:${String(finding.range?.startLine)}`);
    expect(latest.sort()).toEqual(await expectedMarkers('no-latest-tag'));
  });

  it('renders the ingress that only the ref repo\'s values enable', () => {
    const web = result.apps.find((app) => app.app.name === 'web');
    expect(web?.objects.map((object) => `${object.kind}/${object.name ?? ''}`).sort()).toEqual(['Deployment/web', 'Ingress/web']);
  });
});
