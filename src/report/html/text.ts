/** Text helpers of the audit page: escaping, plurals, score numbers, anchors. */

/** HTML text and attribute escaping; control characters become visible escapes, as in the text report. */
export function esc(text: string): string {
  return text
    .replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char)
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, (char) => `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function formatScore(value: number): string {
  return value.toFixed(1);
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** An id for a repo's findings block: its characters are kept where HTML ids allow, the rest escaped. */
export function anchor(repo: string): string {
  return `repo-${repo === '.' ? '_fleet' : repo.replace(/[^A-Za-z0-9_-]/g, (char) => (char === '/' ? '__' : `-${char.charCodeAt(0).toString(16)}-`))}`;
}
