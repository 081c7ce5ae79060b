/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function shouldColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return stream.isTTY && (process.env.NO_COLOR ?? '') === '';
}

export function stderr(text: string): void {
  process.stderr.write(`${text}\n`);
}
