import { LineCounter, parseDocument } from 'yaml';
import type { DocPath, PathSegment } from '../model/findings.js';
import { isMap, stringAt, valueAt } from '../model/k8s/value.js';
import { originAt } from '../model/origin.js';
import type { YamlDocument } from '../model/yaml/parse.js';
import type { AppSourceSpec } from './app-spec.js';
import type { AppTask, Setter } from './context.js';
import { parseInlineValues } from './manifests.js';
import type { RepoIndex } from './repo-index.js';
import type { RenderLocation, RenderedObject, SourceKind } from './types.js';

/** What locating a field of a rendered object needs besides the object. */
export interface ObjectContext {
  task: AppTask;
  source: AppSourceSpec;
  kind: SourceKind;
  setters: readonly Setter[];
}

interface Leaf {
  path: PathSegment[];
  text: string;
}

interface Wanted {
  tier: 'exact' | 'tag' | 'repository';
  text: string;
  targetKey: string | undefined;
  weak: boolean;
  image: ImageParts | undefined;
}

/** Keys that name an image's tag or version, and its repository. */
const TAG_KEY = /tag|version/i;
const REPOSITORY_KEY = /repo|image|name/i;
/** Values too common to tell where they came from by value alone (`true`, `1`, `http`). */
const WEAK_VALUE = /^(?:true|false|null|yes|no|on|off|-?\d+(?:\.\d+)?)$/i;

/**
 * Finds the most specific place the user owns for a field of a rendered object:
 *
 * 1. a setter whose scalar equals the field's value: a values file, inline values, a parameter, a kustomize
 *    patch or `images` entry (searched from the highest precedence down); for an image, a setter equal to its
 *    tag or repository also counts;
 * 2. the object's own document (a plain or kustomize resource file: the path, or its closest ancestor);
 * 3. the Helm template's line for the path's keys, found in order in the template's text;
 * 4. the kustomization whose generator made the object;
 * 5. the Application's source.
 */
export class Provenancer {
  readonly #contexts = new WeakMap<RenderedObject, ObjectContext>();
  readonly #leaves = new Map<string, Leaf[][]>();
  readonly #merged = new WeakMap<readonly Setter[], unknown>();

  constructor(private readonly indexes: ReadonlyMap<string, RepoIndex>) {}

  register(object: RenderedObject, context: ObjectContext): void {
    this.#contexts.set(object, context);
  }

  locate(object: RenderedObject, path: DocPath): RenderLocation {
    const context = this.#contexts.get(object);
    if (!context) throw new Error(`the ${object.kind} ${object.name ?? ''} was not rendered by this FleetRender`);
    const scalar = valueAt(object.value, path);
    if (typeof scalar === 'string' || typeof scalar === 'number' || typeof scalar === 'boolean') {
      const found = this.#fromSetters(context, String(scalar), path);
      if (found) return found;
    }
    const { file, configuredIn } = object.provenance;
    if (file?.owned === true) {
      const index = this.indexes.get(file.repo);
      if (index) {
        const document = file.docIndex !== undefined ? index.documents(file.file)[file.docIndex] : context.kind === 'kustomize' ? resourceDocument(index.documents(file.file), object) : undefined;
        if (document) return { ...origin(file.repo, document, pathInSource(object.value, document.value, path)), via: 'manifest' };
        if (context.kind === 'helm') return templateLine(file.repo, file.file, index.text(file.file) ?? '', path);
      }
    }
    if (configuredIn) {
      const index = this.indexes.get(configuredIn.repo);
      const document = index?.documents(configuredIn.file)[0];
      if (document) return { ...origin(configuredIn.repo, document, generatorPath(document.value, object.name)), via: 'manifest' };
    }
    return { ...context.task.locateInApp(context.source.docPath), via: 'application' };
  }

