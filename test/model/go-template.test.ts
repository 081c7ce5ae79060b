import { describe, expect, it } from 'vitest';
import { renderGoTemplate, Unevaluated } from '../../src/model/argocd/applicationset/go-template.js';
import { renderFastTemplate } from '../../src/model/argocd/applicationset/fast-template.js';

const params = {
  name: 'Web App',
  path: { path: 'apps/web', basename: 'web', segments: ['apps', 'web'] },
  replicas: 3,
  big: 1000000,
  enabled: true,
  labels: { tier: 'front', app: 'web' },
  list: ['a', 'b'],
  empty: '',
  info: [{ name: 'owner', value: 'me' }],
};
const render = (text: string, options = {}) => renderGoTemplate(text, params, options);

describe('renderGoTemplate: the text/template subset ApplicationSets use', () => {
  it('fields, index, pipelines and the common functions', () => {
    expect(render('{{.path.basename}}-{{ index .path.segments 0 }}')).toBe('web-apps');
    expect(render('{{ .name | lower | replace " " "-" }}')).toBe('web-app');
    expect(render('{{ .missing | default "fallback" }} {{ default "x" .empty }} {{ coalesce .empty .name }}')).toBe('fallback x Web App');
    expect(render('{{ .replicas }} {{ .big }} {{ .enabled }}')).toBe('3 1e+06 true');
    expect(render('{{ normalize .name }} {{ upper .path.basename | quote }} {{ trimPrefix "apps/" .path.path }}')).toBe('web-app "WEB" web');
    expect(render('{{ printf "%s-%02d" .path.basename .replicas }}')).toBe('web-03');
    expect(render('{{ (index .info 0).name }}')).toBe('owner');
    expect(render('{{ $b := .path.basename }}{{ $b }}')).toBe('web');
    expect(render('{{ toJson .labels }}')).toBe('{"app":"web","tier":"front"}');
  });

  it('if / else if / else, range, with, comments and trim markers', () => {
    expect(render('{{ if eq .path.basename "api" }}a{{ else if .enabled }}b{{ else }}c{{ end }}')).toBe('b');
    expect(render('{{- range $i, $v := .list }}[{{ $i }}={{ $v }}]{{- end }}')).toBe('[0=a][1=b]');
    expect(render('{{ range $k, $v := .labels }}{{ $k }}:{{ $v }} {{ end }}')).toBe('app:web tier:front ');
    expect(render('{{ with .labels }}{{ .tier }}{{ end }}{{ with .missing }}x{{ else }}none{{ end }}')).toBe('frontnone');
    expect(render('a {{/* a comment */}} b\n  {{- " c" }}')).toBe('a  b c');
    expect(render('spec:\n  labels:\n  {{- toYaml .labels | nindent 4 }}')).toBe('spec:\n  labels:\n    app: web\n    tier: front');
    expect(render('{{ if not .missing }}absent{{ end }} {{ if and .enabled (gt .replicas 2) }}big{{ end }}')).toBe('absent big');
  });

  it('leaves unknown what it does not evaluate or cannot know, never guessing', () => {
    expect(() => render('{{ .name | someSprigFunction }}')).toThrow(Unevaluated);
    expect(() => render('{{ template "x" . }}')).toThrow(Unevaluated);
    expect(() => render('{{ .missing }}')).toThrow(Unevaluated);
    expect(() => render('{{ .missing.deeper }}')).toThrow(Unevaluated);
    expect(() => render('{{ if .missing }}x{{ end }}', { missingKeyError: true })).toThrow(Unevaluated);
    expect(() => render('{{ constructor }}')).toThrow(Unevaluated);
    expect(() => render('{{ if .enabled }}no end')).toThrow(Unevaluated);
    expect(() => render('{{ range 1000000 }}{{ range 1000000 }}x{{ end }}{{ end }}')).toThrow(Unevaluated);
  });
});

describe('renderFastTemplate', () => {
  it('replaces string parameters and leaves other tags as written', () => {
    expect(renderFastTemplate('{{path.basename}}-{{ cluster }}-{{missing}}-{{}}', { 'path.basename': 'web', cluster: 'dev' })).toBe('web-dev-{{missing}}-{{}}');
  });
});
