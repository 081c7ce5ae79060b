// Infrastructure, platform, CI/CD, backup and operations repositories: Terraform, Ansible, runner values,
// scripts and docs, each with the pipeline the seed gives that kind of repo.
import { extraJobs, tokenScript } from './service.mjs';
import { envEntries, includeTemplates, markdown, paragraph, version } from './text.mjs';

export function otherFiles(repo, random) {
  const name = repo.id.split('/').at(-1);
  const files = { 'README.md': markdown(random, name, repo.size) };
  const builders = { infra, 'platform-terraform': platformTerraform, 'platform-ansible': platformAnsible, cicd, backup, operations };
  Object.assign(files, builders[repo.role](repo, random, name));
  if (repo.plant === 'gitlab-token-in-script') files['scripts/notify.sh'] = tokenScript(random);
  return files;
}

function infra(repo, random, name) {
  const files = {
    'terraform/main.tf': terraformMain(random, name, repo.size),
    'terraform/variables.tf': terraformVariables(random, repo.size),
    'terraform/versions.tf': `terraform {\n  required_version = ">= 1.6.0"\n  required_providers {\n    proxmox = {\n      source  = "telmate/proxmox"\n      version = "3.0.1-rc1"\n    }\n  }\n}\n`,
  };
  if (repo.plant === 'aws-key-in-tfvars') files['terraform/backend.auto.tfvars'] = `bucket     = "tfstate-${name}"\naccess_key = "AKIA${random.token(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}"\n`;
  if (repo.size !== 'small') {
    files['ansible/inventory.yml'] = `all:\n  hosts:\n${Array.from({ length: random.int(2, 12) }, (_, index) => `    ${name}-node-${index}:\n      ansible_host: 10.0.${random.int(1, 9)}.${10 + index}\n`).join('')}`;
    files['ansible/playbooks/site.yml'] = `- name: Configure ${name}\n  hosts: all\n  become: true\n  roles:\n    - common\n    - node-exporter\n`;
  }
  const jobs = [
    'terraform:validate:', '  extends: .terraform:validate', '  stage: validate', '',
    ...(repo.plant === 'iac-scan-missing' ? [] : ['checkov:scan:', '  extends: .security:checkov', '  stage: security', '']),
    ...secretsJob(repo),
    'terraform:plan:', '  extends: .terraform:plan', '  stage: plan', '',
  ];
  files['.gitlab-ci.yml'] = pipelineOf(['terraform', 'security-scan'], ['validate', 'security', 'plan'], jobs, repo, 'TF_ROOT: ${CI_PROJECT_DIR}/terraform');
  return files;
}

function platformTerraform(repo, random, name) {
  const files = {};
  const modules = { small: 1, medium: random.int(2, 4), large: random.int(5, 10) }[repo.size];
  for (let index = 0; index < modules; index++) {
    const module = `${random.pick(['proxmox-vm', 'lxc', 'dns-record', 'network', 'bucket'])}-${index}`;
    files[`modules/${module}/main.tf`] = terraformMain(random, module, 'small');
    files[`modules/${module}/variables.tf`] = terraformVariables(random, 'small');
  }
  const jobs = ['terraform:fmt:', '  extends: .terraform:validate', '  stage: validate', '', 'checkov:scan:', '  extends: .security:checkov', '  stage: security', '', ...secretsJob(repo)];
  files['.gitlab-ci.yml'] = pipelineOf(['terraform', 'security-scan'], ['validate', 'security'], jobs, repo, 'TF_ROOT: ${CI_PROJECT_DIR}/modules');
  return files;
}

function platformAnsible(repo, random) {
  const files = {};
  const roles = { small: 1, medium: random.int(2, 4), large: random.int(5, 10) }[repo.size];
  for (let index = 0; index < roles; index++) {
    const role = `${random.pick(['common', 'docker', 'k3s', 'hardening', 'node-exporter'])}-${index}`;
    files[`roles/${role}/tasks/main.yml`] = `- name: Install packages for ${role}\n  ansible.builtin.apt:\n    name:\n${Array.from({ length: random.int(1, 8) }, () => `      - ${random.pick(['curl', 'jq', 'htop', 'vim', 'git', 'unzip'])}`).join('\n')}\n    state: present\n    update_cache: true\n`;
    files[`roles/${role}/defaults/main.yml`] = `${role.replace(/-/g, '_')}_enabled: true\n${role.replace(/-/g, '_')}_version: "${version(random)}"\n`;
  }
  const jobs = ['ansible:lint:', '  extends: .ansible:lint', '  stage: validate', '', ...secretsJob(repo)];
  files['.gitlab-ci.yml'] = pipelineOf(['ansible', 'security-scan'], ['validate', 'security'], jobs, repo);
  return files;
}

