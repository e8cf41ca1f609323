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

// mlopsConfig is n registry objects: per 10, one feature group, four
// feature versions of 20 features, one model, three model versions and a
// deployment.
func mlopsConfig(n int) string {
	var b strings.Builder
	b.WriteString(providerBlock)
	for u := 0; u < n/10; u++ {
		fmt.Fprintf(&b, `
resource "mlops_feature_group" "g%[1]d" {
  name        = "group_%[1]d"
  primary_key = ["entity_id"]
  event_time  = "event_ts"
  tags        = { team = "team-%[2]d" }
}
`, u, u%7)
		for v := 1; v <= 4; v++ {
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
resource "mlops_model" "m%[1]d" {
  name = "model-%[1]d"
}
`, u)
		for v := 1; v <= 3; v++ {
			fmt.Fprintf(&b, `
resource "mlops_model_version" "m%[1]d_v%[2]d" {
  model_id            = mlops_model.m%[1]d.id
  version             = %[2]d
  artifact_uri        = "s3://models/model-%[1]d/%[2]d"
  feature_version_ids = [mlops_feature_version.g%[1]d_v%[2]d.id]
  inputs              = [{ feature = "f_1", type = "double" }, { feature = "f_2", type = "double" }]
  metrics             = { auc = 0.9%[2]d }
}
`, u, v)
		}
		fmt.Fprintf(&b, `
resource "mlops_deployment" "d%[1]d" {
  name             = "deployment-%[1]d"
  model_version_id = mlops_model_version.m%[1]d_v3.id
  canary           = { model_version_id = mlops_model_version.m%[1]d_v2.id, percent = 10 }
}
`, u)
	}
	return b.String()
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