  #fromSetters(context: ObjectContext, text: string, path: DocPath): RenderLocation | undefined {
    const targetKey = lastKey(path);
    const image = /image/i.test(targetKey ?? '') || path.some((segment) => segment === 'containers' || segment === 'initContainers') ? splitImage(text) : undefined;
    const setters = [...context.setters].reverse();
    const weak = WEAK_VALUE.test(text) || text.length < 3;
    // Whole values first, in every setter; then an image's tag; then its repository.
    for (const tier of ['exact', 'tag', 'repository'] as const) {
      if (tier !== 'exact' && image === undefined) break;
      for (const setter of setters) {
        const found = this.#matchSetter(context, setter, { tier, text, targetKey, weak, image });
        if (found) return found;
      }
    }
    return undefined;
  }

  #matchSetter(context: ObjectContext, setter: Setter, want: Wanted): RenderLocation | undefined {
    const { tier, image } = want;
    const accepts = (leaf: Leaf): boolean => this.#accepts(context, leaf, want);
    switch (setter.kind) {
      case 'values-file':
      case 'patch-file': {
        const index = this.indexes.get(setter.repo);
        if (!index) return undefined;
        const documents = index.documents(setter.file);
        const prefix = setter.kind === 'values-file' ? (setter.path ?? []) : [];
        for (const [position, leaves] of this.#leavesOf(setter.repo, setter.file, documents, prefix).entries()) {
          // A patch sets a field under the same key; a values file under any key.
          const leaf = leaves.find((candidate) => accepts(candidate) && (setter.kind === 'values-file' || lastKey(candidate.path) === want.targetKey));
          const document = documents[position];
          if (leaf && document) return { ...origin(setter.repo, document, leaf.path), via: 'values' };
        }
        return undefined;
      }
      case 'inline-values': {
        const leaf = leavesOf(setter.value).find(accepts);
        return leaf ? { ...setter.task.locateInApp([...setter.path, ...leaf.path]), via: 'values' } : undefined;
      }
      case 'inline-values-text': {
        const leaf = leavesOf(parseInlineValues(setter.text)).find(accepts);
        return leaf ? { ...inlineTextLine(setter.task.locateInApp(setter.path), setter.text, leaf.path), via: 'values' } : undefined;
      }
      case 'parameter': {
        const leaf: Leaf = { path: setter.name.split('.'), text: setter.value };
        return accepts(leaf) ? { ...setter.task.locateInApp(setter.path), via: 'values' } : undefined;
      }
      case 'kustomize-images': {
        if (tier === 'exact' || image === undefined) return undefined;
        const index = this.indexes.get(setter.repo);
        const document = index?.documents(setter.file)[0];
        const images = valueAt(document?.value, ['images']);
        if (!document || !Array.isArray(images)) return undefined;
        for (const [position, entry] of images.entries()) {
          // The entry names the image as rendered (its newName, else its name).
          if ((stringAt(entry, ['newName']) ?? stringAt(entry, ['name'])) !== image.repository) continue;
          const key = tier === 'tag' ? (stringAt(entry, ['newTag']) === image.tag ? 'newTag' : image.digest !== undefined && stringAt(entry, ['digest']) === image.digest ? 'digest' : undefined) : stringAt(entry, ['newName']) !== undefined ? 'newName' : undefined;
          if (key !== undefined) return { ...origin(setter.repo, document, ['images', position, key]), via: 'values' };
        }
        return undefined;
      }
      case 'app-images': {
        if (tier === 'exact' || image === undefined) return undefined;
        const position = setter.images.findIndex((entry) => {
          // `name=newName:tag` or `name:tag`: the right-hand side is the image as rendered.
          const written = splitImage(entry.includes('=') ? entry.slice(entry.indexOf('=') + 1) : entry);
          if (written?.repository !== image.repository) return false;
          return tier === 'repository' || (written.tag !== undefined && written.tag === image.tag) || (written.digest !== undefined && written.digest === image.digest);
        });
        return position === -1 ? undefined : { ...setter.task.locateInApp([...setter.path, position]), via: 'values' };
      }
    }
  }

  /**
   * Whether a setter's scalar set the field. A whole value must be equal (and, when as common as `true` or `3`,
   * under a similar key). An image's tag must be under a tag-like key and belong to that image: the merged values
   * hold the image's repository beside it, or a key on the way to it is part of the repository's name
   * (`exporter.tag` for `.../nginx-prometheus-exporter`); a `tag: latest` for one image must not claim another's
   * `latest` that a template wrote.
   */
  #accepts(context: ObjectContext, leaf: Leaf, want: Wanted): boolean {
    const key = lastKey(leaf.path);
    if (want.tier === 'exact') return leaf.text === want.text && (!want.weak || keysAlike(key, want.targetKey));
    const image = want.image;
    if (!image) return false;
    if (want.tier === 'repository') return leaf.text === image.repository && (REPOSITORY_KEY.test(key ?? '') || leaf.path.some((segment) => typeof segment === 'string' && /image/i.test(segment)));
    if (leaf.text !== image.tag || !TAG_KEY.test(key ?? '')) return false;
    const parent = leaf.path.slice(0, -1);
    const siblings = valueAt(this.#mergedValues(context), parent);
    if (isMap(siblings)) {
      for (const [name, value] of Object.entries(siblings)) {
        if (typeof value === 'string' && REPOSITORY_KEY.test(name) && sameRepository(value, image.repository)) return true;
      }
    }
    const repository = image.repository.toLowerCase();
    return parent.some((segment) => typeof segment === 'string' && segment.length >= 3 && !/^image/i.test(segment) && repository.includes(segment.toLowerCase()));
  }

  /** The values a Helm source's setters merge to (value files in order, then inline values), for siblings. */
  #mergedValues(context: ObjectContext): unknown {
    let merged = this.#merged.get(context.setters);
    if (merged === undefined) {
      merged = {};
      for (const setter of context.setters) {
        if (setter.kind === 'values-file') {
          const document = this.indexes.get(setter.repo)?.documents(setter.file)[0];
          if (document && !document.broken) merged = mergeValues(merged, valueAt(document.value, setter.path ?? []));
        } else if (setter.kind === 'inline-values') merged = mergeValues(merged, setter.value);
        else if (setter.kind === 'inline-values-text') merged = mergeValues(merged, parseInlineValues(setter.text));
      }
      this.#merged.set(context.setters, merged);
    }
    return merged;
  }

  /** The scalars of a file's documents (under `prefix`, with paths from the document's root). */
  #leavesOf(repo: string, file: string, documents: readonly YamlDocument[], prefix: DocPath): Leaf[][] {
    const key = JSON.stringify([repo, file, prefix]);
    let leaves = this.#leaves.get(key);
    if (!leaves) {
      leaves = documents.map((document) => (document.broken ? [] : leavesOf(valueAt(document.value, prefix), [...prefix])));
      this.#leaves.set(key, leaves);
    }
    return leaves;
  }
}

