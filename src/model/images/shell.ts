/**
 * Just enough POSIX shell to find the words of simple commands in a CI script line: quotes, backslashes,
 * line continuations, and the `;`, `&&`, `||`, `|`, `&` and newline separators. Substitutions (`$(...)`)
 * and redirections stay inside words; they do not matter for the commands looked for.
 */
export function simpleCommands(script: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  const text = script.replace(/\\\r?\n/g, ' ');

  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };

  for (let index = 0; index < text.length; index += 1) {
    const char = text.charAt(index);
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
      continue;
    }
    if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === '\\' && /["\\$`]/.test(text.charAt(index + 1))) word += text.charAt(++index);
      else word += char;
      continue;
    }
    if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === '\\') {
      word += text.charAt(++index);
      inWord = true;
    } else if (char === '#' && !inWord) {
      // A comment runs to the end of the line.
      const newline = text.indexOf('\n', index);
      index = newline === -1 ? text.length : newline - 1;
    } else if (char === ';' || char === '|' || char === '&' || char === '\n') {
      endCommand();
    } else if (char === ' ' || char === '\t' || char === '\r') {
      endWord();
    } else {
      word += char;
      inWord = true;
    }
  }
  endCommand();
  return commands;
}

/** `NAME=value` words before a command (or alone, as a shell assignment). */
export function leadingAssignments(words: readonly string[]): { assignments: [string, string][]; rest: string[] } {
  const assignments: [string, string][] = [];
  let index = 0;
  for (; index < words.length; index += 1) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(words[index] ?? '');
    if (!match) break;
    assignments.push([match[1] ?? '', match[2] ?? '']);
  }
  return { assignments, rest: words.slice(index) };
}
