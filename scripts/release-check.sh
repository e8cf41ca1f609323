#!/usr/bin/env bash
# Checks the release archive that `make release-snapshot` left in dist/ the
# way users install a provider: the archive for this machine, unzipped into
# a filesystem mirror, installed by `terraform init` through a CLI config
# whose only installation method is that mirror (no dev_overrides), then a
# configuration of one feature group applied with it into a new SQLite
# registry.
#
#   scripts/release-check.sh [TERRAFORM...]
#
# Each argument is a Terraform or OpenTofu binary to check with (default:
# the terraform on PATH). It fails unless
#   - SHA256SUMS lists the archive and the registry manifest
#     (terraform-registry-manifest.json), and their checksums match;
#   - the archive holds terraform-provider-mlops_v<version>, whose -version
#     names that version and the commit checked out;
#   - init installs mlops-tf/mlops <version> from the mirror and writes it to
#     the dependency lock file; `terraform version` lists it;
#   - apply creates the feature group, the provider logs its version when it
#     is configured, and a second plan shows no changes.
# Everything happens in a temporary directory, removed at the end.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIST=$REPO_ROOT/dist
PROJECT=terraform-provider-mlops

die() {
  printf 'release-check: FAILED: %s\n' "$*" >&2
  exit 1
}

heading() {
  printf '\n==> %s\n' "$*"
}

# --- the snapshot in dist/ ---------------------------------------------------
sums=$(compgen -G "$DIST/${PROJECT}_*_SHA256SUMS" || true)
[[ -n $sums && $sums != *$'\n'* ]] ||
  die "expected one ${PROJECT}_<version>_SHA256SUMS in dist/ (run make release-snapshot)"
version=${sums##*/"${PROJECT}"_}
version=${version%_SHA256SUMS}
os=$(go env GOOS)
arch=$(go env GOARCH)
archive=${PROJECT}_${version}_${os}_${arch}.zip
manifest=${PROJECT}_${version}_manifest.json
commit=$(git -C "$REPO_ROOT" rev-parse HEAD)

heading "dist/: version $version, $archive"
[[ -f $DIST/$archive ]] || die "no $archive in dist/"
for f in "$archive" "$manifest"; do
  grep -q "  $f\$" "$sums" || die "${sums##*/} does not list $f"
done
(cd "$DIST" && sha256sum --check --ignore-missing --strict "${sums##*/}") || die "checksums do not match"
# The manifest is not in dist/ (the release uploads it from the repository
# under that name): its checksum must be that of the repository's file.
manifest_sum=$(sha256sum "$REPO_ROOT/terraform-registry-manifest.json")
grep -qx "${manifest_sum%% *}  $manifest" "$sums" ||
  die "${sums##*/} does not list terraform-registry-manifest.json's checksum as $manifest"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mlops-release-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Both registry host names: Terraform reads the provider's source
# "mlops-tf/mlops" as registry.terraform.io/mlops-tf/mlops, OpenTofu as
# registry.opentofu.org/mlops-tf/mlops.
MIRROR=$WORK/mirror
for host in registry.terraform.io registry.opentofu.org; do
  dir=$MIRROR/$host/mlops-tf/mlops/$version/${os}_${arch}
  mkdir -p "$dir"
  (cd "$dir" && unzip -q "$DIST/$archive")
done
binary=$MIRROR/registry.terraform.io/mlops-tf/mlops/$version/${os}_${arch}/${PROJECT}_v$version
[[ -x $binary ]] || die "$archive holds no executable ${PROJECT}_v$version"
shown=$("$binary" -version)
echo "$shown"
[[ $shown == "$PROJECT $version (commit $commit)" ]] ||
  die "the binary says '$shown', want '$PROJECT $version (commit $commit)'"

cat >"$WORK/terraformrc" <<HCL
disable_checkpoint = true
provider_installation {
  filesystem_mirror {
    path = "$MIRROR"
  }
}
HCL

# --- one run per Terraform ---------------------------------------------------
check_with() {
  local tf=$1 first host
  first=$(TF_CLI_CONFIG_FILE="$WORK/terraformrc" "$tf" version)
  first=${first%%$'\n'*}
  host=registry.terraform.io
  [[ $first == OpenTofu* ]] && host=registry.opentofu.org
  heading "$first: install from the mirror, apply"
  local dir=$WORK/run-${first%% *}
  mkdir -p "$dir"
  # A pre-release is chosen only when the configuration asks for exactly it.
  cat >"$dir/main.tf" <<HCL
terraform {
  required_providers {
    mlops = {
      source  = "mlops-tf/mlops"
      version = "$version"
    }
  }
}

provider "mlops" {
  registry = "sqlite://registry.db"
}

resource "mlops_feature_group" "check" {
  name        = "release_check"
  primary_key = ["id"]
}
HCL
  local tfenv=(env -u MLOPS_REGISTRY -u MLOPS_ENVIRONMENT -u TF_WORKSPACE -u TF_DATA_DIR -u TF_PLUGIN_CACHE_DIR
    TF_CLI_CONFIG_FILE="$WORK/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0)

  (cd "$dir" && "${tfenv[@]}" "$tf" init -no-color) || die "$first: init failed"
  local lock
  lock=$(<"$dir/.terraform.lock.hcl")
  [[ $lock == *"provider \"$host/mlops-tf/mlops\" {"*"version     = \"$version\""* ]] ||
    die "$first: the lock file does not select $host/mlops-tf/mlops $version:"$'\n'"$lock"

  local versions
  versions=$(cd "$dir" && "${tfenv[@]}" "$tf" version)
  echo "$versions"
  [[ $versions == *"provider $host/mlops-tf/mlops v$version"* ]] ||
    die "$first: 'version' does not list $host/mlops-tf/mlops v$version"

  (cd "$dir" && "${tfenv[@]}" TF_LOG_PROVIDER=INFO TF_LOG_PATH="$dir/provider.log" "$tf" apply -auto-approve -no-color) ||
    die "$first: apply failed"
  grep -q 'configuring the mlops provider.*version='"$version" "$dir/provider.log" ||
    die "$first: the provider's log does not show version $version when it is configured"
  [[ -s $dir/registry.db ]] || die "$first: apply wrote no registry.db"
  (cd "$dir" && "${tfenv[@]}" "$tf" plan -detailed-exitcode -no-color >/dev/null) ||
    die "$first: the plan after apply is not empty (exit $?)"
  echo "$first: mlops-tf/mlops $version installed from the mirror, applied, plan empty"
}

if [[ $# -eq 0 ]]; then
  set -- "$(command -v terraform || die "terraform not found on PATH")"
fi
for tf in "$@"; do
  check_with "$tf"
done
heading "release-check: passed"