/** Every scalar of a value with its path, in document order. */
function leavesOf(value: unknown, path: PathSegment[] = [], into: Leaf[] = []): Leaf[] {
  if (Array.isArray(value)) value.forEach((item, index) => leavesOf(item, [...path, index], into));
  else if (isMap(value)) for (const [key, item] of Object.entries(value)) leavesOf(item, [...path, key], into);
  else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') into.push({ path, text: String(value) });
  return into;
}

/** Helm's merge of values: maps merge key by key, anything else is replaced. */
function mergeValues(base: unknown, overlay: unknown): unknown {
  if (!isMap(base) || !isMap(overlay)) return overlay === undefined ? base : overlay;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) merged[key] = mergeValues(base[key], value);
  return merged;
}

/** `nginx` and `docker.io/library/nginx`, `acme/web` and `ghcr.io/acme/web`: the same repository with or without a registry. */
function sameRepository(a: string, b: string): boolean {
  return a === b || a.endsWith(`/${b}`) || b.endsWith(`/${a}`);
}

function lastKey(path: readonly PathSegment[]): string | undefined {
  for (let index = path.length - 1; index >= 0; index--) {
    const segment = path[index];
    if (typeof segment === 'string') return segment;
  }
  return undefined;
}

/** `replicas` and `replicaCount`, `port` and `servicePort`: one key contains the other's stem. */
function keysAlike(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const stem = (key: string): string => key.toLowerCase().replace(/s$/, '');
  const [x, y] = [stem(a), stem(b)];
  return x.includes(y) || y.includes(x);
}

interface ImageParts {
  repository: string;
  tag?: string;
  digest?: string;
}

