#!/usr/bin/env bash
# Runs examples/quickstart end to end against a freshly built provider:
# plan, apply, show the result, then check that a second plan is empty.
# Then promotes examples/promotion (a feature stack and a serving stack that
# share one registry) through the workspaces dev, staging and prod, as the
# promotion guide does, and shows that prod's plan is refused while prod lacks
# a feature version, and passes once the feature stack has caught up.
#
# Last, examples/rollback: fraud-scoring serves fraud/2 with fraud/1 as its
# rollback version, and the plan that disables the feature pipeline of
# transactions/1, which fraud/1 reads, must be refused (rule D10).
#
# Everything happens in a new temporary directory, which is left in place for
# inspection: the provider binary, the Terraform CLI config, the quickstart's
# working directory (state and SQLite registry, mlops-registry.db) and the
# promotion's two working directories with their shared registry.
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
PROMO_DIR=""   # examples/promotion's copy: features/, serving/, mlops-registry.db
ROLLBACK_DIR="" # examples/rollback's copy
COLOR=()       # -no-color when the output is not a terminal
[[ -t 1 ]] || COLOR=(-no-color)

STEPS=(
  setup
  cli_config
  build
  workdir
  plan
  apply
  show
  replan
  promotion_workdirs
  promotion_previous_release
  promotion_dev_staging
  promotion_prod_refused
  promotion_prod_catch_up
  rollback_refused
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
  echo "demo directory: $DEMO_ROOT"
}

# Written before the first terraform run: a TF_CLI_CONFIG_FILE from the
# environment, even one that names a missing file, is never read.
step_cli_config() {
  heading "Terraform CLI config (dev_overrides -> $BIN_DIR)"
  "$REPO_ROOT/scripts/terraformrc.sh" "$DEMO_ROOT/terraformrc" "$BIN_DIR"
  export TF_CLI_CONFIG_FILE=$DEMO_ROOT/terraformrc
  export CHECKPOINT_DISABLE=1
  cat "$TF_CLI_CONFIG_FILE"
  # The first line only, taken from the whole output: `| head -n 1` would
  # close the pipe early, and under pipefail terraform's SIGPIPE (exit 141)
  # would stop the demo.
  local version
  version=$("$TERRAFORM" version)
  echo "terraform: ${version%%$'\n'*} ($TERRAFORM)"
}

step_build() {
  heading "build the provider"
  echo "building the provider (the first build downloads modules and takes a few minutes)"
  echo "+ go build -o $BIN_DIR/terraform-provider-mlops ."
  (cd "$REPO_ROOT" && go build -o "$BIN_DIR/terraform-provider-mlops" .)
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

# tfp STACK ARGS...: terraform in the promotion's STACK directory (features
# or serving), with the registry that both stacks share.
tfp() {
  local stack=$1
  shift
  echo "+ terraform -chdir=$stack $*"
  (cd "$PROMO_DIR" && MLOPS_REGISTRY="sqlite://$PROMO_DIR/mlops-registry.db" "$TERRAFORM" -chdir="$stack" "$@")
}

# tfp_quiet STACK ARGS...: tfp, showing the command and the last line of
# its output (such as "Apply complete! ..."), or all of it when it fails.
tfp_quiet() {
  local log rc=0
  log=$(mktemp "$DEMO_ROOT/terraform.XXXXXX.log")
  echo "+ terraform -chdir=$1 ${*:2}"
  tfp "$@" >"$log" 2>&1 || rc=$?
  if ((rc != 0)); then
    cat "$log"
    die "terraform -chdir=$1 ${*:2}: exit code $rc"
  fi
  sed -e 's/\x1b\[[0-9;]*m//g' "$log" |
    grep -E '^(Apply complete!|No changes\.|Switched to workspace|Created and switched to workspace)' |
    tail -n 1 | sed -e 's/^/  /' || true
}

step_promotion_workdirs() {
  heading "promotion: examples/promotion, two stacks sharing one registry"
  PROMO_DIR=$DEMO_ROOT/promotion
  local stack
  for stack in features serving; do
    mkdir -p "$PROMO_DIR/$stack"
    cp "$REPO_ROOT/examples/promotion/$stack"/*.tf "$PROMO_DIR/$stack"/
  done
  (cd "$PROMO_DIR" && ls -1 -- */*.tf)
  echo "registry (MLOPS_REGISTRY): sqlite://$PROMO_DIR/mlops-registry.db"
}

