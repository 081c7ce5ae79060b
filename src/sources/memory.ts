import { FileReadError, type FileEntry, type FileSource } from './file-source.js';

/** Files held in memory: rule tests, fleet snapshots and generated fleets read through the same interface. */
export class MemorySource implements FileSource {
  readonly description = 'in-memory files';
  private readonly files: Map<string, Buffer>;

  constructor(files: Readonly<Record<string, string | Buffer>>) {
    this.files = new Map(Object.entries(files).map(([path, content]) => [path, typeof content === 'string' ? Buffer.from(content) : content]));
  }

  listFiles(): Promise<FileEntry[]> {
    const entries = [...this.files.entries()].map(([path, content]) => ({ path, size: content.length }));
    return Promise.resolve(entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)));
  }

  readFile(path: string): Promise<Buffer> {
    const content = this.files.get(path);
    return content ? Promise.resolve(content) : Promise.reject(new FileReadError(path, 'no such file'));
  }
}
