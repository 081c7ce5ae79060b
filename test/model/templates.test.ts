import { describe, expect, it } from 'vitest';
import { readRepoFiles } from '../../src/model/read-files.js';
import { templateKindOf } from '../../src/model/templates.js';
import { MemorySource } from '../../src/sources/memory.js';

const CHART = new Set(['charts/app']);
const kind = (path: string, text?: string) => templateKindOf(path, text, CHART);

describe('templateKindOf', () => {
  it('a chart\'s templates/ with actions, .tpl, Jinja files and Ansible role templates are templates', () => {
    expect(kind('charts/app/templates/deployment.yaml', 'kind: Deployment\nreplicas: {{ .Values.replicas }}\n')).toBe('helm');
    expect(kind('charts/app/templates/sub/cm.yaml', 'a: 1\n{{- if .Values.x }}\nb: 2\n{{- end }}\n')).toBe('helm');
    expect(kind('charts/app/templates/NOTES.txt', 'Thanks')).toBe('helm');
    expect(kind('charts/app/templates/_helpers.tpl', '{{- define "x" -}}{{- end -}}')).toBe('helm');
    expect(kind('anywhere/_helpers.tpl', '')).toBe('helm');
    expect(kind('ansible/templates/wg0.conf.j2', '[Interface]')).toBe('jinja');
    expect(kind('config/app.yaml.jinja2', 'a: {{ b }}')).toBe('jinja');
    expect(kind('roles/nginx/templates/site.conf', 'server {}')).toBe('jinja');
  });

  it('a chart\'s values, Chart.yaml, crds/ and templates without any action are YAML', () => {
    expect(kind('charts/app/values.yaml', 'image:\n  tag: latest\n')).toBeUndefined();
    expect(kind('charts/app/Chart.yaml', 'name: app\n')).toBeUndefined();
    expect(kind('charts/app/crds/crd.yaml', 'kind: CustomResourceDefinition\n')).toBeUndefined();
    // Helm copies it as it is.
    expect(kind('charts/app/templates/externalsecret.yaml', 'kind: ExternalSecret\nspec:\n  secretStoreRef: {name: vault}\n')).toBeUndefined();
    // Not a chart: GitLab CI templates in a folder named templates/.
    expect(kind('ci/templates/docker.yml', 'build:\n  script: [echo "{{ x }}"]\n')).toBeUndefined();
  });

  it('YAML with actions where keys or values go is a Go template', () => {
    expect(kind('deploy/squid.yaml', 'spec:\n  containers:\n    - name: squid\n      image: {{ .squid }}\n')).toBe('go-template');
    expect(kind('apps/app.yaml', 'metadata:\n  name: {{.Name}}\n')).toBe('go-template');
    expect(kind('apps/list.yaml', 'items:\n  - {{ include "x" . }}\n')).toBe('go-template');
    expect(kind('apps/labels.yaml', 'labels:\n  app: web\n  {{- include "labels" . | nindent 2 }}\n')).toBe('go-template');
    expect(kind('apps/loop.yaml', '{% for app in apps %}\n- name: {{ app }}\n{% endfor %}\n')).toBe('go-template');
  });

  it('YAML whose strings hold actions stays YAML', () => {
    // A PrometheusRule: a multi-line plain scalar whose continuation line starts with an action.
    const rule = 'groups:\n  - rules:\n      - alert: Errors\n        annotations:\n          summary: errors for\n            {{ $labels.verb }} {{ $labels.resource }}.\n          description: \'{{ $value }} pods\'\n';
    expect(kind('rules/alerts.yaml', rule)).toBeUndefined();
    // A Taskfile command continued on the next line, with a control action.
    const taskfile = 'tasks:\n  apply:\n    cmds:\n      - talosctl apply\n        {{ if eq "true" .dry_run }}--dry-run{{ end }}\n';
    expect(kind('Taskfile.yaml', taskfile)).toBeUndefined();
    // An ApplicationSet's fasttemplate in quotes, a ConfigMap embedding a template in a block scalar.
    expect(kind('appset.yaml', "spec:\n  template:\n    metadata:\n      name: '{{path.basename}}'\n")).toBeUndefined();
    expect(kind('cm.yaml', 'data:\n  slack.tmpl: |\n    {{ define "slack.title" }}\n    {{ range .Alerts }}{{ end }}\n    {{ end }}\n')).toBeUndefined();
    expect(kind('playbook.yml', '- hosts: all\n  tasks:\n    - debug:\n        msg: "{{ greeting }}"\n')).toBeUndefined();
  });

  it('bare placeholders where keys go make placeholder YAML; a placeholder as a value does not', () => {
    expect(kind('values.yaml', 'ingress:\n  annotations:\n    <CERT_MANAGER_ISSUER_ANNOTATION_1>\n    nginx.io/x: "true"\n')).toBe('placeholders');
    expect(kind('job.yaml', 'metadata:\n  namespace: <CLUSTER_NAME>\nargs:\n  - <CLUSTER_NAME>\n')).toBeUndefined();
  });

  it('an unquoted ${VAR} inside a flow collection makes placeholder YAML (Flux substitutes it first); elsewhere it is a value', () => {
    // From ricsanfre/pi-cluster: `{` opens a flow mapping inside the sequence until Flux's postBuild fills it in.
    expect(kind('values.yaml', 'scrape:\n  static_configs:\n    - targets: [vault.${CLUSTER_DOMAIN}:8200]\n')).toBe('placeholders');
    expect(kind('values.yaml', 'hosts:\n  - [a, b${SUFFIX}]\n')).toBe('placeholders');
    expect(kind('values.yaml', 'targets: ["vault.${CLUSTER_DOMAIN}:8200"]\nhost: vault.${CLUSTER_DOMAIN}\n')).toBeUndefined();
  });
});

describe('reading a repo with templates', () => {
  it('keeps a template\'s text, marks it, and does not parse it: no parse-error', async () => {
    const source = new MemorySource({
      'chart/Chart.yaml': 'name: web\nversion: 1.0.0\n',
      'chart/values.yaml': 'image:\n  tag: latest\n',
      'chart/templates/deployment.yaml': 'metadata:\n  name: {{ .Release.Name }}\n  {{- with .Values.labels }}\n  labels: {{ toYaml . | nindent 4 }}\n  {{- end }}\n',
      'broken.yaml': 'a: [1\n',
    });
    const result = await readRepoFiles('web', source);
    const template = result.files.find((file) => file.path === 'chart/templates/deployment.yaml');
    expect(template?.template).toBe('helm');
    expect(template?.text).toContain('.Release.Name');
    expect([...result.yaml.keys()].sort()).toEqual(['broken.yaml', 'chart/Chart.yaml', 'chart/values.yaml']);
    expect(result.diagnostics.map((finding) => [finding.ruleId, finding.file])).toEqual([['parse-error', 'broken.yaml']]);
  });
});