/** An image string as written: `registry/repo:tag@digest`, the repository with its registry. */
function splitImage(text: string): ImageParts | undefined {
  if (text === '' || /\s/.test(text)) return undefined;
  const at = text.indexOf('@');
  const digest = at === -1 ? undefined : text.slice(at + 1);
  const name = at === -1 ? text : text.slice(0, at);
  const colon = name.lastIndexOf(':');
  const hasTag = colon > name.lastIndexOf('/');
  const repository = hasTag ? name.slice(0, colon) : name;
  const tag = hasTag ? name.slice(colon + 1) : undefined;
  return { repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

function origin(repo: string, document: YamlDocument, path: DocPath): Omit<RenderLocation, 'via'> {
  const found = originAt(repo, document, path);
  return { repo, file: found.file, range: found.range, ...(found.path !== undefined ? { path: found.path } : {}), docIndex: document.index };
}

/** The document of a kustomize resource file that the object came from: same kind, and a name the rendered one contains. */
function resourceDocument(documents: readonly YamlDocument[], object: RenderedObject): YamlDocument | undefined {
  const sameKind = documents.filter((document) => !document.broken && stringAt(document.value, ['kind']) === object.kind);
  if (sameKind.length <= 1) return sameKind[0];
  const named = sameKind.filter((document) => {
    const name = stringAt(document.value, ['metadata', 'name']);
    return name !== undefined && object.name?.includes(name) === true;
  });
  // The longest contained name: `web` and `web-api` both fit `prod-web-api`.
  return named.sort((a, b) => (stringAt(b.value, ['metadata', 'name']) ?? '').length - (stringAt(a.value, ['metadata', 'name']) ?? '').length)[0];
}

/** The generator entry (`configMapGenerator[i]`) whose name the generated object's name contains. */
function generatorPath(kustomization: unknown, name: string | undefined): DocPath {
  for (const key of ['configMapGenerator', 'secretGenerator']) {
    const generators = valueAt(kustomization, [key]);
    if (!Array.isArray(generators)) continue;
    const position = generators.findIndex((generator) => {
      const generatorName = stringAt(generator, ['name']);
      return generatorName !== undefined && name?.includes(generatorName) === true;
    });
    if (position !== -1) return [key, position];
  }
  return [];
}

/**
 * The line of a Helm template that writes the path: each key of the path searched for as `key:` from the line
 * the previous key was found on. Templates are not YAML until rendered, so this reads them as text; the first
 * line when no key is found.
 */
function templateLine(repo: string, file: string, text: string, path: DocPath): RenderLocation {
  const lines = text.split('\n');
  let line = -1;
  for (const segment of path) {
    if (typeof segment === 'number') {
      line = listItemLine(lines, line + 1, segment) ?? line;
      continue;
    }
    const pattern = new RegExp(`^\\s*(?:-\\s+)?["']?${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*:`);
    for (let index = Math.max(line, 0); index < lines.length; index++) {
      if (pattern.test(lines[index] ?? '')) {
        line = index;
        break;
      }
    }
  }
  const number = line === -1 ? 1 : line + 1;
  const length = (lines[number - 1] ?? '').length;
  return { repo, file, range: { startLine: number, startColumn: 1, endLine: number, endColumn: length + 1 }, via: 'template' };
}

/**
 * The line of the `index`-th list item (`- `) from `start`, counting items at the first item's indentation until
 * a line indented less. A template that writes items in a `range` has fewer items than the output: then the last.
 */
function listItemLine(lines: readonly string[], start: number, index: number): number | undefined {
  let indent: number | undefined;
  let found: number | undefined;
  let count = 0;
  for (let position = start; position < lines.length; position++) {
    const line = lines[position] ?? '';
    const content = line.trimStart();
    // Blank lines and template actions alone on a line say nothing about the YAML's shape.
    if (content === '' || content.startsWith('{{') || content.startsWith('#')) continue;
    const depth = line.length - content.length;
    if (indent !== undefined && depth < indent) break;
    if (!content.startsWith('- ') && content !== '-') continue;
    indent ??= depth;
    if (depth !== indent) continue;
    found = position;
    if (count++ === index) break;
  }
  return found;
}

/**
 * A path into the rendered object, as a path into the document it came from: list indexes follow the item's
 * `name` (a strategic merge patch can add and reorder items), else stay as they are; an item the document does
 * not have ends the path at its list.
 */
function pathInSource(rendered: unknown, source: unknown, path: DocPath): DocPath {
  const result: PathSegment[] = [];
  let [here, there] = [rendered, source];
  for (const segment of path) {
    let mapped = segment;
    if (typeof segment === 'number' && Array.isArray(here) && Array.isArray(there)) {
      const name = stringAt(here[segment], ['name']);
      if (name !== undefined) {
        const position = there.findIndex((item) => stringAt(item, ['name']) === name);
        // An item the source does not have (a patch added it): the list is the closest place.
        if (position === -1) return result;
        mapped = position;
      }
    }
    result.push(mapped);
    here = valueAt(here, [segment]);
    there = valueAt(there, [mapped]);
  }
  return result;
}

/**
 * A line inside inline `helm.values` (a YAML string in the Application): for a block scalar, the line of the
 * leaf below the `values:` key; otherwise the key itself.
 */
function inlineTextLine(valuesKey: RenderLocation, text: string, path: DocPath): Omit<RenderLocation, 'via'> {
  const range = valuesKey.range;
  if (!range || range.endLine <= range.startLine) return valuesKey;
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, logLevel: 'error' });
  const node = document.getIn(path, true) as { range?: [number, number, number] } | undefined;
  const offset = node?.range?.[0];
  if (offset === undefined) return valuesKey;
  // The parent pair's line is the key's; a scalar's own offset is on the same line.
  const { line } = lineCounter.linePos(offset);
  const target = range.startLine + line;
  return { ...valuesKey, range: { startLine: target, startColumn: 1, endLine: target, endColumn: 1 } };
}
