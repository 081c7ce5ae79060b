#!/usr/bin/env bash
# Installs go-containerregistry's `registry` command, a small OCI distribution registry that the tests of
# `fleetlint fix --resolve-digests` start on 127.0.0.1 and push images into, into <repo>/.tools/bin (or
# $FLEETLINT_TOOLS_BIN) with go install. Idempotent: a binary whose build info names the pinned module version
# (scripts/registry-version) is left alone.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="${FLEETLINT_TOOLS_BIN:-$repo/.tools/bin}"
mkdir -p "$bin_dir"
version="$(tr -d '[:space:]' < "$repo/scripts/registry-version")"
module=github.com/google/go-containerregistry

if ! command -v go >/dev/null 2>&1; then
  echo "install-registry: Go is required to build $module/cmd/registry $version (https://go.dev/dl/)" >&2
  exit 1
fi
# The command has no --version: the module version go install stamped into the binary says which it is.
current="$(go version -m "$bin_dir/registry" 2>/dev/null | awk -v m="$module" '$1 == "mod" && $2 == m { print $3 }' || true)"
if [[ "$current" != "$version" ]]; then
  echo "install-registry: installing $module/cmd/registry $version into $bin_dir (found: ${current:-none})" >&2
  GOBIN="$bin_dir" go install "$module/cmd/registry@$version"
  current="$(go version -m "$bin_dir/registry" | awk -v m="$module" '$1 == "mod" && $2 == m { print $3 }')"
  if [[ "$current" != "$version" ]]; then
    echo "install-registry: $bin_dir/registry was built from $module '$current', expected $version" >&2
    exit 1
  fi
fi
echo "registry (go-containerregistry) $version in $bin_dir"
