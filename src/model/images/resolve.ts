import { parseImageReference, type ParsedImageReference } from './reference.js';
import { expandVariables, type ExpandOptions, type VariableLookup } from './variables.js';
import { placeholdersIn } from '../placeholder.js';

export type ResolvedImage =
  | { ok: true; text: string; dynamic: boolean; reference: ParsedImageReference }
  | { ok: false; text: string; error: string };

const PLACEHOLDERS = /fleetlintvar(\d+)x/g;
const HAS_PLACEHOLDER = /fleetlintvar\d+x/;

/**
 * Expands the variables of a written image reference and parses it. When some stay unknown, the reference is
 * parsed with a placeholder per variable and the variables are put back in the parts (`alpine:${TAG}` has tag
 * `${TAG}`); the registry is left empty when a variable could be, or contain, the registry (`${CI_REGISTRY}/app`).
 * An unparseable dynamic reference is kept whole as the repository: it cannot be judged before run time.
 */
export function resolveImage(written: string, lookup: VariableLookup, options: Pick<ExpandOptions, 'dockerModifiers'> = {}): ResolvedImage {
  const marked = markPlaceholders(written);
  if (!marked) return resolveVariables(written, lookup, options);
  const resolved = resolveVariables(marked.text, (name) => (MARKER_NAME.test(name) ? undefined : lookup(name)), options);
  const { restore } = marked;
  if (!resolved.ok) return { ok: false, text: restore(resolved.text), error: resolved.error };
  const { reference } = resolved;
  return {
    ok: true,
    text: restore(resolved.text),
    dynamic: true,
    reference: {
      registry: restore(reference.registry),
      repository: restore(reference.repository),
      ...(reference.tag !== undefined ? { tag: restore(reference.tag) } : {}),
      ...(reference.digest !== undefined ? { digest: restore(reference.digest) } : {}),
    },
  };
}

const MARKER_NAME = /^FLEETLINTPH\d+$/;
const MARKER = /\$\{FLEETLINTPH(\d+)\}/g;

/**
 * `<REGISTRY>/app:1.0`, `((registry))/app`: placeholders other than `$VAR` (see placeholder.ts) written as variables
 * that stay unknown, so the reference is parsed like `${REGISTRY}/app:1.0`; `restore` puts them back in the parts.
 * `{{ }}` is left alone: a Go template is only known after rendering (toImageRef keeps such a reference whole).
 */
function markPlaceholders(written: string): { text: string; restore: (part: string) => string } | undefined {
  const originals: string[] = [];
  let text = '';
  let last = 0;
  for (const placeholder of placeholdersIn(written)) {
    if (placeholder.text.startsWith('$') || placeholder.text.startsWith('{{')) continue;
    text += `${written.slice(last, placeholder.index)}\${FLEETLINTPH${originals.push(placeholder.text) - 1}}`;
    last = placeholder.index + placeholder.text.length;
  }
  if (originals.length === 0) return undefined;
  text += written.slice(last);
  return { text, restore: (part) => part.replace(MARKER, (_match, index: string) => originals[Number(index)] ?? '') };
}

function resolveVariables(written: string, lookup: VariableLookup, options: Pick<ExpandOptions, 'dockerModifiers'>): ResolvedImage {
  const originals: string[] = [];
  const expanded = expandVariables(written, lookup, options);
  const text = expanded.text.trim();
  if (expanded.unresolved.length === 0) {
    const parsed = parseImageReference(text);
    return parsed.ok ? { ok: true, text, dynamic: false, reference: stripOk(parsed) } : { ok: false, text, error: parsed.error };
  }
  const withPlaceholders = expandVariables(written, lookup, {
    ...options,
    unresolved: (_name, original) => `fleetlintvar${originals.push(original) - 1}x`,
  }).text.trim();
  const restore = (part: string): string => part.replace(PLACEHOLDERS, (_match, index: string) => originals[Number(index)] ?? '');
  const parsed = parseImageReference(withPlaceholders);
  if (!parsed.ok) return { ok: true, text, dynamic: true, reference: { registry: '', repository: text } };

  // The written name without tag and digest; its first component is where a registry would be.
  const name = withPlaceholders.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
  const firstComponent = name.split('/')[0] ?? '';
  const registryIsKnown = !HAS_PLACEHOLDER.test(parsed.registry) && !HAS_PLACEHOLDER.test(firstComponent);
  return {
    ok: true,
    text,
    dynamic: true,
    reference: {
      registry: registryIsKnown ? parsed.registry : '',
      repository: restore(registryIsKnown ? parsed.repository : name),
      ...(parsed.tag !== undefined ? { tag: restore(parsed.tag) } : {}),
      ...(parsed.digest !== undefined ? { digest: restore(parsed.digest) } : {}),
    },
  };
}

function stripOk(parsed: ParsedImageReference & { ok: true }): ParsedImageReference {
  return {
    registry: parsed.registry,
    repository: parsed.repository,
    ...(parsed.tag !== undefined ? { tag: parsed.tag } : {}),
    ...(parsed.digest !== undefined ? { digest: parsed.digest } : {}),
  };
}
