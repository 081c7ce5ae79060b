import { describe, expect, it } from 'vitest';
import { scannerTable } from '../../src/model/gitlab-ci/scanners.js';
import type { CiScan } from '../../src/model/gitlab-ci/types.js';
import { jobOf, resolveCi, resolveIn } from './helpers.js';

/** The categories a one-line job scans, by the built-in table. */
function categoriesOf(line: string): string[] {
  const { pipeline } = resolveCi(`scan:\n  script:\n    - ${JSON.stringify(line)}\n`);
  return jobOf(pipeline, 'scan').scans.map((scan) => scan.category);
}

describe("a job's scans (the scanner table)", () => {
  it.each([
    ['checkov -d terraform/', ['iac']],
    ['trivy config .', ['iac', 'manifests']],
    ['tfsec . && terrascan scan', ['iac', 'iac']],
    ['kubescape scan framework nsa helm/', ['manifests']],
    ['checkov -d . --framework kubernetes', ['iac', 'manifests']],
    ['checkov -d .', ['iac']],
    ['trivy image --exit-code 1 $IMAGE', ['image']],
    ['trivy k8s cluster', ['manifests']],
    ['snyk container test app:1', ['image']],
    ['snyk monitor || true', []],
    ['gitleaks detect --source .', ['secrets']],
    ['echo trivy', []],
  ])('%s scans %j', (line, categories) => {
    expect(categoriesOf(line)).toEqual(categories);
  });

  it('recognises a scanner and its subcommand on one script line only', () => {
    const { pipeline } = resolveCi('split:\n  script:\n    - trivy\n    - config .\n');
    expect(jobOf(pipeline, 'split').scans).toEqual([]);
  });

  it('names the tool and the script line, in a template of another repo too, and whether the line tells it to pass', () => {
    const { pipeline } = resolveIn({
      app: { '.gitlab-ci.yml': "include:\n  - project: homelab/ci\n    file: scan.yml\nlocal:\n  script:\n    - echo build\n    - trivy image --exit-code 0 app:1\n" },
      ci: { 'scan.yml': 'secrets:\n  script:\n    - gitleaks detect --no-fail\n' },
    });
    const brief = (scan: CiScan): unknown[] => [scan.category, scan.tool, scan.evidence.repo, scan.evidence.file, scan.evidence.range.startLine, scan.nonFailing];
    expect(jobOf(pipeline, 'local').scans.map(brief)).toEqual([['image', 'trivy image', 'app', '.gitlab-ci.yml', 7, true]]);
    expect(jobOf(pipeline, 'secrets').scans.map(brief)).toEqual([['secrets', 'gitleaks', 'ci', 'scan.yml', 3, true]]);
  });

  it("adds the fleet's own scanners after the built-in ones", () => {
    const scanners = scannerTable([{ category: 'sbom', tool: 'syft', pattern: '\\bsyft\\b' }]);
    const { pipeline } = resolveCi('sbom:\n  script:\n    - syft packages dir:. -o json\n', {}, { scanners });
    expect(jobOf(pipeline, 'sbom').scans.map((scan) => [scan.category, scan.tool])).toEqual([['sbom', 'syft']]);
    expect(scanners.slice(0, -1)).toEqual(scannerTable());
  });
});

describe('whether a job gates merge requests', () => {
  const gateOf = (ci: string, name = 'scan'): unknown => jobOf(resolveCi(ci).pipeline, name).gatesMergeRequests;

  it('gates when it runs in merge-request pipelines and is not manual', () => {
    expect(gateOf('scan:\n  script: [gitleaks detect]\n')).toEqual({ value: true, reason: 'runs-in-merge-requests' });
  });

  it('does not when it is manual, manual through every rule, left out by its rules or by the workflow', () => {
    expect(gateOf('scan:\n  script: [x]\n  when: manual\n')).toEqual({ value: false, reason: 'manual' });
    expect(gateOf('scan:\n  script: [x]\n  rules:\n    - if: $CI_PIPELINE_SOURCE == "merge_request_event"\n      when: manual\n')).toEqual({ value: false, reason: 'manual-through-rules' });
    expect(gateOf('scan:\n  script: [x]\n  rules:\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n')).toEqual({ value: false, reason: 'excluded-by-rules' });
    expect(gateOf('workflow:\n  rules:\n    - if: $CI_COMMIT_TAG\nscan:\n  script: [x]\n')).toEqual({ value: false, reason: 'excluded-by-workflow' });
  });
});
