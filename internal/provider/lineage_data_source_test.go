package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccLineageDataSource(t *testing.T) {
	reg := newTestRegistry(t)
	cfg := deploymentConfig("fraud-scoring", "mlops_model_version.fraud_v2.id",
		`  canary = { model_version_id = mlops_model_version.fraud_v1.id, percent = 10 }`) + `
data "mlops_lineage" "fraud" {
  deployment = mlops_deployment.fraud.name
}
data "mlops_deployment" "fraud" {
  name = mlops_deployment.fraud.name
}
`
	served := func(id, role string, percent int64, featureVersion string) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":                  knownvalue.StringExact(id),
			"role":                knownvalue.StringExact(role),
			"percent":             knownvalue.Int64Exact(percent),
			"feature_version_ids": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(featureVersion)}),
			"feature_view_ids":    knownvalue.ListExact([]knownvalue.Check{}),
			"missing":             knownvalue.ListExact([]knownvalue.Check{}),
		})
	}
	mermaidHas := func(lines ...string) knownvalue.Check {
		return knownvalue.StringFunc(func(m string) error {
			if !strings.HasPrefix(m, "graph LR\n") {
				return fmt.Errorf("mermaid does not start with graph LR:\n%s", m)
			}
			for _, l := range lines {
				if !strings.Contains(m, l+"\n") {
					return fmt.Errorf("mermaid lacks %q:\n%s", l, m)
				}
			}
			if strings.Contains(m, "classDef missing") {
				return fmt.Errorf("nothing is missing, yet:\n%s", m)
			}
			return nil
		})
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: reg.config(cfg),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.mlops_lineage.fraud", tfjsonpath.New("model_versions"), knownvalue.ListExact([]knownvalue.Check{
						served("fraud/2", "main", 90, "transactions/2"),
						served("fraud/1", "canary", 10, "transactions/1"),
					})),
					statecheck.ExpectKnownValue("data.mlops_lineage.fraud", tfjsonpath.New("mermaid"), mermaidHas(
						`  deployment_fraud_scoring["deployment fraud-scoring<br/>environment default"]`,
						`  deployment_fraud_scoring -- "90%" --> model_version_fraud_2`,
						`  deployment_fraud_scoring -- "canary 10%" --> model_version_fraud_1`,
						`  model_version_fraud_2["model version fraud/2"]`,
						`  model_version_fraud_2 --> feature_version_transactions_2`,
						`  model_version_fraud_1 --> feature_version_transactions_1`,
						`  feature_version_transactions_1["feature version transactions/1"]`,
					)),
					statecheck.ExpectKnownValue("data.mlops_deployment.fraud", tfjsonpath.New("status"), knownvalue.StringExact("canary")),
					statecheck.ExpectKnownValue("data.mlops_deployment.fraud", tfjsonpath.New("canary"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"model_version_id": knownvalue.StringExact("fraud/1"), "percent": knownvalue.Int64Exact(10),
					})),
					statecheck.ExpectKnownValue("data.mlops_deployment.fraud", tfjsonpath.New("replicas"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"min": knownvalue.Int64Exact(1), "max": knownvalue.Int64Exact(1),
					})),
					statecheck.CompareValuePairs("data.mlops_deployment.fraud", tfjsonpath.New("updated_at"), deploymentAddr, tfjsonpath.New("updated_at"), compareEqual),
				},
			},
			{
				Config: reg.config(cfg + `
data "mlops_lineage" "nope" {
  deployment = "ranking"
}
`),
				ExpectError: errorRE("No such deployment", `deployment "ranking" does not exist in environment "default"`),
			},
		},
	})
}