function cicd(repo, random) {
  const values = ['gitlabUrl: https://gitlab.homelab.local/', `concurrent: ${random.int(2, 20)}`, 'rbac:', '  create: true', 'runners:', '  privileged: false', '  tags: "homelab,kubernetes"', 'envVars:', ...envEntries(random, random.int(0, 10)), ''];
  const scan = ['kubescape:scan:', '  extends: .security:kubescape', '  stage: security', ...(repo.plant === 'scan-allow-failure' ? ['  allow_failure: true'] : []), ''];
  const jobs = ['helm:lint:', '  extends: .helm:lint', '  stage: validate', '', ...scan, ...secretsJob(repo), 'runner:upgrade:', '  extends: .helm:upgrade', '  stage: deploy', ''];
  return {
    'k8s/helm/values.yaml': values.join('\n'),
    '.gitlab-ci.yml': pipelineOf(['helm', 'security-scan'], ['validate', 'security', 'deploy'], jobs, repo, 'HELM_ROOT: ${CI_PROJECT_DIR}/k8s/helm'),
  };
}

function backup(repo, random, name) {
  const files = {};
  for (const script of ['backup', 'restore', 'verify'].slice(0, { small: 1, medium: 2, large: 3 }[repo.size])) {
    files[`scripts/${script}-${name}.sh`] = `#!/usr/bin/env bash\nset -euo pipefail\n# ${paragraph(random, 1)}\nTARGET="\${BACKUP_TARGET:-s3://backups/${name}}"\nrestic -r "\${TARGET}" ${script === 'backup' ? 'backup /data' : script === 'restore' ? 'restore latest --target /restore' : 'check'}\n`;
  }
  const jobs = ['shellcheck:', '  stage: validate', '  image: koalaman/shellcheck-alpine:v0.10.0', '  script:', '    - shellcheck scripts/*.sh', '', ...secretsJob(repo)];
  files['.gitlab-ci.yml'] = pipelineOf(['security-scan'], ['validate', 'security'], jobs, repo);
  return files;
}

function operations(repo, random, name) {
  const files = {};
  const pages = { small: 1, medium: random.int(2, 5), large: random.int(6, 15) }[repo.size];
  for (let index = 0; index < pages; index++) files[`docs/${name}-${index}.md`] = markdown(random, `${name} page ${index}`, repo.size);
  return files;
}

function secretsJob(repo) {
  return repo.plant === 'no-secrets-scan' ? [] : ['secrets:gitleaks:', '  extends: .security:gitleaks', '  stage: security', ''];
}

function pipelineOf(templates, stages, jobs, repo, variable) {
  return [
    ...includeTemplates(templates),
    '',
    'stages:',
    ...stages.map((stage) => `  - ${stage}`),
    '',
    ...(variable ? ['variables:', `  ${variable}`, ''] : []),
    ...jobs,
    ...extraJobs(repo.plant),
  ].join('\n');
}

function terraformMain(random, name, size) {
  const count = { small: 1, medium: random.int(2, 4), large: random.int(5, 12) }[size];
  const blocks = [];
  for (let index = 0; index < count; index++) {
    blocks.push(`resource "proxmox_vm_qemu" "${name.replace(/[^a-z0-9]/g, '_')}_${index}" {
  name        = "${name}-${index}"
  target_node = var.target_node
  cores       = ${random.int(1, 8)}
  memory      = ${random.int(1, 32) * 1024}
  tags        = "terraform,${name}"
}
`);
  }
  return blocks.join('\n');
}

function terraformVariables(random, size) {
  const count = { small: 2, medium: random.int(3, 8), large: random.int(8, 20) }[size];
  const names = ['target_node', 'cores', 'memory', 'disk_size', 'vlan', 'template', 'storage_pool', 'ssh_user'];
  return Array.from({ length: count }, (_, index) => `variable "${index === 0 ? 'target_node' : `${random.pick(names)}_${index}`}" {\n  type    = string\n  default = "${random.pick(['pve1', 'local-lvm', '20G', 'ubuntu-22.04'])}"\n}\n`).join('\n');
}
