#!/usr/bin/env bash
# Installs the pinned OPA CLI into <repo>/.tools/bin and prints its path.
# Idempotent: does nothing when the binary there already reports the pinned version.
# The pin lives in scripts/opa-version only; policies/metadata.json records the version a bundle was built with.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(tr -d '[:space:]' < "$repo/scripts/opa-version")"
bin="$repo/.tools/bin/opa"

current=""
if [[ -x "$bin" ]]; then
  current="$("$bin" version 2>/dev/null | sed -n 's/^Version: //p' || true)"
fi

if [[ "$current" != "$version" ]]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "install-opa: Go is required to build opa v$version (https://go.dev/dl/)" >&2
    exit 1
  fi
  echo "install-opa: installing opa v$version into $repo/.tools/bin (found: ${current:-none})" >&2
  GOBIN="$repo/.tools/bin" go install "github.com/open-policy-agent/opa@v$version"
  current="$("$bin" version | sed -n 's/^Version: //p')"
  if [[ "$current" != "$version" ]]; then
    echo "install-opa: $bin reports version '$current', expected $version" >&2
    exit 1
  fi
fi

echo "$bin"
