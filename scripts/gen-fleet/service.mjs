// A service repository (the seed's applications/*, security/*, observability/* and core-services/*): an ArgoCD
// Application, Helm values (and sometimes a chart), a pipeline built from the ci-templates repo, docs.
import { envEntries, includeTemplates, markdown, paragraph, repoUrl, version, REGISTRY } from './text.mjs';

const UPSTREAM = ['docker.io/library/nginx', 'ghcr.io/linuxserver/app', 'quay.io/prometheus/node-exporter', 'docker.io/bitnami/redis', 'ghcr.io/home-operations/app'];

export function serviceFiles(repo, random) {
  const { app } = repo;
  const files = {};
  const core = repo.role === 'core';
  if (repo.plant !== 'service-without-readme') files['README.md'] = markdown(random, app.name, repo.size);
  files['argocd/application.yaml'] = application(repo);
  files['helm/values.yaml'] = values(repo, random, core);
  if (app.chart) {
    files['helm/Chart.yaml'] = `apiVersion: v2\nname: ${app.name}\ndescription: ${app.name} for the homelab\ntype: application\nversion: ${version(random)}\nappVersion: "${version(random)}"\n`;
    files['helm/templates/deployment.yaml'] = deployment(app.name);
    files['helm/templates/service.yaml'] = service(app.name);
  }
  if (app.docker) files['Dockerfile'] = dockerfile(repo, random);
  files['.gitlab-ci.yml'] = pipeline(repo);
  const docs = { small: 0, medium: random.int(1, 2), large: random.int(3, 5) }[repo.size ?? 'small'];
  for (let index = 0; index < docs; index++) files[`docs/${['setup', 'upgrade', 'operations', 'troubleshooting', 'design'][index]}.md`] = markdown(random, `${app.name} ${index}`, repo.size);
  if (repo.plant === 'gitlab-token-in-script') files['scripts/notify.sh'] = tokenScript(random);
  return files;
}

function application(repo) {
  const { app } = repo;
  const annotations = [`    argocd.argoproj.io/sync-wave: "${app.wave}"`];
  if (app.dependsOn) annotations.push(`    fleetlint.dev/depends-on: ${app.dependsOn}`);
  const project = repo.plant === 'app-unknown-project' ? 'legacy-apps' : app.project;
  const path = repo.plant === 'app-missing-path' ? 'chart' : 'helm';
  const automated = repo.plant === 'app-unknown-field' ? ['      prune: true', '      selfHeal: true', '      selfheal: true'] : ['      prune: true', '      selfHeal: true'];
  return [
    'apiVersion: argoproj.io/v1alpha1',
    'kind: Application',
    'metadata:',
    `  name: ${app.name}`,
    '  namespace: argocd',
    '  annotations:',
    ...annotations,
    'spec:',
    `  project: ${project}`,
    '  source:',
    `    repoURL: ${repoUrl(repo.id)}`,
    '    targetRevision: main',
    `    path: ${path}`,
    '  destination:',
    '    server: https://kubernetes.default.svc',
    `    namespace: ${app.name}`,
    '  syncPolicy:',
    '    automated:',
    ...automated,
    '    syncOptions:',
    '      - CreateNamespace=true',
    '',
  ].join('\n');
}

function values(repo, random, core) {
  const { app } = repo;
  const repository = app.docker ? `${REGISTRY}/${repo.group}/${app.name}` : random.pick(UPSTREAM);
  const tag = repo.plant === 'helm-latest-tag' ? 'latest' : version(random);
  const lines = ['image:', `  repository: ${repository}`, `  tag: "${tag}"`, '  pullPolicy: IfNotPresent', '', `replicaCount: ${random.int(1, 3)}`, ''];
  const env = { small: random.int(0, 4), medium: random.int(5, 20), large: random.int(40, 120) }[repo.size ?? 'small'];
  if (env > 0) lines.push('env:', ...envEntries(random, env), '');
  lines.push('service:', '  type: ClusterIP', `  port: ${random.int(3000, 9000)}`, '');
  // Core services come before traefik, longhorn and cert-manager in the deployment order: they use none of them.
  if (!core) {
    lines.push(
      'ingress:',
      '  enabled: true',
      '  className: traefik',
      '  annotations:',
      '    cert-manager.io/cluster-issuer: letsencrypt-prod',
      '  hosts:',
      `    - host: ${app.name}.homelab.local`,
      '      paths:',
      '        - path: /',
      '  tls:',
      `    - secretName: ${app.name}-tls`,
      '      hosts:',
      `        - ${app.name}.homelab.local`,
      '',
      'persistence:',
      '  enabled: true',
      '  storageClass: longhorn',
      `  size: ${random.int(1, 50)}Gi`,
      '',
      'metrics:',
      '  serviceMonitor:',
      `    enabled: ${random.chance(0.5)}`,
      '',
    );
  }
  lines.push('resources:', '  requests:', `    cpu: ${random.int(50, 500)}m`, `    memory: ${random.int(64, 1024)}Mi`, '  limits:', `    memory: ${random.int(1, 4)}Gi`, '');
  lines.push(`# ${paragraph(random, 1)}`, '');
  return lines.join('\n');
}

