#!/usr/bin/env bash
# Installs the pinned helm and kustomize that fleetlint's render stage runs (and its tests use) into
# <repo>/.tools/bin, or $FLEETLINT_TOOLS_BIN, with go install. Idempotent: a tool that already reports its
# pinned version is left alone. The pins live in scripts/helm-version, helm3-version and kustomize-version.
# Helm is built with its version stamped in, as Helm's own Makefile does, so `helm version` names the pin
# (fleetlint keys its render cache on it). kustomize v5.8 needs a newer Go than we have; v5.7.1 builds.
# helm3 is a Helm 3 for kustomize's `helmCharts` only: kustomize 5.7 runs `helm version -c`, which Helm 4 refuses.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="${FLEETLINT_TOOLS_BIN:-$repo/.tools/bin}"
mkdir -p "$bin_dir"
helm_version="$(tr -d '[:space:]' < "$repo/scripts/helm-version")"
helm3_version="$(tr -d '[:space:]' < "$repo/scripts/helm3-version")"
kustomize_version="$(tr -d '[:space:]' < "$repo/scripts/kustomize-version")"

need_go() {
  if ! command -v go >/dev/null 2>&1; then
    echo "install-render-tools: Go is required to build $1 (https://go.dev/dl/)" >&2
    exit 1
  fi
}

current="$("$bin_dir/helm" version --template '{{.Version}}' 2>/dev/null || true)"
if [[ "$current" != "$helm_version" ]]; then
  need_go "helm $helm_version"
  echo "install-render-tools: installing helm $helm_version into $bin_dir (found: ${current:-none})" >&2
  GOBIN="$bin_dir" go install -ldflags "-X helm.sh/helm/v4/internal/version.version=$helm_version" "helm.sh/helm/v4/cmd/helm@$helm_version"
  current="$("$bin_dir/helm" version --template '{{.Version}}')"
  if [[ "$current" != "$helm_version" ]]; then
    echo "install-render-tools: $bin_dir/helm reports version '$current', expected $helm_version" >&2
    exit 1
  fi
fi

current="$("$bin_dir/helm3" version --template '{{.Version}}' 2>/dev/null || true)"
if [[ "$current" != "$helm3_version" ]]; then
  need_go "helm $helm3_version"
  echo "install-render-tools: installing helm $helm3_version as helm3 into $bin_dir (found: ${current:-none})" >&2
  build="$(mktemp -d)"
  GOBIN="$build" go install -ldflags "-X helm.sh/helm/v3/internal/version.version=$helm3_version" "helm.sh/helm/v3/cmd/helm@$helm3_version"
  mv "$build/helm" "$bin_dir/helm3"
  rmdir "$build"
  current="$("$bin_dir/helm3" version --template '{{.Version}}')"
  if [[ "$current" != "$helm3_version" ]]; then
    echo "install-render-tools: $bin_dir/helm3 reports version '$current', expected $helm3_version" >&2
    exit 1
  fi
fi

current="$("$bin_dir/kustomize" version 2>/dev/null || true)"
if [[ "$current" != "$kustomize_version" ]]; then
  need_go "kustomize $kustomize_version"
  echo "install-render-tools: installing kustomize $kustomize_version into $bin_dir (found: ${current:-none})" >&2
  GOBIN="$bin_dir" go install "sigs.k8s.io/kustomize/kustomize/v5@$kustomize_version"
  current="$("$bin_dir/kustomize" version)"
  if [[ "$current" != "$kustomize_version" ]]; then
    echo "install-render-tools: $bin_dir/kustomize reports version '$current', expected $kustomize_version" >&2
    exit 1
  fi
fi

echo "helm $helm_version, helm3 $helm3_version, kustomize $kustomize_version in $bin_dir"
