#!/usr/bin/env bash
# Builds the release archives into dist/ as a release would, but unsigned,
# unpublished and with a snapshot version (.goreleaser.yml's snapshot
# section): `goreleaser release --snapshot --clean --skip=sign,publish` with
# the GoReleaser of scripts/tool.sh.
#
#   scripts/release-snapshot.sh              this machine's OS and architecture
#   RELEASE_ALL=1 scripts/release-snapshot.sh every target of .goreleaser.yml
#
# goreleaser release has no --single-target (only goreleaser build has), so
# for one target this writes a copy of .goreleaser.yml to
# .build/goreleaser-snapshot.yml whose build lists only that target, in
# place of the lines between the "release targets: begin" and "release
# targets: end" comments.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

goreleaser=$(./scripts/tool.sh goreleaser)
config=.goreleaser.yml
if [[ -z ${RELEASE_ALL:-} ]]; then
  target=$(go env GOOS)_$(go env GOARCH)
  if [[ $(go env GOARCH) == arm ]]; then
    target+=_$(go env GOARM)
  fi
  mkdir -p .build
  config=.build/goreleaser-snapshot.yml
  awk -v target="$target" '
    /# release targets: end/ { skipping = 0; next }
    skipping { next }
    /# release targets: begin/ { print "    targets: [" target "]"; skipping = 1; replaced++; next }
    { print }
    END { if (replaced != 1 || skipping) exit 1 }
  ' .goreleaser.yml >"$config" || {
    echo "release-snapshot: .goreleaser.yml lacks one 'release targets: begin' ... 'end' pair" >&2
    exit 1
  }
  echo "==> snapshot for $target only (RELEASE_ALL=1 for every target)"
fi
# GoReleaser reads the commit from git, but in a snapshot it gives up on
# every piece of git information (the commit becomes "none") when
# `git ls-remote --get-url` fails, as it does in a repository without a
# remote: then this repository itself stands in as the remote, for this
# run only.
if ! git ls-remote --get-url >/dev/null 2>&1 && [[ -z ${GIT_CONFIG_COUNT:-} ]]; then
  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0="file://$PWD"
fi
echo "==> goreleaser release --config $config --snapshot --clean --skip=sign,publish"
"$goreleaser" release --config "$config" --snapshot --clean --skip=sign,publish