function deployment(name) {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app.kubernetes.io/name: ${name}
    app.kubernetes.io/instance: "{{ .Release.Name }}"
spec:
  replicas: "{{ .Values.replicaCount }}"
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${name}
    spec:
      containers:
        - name: ${name}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          imagePullPolicy: "{{ .Values.image.pullPolicy }}"
          ports:
            - name: http
              containerPort: "{{ .Values.service.port }}"
`;
}

function service(name) {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  type: "{{ .Values.service.type }}"
  ports:
    - port: "{{ .Values.service.port }}"
      targetPort: http
  selector:
    app.kubernetes.io/name: ${name}
`;
}

function dockerfile(repo, random) {
  const base = repo.plant === 'dockerfile-untagged-from' ? 'alpine' : `alpine:3.${random.int(17, 20)}`;
  return `ARG NODE_VERSION=20.${random.int(10, 17)}.0
FROM node:\${NODE_VERSION}-alpine AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM ${base}
RUN apk add --no-cache nodejs
COPY --from=build /src/dist /app
USER 1000
CMD ["node", "/app/server.js"]
`;
}

function pipeline(repo) {
  const { app, plant } = repo;
  const templates = ['helm', 'security-scan', 'argocd-sync', ...(app.docker ? ['docker-build'] : [])];
  const lines = [...includeTemplates(templates), '', 'stages:', '  - validate', ...(app.docker ? ['  - build'] : []), '  - security', '  - register', ''];
  lines.push('variables:', '  HELM_ROOT: ${CI_PROJECT_DIR}/helm', `  ARGOCD_APP_NAME: ${app.name}`, '');
  lines.push('helm:lint:', '  extends: .helm:lint', '  stage: validate', '');
  if (app.docker) {
    lines.push('docker:build:', '  extends: .docker:build', '  stage: build', '');
    lines.push('trivy:image:', '  extends: .security:trivy-image', '  stage: security', '  needs:', '    - docker:build', '');
  }
  lines.push('kubescape:scan:', '  extends: .security:kubescape', '  stage: security');
  if (plant === 'scan-allow-failure') lines.push('  allow_failure: true');
  if (plant === 'scan-manual') lines.push('  when: manual');
  lines.push('');
  if (plant !== 'no-secrets-scan') lines.push('secrets:gitleaks:', '  extends: .security:gitleaks', '  stage: security', '');
  lines.push(...extraJobs(plant));
  lines.push('argocd:register:', '  extends: .argocd:register', '  stage: register', '  rules:', '    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH', '');
  return lines.join('\n');
}

/** Jobs that only planted violations add, shared with the other pipelines. */
export function extraJobs(plant) {
  if (plant === 'ci-untagged-image') return ['lint:markdown:', '  stage: validate', '  image: markdownlint/markdownlint', '  script:', '    - mdl README.md', ''];
  if (plant === 'ci-undeclared-stage') return ['notify:chat:', '  stage: notify', '  image: curlimages/curl:8.7.1', '  script:', '    - curl -fsS -X POST "$CHAT_WEBHOOK_URL" -d "deployed"', ''];
  return [];
}

/** A script with a pattern-valid, fake GitLab token (the seed's K6). */
export function tokenScript(random) {
  return `#!/usr/bin/env bash
set -euo pipefail
# Posts a note on the merge request.
GITLAB_TOKEN="glpat-${random.token(20)}"
curl -fsS --header "PRIVATE-TOKEN: \${GITLAB_TOKEN}" "https://gitlab.homelab.local/api/v4/projects/\${CI_PROJECT_ID}/notes"
`;
}
