package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mlops-tf/terraform-provider-mlops/internal/testutil/kservecrd"
)

const kserveAddr = "data.mlops_kserve_inference_service.fraud"

// kserveBlock is the data source rendering deployment fraud-scoring, with
// extra attributes.
func kserveBlock(namespace, extra string) string {
	return fmt.Sprintf(`
data "mlops_kserve_inference_service" "fraud" {
  deployment_id = mlops_deployment.fraud.id
  namespace     = %q
  predictor = {
    model_format = "xgboost"
    runtime      = "kserve-xgbserver"
    resources    = { requests = { cpu = "500m", memory = "1Gi" }, limits = { memory = "2Gi" } }
  }
  service_account = "models-reader"
%s
}
`, namespace, extra)
}

func TestAccKServeInferenceServiceDataSource(t *testing.T) {
	reg := newTestRegistry(t)
	deployment := deploymentConfig("fraud-scoring", "mlops_model_version.fraud_v1.id",
		`  canary   = { model_version_id = mlops_model_version.fraud_v2.id, percent = 10 }
  replicas = { min = 2, max = 6 }`)
	manifest := func(steps ...string) tfjsonpath.Path {
		p := tfjsonpath.New("manifest")
		for _, s := range steps {
			p = p.AtMapKey(s)
		}
		return p
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Refused at validate: what the configuration alone shows.
				Config:      reg.config(deployment + kserveBlock("Fraud_NS", `  labels = { team = "risk & fraud" }`)),
				PlanOnly:    true,
				ExpectError: errorRE(`Invalid namespace`, `namespace "Fraud_NS" is not a Kubernetes namespace name`),
			},
			{
				Config:      reg.config(deployment + kserveBlock("fraud", `  labels = { team = "risk & fraud" }`)),
				PlanOnly:    true,
				ExpectError: errorRE(`Invalid label`, `label "team" = "risk & fraud"`),
			},
			{
				Config: reg.config(deployment + kserveBlock("fraud", `  labels      = { team = "risk" }
  annotations = { "serving.kserve.io/deploymentMode" = "Serverless" }`)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(kserveAddr, tfjsonpath.New("id"), knownvalue.StringExact("fraud/fraud-scoring")),
					statecheck.ExpectKnownValue(kserveAddr, manifest("apiVersion"), knownvalue.StringExact("serving.kserve.io/v1beta1")),
					statecheck.ExpectKnownValue(kserveAddr, manifest("kind"), knownvalue.StringExact("InferenceService")),
					statecheck.ExpectKnownValue(kserveAddr, manifest("metadata", "name"), knownvalue.StringExact("fraud-scoring")),
					statecheck.ExpectKnownValue(kserveAddr, manifest("metadata", "namespace"), knownvalue.StringExact("fraud")),
					statecheck.ExpectKnownValue(kserveAddr, manifest("metadata", "labels"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"mlops-tf/deployment":                     knownvalue.StringExact("fraud-scoring"),
						"mlops-tf/environment":                    knownvalue.StringExact("default"),
						"mlops-tf/model":                          knownvalue.StringExact("fraud"),
						"mlops-tf/model-version":                  knownvalue.StringExact("fraud.1"),
						"mlops-tf/canary-model-version":           knownvalue.StringExact("fraud.2"),
						"feature-version.mlops-tf/transactions.1": knownvalue.StringExact("true"),
						"feature-version.mlops-tf/transactions.2": knownvalue.StringExact("true"),
						"team": knownvalue.StringExact("risk"),
					})),
					statecheck.ExpectKnownValue(kserveAddr, manifest("metadata", "annotations", "mlops-tf/model-version"), knownvalue.StringExact("fraud/1")),
					statecheck.ExpectKnownValue(kserveAddr, manifest("metadata", "annotations", "serving.kserve.io/deploymentMode"), knownvalue.StringExact("Serverless")),
					// The canary is the latest revision; the main version
					// keeps the rest of the traffic.
					statecheck.ExpectKnownValue(kserveAddr, manifest("spec", "predictor"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"canaryTrafficPercent": knownvalue.Int64Exact(10),
						"minReplicas":          knownvalue.Int64Exact(2),
						"maxReplicas":          knownvalue.Int64Exact(6),
						"serviceAccountName":   knownvalue.StringExact("models-reader"),
						"model": knownvalue.ObjectExact(map[string]knownvalue.Check{
							"modelFormat": knownvalue.ObjectExact(map[string]knownvalue.Check{"name": knownvalue.StringExact("xgboost")}),
							"runtime":     knownvalue.StringExact("kserve-xgbserver"),
							"storageUri":  knownvalue.StringExact("s3://models/fraud/2"),
							"resources": knownvalue.ObjectExact(map[string]knownvalue.Check{
								"requests": knownvalue.ObjectExact(map[string]knownvalue.Check{"cpu": knownvalue.StringExact("500m"), "memory": knownvalue.StringExact("1Gi")}),
								"limits":   knownvalue.ObjectExact(map[string]knownvalue.Check{"memory": knownvalue.StringExact("2Gi")}),
							}),
						}),
					})),
					// The YAML, as Terraform holds it, is an InferenceService
					// of KServe's CRD.
					statecheck.ExpectKnownValue(kserveAddr, tfjsonpath.New("yaml"), knownvalue.StringFunc(func(doc string) error {
						return kservecrd.ValidateYAML(t, doc)
					})),
				},
			},
			{
				// A label the rendering sets is refused.
				Config:      reg.config(deployment + kserveBlock("fraud", `  labels = { "mlops-tf/model-version" = "fraud.9" }`)),
				ExpectError: errorRE(`Reserved label`, `label "mlops-tf/model-version" is set by the rendering`),
			},
		},
	})
}
