#!/usr/bin/env bash
# Installs the tools fleetlint's tests use besides npm packages, on a fresh Debian machine:
# the pinned OPA CLI, helm and kustomize (built with go install), go-containerregistry's registry (the OCI registry
# the --resolve-digests tests push images into, built with go install), xmllint (libxml2-utils), Chromium (the HTML report
# test) and, for the install tests (npm run test:install), Python's venv (python3-venv) and the pinned pre-commit
# (PyPI, in .tools/).
# Idempotent; apt-get runs only for what is missing.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

bash "$repo/scripts/install-opa.sh" >/dev/null
render_tools="$(bash "$repo/scripts/install-render-tools.sh")"
registry_tool="$(bash "$repo/scripts/install-registry.sh")"

missing=()
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
[[ -x "${CHROMIUM_BIN:-/usr/bin/chromium}" ]] || missing+=(chromium)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]] && ! command -v sudo >/dev/null 2>&1; then
    echo "install-tools: please install: ${missing[*]}" >&2
    exit 1
  fi
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  echo "install-tools: apt-get install ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
pre_commit_bin="$(bash "$repo/scripts/install-pre-commit.sh")"
# Debian's chromium wrapper prints a harmless shell warning on stderr, hence 2>/dev/null.
echo "install-tools: opa $("$repo/.tools/bin/opa" version | sed -n 's/^Version: //p'), $render_tools, ${registry_tool%% in *}, $(xmllint --version 2>&1 | head -n 1), $("${CHROMIUM_BIN:-/usr/bin/chromium}" --version 2>/dev/null), $("$pre_commit_bin/pre-commit" --version)" >&2
