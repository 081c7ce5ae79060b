import { createHash } from 'node:crypto';
import type { Repo, RepoFile } from '../model/types.js';
import type { YamlDocument } from '../model/yaml/parse.js';

/**
 * One fleet repo as the render stage reads it: file lookups by path and by folder, and each file's bytes
 * (the text the model read once; a binary file such as a vendored chart `.tgz` from the repo's FileSource, so
 * pre-commit renders the git index, not the working tree).
 */
export class RepoIndex {
  readonly #byPath = new Map<string, RepoFile>();
  readonly #paths: string[];
  readonly #bytes = new Map<string, Promise<Buffer | undefined>>();
  readonly #digests = new Map<string, Promise<string | undefined>>();

  constructor(readonly repo: Repo) {
    for (const file of repo.files) this.#byPath.set(file.path, file);
    this.#paths = [...this.#byPath.keys()].sort(compare);
  }

  get id(): string {
    return this.repo.id;
  }

  has(file: string): boolean {
    return this.#byPath.has(file);
  }

  /** The file's text as the model read it; undefined for a binary, skipped or missing file. */
  text(file: string): string | undefined {
    return this.#byPath.get(file)?.text;
  }

  /** Every file under `dir` at any depth (`.` is the whole repo), sorted. */
  filesUnder(dir: string): string[] {
    if (dir === '.' || dir === '') return [...this.#paths];
    const prefix = `${dir}/`;
    const result: string[] = [];
    for (let index = lowerBound(this.#paths, prefix); index < this.#paths.length; index++) {
      const path = this.#paths[index] as string;
      if (!path.startsWith(prefix)) break;
      result.push(path);
    }
    return result;
  }

  /** True when `dir` is a folder of the repo (some file is under it). */
  isDir(dir: string): boolean {
    if (dir === '.' || dir === '') return this.#paths.length > 0;
    const prefix = `${dir}/`;
    const path = this.#paths[lowerBound(this.#paths, prefix)];
    return path?.startsWith(prefix) === true;
  }

  /** The parsed YAML documents of a file, as the model parsed them. */
  documents(file: string): readonly YamlDocument[] {
    return this.repo.yaml.get(file)?.documents ?? [];
  }

  /** The file's bytes; undefined when the model could not read it (unreadable, a symlink out of the repo). */
  bytes(file: string): Promise<Buffer | undefined> {
    let bytes = this.#bytes.get(file);
    if (!bytes) {
      bytes = this.#readBytes(file);
      this.#bytes.set(file, bytes);
    }
    return bytes;
  }

  /** SHA-256 of the file's bytes, for cache keys. */
  digest(file: string): Promise<string | undefined> {
    let digest = this.#digests.get(file);
    if (!digest) {
      const text = this.text(file);
      digest = text !== undefined ? Promise.resolve(sha256(text)) : this.bytes(file).then((bytes) => (bytes ? sha256(bytes) : undefined));
      this.#digests.set(file, digest);
    }
    return digest;
  }

  async #readBytes(file: string): Promise<Buffer | undefined> {
    const entry = this.#byPath.get(file);
    if (!entry) return undefined;
    if (entry.text !== undefined) return Buffer.from(entry.text, 'utf8');
    if (entry.skipped === 'unreadable' || entry.skipped === 'outside-fleet') return undefined;
    try {
      return await this.repo.source.readFile(file);
    } catch {
      return undefined;
    }
  }
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function lowerBound(sorted: readonly string[], value: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] as string) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
