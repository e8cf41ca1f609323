package main

import (
	"fmt"
	"regexp"
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

// features lists features f_1 to f_n, one a line.
func features(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "    { name = \"f_%d\", type = %q },\n", i, featureType(i))
	}
	return b.String()
}

// inputs lists inputs over features f_1 to f_n, of their types.
func inputs(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "    { feature = \"f_%d\", type = %q },\n", i, featureType(i))
	}
	return b.String()
}

func featureType(i int) string {
	if i%5 == 0 {
		return "array<bigint>"
	}
	return "double"
}

// wideFeatureVersionConfig is one feature group and one feature version of
// width features (the two keys and f_1 to f_width-2).
func wideFeatureVersionConfig(width int) string {
	return providerBlock + wideFeatureVersion(width-2)
}

func wideFeatureVersion(extra int) string {
	return fmt.Sprintf(`
resource "mlops_feature_group" "wide" {
  name        = "wide"
  primary_key = ["entity_id"]
  event_time  = "event_ts"
}

resource "mlops_feature_version" "wide" {
  feature_group_id = mlops_feature_group.wide.id
  version          = 1
  features = [
    { name = "entity_id", type = "string" },
    { name = "event_ts", type = "timestamp" },
%s  ]
}
`, features(extra))
}

// wideInputsConfig is one model version with width inputs, reading a
// feature version that has them (and its two keys), with its model and
// feature group.
func wideInputsConfig(width int) string {
	return providerBlock + wideFeatureVersion(width) + fmt.Sprintf(`
resource "mlops_model" "wide" {
  name = "wide"
}

resource "mlops_model_version" "wide" {
  model_id            = mlops_model.wide.id
  version             = 1
  artifact_uri        = "s3://models/wide/1"
  artifact_digest     = "sha256:%064x"
  feature_version_ids = [mlops_feature_version.wide.id]
  inputs = [
%s  ]
}
`, 1, inputs(width))
}

// printedConfig is the configuration that -config prints: the mix of n
// objects, or with wide set, the wide case of width n.
func printedConfig(n int, wide string) (string, error) {
	switch wide {
	case "":
		return mlopsConfig(n), nil
	case "features":
		return wideFeatureVersionConfig(n), nil
	case "inputs":
		return wideInputsConfig(n), nil
	}
	return "", fmt.Errorf("-wide %q: want features or inputs", wide)
}

var (
	mlopsResource = regexp.MustCompile(`^resource "mlops_(\w+)" "(\w+)" \{$`)
	mlopsIDRef    = regexp.MustCompile(`\bmlops_(\w+)\.(\w+)\.id\b`)
	mlopsOtherRef = regexp.MustCompile(`\bmlops_(\w+)\.(\w+)\.(\w+)\b`)
)

// resourceClosed is the line that closes a resource block.
const resourceClosed = "}"

// terraformDataFairConfig turns a configuration of mlops resources into one
// of terraform_data resources whose input holds each resource's arguments,
// the same values, the same references between them (to the other's id, or
// to the argument its output echoes): Terraform's floor for objects of
// this size. It is derived from the mlops configuration itself, so that
// the two cannot drift apart.
func terraformDataFairConfig(mlops string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimPrefix(mlops, providerBlock), "\n") {
		switch m := mlopsResource.FindStringSubmatch(l); {
		case m != nil:
			fmt.Fprintf(&b, "resource \"terraform_data\" \"%s_%s\" {\n  input = {\n", m[1], m[2])
		case l == resourceClosed:
			b.WriteString("  }\n}\n")
		case l == "":
			b.WriteString("\n")
		default:
			l = mlopsIDRef.ReplaceAllString(l, "terraform_data.${1}_${2}.id")
			l = mlopsOtherRef.ReplaceAllString(l, "terraform_data.${1}_${2}.output.${3}")
			b.WriteString("  " + l + "\n")
		}
	}
	return b.String()
}

// terraformDataConfig is n terraform_data resources of one small value
// each: Terraform's own floor, the light baseline.
func terraformDataConfig(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "resource \"terraform_data\" \"r%d\" {\n  input = { name = \"object-%d\", version = %d }\n}\n", i, i, i%4+1)
	}
	return b.String()
}
