import { describe, expect, it } from 'vitest';
import { isDockerfileName, loadDockerfiles, parseDockerfile } from '../../src/model/docker/load.js';

describe('isDockerfileName', () => {
  it.each(['Dockerfile', 'app/Dockerfile', 'Dockerfile.dev', 'api.Dockerfile', 'Containerfile', 'dockerfile', 'build/web.dockerfile'])('%s is a Dockerfile', (file) => {
    expect(isDockerfileName(file)).toBe(true);
  });
  it.each(['Dockerfile.md', 'docs/Dockerfile.txt', 'Dockerfile.dockerignore', '.dockerignore', 'MyDockerfile', 'dockerfiles/readme', '.Dockerfile'])('%s is not', (file) => {
    expect(isDockerfileName(file)).toBe(false);
  });
});

describe('parseDockerfile', () => {
  it('reads multi-stage builds with ARG defaults, platform flags and stage references', () => {
    const text = [
      '# syntax=docker/dockerfile:1',
      'ARG GO_VERSION=1.22',
      'ARG BASE="alpine:3.19"',
      'ARG REGISTRY',
      '',
      '# build stage',
      'FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine AS Build',
      'ARG GO_VERSION=9',
      'RUN go build \\',
      '    # a comment inside a continuation',
      '    -o /app .',
      '',
      'FROM build AS test',
      'FROM ${BASE}',
      'COPY --from=build /app /app',
      'FROM $REGISTRY/tools:${TOOLS_TAG:-2.0} as tools',
      'FROM scratch',
      'FROM harbor.homelab.local/base/debian:12@sha256:' + 'b'.repeat(64),
    ].join('\n');
    const { dockerfile, diagnostics } = parseDockerfile('r', 'Dockerfile', text);
    expect(diagnostics).toEqual([]);
    expect(dockerfile.stages.map((stage) => [stage.from, stage.resolvedFrom, stage.name, stage.isStageReference, stage.dynamic, stage.origin.line])).toEqual([
      ['golang:${GO_VERSION}-alpine', 'golang:1.22-alpine', 'Build', false, false, 7],
      ['build', 'build', 'test', true, false, 13],
      ['${BASE}', 'alpine:3.19', undefined, false, false, 14],
      ['$REGISTRY/tools:${TOOLS_TAG:-2.0}', '$REGISTRY/tools:2.0', 'tools', false, true, 16],
      ['scratch', 'scratch', undefined, false, false, 17],
      ['harbor.homelab.local/base/debian:12@sha256:' + 'b'.repeat(64), 'harbor.homelab.local/base/debian:12@sha256:' + 'b'.repeat(64), undefined, false, false, 18],
    ]);
    // The image itself is pointed at, after the flag.
    expect(dockerfile.stages[0]?.origin.range).toEqual({ startLine: 7, startColumn: 32, endLine: 7, endColumn: 59 });
  });

  it('joins continuations and points at the physical line of the image', () => {
    const text = 'FROM \\\n  --platform=linux/amd64 \\\n\n  nginx:1.25 \\\n  AS web\nFROM web';
    const { dockerfile } = parseDockerfile('r', 'Dockerfile', text);
    expect(dockerfile.stages[0]).toMatchObject({ from: 'nginx:1.25', name: 'web', origin: { line: 4, range: { startColumn: 3, endColumn: 13 } } });
    expect(dockerfile.stages[1]?.isStageReference).toBe(true);
  });

  it('honours the escape directive and skips heredoc bodies', () => {
    const text = ['# escape=`', 'FROM alpine:3 `', '  AS base', 'RUN <<EOF', 'FROM not-an-instruction', 'EOF', 'COPY <<-"END" /x', '\tFROM also-not', '\tEND', 'FROM base'].join('\n');
    const { dockerfile } = parseDockerfile('r', 'Dockerfile', text);
    expect(dockerfile.stages.map((stage) => [stage.from, stage.name, stage.isStageReference])).toEqual([
      ['alpine:3', 'base', false],
      ['base', undefined, true],
    ]);
  });

  it('reports a FROM without image or with a dangling AS, and goes on', () => {
    const { dockerfile, diagnostics } = parseDockerfile('r', 'Dockerfile', 'FROM\nFROM alpine AS\nFROM --platform=x busybox');
    expect(dockerfile.stages.map((stage) => stage.from)).toEqual(['busybox']);
    expect(diagnostics.map((diagnostic) => [diagnostic.ruleId, diagnostic.range?.startLine])).toEqual([
      ['parse-error', 1],
      ['parse-error', 2],
    ]);
  });
});

describe('loadDockerfiles', () => {
  it('parses every Dockerfile of the repo, skipping unread files', () => {
    const { dockerfiles } = loadDockerfiles('r', [
      { path: 'Dockerfile', size: 12, text: 'FROM alpine\n' },
      { path: 'web/Dockerfile.prod', size: 0, skipped: 'too-large' },
      { path: 'README.md', size: 4, text: 'FROM' },
    ]);
    expect(dockerfiles.map((dockerfile) => dockerfile.file)).toEqual(['Dockerfile']);
  });
});