step_promotion_previous_release() {
  heading "promotion: the previous release (transactions v1, fraud v1) in dev, staging and prod"
  local env
  for env in dev staging prod; do
    tfp_quiet features workspace select -or-create "$env"
    tfp_quiet features apply -input=false -auto-approve -no-color -var 'transactions_versions=[1]'
    tfp_quiet serving workspace select -or-create "$env"
    tfp_quiet serving apply -input=false -auto-approve -no-color -var 'fraud_versions=[1]' -var 'fraud_version=1'
  done
}

step_promotion_dev_staging() {
  heading "promotion: this release (transactions v2, fraud v2 served) in dev and staging"
  local env
  for env in dev staging; do
    tfp_quiet features workspace select "$env"
    tfp_quiet features apply -input=false -auto-approve -no-color
    tfp_quiet serving workspace select "$env"
    tfp_quiet serving apply -input=false -auto-approve -no-color
  done
}

step_promotion_prod_refused() {
  heading "promotion: prod lacks transactions v2, so the serving stack's plan must be refused"
  tfp_quiet features workspace select prod
  tfp_quiet serving workspace select prod
  local out=$DEMO_ROOT/prod-refused-plan.txt rc=0
  tfp serving plan -input=false "${COLOR[@]}" 2>&1 | tee "$out" || rc=${PIPESTATUS[0]}
  case $rc in
    0) die "prod's plan succeeded, but prod lacks transactions v2: it should have been refused" ;;
    1) ;;
    *) die "prod's plan failed with exit code $rc" ;;
  esac
  grep -q 'Feature version missing (rule M1)' "$out" ||
    die "prod's plan failed, but not with rule M1 (see above)"
  echo "refused as expected (exit code 1): prod lacks transactions/2, which fraud/2 reads"
}

step_promotion_prod_catch_up() {
  heading "promotion: the feature stack catches up in prod"
  tfp features apply -input=false -auto-approve "${COLOR[@]}"
  heading "promotion: prod's serving plan passes now"
  local rc=0
  tfp serving plan -input=false -detailed-exitcode "${COLOR[@]}" || rc=$?
  case $rc in
    2) echo "prod's plan passes: fraud/2 to register, fraud-scoring to move to it in place" ;;
    0) die "prod's plan is empty: it should register fraud/2 and move fraud-scoring to it" ;;
    *) die "prod's plan failed (exit code $rc) after the feature stack caught up" ;;
  esac
}

step_rollback_refused() {
  heading "rollback: fraud-scoring serves fraud/2 and falls back to fraud/1 (examples/rollback)"
  ROLLBACK_DIR=$DEMO_ROOT/rollback
  mkdir -p "$ROLLBACK_DIR"
  cp "$REPO_ROOT"/examples/rollback/*.tf "$ROLLBACK_DIR"/
  local log=$DEMO_ROOT/rollback-apply.log
  echo "+ terraform apply (in $ROLLBACK_DIR, workspace prod)"
  (cd "$ROLLBACK_DIR" && "$TERRAFORM" workspace select -or-create prod >/dev/null &&
    "$TERRAFORM" apply -input=false -auto-approve -no-color >"$log" 2>&1) || { cat "$log"; die "rollback: apply failed"; }
  tail -n 1 "$log" | sed -e 's/^/  /'
  heading "rollback: disabling the feature pipeline of transactions/1 must be refused"
  local out=$DEMO_ROOT/rollback-refused-plan.txt rc=0
  echo "+ terraform plan -var v1_pipeline=disabled"
  (cd "$ROLLBACK_DIR" && "$TERRAFORM" plan -input=false "${COLOR[@]}" -var v1_pipeline=disabled) 2>&1 | tee "$out" || rc=${PIPESTATUS[0]}
  case $rc in
    0) die "the plan that disables transactions-v1 succeeded: it should have been refused" ;;
    1) ;;
    *) die "the plan that disables transactions-v1 failed with exit code $rc" ;;
  esac
  grep -q 'Rollback version would lose its features (rule D10)' "$out" ||
    die "the plan failed, but not with rule D10 (see above)"
  echo "refused as expected (exit code 1): fraud-scoring falls back to fraud/1, which reads transactions/1"
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
  echo "  promotion: $PROMO_DIR (features/, serving/, mlops-registry.db)"
  echo "  rollback:  $ROLLBACK_DIR (workspace prod, mlops-registry.db)"
  echo "Try: cd $WORK_DIR && TF_CLI_CONFIG_FILE=$DEMO_ROOT/terraformrc $TERRAFORM plan"
}

main "$@"
