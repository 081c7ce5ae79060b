import type { DocPath, FindingDraft, SourceRange } from '../findings.js';
import { originAt, type FactOrigin } from '../origin.js';
import { isMap, valueAt, type PlainMap } from '../k8s/value.js';
import { documentLocator, type ValueLocator } from '../locator.js';
import { parseYamlFile, type YamlDocument } from '../yaml/parse.js';
import { locatePath } from '../yaml/locate.js';
import { nodeAt } from '../yaml/tree.js';
import { yamlTemplateKind } from '../templates.js';

/** Helm values written inside an Application source: `helm.valuesObject`, or the `helm.values` YAML string. */
export interface InlineValues {
  value: PlainMap;
  locator: ValueLocator;
}

/**
 * The inline Helm values of the source at `sourcePath` of an Application document. `helm.values` is a string
 * of YAML: it is parsed, and when it is a literal block scalar (`values: |`) positions point at its lines in the
 * Application's file (`fileText` is that file's text); otherwise everything in it points at the `values` key.
 * Values that are not valid YAML (Helm would refuse them) are a `parse-error` at their line.
 */
export function inlineHelmValues(repo: string, document: YamlDocument, sourcePath: DocPath, fileText: string | undefined): { values: InlineValues[]; diagnostics: FindingDraft[] } {
  const values: InlineValues[] = [];
  const diagnostics: FindingDraft[] = [];
  const objectPath = [...sourcePath, 'helm', 'valuesObject'];
  const object = valueAt(document.value, objectPath);
  if (isMap(object)) values.push({ value: object, locator: documentLocator(repo, document, objectPath) });

  const stringPath = [...sourcePath, 'helm', 'values'];
  const text = valueAt(document.value, stringPath);
  // Values that are a template themselves (bare placeholders where keys go) are filled in before Helm reads them.
  if (typeof text !== 'string' || text.trim() === '' || yamlTemplateKind(text) !== undefined) return { values, diagnostics };
  const keyOrigin = originAt(repo, document, stringPath);
  const shift = blockShift(document, stringPath, fileText);
  const mapRange = (range: SourceRange): SourceRange =>
    shift
      ? { startLine: range.startLine + shift.lines, startColumn: range.startColumn + shift.columns, endLine: range.endLine + shift.lines, endColumn: range.endColumn + shift.columns }
      : keyOrigin.range;
  const parsed = parseYamlFile(repo, document.file, text);
  for (const diagnostic of parsed.diagnostics) {
    diagnostics.push({
      ...diagnostic,
      message: `inline Helm values (${stringPath.join('.')}): ${diagnostic.message}`,
      ...(diagnostic.range ? { range: mapRange(diagnostic.range) } : {}),
      subject: `inline-values:${stringPath.join('.')}:${diagnostic.subject ?? ''}`,
    });
  }
  const inner = parsed.parsed.documents[0];
  if (!inner || inner.broken || !isMap(inner.value)) return { values, diagnostics };
  const at = (path: DocPath): FactOrigin => {
    if (!shift) return keyOrigin;
    const range = mapRange(locatePath(inner, path).range);
    return { repo, file: document.file, range, line: range.startLine };
  };
  values.push({ value: inner.value, locator: { at, text: (path) => documentLocator(repo, inner).text(path) } });
  return { values, diagnostics };
}

/**
 * How a literal block scalar's text sits in the file: its first line is the line after the `|` header, every line
 * indented by the same number of spaces. Undefined for other scalar styles, whose lines are not the file's.
 */
function blockShift(document: YamlDocument, path: DocPath, fileText: string | undefined): { lines: number; columns: number } | undefined {
  const node = nodeAt(document.tree, path);
  if (fileText === undefined || node?.kind !== 'scalar' || fileText[node.start] !== '|') return undefined;
  const headerEnd = fileText.indexOf('\n', node.start);
  if (headerEnd === -1) return undefined;
  const header = fileText.slice(node.start, headerEnd).replace(/\s+#.*$/, '').trim();
  const headerLine = document.lineCounter.linePos(node.start).line;
  const explicit = /[1-9]/.exec(header)?.[0];
  let columns: number;
  if (explicit !== undefined) {
    const lineStart = fileText.lastIndexOf('\n', node.start) + 1;
    const parentIndent = /^ */.exec(fileText.slice(lineStart, node.start))?.[0].length ?? 0;
    columns = parentIndent + Number(explicit);
  } else {
    const content = /^(?:[ \t]*\r?\n)*( *)\S/.exec(fileText.slice(headerEnd + 1));
    if (!content) return undefined;
    columns = content[1]?.length ?? 0;
  }
  return { lines: headerLine, columns };
}
