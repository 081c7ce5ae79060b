/**
 * Image references by the grammar of github.com/distribution/reference (what `docker pull` accepts):
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain "/" ] path-component ( "/" path-component )*
 *   domain    := host [ ":" port ]
 *
 * and its normalization (`ParseNormalizedNamed`): the first component is a registry when it contains `.` or
 * `:`, is `localhost`, or has uppercase letters; otherwise the registry is docker.io, and a single-component
 * Docker Hub name gets `library/`.
 */

const ALPHANUMERIC = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALPHANUMERIC}(?:${SEPARATOR}${ALPHANUMERIC})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[[a-fA-F0-9:]+\\]';
const DOMAIN = `(?:${DOMAIN_NAME}|${IPV6})(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);

const NAME_TOTAL_LENGTH_MAX = 255;
const MAX_REFERENCE_LENGTH = 1024;
const DEFAULT_REGISTRY = 'docker.io';
/** Hex lengths of the digest algorithms the OCI image spec registers. */
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

export interface ParsedImageReference {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export type ImageReferenceResult = ({ ok: true } & ParsedImageReference) | { ok: false; error: string };

export function parseImageReference(raw: string): ImageReferenceResult {
  if (raw === '') return { ok: false, error: 'the image reference is empty' };
  // Name (255), tag (128) and digest (7 + 128) together stay far below this; longer input is not worth matching.
  if (raw.length > MAX_REFERENCE_LENGTH) return { ok: false, error: `the image reference is longer than ${MAX_REFERENCE_LENGTH} characters` };
  if (/^[a-f0-9]{64}$/.test(raw)) return { ok: false, error: 'a 64-character hexadecimal string is an image ID, not a repository name' };
  const match = REFERENCE.exec(raw);
  if (!match) return { ok: false, error: explainInvalid(raw) };
  const [, name = '', tag, digest] = match;
  if (name.length > NAME_TOTAL_LENGTH_MAX) return { ok: false, error: `the repository name is longer than ${NAME_TOTAL_LENGTH_MAX} characters` };
  if (digest !== undefined) {
    const problem = digestProblem(digest);
    if (problem !== undefined) return { ok: false, error: problem };
  }
  const { registry, repository } = splitRegistry(name);
  return {
    ok: true,
    registry,
    repository,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** distribution/reference's `splitDockerDomain`. */
function splitRegistry(name: string): { registry: string; repository: string } {
  const slash = name.indexOf('/');
  if (slash === -1) return { registry: DEFAULT_REGISTRY, repository: `library/${name}` };
  const first = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let registry: string;
  let repository: string;
  if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) {
    registry = first === 'index.docker.io' ? DEFAULT_REGISTRY : first;
    repository = rest;
  } else {
    registry = DEFAULT_REGISTRY;
    repository = name;
  }
  if (registry === DEFAULT_REGISTRY && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository };
}

function digestProblem(digest: string): string | undefined {
  const [algorithm = '', hex = ''] = digest.split(':');
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) return `unsupported digest algorithm "${algorithm}"`;
  if (hex.length !== length) return `a ${algorithm} digest has ${length} hexadecimal characters, this one has ${hex.length}`;
  if (hex !== hex.toLowerCase()) return 'the digest must be lowercase hexadecimal';
  return undefined;
}

/** The error Docker would give, worded for a person: the common mistakes get their own message. */
function explainInvalid(raw: string): string {
  if (/\s/.test(raw)) return 'the image reference contains whitespace';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return 'an image reference has no URL scheme (remove the "scheme://")';
  const at = raw.indexOf('@');
  const beforeDigest = at === -1 ? raw : raw.slice(0, at);
  const lastSlash = beforeDigest.lastIndexOf('/');
  const colon = beforeDigest.lastIndexOf(':');
  const nameOnly = colon > lastSlash ? beforeDigest.slice(0, colon) : beforeDigest;
  const firstSlash = nameOnly.indexOf('/');
  const path = firstSlash === -1 ? nameOnly : nameOnly.slice(firstSlash + 1);
  if (path !== path.toLowerCase() && REFERENCE.test(raw.replace(path, path.toLowerCase()))) return 'the repository name must be lowercase';
  if (colon > lastSlash && !new RegExp(`^${TAG}$`).test(beforeDigest.slice(colon + 1))) return 'the tag is invalid (letters, digits, "_", "." and "-", at most 128, not starting with "." or "-")';
  if (at !== -1 && !new RegExp(`^${DIGEST}$`).test(raw.slice(at + 1))) return 'the digest is invalid (expected algorithm:hex, like sha256:<64 hex characters>)';
  return 'invalid image reference format';
}

/** `registry/repository[:tag][@digest]`, the reference written in full. */
export function formatImageReference(reference: ParsedImageReference): string {
  return `${reference.registry}/${reference.repository}${reference.tag !== undefined ? `:${reference.tag}` : ''}${reference.digest !== undefined ? `@${reference.digest}` : ''}`;
}
