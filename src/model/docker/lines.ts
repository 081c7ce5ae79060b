/**
 * A Dockerfile as logical lines: parser directives read, comments dropped, `\` (or the `# escape=` character)
 * continuations joined and heredoc bodies skipped, with a map back to the physical line and column of every
 * character so that an instruction's parts can be pointed at.
 */
export interface LogicalLine {
  text: string;
  /** 1-based physical line where the instruction starts. */
  line: number;
  /** Where each piece of `text` came from: pieces start at `offset` in `text`. */
  pieces: { offset: number; line: number; column: number }[];
}

const DIRECTIVE = /^#[ \t]*([a-zA-Z][a-zA-Z0-9_-]*)[ \t]*=(.*)$/;
const HEREDOC = /<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g;
const HEREDOC_INSTRUCTIONS = new Set(['RUN', 'COPY', 'ADD']);

export function logicalLines(text: string): LogicalLine[] {
  const physical = text.split(/\r?\n/);
  let escape = '\\';
  let index = 0;
  // Parser directives must come first, before any comment, blank line or instruction.
  for (; index < physical.length; index += 1) {
    const directive = DIRECTIVE.exec(physical[index] ?? '');
    if (!directive) break;
    const value = directive[2]?.trim();
    if (directive[1]?.toLowerCase() === 'escape' && (value === '`' || value === '\\')) escape = value;
  }
  const continuation = new RegExp(`${escape === '\\' ? '\\\\' : '`'}[ \\t]*$`);

  const result: LogicalLine[] = [];
  let current: LogicalLine | undefined;
  for (; index < physical.length; index += 1) {
    const raw = physical[index] ?? '';
    const lineNumber = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const continues = continuation.test(raw);
    const content = continues ? raw.replace(continuation, '') : raw;
    if (!current) {
      const indent = content.length - content.trimStart().length;
      current = { text: '', line: lineNumber, pieces: [] };
      current.pieces.push({ offset: 0, line: lineNumber, column: indent + 1 });
      current.text = content.trimStart();
    } else {
      current.pieces.push({ offset: current.text.length, line: lineNumber, column: 1 });
      current.text += content;
    }
    if (continues) continue;
    result.push(current);
    index = skipHeredocs(current.text, physical, index);
    current = undefined;
  }
  if (current) result.push(current);
  return result;
}

/** Past the bodies of `RUN <<EOF` style heredocs, whose lines are not instructions. Returns the last body line's index. */
function skipHeredocs(instruction: string, physical: readonly string[], index: number): number {
  const keyword = instruction.split(/\s/, 1)[0]?.toUpperCase() ?? '';
  if (!HEREDOC_INSTRUCTIONS.has(keyword)) return index;
  let last = index;
  for (const match of instruction.matchAll(HEREDOC)) {
    const stripTabs = match[1] === '-';
    const delimiter = match[3] ?? '';
    let cursor = last + 1;
    while (cursor < physical.length) {
      const body = physical[cursor] ?? '';
      if ((stripTabs ? body.replace(/^\t+/, '') : body) === delimiter) break;
      cursor += 1;
    }
    last = Math.min(cursor, physical.length - 1);
  }
  return last;
}

/** The physical position of a character of a logical line. */
export function positionOf(line: LogicalLine, offset: number): { line: number; column: number } {
  let piece = line.pieces[0] ?? { offset: 0, line: line.line, column: 1 };
  for (const candidate of line.pieces) {
    if (candidate.offset > offset) break;
    piece = candidate;
  }
  return { line: piece.line, column: piece.column + (offset - piece.offset) };
}

/** Whitespace-separated words with their offsets. */
export function words(text: string): { word: string; offset: number }[] {
  return [...text.matchAll(/\S+/g)].map((match) => ({ word: match[0], offset: match.index }));
}
