import type { FileEntry, FileSource } from './file-source.js';

/**
 * A source with some files replaced or added from memory: `lint -` checks an editor's unsaved buffer (stdin) as the
 * file it stands for, with the rest of the repository as it is on disk.
 */
export class OverlaySource implements FileSource {
  readonly description: string;
  readonly #under: FileSource;
  readonly #files: Map<string, Buffer>;

  constructor(under: FileSource, files: Readonly<Record<string, Buffer>>) {
    this.#under = under;
    this.#files = new Map(Object.entries(files));
    this.description = `${under.description}, with ${[...this.#files.keys()].join(', ')} from stdin`;
  }

  async listFiles(): Promise<FileEntry[]> {
    const listed = (await this.#under.listFiles()).filter((entry) => !this.#files.has(entry.path));
    const added = [...this.#files].map(([path, content]) => ({ path, size: content.length }));
    return [...listed, ...added].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  readFile(path: string): Promise<Buffer> {
    const content = this.#files.get(path);
    return content ? Promise.resolve(content) : this.#under.readFile(path);
  }
}
