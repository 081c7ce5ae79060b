/**
 * Secrets in git history: what commits added, read from one streamed `git log -p` per repository. A value never
 * leaves this module: each is kept only as a keyed digest (`keyedDigest`, with a key that stays on the machine),
 * enough to tell whether the same secret is still in the tree, and as its redacted form for the message.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { libraryHits } from './library.js';
import { keyedDigest, redact } from './redact.js';
import { judged, withoutOverlaps } from './scan.js';
import { textHits } from './text-detectors.js';
import type { SecretHit } from './types.js';

/** A secret a commit added, without its value. */
export interface HistorySecret {
  file: string;
  /** The 1-based line in the file as that commit left it. */
  line: number;
  commit: string;
  /** The commit's date (ISO 8601). */
  date: string;
  kind: string;
  detector: string;
  key?: string;
  placeholder: boolean;
  /** redact(value): a short prefix and the length. */
  redacted: string;
  /** keyedDigest(digestKey, value). */
  digest: string;
}

export interface HistoryScan {
  /** The commit scanned up to (HEAD): the next scan starts after it. */
  head: string;
  commits: number;
  secrets: HistorySecret[];
}

/** At most this many secrets are kept per repository; a repository that holds more has a bigger problem to report. */
export const MAX_HISTORY_SECRETS = 200;
/** Added text of one file in one commit beyond this is not scanned (a vendored bundle, a dump). */
const MAX_ADDED_CHARS = 1_000_000;

/**
 * Scans the commits of `gitDir` after `since` (all of HEAD's history when absent, or when `since` is no longer there,
 * as after a force push) up to HEAD, merges excluded. Each file's added lines are read as text with every detector of
 * the tree scan except the YAML structure (a diff has none). A secret added again in a later commit is kept once, at
 * the oldest commit that added it to that file.
 */
export async function scanHistory(gitDir: string, since: string | undefined, digestKey: Buffer): Promise<HistoryScan> {
  const head = (await git(gitDir, ['rev-parse', 'HEAD'])).trim();
  const known = since !== undefined && (await git(gitDir, ['cat-file', '-e', `${since}^{commit}`]).then(() => true, () => false));
  const range = known ? [`${since}..${head}`] : [head];
  const child = spawn('git', ['-C', gitDir, '-c', 'core.quotepath=off', 'log', '-p', '--no-color', '--no-ext-diff', '--no-renames', '--no-merges', '--unified=0', '--format=%x01%H %cI', ...range, '--'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

  const byPlace = new Map<string, HistorySecret>();
  let commits = 0;
  let commit = '';
  let date = '';
  let path: string | undefined;
  let nextLine = 0;
  let inHunk = false;
  let added: { line: number; text: string }[] = [];
  let addedChars = 0;

  const flush = async (): Promise<void> => {
    if (path !== undefined && added.length > 0) {
      for (const secret of await secretsIn(path, added, commit, date, digestKey)) {
        // git log lists the newest commit first: a later entry for the same place is an older commit.
        byPlace.set(`${secret.file}\u0000${secret.digest}`, secret);
      }
    }
    added = [];
    addedChars = 0;
  };

  for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
    if (line.startsWith('\u0001')) {
      await flush();
      [commit = '', date = ''] = line.slice(1).split(' ');
      commits += 1;
      path = undefined;
      inHunk = false;
    } else if (line.startsWith('diff --git ')) {
      await flush();
      path = undefined;
      inHunk = false;
    } else if (!inHunk && line.startsWith('+++ ')) {
      path = line === '+++ /dev/null' ? undefined : unquote(line.slice(4)).replace(/^b\//, '');
    } else if (line.startsWith('@@ ')) {
      nextLine = Number(/\+(\d+)/.exec(line)?.[1] ?? '0');
      inHunk = true;
    } else if (inHunk && line.startsWith('+')) {
      if (addedChars < MAX_ADDED_CHARS) added.push({ line: nextLine, text: line.slice(1) });
      addedChars += line.length;
      nextLine += 1;
    }
  }
  await flush();
  const code = await exited;
  if (code !== 0) throw new Error(`git log failed in ${gitDir}: ${stderr.trim().split('\n')[0] ?? `exit ${String(code)}`}`);
  const secrets = [...byPlace.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line)).slice(0, MAX_HISTORY_SECRETS);
  return { head, commits, secrets };
}

/**
 * Secrets in text read line by line, as a diff is: every detector but the YAML structure. The tree is read the same
 * way when a secret of history is looked for in it, so the same line gives the same value in both.
 */
async function textSecrets(file: string, text: string): Promise<SecretHit[]> {
  const { specific, generic } = textHits(file, text, { keyValues: 'all' });
  return judged(withoutOverlaps([...(await libraryHits(file, text)), ...specific, ...generic]), file, text);
}

/** The secrets in one file's added lines, read as one text whose line i is added line i. */
async function secretsIn(file: string, added: readonly { line: number; text: string }[], commit: string, date: string, digestKey: Buffer): Promise<HistorySecret[]> {
  const hits = await textSecrets(file, added.map((entry) => entry.text).join('\n'));
  return hits.map((hit) => ({
    file,
    line: added[hit.range.startLine - 1]?.line ?? hit.range.startLine,
    commit,
    date,
    kind: hit.kind,
    detector: hit.detector,
    ...(hit.key !== undefined ? { key: hit.key } : {}),
    placeholder: hit.placeholder || hit.doubt !== undefined,
    redacted: redact(hit.value),
    digest: keyedDigest(digestKey, hit.value),
  }));
}

/** The keyed digests of the secrets a file of the tree holds, read as history is (see textSecrets). */
export async function treeDigests(file: string, text: string, digestKey: Buffer): Promise<Set<string>> {
  return new Set((await textSecrets(file, text)).map((hit) => keyedDigest(digestKey, hit.value)));
}

/** git's C-style quoting of unusual paths (`"b/caf\303\251.txt"`). */
function unquote(path: string): string {
  if (!path.startsWith('"')) return path;
  const bytes: number[] = [];
  const body = path.slice(1, -1);
  for (let index = 0; index < body.length; index += 1) {
    const char = body[index] ?? '';
    if (char !== '\\') {
      bytes.push(...Buffer.from(char));
      continue;
    }
    const next = body[index + 1] ?? '';
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(index + 1, index + 4), 8));
      index += 3;
    } else {
      bytes.push(({ n: 10, t: 9, '"': 34, '\\': 92 } as Record<string, number>)[next] ?? next.charCodeAt(0));
      index += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function git(dir: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-C', dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(err.trim() || `git ${args[0] ?? ''} failed`));
    });
  });
}
