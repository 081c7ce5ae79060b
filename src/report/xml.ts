/** XML 1.0 escaping for text and attribute values, including characters XML 1.0 cannot carry at all. */

// Characters outside XML 1.0's `Char` production: C0 controls but tab/LF/CR, lone surrogates, U+FFFE/U+FFFF.
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Forbidden characters become a visible `\uXXXX` so the reader still sees that something was there. */
function replaceForbidden(text: string): string {
  return text.replace(FORBIDDEN, (char) => `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
}

export function escapeXmlText(text: string): string {
  // `\r` as a reference, or a parser would turn it into `\n`.
  return replaceForbidden(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

export function escapeXmlAttr(text: string): string {
  // Tabs and line breaks as references, or attribute-value normalization would turn them into spaces.
  return escapeXmlText(text).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}
