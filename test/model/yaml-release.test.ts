import { describe, expect, it } from 'vitest';
import { parseYamlFile } from '../../src/model/yaml/parse.js';
import { locatePath } from '../../src/model/yaml/locate.js';
import { RepoBuilder } from '../../src/model/repo-builder.js';
import { readRepoTexts } from '../../src/model/read-files.js';
import { MemorySource } from '../../src/sources/memory.js';

const TEXT = ['# values', 'image:', '  repository: nginx', '  tag: "1.27"', '---', 'kind: ConfigMap', 'data: {a: 1}', ''].join('\n');

describe('released YAML trees', () => {
  it('are parsed again from the text on first use, with the same positions and values', () => {
    const { parsed } = parseYamlFile('r', 'values.yaml', TEXT);
    const [first, second] = parsed.documents;
    if (!first || !second) throw new Error('two documents expected');
    const before = [locatePath(first, ['image', 'tag']), locatePath(second, ['data', 'a'])];
    const value = first.value;

    parsed.release?.();
    expect([locatePath(first, ['image', 'tag']), locatePath(second, ['data', 'a'])]).toEqual(before);
    expect(before[0]?.range).toEqual({ startLine: 4, startColumn: 3, endLine: 4, endColumn: 14 });
    expect(first.value).toBe(value);
    // Parsed once again for both documents, and kept until released again.
    expect(first.tree).toBe(first.tree);
  });

  it('stand in for a file refused before parsing', () => {
    const deep = `${'['.repeat(500)}${']'.repeat(500)}\n`;
    const { parsed, diagnostics } = parseYamlFile('r', 'deep.yaml', deep);
    parsed.release?.();
    expect(diagnostics).toHaveLength(1);
    expect(parsed.documents[0]?.broken).toBe(true);
    expect(parsed.documents[0]?.tree).toBeUndefined();
  });

  it('are released once a repo is built, and its facts keep their positions (CI includes of another repo too)', async () => {
    const sources = {
      'apps/web': new MemorySource({
        'values.yaml': 'image:\n  repository: nginx\n  tag: latest\n',
        '.gitlab-ci.yml': 'include:\n  - project: platform/ci\n    file: /scan.yml\n',
      }),
      'platform/ci': new MemorySource({ 'scan.yml': 'scan:\n  script:\n    - gitleaks detect\n' }),
    };
    const read = await Promise.all(Object.entries(sources).map(async ([id, source]) => ({ id, texts: await readRepoTexts(id, source) })));
    const builder = new RepoBuilder({ registries: [], providers: [] }, read);
    const web = builder.build('apps/web');
    const values = web.yaml.get('values.yaml')?.documents[0];
    if (!values) throw new Error('values.yaml expected');
    expect(web.images.map((image) => [image.raw, image.origin.line])).toEqual([['nginx:latest', 2]]);
    expect(web.ci?.jobs.map((job) => [job.name, job.origin.repo, job.origin.line])).toEqual([['scan', 'platform/ci', 1]]);
    expect(locatePath(values, ['image', 'tag']).range.startLine).toBe(3);
  });
});
