// Which repos a fleet of N has: the seed's groups and repo kinds, a fixed platform core (the providers every
// service depends on, in the seed's deployment order), and the rest spread over the groups in the seed's mix.
import { makePlanter } from './plants.mjs';

/** The seed's core services with their sync waves (MISTAKES.md's table); they provide what services use. */
const CORE = [
  ['core-services/networking/cilium', 0, 'core-services'],
  ['core-services/networking/metallb', 1, 'core-services'],
  ['core-services/networking/cert-manager', 1, 'core-services'],
  ['core-services/networking/traefik', 2, 'core-services'],
  ['core-services/networking/external-dns', 2, 'core-services'],
  ['core-services/storage/longhorn', 3, 'core-services'],
  ['core-services/storage/minio', 3, 'core-services'],
  ['core-services/secrets/vault', 4, 'core-services'],
  ['core-services/secrets/external-secrets-operator', 4, 'core-services'],
  ['core-services/secrets/sealed-secrets', 4, 'core-services'],
  ['core-services/registry/harbor', 5, 'core-services'],
  ['observability/monitoring/prometheus-stack', 6, 'observability'],
];

/** The seed's mix of the remaining repos (85 repos: 19 applications, 19 security, ...), by group. */
const GROUP_WEIGHTS = { applications: 30, security: 19, observability: 6, infrastructure: 9, platform: 8, cicd: 5, backup: 4, operations: 7 };

const CATEGORIES = {
  applications: ['media', 'productivity', 'smart-home', 'photos', 'ai', 'utilities', 'code-quality'],
  security: ['scanning', 'runtime-security', 'network-security', 'policy-enforcement', 'access-control', 'pki'],
  observability: ['monitoring', 'siem', 'dashboards'],
};

const NAMES = {
  applications: ['jellyfin', 'sonarr', 'radarr', 'nextcloud', 'paperless', 'immich', 'photoprism', 'ollama', 'webui', 'shlink', 'linkding', 'mealie', 'vikunja', 'gitea', 'wikijs', 'bookstack', 'freshrss', 'miniflux', 'navidrome', 'kavita'],
  security: ['scanner', 'auditor', 'sentry', 'gatekeeper', 'warden', 'bastion', 'sigstore', 'notary', 'falcon', 'honeypot'],
  observability: ['exporter', 'collector', 'tracer', 'uptime', 'alerter', 'dashboards'],
  infrastructure: ['proxmox', 'network', 'dns', 'vpn', 'storage', 'firewall', 'ups', 'switches'],
  platform: ['terraform-modules', 'ansible-roles', 'packer-images', 'base-roles'],
  cicd: ['gitlab-runners', 'build-cache', 'runner-fleet'],
  backup: ['backup-scripts', 'offsite-sync', 'db-dumps'],
  operations: ['runbooks', 'documentation', 'postmortems', 'onboarding'],
};

const ROLE_OF_GROUP = { applications: 'service', security: 'service', observability: 'service', infrastructure: 'infra', cicd: 'cicd', backup: 'backup', operations: 'operations' };

export function planFleet(random, { repos: count, plantRate }) {
  const repos = [];
  const plant = makePlanter(random, plantRate);
  // Wave-10 apps that nothing planted touches: what a wave-11 app (or a planted same-wave app) depends on.
  const cleanWave10 = [];
  const plan = { dependencyTarget: () => (cleanWave10.length === 0 ? undefined : cleanWave10[cleanWave10.length - 1 - Math.floor(random.next() * Math.min(20, cleanWave10.length))]) };

  repos.push({ id: 'platform/ci-templates', group: 'platform', role: 'ci-templates' });
  repos.push({ id: 'kubernetes/argocd-bootstrap', group: 'kubernetes', role: 'bootstrap' });
  for (const [id, wave, project] of CORE) {
    const name = id.split('/').at(-1);
    repos.push({ id, group: id.split('/')[0], role: 'core', app: { name, wave, project, docker: false, chart: false } });
  }

  for (let index = 0; repos.length + 1 < count; index++) {
    const group = random.weighted(GROUP_WEIGHTS);
    const word = random.pick(NAMES[group]);
    const name = `${word}-${String(index).padStart(4, '0')}`;
    const id = CATEGORIES[group] ? `${group}/${random.pick(CATEGORIES[group])}/${name}` : `${group}/${name}`;
    const role = group === 'platform' ? (word.includes('ansible') || word.includes('roles') ? 'platform-ansible' : 'platform-terraform') : ROLE_OF_GROUP[group];
    const repo = { id, group, role, size: sizeClass(random) };
    if (role === 'service') {
      const wave = group === 'applications' ? 10 : group === 'security' ? random.pick([8, 9]) : 7;
      repo.app = { name, wave, project: group, docker: random.chance(0.25), chart: random.chance(0.4), registered: random.chance(0.7) };
    }
    repo.plant = plant(repo, plan);
    if (repo.plant === 'wave-same-as-dependency') repo.app.dependsOn = plan.dependencyTarget();
    else if (repo.plant === 'wave-outside-band') repo.app.wave = 9;
    else if (role === 'service' && group === 'applications' && random.chance(0.12) && plan.dependencyTarget()) {
      // Deliberately correct: a later wave than what it depends on (the seed's arr-stack after qbittorrent).
      repo.app.dependsOn = plan.dependencyTarget();
      repo.app.wave = 11;
    }
    if (role === 'service' && group === 'applications' && repo.app.wave === 10 && !repo.plant && !repo.app.dependsOn) cleanWave10.push(name);
    repos.push(repo);
  }
  // The app-of-apps registry comes last: it lists the services that chose to be registered.
  repos.push({ id: 'kubernetes/argocd-apps', group: 'kubernetes', role: 'registry' });
  return repos.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Most repos are small; a few carry large values files and docs (the seed's prometheus-stack, wazuh). */
function sizeClass(random) {
  const roll = random.next();
  return roll < 0.7 ? 'small' : roll < 0.95 ? 'medium' : 'large';
}

