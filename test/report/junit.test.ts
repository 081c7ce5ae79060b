import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../src/report/junit.js';
import { TEMPLATES, TRAEFIK, WIKI, sampleInput, vendoredSchemas } from './fixture.js';
import { JUNIT_XSD as XSD, xmllint } from './validate.js';

interface Case {
  suite: string;
  classname: string;
  name: string;
  file?: string;
  line?: string;
  body: string;
}

/** A small reader for the shape renderJunit writes (one element per line); enough to check names and counts. */
function cases(xml: string): Case[] {
  const found: Case[] = [];
  let suite = '';
  const lines = xml.split('\n');
  lines.forEach((line, index) => {
    const suiteMatch = /<testsuite name="([^"]*)"/.exec(line);
    if (suiteMatch) suite = suiteMatch[1] ?? '';
    const caseMatch = /<testcase classname="([^"]*)" name="([^"]*)"(?: file="([^"]*)")?(?: line="(\d+)")?(\/?)>/.exec(line);
    if (!caseMatch) return;
    let body = '';
    if (caseMatch[5] !== '/') {
      for (let next = index + 1; !(lines[next] ?? '</testcase>').includes('</testcase>'); next++) body += `${lines[next] ?? ''}\n`;
    }
    found.push({
      suite,
      classname: caseMatch[1] ?? '',
      name: caseMatch[2] ?? '',
      ...(caseMatch[3] !== undefined ? { file: caseMatch[3] } : {}),
      ...(caseMatch[4] !== undefined ? { line: caseMatch[4] } : {}),
      body,
    });
  });
  return found;
}

describe('JUnit', () => {
  const input = sampleInput();
  const xml = renderJunit(input);
  const all = cases(xml);

  it('validates against the GitLab JUnit schema with xmllint', () => {
    const { status, output } = xmllint(xml);
    expect(output).toContain('validates');
    expect(status).toBe(0);
  });

  it('xmllint catches a broken report, so the check above means something', () => {
    expect(xmllint('<testsuites><testsuite name="x"/></testsuites>').status).not.toBe(0);
  });

  it("the vendored junit-gitlab.xsd is the Jenkins xUnit schema plus GitLab's file and line, nothing else", () => {
    // The vendored junit-gitlab.xsd claims to be junit-10.xsd with two attributes added (test/vendor/README.md).
    const upstream = readFileSync(path.join(vendoredSchemas, 'junit-10.xsd'), 'utf8').split('\n');
    const gitlab = readFileSync(XSD, 'utf8').split('\n');
    const at = gitlab.findIndex((line, index) => line !== upstream[index]);
    expect(gitlab.slice(at, at + 2).map((line) => line.trim())).toEqual(['<xs:attribute name="file" type="xs:string"/>', '<xs:attribute name="line" type="xs:string"/>']);
    expect([...gitlab.slice(0, at), ...gitlab.slice(at + 2)]).toEqual(upstream);
  });

  it('has a suite per repository, fleet-level findings last, with correct counts', () => {
    const suites = [...xml.matchAll(/<testsuite name="([^"]*)" tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="(\d+)">/g)].map((match) => match.slice(1));
    const count = (suite: string, predicate: (c: Case) => boolean): string => String(all.filter((c) => c.suite === suite && predicate(c)).length);
    const failed = (c: Case): boolean => c.body.includes('<failure');
    const skipped = (c: Case): boolean => c.body.includes('<skipped');
    expect(suites.map(([name]) => name)).toEqual([WIKI, TRAEFIK, TEMPLATES, '(fleet)']);
    for (const [name = '', tests, failures, errors, skips] of suites) {
      expect([tests, failures, errors, skips]).toEqual([count(name, () => true), count(name, failed), '0', count(name, skipped)]);
    }
    expect(xml).toMatch(new RegExp(`<testsuites name="fleetlint audit" tests="${all.length}" failures="${all.filter(failed).length}" errors="0">`));
  });

  it('never repeats a classname and name within a suite', () => {
    const keys = all.map((c) => `${c.suite}\u0000${c.classname}\u0000${c.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('puts the findings of one rule in one file into one test case, with a failure each', () => {
    const latest = all.find((c) => c.suite === TRAEFIK && c.name === 'no-latest-tag .gitlab-ci.yml');
    expect(latest).toMatchObject({ classname: 'no-latest-tag', file: '.gitlab-ci.yml', line: '12' });
    expect(latest?.body.match(/<failure /g)).toHaveLength(2);
    expect(latest?.body).toContain('<failure message="image traefik:latest uses the latest tag" type="warning">.gitlab-ci.yml:12:3: image traefik:latest uses the latest tag\n\nPin the image to a version tag or a digest.</failure>');
  });

  it('reports a file-less finding as the rule test case of the repository', () => {
    const scans = all.filter((c) => c.suite === TRAEFIK && c.classname === 'required-scans');
    expect(scans).toHaveLength(1);
    expect(scans[0]).toMatchObject({ name: 'required-scans' });
    expect(scans[0]?.body).toContain('core-services/networking/traefik: no .gitlab-ci.yml');
  });

  it('lists the rules that passed, but not the diagnostics', () => {
    expect(all.filter((c) => c.suite === WIKI).map((c) => c.name)).toEqual(['no-latest-tag', 'no-secrets', 'pinned-helm-chart', 'required-scans', 'sync-wave-order']);
    expect(all.filter((c) => c.suite === TRAEFIK && !c.body).map((c) => c.name)).toEqual(['sync-wave-order']);
    expect(all.filter((c) => c.suite === '(fleet)').map((c) => c.name)).toEqual(['config-error fleet.yaml']);
  });

  it('does not count suppressed findings as failures', () => {
    const waived = all.find((c) => c.suite === TEMPLATES && c.classname === 'no-latest-tag' && c.file !== undefined);
    expect(waived?.body).toContain('<skipped message="1 suppressed finding">');
    expect(waived?.body).toContain('Suppressed (waiver): upstream template, tracked in OPS-12');
    expect(waived?.body).not.toContain('<failure');
    // The rule still passed in that repository.
    expect(all.some((c) => c.suite === TEMPLATES && c.name === 'no-latest-tag' && c.body === '')).toBe(true);
    const secrets = all.find((c) => c.suite === TRAEFIK && c.name === 'no-secrets values.yaml');
    expect(secrets?.body.match(/<failure /g)).toHaveLength(1);
  });

  it('escapes markup and characters XML 1.0 cannot carry', () => {
    expect(xml).toContain('message="value &lt;&amp;&quot;&apos;&gt; looks like a token\\u0007 (redacted)"');
    expect(xml).toContain('values.yaml:7:1: value &lt;&amp;"\'&gt; looks like a token\\u0007 (redacted)');
    expect(xml).not.toContain('\u0007');
  });

  it('marks a rule that was not checked (no fleet facts) as skipped, not passed', () => {
    const note = { ruleId: 'sync-wave-order', severity: 'note' as const, message: 'not checked: sync-wave-order compares repositories across the fleet', repo: WIKI, fingerprint: 'fp-skip', data: { kind: 'skipped', reason: 'no-fleet' } };
    const input = sampleInput();
    const skipped = cases(renderJunit({ ...input, result: { ...input.result, findings: [...input.result.findings, note] } }));
    const wave = skipped.find((c) => c.suite === WIKI && c.name === 'sync-wave-order');
    expect(wave?.body).toBe('      <skipped message="not checked: sync-wave-order compares repositories across the fleet"/>\n');
    expect(skipped.filter((c) => c.suite === WIKI && c.body.includes('<failure'))).toEqual([]);
  });
});
