#!/usr/bin/env bash
# Installs a pinned build tool into a cache directory outside the repository,
# from the Go module proxy, and prints the path of its binary. A binary
# already in the cache is reused.
#
#   scripts/tool.sh tofu         OpenTofu (TOFU_VERSION, default v1.12.6)
#   scripts/tool.sh goreleaser   GoReleaser (GORELEASER_VERSION, default v2.15.1)
#
# The cache is $MLOPS_TOOLS_CACHE, by default
# ${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-mlops; each version has a
# directory of its own there (tofu-v1.12.6/tofu, goreleaser-v2.15.1/goreleaser).
# Progress goes to standard error; standard output is only the path.
#
# OpenTofu is built from its module's own directory, so that its go.mod
# (replace and godebug directives) applies: about 6 minutes and 1.1 GB of
# module cache the first time on 2 cores, a ~110 MB binary.
set -euo pipefail

TOFU_VERSION=${TOFU_VERSION:-v1.12.6}
GORELEASER_VERSION=${GORELEASER_VERSION:-v2.15.1}
CACHE=${MLOPS_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-mlops}

log() {
  printf '%s\n' "$*" >&2
}

die() {
  printf 'tool.sh: %s\n' "$*" >&2
  exit 1
}

# Whether `tofu version` says it is OpenTofu $TOFU_VERSION. An empty CLI
# config: a warning about a missing one would come first.
tofu_ok() {
  local out
  out=$(TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1 "$1" version 2>/dev/null) || return 1
  [[ $'\n'$out$'\n' == *$'\n'"OpenTofu $TOFU_VERSION"$'\n'* ]]
}

install_tofu() {
  local dir=$CACHE/tofu-$TOFU_VERSION
  local bin=$dir/tofu
  if [[ -x $bin ]] && tofu_ok "$bin"; then
    echo "$bin"
    return
  fi
  log "==> building OpenTofu $TOFU_VERSION into $dir (several minutes the first time)"
  mkdir -p "$dir"
  # go mod download outside any module: a throwaway directory, so that this
  # repository's go.mod is neither read nor changed.
  local tmp
  tmp=$(mktemp -d)
  local src
  src=$(cd "$tmp" && GOFLAGS=-mod=mod go mod download -json "github.com/opentofu/opentofu@$TOFU_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  rmdir "$tmp"
  [[ -n $src && -d $src ]] || die "go mod download github.com/opentofu/opentofu@$TOFU_VERSION gave no module directory"
  # The module cache is read-only: build from it, into the cache directory.
  (cd "$src" && CGO_ENABLED=0 GOFLAGS=-modcacherw go build -trimpath \
    -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
    -o "$bin.tmp.$$" ./cmd/tofu)
  tofu_ok "$bin.tmp.$$" || die "the OpenTofu just built does not say it is $TOFU_VERSION"
  mv -f "$bin.tmp.$$" "$bin"
  log "==> OpenTofu $TOFU_VERSION: $bin"
  echo "$bin"
}

# Whether `goreleaser --version` says it is $GORELEASER_VERSION.
goreleaser_ok() {
  local out
  out=$("$1" --version 2>/dev/null) || return 1
  [[ $out$'\n' =~ GitVersion:[[:space:]]*"$GORELEASER_VERSION"$'\n' ]]
}

install_goreleaser() {
  local dir=$CACHE/goreleaser-$GORELEASER_VERSION
  local bin=$dir/goreleaser
  if [[ -x $bin ]] && goreleaser_ok "$bin"; then
    echo "$bin"
    return
  fi
  log "==> installing GoReleaser $GORELEASER_VERSION into $dir"
  mkdir -p "$dir"
  local tmp
  tmp=$(mktemp -d)
  # Outside this repository, so that its go.mod plays no part.
  (cd "$tmp" && CGO_ENABLED=0 GOBIN="$tmp" go install "github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION")
  goreleaser_ok "$tmp/goreleaser" || die "the GoReleaser just built does not say it is $GORELEASER_VERSION"
  mv -f "$tmp/goreleaser" "$bin"
  rmdir "$tmp"
  echo "$bin"
}

case ${1:-} in
  tofu) install_tofu ;;
  goreleaser) install_goreleaser ;;
  *)
    echo "usage: $0 tofu|goreleaser" >&2
    exit 64
    ;;
esac
