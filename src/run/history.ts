/**
 * `audit --history`: secrets that are gone from a repository's tree but still in its git history. Each repository's
 * commits since the last audit are read (one streamed `git log -p`, secrets/history.ts); what they added is kept, as
 * digests keyed with a key that stays in the cache folder, in a state file beside it, so that tomorrow's audit reads
 * only tomorrow's commits and still reports a secret found last week. A secret is reported as long as it is out of
 * the tree and its commit is in history: it stays readable by anyone who can clone the repository until it is rotated.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FindingDraft } from '../model/findings.js';
import type { Fleet, Repo } from '../model/types.js';
import { scanHistory, treeDigests, type HistorySecret } from '../secrets/history.js';
import { WorkingTreeSource } from '../sources/working-tree.js';

const STATE_FILE = 'secrets-history.json';
const KEY_FILE = 'secrets-digest.key';
const STATE_VERSION = 1;

interface HistoryState {
  version: number;
  repos: Record<string, { head: string; secrets: HistorySecret[] }>;
}

export interface HistoryStats {
  repos: number;
  commits: number;
  /** Secrets reported: gone from the tree, still in history. */
  reported: number;
}

/**
 * Adds a `no-secrets` finding to each repo (as a repo diagnostic, so the runner applies config, suppressions,
 * waivers and fingerprints as to any finding) for every secret of its history that the tree no longer holds.
 * `stateDir` keeps the state file and the digest key.
 */
export async function addHistoryFindings(fleet: Fleet, repoIds: ReadonlySet<string>, stateDir: string, onProblem?: (message: string) => void): Promise<HistoryStats> {
  await mkdir(stateDir, { recursive: true });
  const { key, made } = await digestKey(join(stateDir, KEY_FILE));
  // Digests made with a lost key match nothing: a new key starts the history over.
  const state = made ? { version: STATE_VERSION, repos: {} } : await readState(join(stateDir, STATE_FILE));
  const stats: HistoryStats = { repos: 0, commits: 0, reported: 0 };
  for (const repo of fleet.repos) {
    if (!repoIds.has(repo.id) || !(repo.source instanceof WorkingTreeSource)) continue;
    const previous = state.repos[repo.id];
    let scan;
    try {
      scan = await scanHistory(repo.source.dir, previous?.head, key);
    } catch (error) {
      onProblem?.(`${repo.id}: history not scanned: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    stats.repos += 1;
    stats.commits += scan.commits;
    const secrets = merge(previous?.secrets ?? [], scan.secrets);
    state.repos[repo.id] = { head: scan.head, secrets };
    const digests = new Map<string, Set<string>>();
    for (const secret of secrets) {
      let inFile = digests.get(secret.file);
      if (!inFile) {
        const text = repo.files.find((candidate) => candidate.path === secret.file)?.text;
        digests.set(secret.file, (inFile = text === undefined ? new Set() : await treeDigests(secret.file, text, key)));
      }
      // Still in the tree: the tree's finding stands for it.
      if (inFile.has(secret.digest)) continue;
      repo.diagnostics.push(historyFinding(repo, secret));
      stats.reported += 1;
    }
  }
  const temporary = join(stateDir, `${STATE_FILE}.${String(process.pid)}.tmp`);
  await writeFile(temporary, `${JSON.stringify(state)}\n`);
  await rename(temporary, join(stateDir, STATE_FILE));
  return stats;
}

function historyFinding(repo: Repo, secret: HistorySecret): FindingDraft {
  const commit = secret.commit.slice(0, 12);
  const when = secret.date.slice(0, 10);
  return {
    ruleId: 'no-secrets',
    severity: secret.placeholder ? 'note' : 'error',
    message: `${secret.kind}: ${secret.redacted} — no longer in the tree, but still in git history since commit ${commit} (${when}): rotate it; removing it from the tree did not remove it from history`,
    repo: repo.id,
    file: secret.file,
    range: { startLine: secret.line, startColumn: 1, endLine: secret.line, endColumn: 1 },
    // The commit and the place, never the value.
    subject: `history:${secret.detector}:${secret.key ?? ''}:${secret.commit}`,
    data: { commit: secret.commit, date: secret.date },
  };
}

/** Known secrets first; a new one joins unless the same secret in the same file is known already. */
function merge(known: readonly HistorySecret[], found: readonly HistorySecret[]): HistorySecret[] {
  const places = new Set(known.map((secret) => `${secret.file}\u0000${secret.digest}`));
  return [...known, ...found.filter((secret) => !places.has(`${secret.file}\u0000${secret.digest}`))];
}

async function readState(path: string): Promise<HistoryState> {
  try {
    const state = JSON.parse(await readFile(path, 'utf8')) as Partial<HistoryState>;
    if (state.version === STATE_VERSION && typeof state.repos === 'object') return state as HistoryState;
  } catch {
    // no state yet, or an unreadable one: every history is read again
  }
  return { version: STATE_VERSION, repos: {} };
}

/** The machine's digest key, made on first use; readable by its owner only. */
async function digestKey(path: string): Promise<{ key: Buffer; made: boolean }> {
  try {
    const key = await readFile(path);
    if (key.length >= 32) return { key, made: false };
  } catch {
    // made below
  }
  const key = randomBytes(32);
  await writeFile(path, key, { mode: 0o600 });
  return { key, made: true };
}
