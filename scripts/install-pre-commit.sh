#!/usr/bin/env bash
# Installs the pinned pre-commit framework (PyPI) into a virtual environment at <repo>/.tools/pre-commit-<version>
# and prints the folder of its `pre-commit`. The install tests (test/install/) run fleetlint's hook with it.
# Idempotent: does nothing when that environment already has the pinned version.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version=4.7.0
venv="$repo/.tools/pre-commit-$version"

if [[ "$("$venv/bin/pre-commit" --version 2>/dev/null || true)" != "pre-commit $version" ]]; then
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    echo "install-pre-commit: python3 with venv is required (Debian: apt-get install python3-venv)" >&2
    exit 1
  fi
  echo "install-pre-commit: installing pre-commit $version into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "pre-commit==$version"
fi

echo "$venv/bin"
