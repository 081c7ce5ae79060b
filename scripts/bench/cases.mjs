// The fleets the benchmark runs on: the seed fleet, generated fleets (made once, reused while their
// expected.json matches), and the one-repo case for pre-commit.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFleet } from '../gen-fleet.mjs';

/** A generated fleet under `outDir`, regenerated only when missing or made with other options. */
export function generatedFleet(outDir, repos, seed) {
  const root = join(outDir, `fleet-${repos}`);
  const expectedFile = join(root, 'expected.json');
  const current = existsSync(expectedFile) ? JSON.parse(readFileSync(expectedFile, 'utf8')) : undefined;
  // A fleet generated before fleets had a config (extends: [homelab]) is generated again.
  if (current?.repos !== repos || current?.seed !== seed || !existsSync(join(root, 'fleetlint.config.yaml'))) writeFleet(root, { repos, seed });
  return root;
}

/**
 * The pre-commit case: `lint --staged` in a git checkout of one service repo when the CLI has that command;
 * otherwise (the command is not there yet) `audit` of a fleet made of that one repo.
 */
export function preCommitCase(repoRoot, cli, outDir, serviceRepo) {
  // `lint` takes no --help of its own: the top-level help listing `lint ... --staged` also counts.
  const hasLint =
    spawnSync(process.execPath, [cli, 'lint', '--help'], { encoding: 'utf8' }).status === 0 ||
    /fleetlint lint\b[\s\S]*--staged/.test(helpText(cli));
  const source = join(repoRoot, 'fixtures/homelab', serviceRepo);
  if (hasLint) {
    const dir = join(outDir, 'precommit-repo');
    rmSync(dir, { recursive: true, force: true });
    cpSync(source, dir, { recursive: true });
    const git = (...args) => spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
    git('init', '-q');
    git('add', '-A');
    return { command: 'lint --staged', cwd: dir, args: ['lint', '--staged'], root: dir, note: `\`lint --staged\` in a fresh git repo holding a copy of ${serviceRepo}, every file staged, no --fleet` };
  }
  const fleet = join(outDir, 'precommit-fleet');
  rmSync(fleet, { recursive: true, force: true });
  mkdirSync(fleet, { recursive: true });
  cpSync(source, join(fleet, serviceRepo), { recursive: true });
  writeFileSync(join(fleet, 'fleet.yaml'), `gitlab:\n  host: gitlab.homelab.local\n  group: homelab\nregistries:\n  - harbor.homelab.local\nrepos:\n  - ${serviceRepo}\n`);
  return {
    command: 'audit (one-repo fleet)',
    cwd: repoRoot,
    args: ['audit', fleet, '--quiet'],
    root: fleet,
    note: `\`fleetlint lint --help\` fails on this build (the command is still being built), so this is \`audit\` of a fleet holding only ${serviceRepo}`,
  };
}

/** The CLI's --help, wherever it prints it. */
function helpText(cli) {
  const child = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  return `${child.stdout}${child.stderr}`;
}
