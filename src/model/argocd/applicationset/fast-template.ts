/**
 * ApplicationSet templates without `goTemplate` (valyala/fasttemplate, as ArgoCD calls it): each `{{ tag }}` whose
 * trimmed tag is a parameter with a string value is replaced by it; any other tag is left as written, so it stays
 * a visible placeholder.
 */
export function renderFastTemplate(text: string, params: Readonly<Record<string, unknown>>): string {
  if (!text.includes('{{')) return text;
  let out = '';
  let position = 0;
  for (;;) {
    const open = text.indexOf('{{', position);
    if (open === -1) break;
    const close = text.indexOf('}}', open + 2);
    if (close === -1) break;
    const tag = text.slice(open + 2, close);
    const value = params[tag.trim()];
    out += text.slice(position, open) + (tag.trim() !== '' && typeof value === 'string' && Object.hasOwn(params, tag.trim()) ? value : `{{${tag}}}`);
    position = close + 2;
  }
  return out + text.slice(position);
}
