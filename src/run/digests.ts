/**
 * `--resolve-digests`: the fix of a `no-latest-tag` finding that pins the image where it is written to
 * `tag@sha256:<digest>`, the digest read from its registry (src/sources/registry/). The tag stays, so a person still
 * reads which version it is; a reference without a tag, which pulls `latest`, is pinned as `:latest@sha256:…`.
 *
 * An image that cannot be pinned is a skipped fix with the reason, never an edit: one whose reference holds a
 * placeholder (never resolved), one written apart as a Helm `repository`/`tag` pair (the chart decides how they
 * join: a digest in `tag` breaks charts that put the tag in a label, and no chart-neutral `digest` key exists), one
 * whose reference is not written as such at its place (built from variables), and one the registry does not give.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mapLimit } from '../concurrency.js';
import type { Finding, Fix, SourceRange } from '../model/findings.js';
import type { ImageRef } from '../model/images/types.js';
import { placeholderIn } from '../model/placeholder.js';
import type { Repo } from '../model/types.js';
import { digestResolver, type DigestResult, type ManifestRequest } from '../sources/registry/client.js';
import { dockerCredentials } from '../sources/registry/docker-config.js';
import type { SkippedFix } from '../engine/fix/apply.js';

export const DIGEST_RULE = 'no-latest-tag';

/** Registries asked at a time. */
const REGISTRY_CONCURRENCY = 4;

/** How long one image may take, its token requests included. */
export const REGISTRY_TIMEOUT_MS = 20_000;

/** The registries' digests with the docker config's credentials, each image asked once for the whole run. */
export function registryDigests(env: NodeJS.ProcessEnv = process.env): DigestFixOptions['resolve'] {
  return digestResolver({ credentials: dockerCredentials(env), timeoutMs: REGISTRY_TIMEOUT_MS });
}

export interface DigestFixOptions {
  /** The images of these repos are what the findings are about. */
  repos: readonly Pick<Repo, 'id' | 'images'>[];
  /** The folder of a repo fixes may be written in; undefined for a repo they may not touch. */
  dirOf: (repo: string) => string | undefined;
  /** The digest of an image's tag; the same request gets the same promise (`digestResolver`). */
  resolve: (request: ManifestRequest) => Promise<DigestResult>;
}

export interface DigestFixes {
  /** The findings, those that could be pinned with their fix. */
  findings: Finding[];
  /** The `no-latest-tag` findings that could not be, each with the reason. */
  skipped: SkippedFix[];
}

interface Pin {
  finding: Finding;
  image: ImageRef;
  /** Where the reference is written, and the reference as written there. */
  place?: { range: SourceRange; written: string };
  request?: ManifestRequest;
  problem?: string;
}

/** The `no-latest-tag` findings among `findings` with the fix that pins their image, read from the registries. */
export async function withDigestFixes(findings: readonly Finding[], options: DigestFixOptions): Promise<DigestFixes> {
  const imagesOf = new Map(options.repos.map((repo) => [repo.id, repo.images]));
  const pins: Pin[] = [];
  for (const finding of findings) {
    if (finding.ruleId !== DIGEST_RULE || finding.fix) continue;
    const image = imageOf(finding, imagesOf.get(finding.repo) ?? []);
    // A published image (`docker push …:latest`) or a Helm map without a tag (the chart's appVersion) is no pull
    // of a floating tag: there is nothing to pin.
    if (!image || (image.tag === undefined && image.context === 'helm-map')) continue;
    pins.push(await planPin(finding, image, options.dirOf));
  }
  const requests = new Map<string, ManifestRequest>();
  for (const pin of pins) if (pin.request) requests.set(requestKey(pin.request), pin.request);
  const results = new Map<string, DigestResult>();
  await mapLimit([...requests], REGISTRY_CONCURRENCY, async ([key, request]) => {
    results.set(key, await options.resolve(request));
  });

  const fixed = new Map<Finding, Fix>();
  const skipped: SkippedFix[] = [];
  for (const pin of pins) {
    const name = referenceName(pin.image);
    const result = pin.request ? results.get(requestKey(pin.request)) : undefined;
    const at = pin.image.tagOrigin ?? pin.image.origin;
    const description = `pin ${pin.image.raw} (${at.repo === '.' ? '' : `${at.repo}/`}${at.file}:${at.range.startLine}) to its digest`;
    const skip = (reason: string): void => {
      // Repos that include one CI template report its image each: one note for the one place.
      if (!skipped.some((known) => known.fix.description === description && known.reason === reason)) skipped.push({ fix: { description, edits: [] }, ruleIds: [DIGEST_RULE], reason });
    };
    if (pin.problem !== undefined || !result) skip(pin.problem ?? 'not resolved');
    else if (!result.ok) skip(result.reason);
    else if (pin.image.context === 'helm-map') {
      skip(`Helm values set repository and tag apart, and the chart decides how they join (a digest in tag breaks charts that put the tag in a label): pin it by hand as the chart documents; ${name} is ${result.digest}`);
    } else if (pin.place) {
      const pinned = `${pin.place.written}${pin.image.tag === undefined ? ':latest' : ''}@${result.digest}`;
      const origin = pin.image.origin;
      fixed.set(pin.finding, {
        description: `pin ${pin.image.raw} to ${pinned}`,
        edits: [{ repo: origin.repo, file: origin.file, kind: 'text', range: pin.place.range, text: pinned, expected: pin.place.written }],
      });
    }
  }
  return {
    findings: findings.map((finding) => {
      const fix = fixed.get(finding);
      return fix ? { ...finding, fix } : finding;
    }),
    skipped,
  };
}

