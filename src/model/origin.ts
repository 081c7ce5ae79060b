import type { DocPath, SourceRange } from './findings.js';
import type { YamlDocument } from './yaml/parse.js';
import { locatePath } from './yaml/locate.js';

/**
 * Where a fact came from. Every fact in the model carries one so that a rule or policy can point at it.
 * `line` duplicates `range.startLine` for policy authors who only want a line.
 */
export interface FactOrigin {
  repo: string;
  file: string;
  docIndex?: number;
  path?: DocPath;
  range: SourceRange;
  line: number;
}

/** The origin of the node at `path` in a parsed YAML document (closest existing ancestor if it is missing). */
export function originAt(repo: string, document: YamlDocument, path: DocPath): FactOrigin {
  const { range, resolvedPath } = locatePath(document, path);
  return { repo, file: document.file, docIndex: document.index, path: resolvedPath, range, line: range.startLine };
}

/** The origin of a whole line of a non-YAML file (Dockerfile, shell script, tfvars). */
export function originAtLine(repo: string, file: string, line: number, startColumn = 1, endColumn?: number): FactOrigin {
  return { repo, file, range: { startLine: line, startColumn, endLine: line, endColumn: endColumn ?? startColumn }, line };
}
