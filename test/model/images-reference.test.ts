import { describe, expect, it } from 'vitest';
import { parseImageReference } from '../../src/model/images/reference.js';
import { resolveImage } from '../../src/model/images/resolve.js';
import { expandVariables, lookupIn } from '../../src/model/images/variables.js';

const SHA = 'sha256:' + 'a'.repeat(64);

describe('parseImageReference', () => {
  it.each([
    ['busybox', { registry: 'docker.io', repository: 'library/busybox' }],
    ['busybox:1.36', { registry: 'docker.io', repository: 'library/busybox', tag: '1.36' }],
    ['user/app:1.2', { registry: 'docker.io', repository: 'user/app', tag: '1.2' }],
    ['docker.io/busybox', { registry: 'docker.io', repository: 'library/busybox' }],
    ['index.docker.io/user/app', { registry: 'docker.io', repository: 'user/app' }],
    ['registry:5000/x', { registry: 'registry:5000', repository: 'x' }],
    ['registry:5000/x:2', { registry: 'registry:5000', repository: 'x', tag: '2' }],
    ['localhost/app', { registry: 'localhost', repository: 'app' }],
    ['localhost:5000', { registry: 'docker.io', repository: 'library/localhost', tag: '5000' }],
    ['harbor.homelab.local/applications/jellyfin:latest', { registry: 'harbor.homelab.local', repository: 'applications/jellyfin', tag: 'latest' }],
    ['quay.io/kubescape/kubescape:latest', { registry: 'quay.io', repository: 'kubescape/kubescape', tag: 'latest' }],
    [`alpine@${SHA}`, { registry: 'docker.io', repository: 'library/alpine', digest: SHA }],
    [`ghcr.io/o/app:1.0@${SHA}`, { registry: 'ghcr.io', repository: 'o/app', tag: '1.0', digest: SHA }],
    ['[::1]:5000/app', { registry: '[::1]:5000', repository: 'app' }],
    ['Docker.IO/app', { registry: 'Docker.IO', repository: 'app' }],
    ['a__b/c--d.e:T_1.x-y', { registry: 'docker.io', repository: 'a__b/c--d.e', tag: 'T_1.x-y' }],
  ])('%s', (raw, expected) => {
    expect(parseImageReference(raw)).toEqual({ ok: true, ...expected });
  });

  it.each([
    ['', /empty/],
    ['Nginx:latest', /lowercase/],
    ['harbor.local/Apps/x:1', /lowercase/],
    ['nginx:-bad', /tag is invalid/],
    ['nginx:' + 'a'.repeat(129), /tag is invalid/],
    ['nginx@sha256:abc', /digest is invalid/],
    ['nginx@md5:' + 'a'.repeat(32), /unsupported digest algorithm/],
    ['nginx@sha256:' + 'a'.repeat(63) + 'a'.repeat(2), /64 hexadecimal/],
    ['https://harbor.local/app', /URL scheme/],
    ['nginx latest', /whitespace/],
    ['a'.repeat(64), /image ID/],
    ['${IMAGE}', /invalid/],
    ['app//x', /invalid/],
  ])('rejects %s', (raw, error) => {
    const result = parseImageReference(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });
});

describe('variables', () => {
  const lookup = lookupIn({ NAME: 'harbor.homelab.local/apps/web', TAG: '1.2', EMPTY: '', REF: '${NAME}:${TAG}' });

  it('expands $VAR, ${VAR} and nested values, and lists unknown ones', () => {
    expect(expandVariables('$NAME:${TAG}', lookup)).toEqual({ text: 'harbor.homelab.local/apps/web:1.2', unresolved: [] });
    expect(expandVariables('${REF}', lookup).text).toBe('harbor.homelab.local/apps/web:1.2');
    expect(expandVariables('${NAME}:${CI_COMMIT_SHORT_SHA}', lookup)).toEqual({ text: 'harbor.homelab.local/apps/web:${CI_COMMIT_SHORT_SHA}', unresolved: ['CI_COMMIT_SHORT_SHA'] });
    expect(expandVariables('$$NAME', lookup).text).toBe('$NAME');
  });

  it('applies Dockerfile modifiers only when asked', () => {
    expect(expandVariables('alpine:${V:-3.19}', lookup, { dockerModifiers: true }).text).toBe('alpine:3.19');
    expect(expandVariables('alpine:${EMPTY:-3.19}', lookup, { dockerModifiers: true }).text).toBe('alpine:3.19');
    expect(expandVariables('alpine:${EMPTY-3.19}', lookup, { dockerModifiers: true }).text).toBe('alpine:');
    expect(expandVariables('x${TAG:+-rc}', lookup, { dockerModifiers: true }).text).toBe('x-rc');
    expect(expandVariables('alpine:${V:-3.19}', lookup)).toEqual({ text: 'alpine:${V:-3.19}', unresolved: ['V'] });
  });

  it('does not loop on a variable that names itself', () => {
    expect(expandVariables('$A', lookupIn({ A: '$A' })).text).toBe('$A');
  });
});

describe('resolveImage', () => {
  it('resolves known variables and parses', () => {
    expect(resolveImage('${NAME}:${TAG}', lookupIn({ NAME: 'registry:5000/app', TAG: '3' }))).toEqual({
      ok: true,
      text: 'registry:5000/app:3',
      dynamic: false,
      reference: { registry: 'registry:5000', repository: 'app', tag: '3' },
    });
  });

  it('keeps unknown variables in the parts they belong to', () => {
    const none = lookupIn({});
    expect(resolveImage('alpine:${TAG}', none)).toEqual({ ok: true, text: 'alpine:${TAG}', dynamic: true, reference: { registry: 'docker.io', repository: 'library/alpine', tag: '${TAG}' } });
    expect(resolveImage('harbor.homelab.local/${CI_PROJECT_NAMESPACE}/${CI_PROJECT_NAME}:${CI_COMMIT_SHORT_SHA}', none)).toMatchObject({
      dynamic: true,
      reference: { registry: 'harbor.homelab.local', repository: '${CI_PROJECT_NAMESPACE}/${CI_PROJECT_NAME}', tag: '${CI_COMMIT_SHORT_SHA}' },
    });
  });

  it('leaves the registry unknown when a variable could be it', () => {
    expect(resolveImage('${IMAGE_NAME}:latest', lookupIn({}))).toMatchObject({ dynamic: true, reference: { registry: '', repository: '${IMAGE_NAME}', tag: 'latest' } });
    expect(resolveImage('$CI_REGISTRY/group/app', lookupIn({}))).toMatchObject({ dynamic: true, reference: { registry: '', repository: '$CI_REGISTRY/group/app' } });
    expect(resolveImage('${IMAGE}', lookupIn({}))).toMatchObject({ dynamic: true, reference: { registry: '', repository: '${IMAGE}' } });
  });

  it('reports a static reference that is invalid', () => {
    expect(resolveImage('${NAME}', lookupIn({ NAME: 'Bad/Name' }))).toMatchObject({ ok: false, text: 'Bad/Name' });
  });
});
