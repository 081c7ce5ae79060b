import type { DocPath } from '../findings.js';
import type { HelmValuesFile } from '../helm/types.js';
import { isMap, type PlainMap } from '../k8s/value.js';
import { NO_VARIABLES, type ImageCandidate } from './candidate.js';
import type { ImageContext } from './types.js';
import { documentLocator, type ValueLocator } from '../locator.js';

/** `image`, `sidecarImage`, `initImage`: keys whose string value is an image reference. */
export function isImageKey(key: string): boolean {
  return key === 'image' || /[a-z0-9]Image$/.test(key);
}

/**
 * Images in Helm values: maps with `repository` (and optional `registry`, `tag`, `digest`), as most charts
 * write them, and string values of image keys. Under an image key, `name` stands for `repository`.
 */
export function helmImageCandidates(repo: string, values: readonly HelmValuesFile[]): ImageCandidate[] {
  return values.flatMap((file) => helmValuesImages(file.document.value, documentLocator(repo, file.document)));
}

/** Images in one Helm values value (a file's, an Application's inline values, a HelmRelease's `values`). */
export function helmValuesImages(value: unknown, locator: ValueLocator): ImageCandidate[] {
  const candidates: ImageCandidate[] = [];
  walk(locator, value, [], candidates);
  return candidates;
}

/** A values key that versions every image below it (kubecost's `imageVersion`, a chart-wide `imageTag`). */
const SHARED_VERSION_KEY = /^image(?:Tag|Version)$/i;

/** The nearest shared version key at or above a map, and where it is. */
interface SharedVersion {
  path: DocPath;
  text: string;
}

function walk(locator: ValueLocator, value: unknown, path: DocPath, out: ImageCandidate[], shared?: SharedVersion): void {
  if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => {
      walk(locator, item, [...path, index], out, shared);
    });
    return;
  }
  if (!isMap(value)) return;
  const parentKey = path[path.length - 1];
  const mapImage = imageMap(locator, value, path, typeof parentKey === 'string' && isImageKey(parentKey));
  if (mapImage) out.push(mapImage);
  const versionKey = Object.keys(value).find((key) => SHARED_VERSION_KEY.test(key) && locator.text([...path, key]) !== undefined);
  const here = versionKey !== undefined ? { path: [...path, versionKey], text: locator.text([...path, versionKey]) ?? '' } : shared;
  for (const [key, child] of Object.entries(value)) {
    if (mapImage && key === 'image') continue; // already read as the map's repository
    if (typeof child === 'string' && isImageKey(key) && child.trim() !== '') {
      if (hasVersionSibling(value, key)) {
        out.push({ written: child.trim(), context: 'helm-map', origin: locator.at([...path, key]), lookup: NO_VARIABLES });
      } else if (here && here.text.trim() !== '' && !hasTagOrDigest(child.trim())) {
        // The chart composes `<image>:<imageVersion>`, as kubecost's does: the version written above is the tag.
        out.push({ written: `${child.trim()}:${here.text.trim()}`, context: 'helm-map', origin: locator.at([...path, key]), tagOrigin: locator.at(here.path), lookup: NO_VARIABLES });
      } else {
        out.push({ written: child.trim(), context: 'helm-string', origin: locator.at([...path, key]), lookup: NO_VARIABLES });
      }
    } else {
      walk(locator, child, [...path, key], out, here);
    }
  }
}

/** `repo:tag` or `repo@sha256:...`: a reference that names its version (a `:` after the last `/`, or a digest). */
function hasTagOrDigest(reference: string): boolean {
  return reference.includes('@') || reference.lastIndexOf(':') > reference.lastIndexOf('/');
}

/**
 * The key that holds the repository in an image map: `repository`, or under an image key `name` or `image`
 * (the gitlab-runner chart writes `image: {registry, image, tag}`).
 */
function repositoryKeyOf(map: PlainMap, underImageKey: boolean): string | undefined {
  if (typeof map.repository === 'string') return 'repository';
  if (!underImageKey) return undefined;
  if (typeof map.name === 'string') return 'name';
  if (typeof map.image === 'string' && ('tag' in map || 'registry' in map || 'digest' in map)) return 'image';
  return undefined;
}

/**
 * A sibling that versions the image (`tag`, `imageTag`, teleport's `teleportVersionOverride`): the chart
 * composes the reference, so an untagged string here is a chart default, not a pull of latest.
 */
function hasVersionSibling(map: PlainMap, key: string): boolean {
  return Object.keys(map).some((other) => other !== key && /tag|version/i.test(other));
}

/** An image written as a map (`{registry, repository, tag, digest}`), as one reference; `context` is where it is. */
export function imageMap(locator: ValueLocator, map: PlainMap, path: DocPath, underImageKey: boolean, context: ImageContext = 'helm-map'): ImageCandidate | undefined {
  const repositoryKey = repositoryKeyOf(map, underImageKey);
  if (repositoryKey === undefined) return undefined;
  const repository = (map[repositoryKey] as string).trim();
  // `repository: https://charts.example.com` names a chart or Git repository, not an image.
  if (repository === '' || repository.includes('://')) return undefined;
  const registry = typeof map.registry === 'string' ? map.registry.trim().replace(/\/+$/, '') : '';
  // A tag may be a YAML number (`tag: 1.10`): its text is what Helm renders with `toString`/quote.
  const tag = locator.text([...path, 'tag'])?.trim() ?? '';
  const digest = typeof map.digest === 'string' ? map.digest.trim() : '';

  let written = registry !== '' && !repository.startsWith(`${registry}/`) ? `${registry}/${repository}` : repository;
  if (tag !== '') written += `:${tag}`;
  if (digest !== '') written += `@${digest}`;
  return {
    written,
    context,
    origin: locator.at([...path, repositoryKey]),
    ...('tag' in map ? { tagOrigin: locator.at([...path, 'tag']) } : {}),
    lookup: NO_VARIABLES,
  };
}