/** The image a finding is about: its subject (`context:job:raw`) and the place it is reported at (or names first). */
function imageOf(finding: Finding, images: readonly ImageRef[]): ImageRef | undefined {
  return images.find((image) => {
    if (finding.subject !== `${image.context}:${image.job ?? ''}:${image.raw}`) return false;
    const at = image.tagOrigin ?? image.origin;
    const places = at.repo === finding.repo ? [{ repo: finding.repo, file: finding.file, range: finding.range }] : (finding.related ?? []);
    return places.some((place) => place.repo === at.repo && place.file === at.file && place.range?.startLine === at.range.startLine);
  });
}

async function planPin(finding: Finding, image: ImageRef, dirOf: (repo: string) => string | undefined): Promise<Pin> {
  const placeholder = placeholderIn(image.raw);
  if (image.dynamic || placeholder !== undefined || image.registry === '') {
    return { finding, image, problem: `${image.raw} holds ${placeholder === undefined ? 'a variable' : `the placeholder ${placeholder}`}: it is never resolved` };
  }
  const request: ManifestRequest = { registry: image.registry, repository: image.repository, tag: image.tag ?? 'latest' };
  if (image.context === 'helm-map') return { finding, image, request };
  const origin = image.origin;
  const dir = dirOf(origin.repo);
  if (dir === undefined) return { finding, image, problem: `it is written in ${origin.repo}, a repository this run does not write` };
  const text = await readFile(join(dir, origin.file), 'utf8').catch(() => undefined);
  if (text === undefined) return { finding, image, problem: `${origin.repo}/${origin.file} cannot be read` };
  const range = writtenAt(text, origin.range, image.raw);
  if (!range) return { finding, image, problem: `${image.raw} is not written as such at ${origin.file}:${origin.range.startLine} (built from variables?)` };
  return { finding, image, request, place: { range, written: image.raw } };
}

/**
 * The range of `reference` written once on the lines of `near`, as a whole reference (not a part of a longer name
 * or of a reference with a tag). Undefined when it is not there, or there more than once.
 */
export function writtenAt(text: string, near: SourceRange, reference: string): SourceRange | undefined {
  const lines = text.split('\n');
  const found: SourceRange[] = [];
  for (let line = near.startLine; line <= near.endLine && line <= lines.length; line++) {
    const content = lines[line - 1] ?? '';
    for (let index = content.indexOf(reference); index >= 0; index = content.indexOf(reference, index + 1)) {
      const before = content[index - 1] ?? '';
      const after = content[index + reference.length] ?? '';
      if (/[\w.:@/-]/.test(before) || /[\w.:@/-]/.test(after)) continue;
      found.push({ startLine: line, startColumn: index + 1, endLine: line, endColumn: index + 1 + reference.length });
    }
  }
  return found.length === 1 ? found[0] : undefined;
}

function requestKey(request: ManifestRequest): string {
  return `${request.registry}/${request.repository}:${request.tag}`;
}

/** The image as a person names it in a note: registry, repository and tag. */
function referenceName(image: ImageRef): string {
  return `${image.registry}/${image.repository}:${image.tag ?? 'latest'}`;
}
