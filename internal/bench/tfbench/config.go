package main

import (
	"fmt"
	"strings"
)

const providerBlock = `terraform {
  required_providers {
    mlops = {
      source = "mlops-tf/mlops"
    }
  }
}

provider "mlops" {}
`

// mlopsConfig is n registry objects: per 13, one feature group, two
// feature versions of 20 features, a feature pipeline that writes both, a
// feature view over the second, one model, a training pipeline that reads
// both versions and writes it, two model versions (the second reading the
// view), an approval of each, an alias and a deployment that serves the
// alias's version with the other as canary. One environment policy (not
// counted) requires approval, so that every deployment's plan checks its
// approvals (D6) and its gates.
func mlopsConfig(n int) string {
	var b strings.Builder
	b.WriteString(providerBlock)
	b.WriteString(`
resource "mlops_environment" "default" {
  name             = "default"
  require_approval = true
}
`)
	for u := 0; u < n/13; u++ {
		fmt.Fprintf(&b, `
resource "mlops_feature_group" "g%[1]d" {
  name        = "group_%[1]d"
  primary_key = ["entity_id"]
  event_time  = "event_ts"
  tags        = { team = "team-%[2]d" }
}
`, u, u%7)
		for v := 1; v <= 2; v++ {
			fmt.Fprintf(&b, `
resource "mlops_feature_version" "g%[1]d_v%[2]d" {
  feature_group_id = mlops_feature_group.g%[1]d.id
  version          = %[2]d
  features = [
    { name = "entity_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
%[3]s  ]
}
`, u, v, features(18))
		}
		fmt.Fprintf(&b, `
resource "mlops_pipeline" "g%[1]d" {
  name     = "group-%[1]d"
  kind     = "feature"
  schedule = "*/15 * * * *"
  writes   = { feature_version_ids = [mlops_feature_version.g%[1]d_v1.id, mlops_feature_version.g%[1]d_v2.id] }
}

resource "mlops_feature_view" "g%[1]d" {
  name    = "view_%[1]d"
  version = 1
  sources = [{ feature_version_id = mlops_feature_version.g%[1]d_v2.id }]
}

resource "mlops_model" "m%[1]d" {
  name = "model-%[1]d"
}

resource "mlops_pipeline" "m%[1]d" {
  name   = "model-%[1]d-training"
  kind   = "training"
  reads  = { feature_version_ids = [mlops_feature_version.g%[1]d_v1.id, mlops_feature_version.g%[1]d_v2.id] }
  writes = { model_id = mlops_model.m%[1]d.id }
}
`, u)
		for v := 1; v <= 2; v++ {
			fmt.Fprintf(&b, `
resource "mlops_model_version" "m%[1]d_v%[2]d" {
  model_id            = mlops_model.m%[1]d.id
  version             = %[2]d
  artifact_uri        = "s3://models/model-%[1]d/%[2]d"
  artifact_digest     = "sha256:%064[3]x"
%[4]s
  inputs              = [{ feature = "f_1", type = "double" }, { feature = "f_2", type = "double" }]
  metrics             = { auc = 0.9%[2]d }
}

resource "mlops_model_version_approval" "m%[1]d_v%[2]d" {
  model_version_id = mlops_model_version.m%[1]d_v%[2]d.id
  status           = "approved"
  reason           = "benchmark"
}
`, u, v, u*10+v, modelVersionReads(u, v))
		}
		fmt.Fprintf(&b, `
resource "mlops_model_alias" "m%[1]d" {
  model_id         = mlops_model.m%[1]d.id
  name             = "champion"
  model_version_id = mlops_model_version_approval.m%[1]d_v2.model_version_id
}

resource "mlops_deployment" "d%[1]d" {
  name             = "deployment-%[1]d"
  model_version_id = mlops_model_alias.m%[1]d.model_version_id
  canary           = { model_version_id = mlops_model_version_approval.m%[1]d_v1.model_version_id, percent = 10 }
}
`, u)
	}
	return b.String()
}

// modelVersionReads is what version v of model u reads: version 1 its
// feature version, version 2 the feature view over feature version 2.
func modelVersionReads(u, v int) string {
	if v == 1 {
		return fmt.Sprintf("  feature_version_ids = [mlops_feature_version.g%d_v1.id]", u)
	}
	return fmt.Sprintf("  feature_view_ids    = [mlops_feature_view.g%d.id]", u)
}

func features(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		typ := "double"
		if i%5 == 0 {
			typ = "array<bigint>"
		}
		fmt.Fprintf(&b, "    { name = \"f_%d\", type = %q },\n", i, typ)
	}
	return b.String()
}

// terraformDataConfig is n terraform_data resources, Terraform's own floor.
func terraformDataConfig(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "resource \"terraform_data\" \"r%d\" {\n  input = { name = \"object-%d\", version = %d }\n}\n", i, i, i%4+1)
	}
	return b.String()
}
