/**
 * What the user named on the command line, checked before the run: a missing or malformed baseline, a report path
 * that cannot be written, a --previous report that cannot be read. Each is the user's to fix, so it is a one-line
 * error and exit code 2 at once, not exit 3 and a stack trace after a run of many minutes.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { readBaseline } from '../engine/baseline.js';
import { UsageError } from '../usage-error.js';
import type { OutputSettings } from './options.js';
import { readPrevious } from './audit-output.js';

export interface PreflightValues {
  baseline?: string | undefined;
  previous?: string | undefined;
  'write-baseline'?: string | undefined;
  'sarif-per-repo'?: string | undefined;
  'write-snapshot'?: string | undefined;
  'write-fragment'?: string | undefined;
  stats?: string | undefined;
}

export async function preflight(values: PreflightValues, settings: Pick<OutputSettings, 'formats'>): Promise<void> {
  if (values.baseline !== undefined) {
    await readBaseline(values.baseline).catch((error: unknown) => {
      throw new UsageError(`--baseline ${(error as Error).message.replace(/^baseline /, '')}`, { oneLine: true });
    });
  }
  if (values.previous !== undefined) await readPrevious(values.previous);
  const files: [string, string][] = [
    ...settings.formats.flatMap((request): [string, string][] => (request.path === undefined ? [] : [[`--format ${request.format}=`, request.path]])),
    ...(['write-baseline', 'write-snapshot', 'write-fragment', 'stats'] as const).flatMap((option): [string, string][] => {
      const path = values[option];
      return path === undefined ? [] : [[`--${option} `, path]];
    }),
  ];
  for (const [option, path] of files) await assertWritable(option, path, 'file');
  if (values['sarif-per-repo'] !== undefined) await assertWritable('--sarif-per-repo ', values['sarif-per-repo'], 'folder');
}

/**
 * A file (or folder) can be made at `path`: what exists there is of that kind and writable, and the nearest folder
 * that exists above it is writable (the file is written beside itself and renamed). Nothing is created here.
 */
async function assertWritable(option: string, path: string, kind: 'file' | 'folder'): Promise<void> {
  const fail = (why: string): never => {
    throw new UsageError(`${option}${path}: cannot be written: ${why}`, { oneLine: true });
  };
  const existing = await stat(path).catch(() => undefined);
  if (existing !== undefined) {
    if (kind === 'file' && existing.isDirectory()) fail('it is a folder');
    if (kind === 'folder' && !existing.isDirectory()) fail('it is a file, not a folder');
    if (kind === 'folder') return writableFolder(path, fail);
  }
  let above = dirname(resolve(path));
  for (;;) {
    const info = await stat(above).catch(() => undefined);
    if (info !== undefined) {
      if (!info.isDirectory()) fail(`${above} is a file, not a folder`);
      return writableFolder(above, fail);
    }
    const parent = dirname(above);
    if (parent === above) return;
    above = parent;
  }
}

async function writableFolder(folder: string, fail: (why: string) => never): Promise<void> {
  await access(folder, constants.W_OK | constants.X_OK).catch((error: unknown) => fail(`the folder ${folder} is not writable (${(error as NodeJS.ErrnoException).code ?? 'error'})`));
}
