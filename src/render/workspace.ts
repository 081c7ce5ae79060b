import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { mapLimit } from '../concurrency.js';
import type { RepoIndex } from './repo-index.js';

/**
 * A temporary folder holding the files one render reads, each fleet repo at a folder of its own (`r0`, `r1`:
 * repo ids may nest), laid out as in the repo so that relative references (`../base`, `file://../common`,
 * `$values/...`) resolve as in ArgoCD's checkout. The bytes come from the model, never from the user's working tree.
 */
export class Workspace {
  readonly #slots = new Map<string, string>();
  readonly #slotRepos = new Map<string, string>();

  private constructor(readonly root: string) {}

  static async create(parent?: string): Promise<Workspace> {
    if (parent !== undefined) await mkdir(parent, { recursive: true });
    return new Workspace(await mkdtemp(join(parent ?? tmpdir(), 'fleetlint-render-')));
  }

  /** The folder that stands for `repo`'s root. */
  repoDir(repo: string): string {
    return join(this.root, this.slot(repo));
  }

  /** The slot name of a repo (`r0`): also how cache keys name repos, independent of the temp folder. */
  slot(repo: string): string {
    let slot = this.#slots.get(repo);
    if (slot === undefined) {
      slot = `r${String(this.#slots.size)}`;
      this.#slots.set(repo, slot);
      this.#slotRepos.set(slot, repo);
    }
    return slot;
  }

  /** Writes the files (repo-relative paths) of a repo into its folder; files without bytes are left out. */
  async materialize(index: RepoIndex, files: Iterable<string>): Promise<void> {
    const base = this.repoDir(index.id);
    await mapLimit([...new Set(files)], 16, async (file) => {
      const bytes = await index.bytes(file);
      if (!bytes) return;
      const target = join(base, ...file.split('/'));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, bytes);
    });
  }

  /** Maps a path inside the workspace back to a repo and file, when it is in a repo's folder. */
  repoFileOf(absolute: string): { repo: string; file: string } | undefined {
    const rel = relative(this.root, absolute);
    if (rel.startsWith('..') || rel === '') return undefined;
    const [slot, ...rest] = rel.split(sep);
    const repo = slot === undefined ? undefined : this.#slotRepos.get(slot);
    return repo === undefined || rest.length === 0 ? undefined : { repo, file: rest.join('/') };
  }

  /** A tool's message with the workspace's paths written as repo ids, as ArgoCD writes its checkout as `.`. */
  redact(text: string): string {
    let result = text;
    for (const [repo, slot] of [...this.#slots].sort((a, b) => b[1].length - a[1].length)) {
      result = result.split(join(this.root, slot)).join(repo);
    }
    return result.split(this.root).join('<render folder>');
  }

  async dispose(): Promise<void> {
    await Workspace.removeFolder(this.root);
  }

  static async removeFolder(folder: string): Promise<void> {
    await rm(folder, { recursive: true, force: true, maxRetries: 2 });
  }
}
