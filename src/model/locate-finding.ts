import type { FindingDraft } from './findings.js';
import type { Fleet } from './types.js';
import { locatePath } from './yaml/locate.js';

/**
 * Gives a finding that names a YAML path (and no range) the range of that path, falling back to the
 * closest existing ancestor; a finding in a file with no parsed YAML points at its first line.
 */
export function withRange(draft: FindingDraft, repoById: ReadonlyMap<string, Fleet['repos'][number]>): FindingDraft {
  if (draft.range || draft.file === undefined) return draft;
  const document = repoById.get(draft.repo)?.yaml.get(draft.file)?.documents[draft.docIndex ?? 0];
  if (!document || !draft.path) return { ...draft, range: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 } };
  return { ...draft, range: locatePath(document, draft.path).range };
}
