/**
 * The audit page's finding rows on literal input: a finding links to its file and line in GitLab when the run
 * knows where its repo is there (and only then), and a finding placed at an include names the CI template it
 * comes from. Where the run learns these (clones, local HEADs, fleet.yaml, fragments) is tested in test/audit/.
 */
import { describe, expect, it } from 'vitest';
import type { FleetFacts } from '../../src/report/audit/facts.js';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { blobUrl, projectFromRemote, webRoot } from '../../src/model/web-link.js';
import { sampleInput, TEMPLATES, TRAEFIK, WIKI } from './fixture.js';

const SHA = 'a'.repeat(40);
const TEMPLATE_SHA = 'b'.repeat(40);
const GITLAB = 'https://gitlab.example.com/homelab';
const WEB = {
  [TRAEFIK]: { project: `${GITLAB}/${TRAEFIK}`, commit: SHA },
  [TEMPLATES]: { project: `${GITLAB}/${TEMPLATES}`, commit: TEMPLATE_SHA },
};

/** Traefik's pipeline includes the templates repo, as the fixture's related location says. */
const FACTS: FleetFacts = {
  repos: [
    { id: TEMPLATES, kinds: ['docs'], pipeline: false },
    { id: TRAEFIK, kinds: ['helm'], pipeline: true, ciTemplateRepos: [TEMPLATES] },
    { id: WIKI, kinds: [], pipeline: false },
  ],
  applications: [],
  dependencies: [],
};

/** The `<tr>` of the finding with this fingerprint in the findings section. */
function row(page: string, fingerprint: string): string {
  const section = page.slice(page.indexOf('<section id="findings">'));
  return /<tr[^>]*>.*?<\/tr>/s.exec(section.slice(section.indexOf(`data-fingerprint="${fingerprint}"`) - 40))?.[0] ?? '';
}

describe('finding rows of the audit page', () => {
  const page = renderHtml(sampleInput({ audit: { facts: FACTS, web: WEB } }));

  it('link the location to the file and line in GitLab at the audited commit', () => {
    expect(row(page, 'fp-latest-2')).toContain(`<td class="loc"><a href="${GITLAB}/${TRAEFIK}/-/blob/${SHA}/.gitlab-ci.yml#L20">.gitlab-ci.yml:20:3</a></td>`);
    // A finding on a whole file links to the file.
    expect(row(page, 'fp-helm')).toContain(`<a href="${GITLAB}/${TRAEFIK}/-/blob/${SHA}/Chart.yaml">Chart.yaml</a>`);
    // A finding on the whole repository, or on the fleet, has no file to link to.
    expect(row(page, 'fp-required-scans')).toContain('<td class="loc"></td>');
    expect(row(page, 'fp-config-error')).toContain('<td class="loc">fleet.yaml:3:5</td>');
  });

  it('name the CI template a finding comes from, linked to its line in the template repo', () => {
    expect(row(page, 'fp-latest-1')).toContain(
      `<div class="origin">from template <a href="${GITLAB}/${TEMPLATES}/-/blob/${TEMPLATE_SHA}/templates/build.yml#L4">platform/ci-templates/templates/build.yml:4</a></div>`,
    );
  });

  it('link nothing when the run does not know where the repo is in GitLab, and still name the template', () => {
    const plain = renderHtml(sampleInput({ audit: { facts: FACTS } }));
    expect(plain).not.toContain('gitlab.example.com');
    expect(row(plain, 'fp-latest-2')).toContain('<td class="loc">.gitlab-ci.yml:20:3</td>');
    expect(row(plain, 'fp-latest-1')).toContain('<div class="origin">from template platform/ci-templates/templates/build.yml:4</div>');
    // Only traefik's place is known: the template's line is named without a link.
    const half = renderHtml(sampleInput({ audit: { facts: FACTS, web: { [TRAEFIK]: WEB[TRAEFIK] } } }));
    expect(row(half, 'fp-latest-1')).toContain('<div class="origin">from template platform/ci-templates/templates/build.yml:4</div>');
  });

  it('call a related place in a repo the pipeline does not include a related place, not a template', () => {
    const notIncluded: FleetFacts = { ...FACTS, repos: FACTS.repos.map((repo) => ({ ...repo, ciTemplateRepos: [] })) };
    expect(row(renderHtml(sampleInput({ audit: { facts: notIncluded } })), 'fp-latest-1')).toContain('<div class="related">see platform/ci-templates/templates/build.yml:4</div>');
  });

  it('give the Markdown report the same links and template', () => {
    const markdown = renderMarkdown(sampleInput({ audit: { facts: FACTS, web: WEB } }));
    expect(markdown).toContain(`[\`.gitlab-ci.yml:20:3\`](${GITLAB}/${TRAEFIK}/-/blob/${SHA}/.gitlab-ci.yml#L20)`);
    expect(markdown).toContain(`from template [\`platform/ci-templates/templates/build.yml:4\`](${GITLAB}/${TEMPLATES}/-/blob/${TEMPLATE_SHA}/templates/build.yml#L4)`);
  });
});

describe('web links', () => {
  it('percent-encode each path segment of the file', () => {
    expect(blobUrl({ project: `${GITLAB}/x`, commit: SHA }, 'helm/values #1?.yaml', 3)).toBe(`${GITLAB}/x/-/blob/${SHA}/helm/values%20%231%3F.yaml#L3`);
  });

  it('take a GitLab address without its API suffix, and refuse one with credentials or another scheme', () => {
    expect(webRoot('https://gitlab.example.com/')).toBe('https://gitlab.example.com');
    expect(webRoot('https://example.com/gitlab/api/v4')).toBe('https://example.com/gitlab');
    expect(webRoot('https://user:token@gitlab.example.com')).toBeUndefined();
    expect(webRoot('ssh://gitlab.example.com')).toBeUndefined();
    expect(webRoot('gitlab.example.com')).toBeUndefined();
  });

  it('derive a project page from an http(s) remote without its credentials, and none from an SSH remote', () => {
    expect(projectFromRemote('https://gitlab-ci-token:secret@gitlab.example.com/homelab/apps/wiki.git')).toBe('https://gitlab.example.com/homelab/apps/wiki');
    expect(projectFromRemote('http://gitlab.local:8080/homelab/wiki')).toBe('http://gitlab.local:8080/homelab/wiki');
    expect(projectFromRemote('git@gitlab.example.com:homelab/apps/wiki.git')).toBeUndefined();
    expect(projectFromRemote('ssh://git@gitlab.example.com:2222/homelab/apps/wiki.git')).toBeUndefined();
  });
});
