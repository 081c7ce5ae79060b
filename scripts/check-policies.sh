#!/usr/bin/env bash
# Lints and tests the Rego policies with the pinned opa: formatting, strict compile against the WASM
# capabilities (so a builtin the JS runtime lacks fails here too), and the policies' own unit tests.
# Generated files (bundle, metadata, capabilities) and the rule examples (*.examples.yaml, for the docs) are
# ignored: opa would load them as data.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
opa="$("$repo/scripts/install-opa.sh")"
cd "$repo"

ignore=(--ignore metadata.json --ignore wasm-capabilities.json --ignore bundle.tar.gz --ignore '*.examples.yaml')
if [[ -z "$(find policies -name '*.rego' -print -quit)" ]]; then
  echo "check-policies: no .rego files under policies/" >&2
  exit 0
fi

echo "check-policies: opa fmt --fail" >&2
"$opa" fmt --list --fail policies/

echo "check-policies: opa check --strict" >&2
"$opa" check --strict --capabilities policies/wasm-capabilities.json "${ignore[@]}" policies/

echo "check-policies: opa test" >&2
"$opa" test -v "${ignore[@]}" policies/

echo "check-policies: build-policies --check (committed bundle up to date)" >&2
node scripts/build-policies.mjs --check
