#!/usr/bin/env bash
# Runs examples/quickstart end to end against a freshly built provider:
# plan, apply, show the result, then check that a second plan is empty.
#
# Everything happens in a new temporary directory, which is left in place for
# inspection: the provider binary, the Terraform CLI config, and the working
# directory that holds the state and the SQLite registry (mlops-registry.db).
#
# Terraform is the binary on PATH, or $TERRAFORM. No `terraform init` is needed:
# the CLI config's dev_overrides point Terraform at the binary built here, and
# Terraform prints a warning about that, which is expected.
#
# Each step is a function named step_<name>; main() at the bottom runs them in
# order. To add a step, define a function and add it to STEPS.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TERRAFORM=${TERRAFORM:-$(command -v terraform || true)}
DEMO_ROOT=""   # set by step_setup
BIN_DIR=""     # directory holding terraform-provider-mlops
WORK_DIR=""    # terraform working directory
COLOR=()       # -no-color when the output is not a terminal
[[ -t 1 ]] || COLOR=(-no-color)

STEPS=(
  setup
  build
  cli_config
  workdir
  plan
  apply
  show
  replan
)

heading() {
  printf '\n==> %s\n' "$*"
}

die() {
  printf 'demo: %s\n' "$*" >&2
  exit 1
}

tf() {
  echo "+ terraform $*"
  (cd "$WORK_DIR" && "$TERRAFORM" "$@")
}

step_setup() {
  heading "setup"
  [[ -n $TERRAFORM && -x $TERRAFORM ]] || die "terraform not found on PATH (set TERRAFORM=/path/to/terraform)"
  command -v go >/dev/null || die "go not found on PATH"
  DEMO_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/mlops-demo.XXXXXX")
  BIN_DIR=$DEMO_ROOT/bin
  WORK_DIR=$DEMO_ROOT/work
  mkdir -p "$BIN_DIR" "$WORK_DIR"
  # The demo uses the default registry in its own working directory and the
  # default environment, whatever the caller's shell has set.
  unset MLOPS_REGISTRY MLOPS_ENVIRONMENT TF_WORKSPACE TF_DATA_DIR
  "$TERRAFORM" version | head -n 1
  echo "demo directory: $DEMO_ROOT"
}

step_build() {
  heading "build the provider"
  echo "+ go build -o $BIN_DIR/terraform-provider-mlops ."
  (cd "$REPO_ROOT" && go build -o "$BIN_DIR/terraform-provider-mlops" .)
}

step_cli_config() {
  heading "Terraform CLI config (dev_overrides -> $BIN_DIR)"
  # Replaces any TF_CLI_CONFIG_FILE from the environment, even one that is missing.
  "$REPO_ROOT/scripts/terraformrc.sh" "$DEMO_ROOT/terraformrc" "$BIN_DIR"
  export TF_CLI_CONFIG_FILE=$DEMO_ROOT/terraformrc
  export CHECKPOINT_DISABLE=1
  cat "$TF_CLI_CONFIG_FILE"
}

step_workdir() {
  heading "working directory: examples/quickstart"
  shopt -s nullglob
  local files=("$REPO_ROOT"/examples/quickstart/*.tf)
  shopt -u nullglob
  ((${#files[@]} > 0)) || die "no .tf files in $REPO_ROOT/examples/quickstart"
  cp "${files[@]}" "$WORK_DIR"/
  (cd "$WORK_DIR" && ls -1 -- *.tf)
}

step_plan() {
  heading "terraform plan"
  tf plan -input=false "${COLOR[@]}"
}

step_apply() {
  heading "terraform apply"
  tf apply -input=false -auto-approve "${COLOR[@]}"
}

step_show() {
  heading "terraform output"
  tf output "${COLOR[@]}"
  heading "terraform state list"
  tf state list
}

step_replan() {
  heading "re-plan after apply (must be empty)"
  local rc=0
  tf plan -input=false -detailed-exitcode "${COLOR[@]}" || rc=$?
  case $rc in
    0) echo "re-plan after apply: no changes" ;;
    2) die "re-plan after apply: the plan is not empty (see above)" ;;
    *) die "re-plan after apply: terraform plan failed (exit code $rc)" ;;
  esac
}

on_exit() {
  local rc=$?
  if ((rc != 0)) && [[ -n $DEMO_ROOT ]]; then
    echo "demo failed; directory left for inspection: $DEMO_ROOT" >&2
  fi
}

main() {
  trap on_exit EXIT
  local step
  for step in "${STEPS[@]}"; do
    "step_$step"
  done
  heading "done"
  echo "demo directory (left for inspection): $DEMO_ROOT"
  echo "  provider:  $BIN_DIR/terraform-provider-mlops"
  echo "  config:    $DEMO_ROOT/terraformrc"
  echo "  workdir:   $WORK_DIR (terraform.tfstate, mlops-registry.db)"
  echo "Try: cd $WORK_DIR && TF_CLI_CONFIG_FILE=$DEMO_ROOT/terraformrc $TERRAFORM plan"
}

main "$@"
