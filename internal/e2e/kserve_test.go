package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlops-tf/terraform-provider-mlops/internal/testutil/kservecrd"
)

// TestKServeExample applies examples/kserve's mlops side (main.tf) and
// validates the InferenceService it renders against KServe's CRD. Its
// kubernetes side (kubernetes.tf) needs the hashicorp/kubernetes provider,
// which `terraform init` downloads from the Terraform registry, and a
// cluster: the test leaves it out and checks only that it applies the
// rendered manifest.
func TestKServeExample(t *testing.T) {
	w := newWorkdir(t, "examples/kserve")
	k8s := filepath.Join(w.dir, "kserve_kubernetes.tf")
	b, err := os.ReadFile(k8s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "manifest = data.mlops_kserve_inference_service.fraud.manifest") {
		t.Errorf("kubernetes.tf does not apply the rendered manifest:\n%s", b)
	}
	if err := os.Remove(k8s); err != nil {
		t.Fatal(err)
	}
	w.apply()
	doc := w.must("output", "-raw", "inference_service_yaml").stdout
	if err := kservecrd.ValidateYAML(t, doc); err != nil {
		t.Errorf("the rendered InferenceService does not match KServe's CRD: %v\n%s", err, doc)
	}
	for _, line := range []string{
		"\n  name: fraud-scoring\n", "\n  namespace: fraud\n",
		"\n    canaryTrafficPercent: 10\n", "\n      storageUri: s3://models/fraud/2\n",
		"\n    mlops-tf/model-version: fraud.1\n", "\n    mlops-tf/canary-model-version: fraud.2\n",
	} {
		if !strings.Contains(doc, line) {
			t.Errorf("the InferenceService lacks %q:\n%s", line, doc)
		}
	}
	w.expectEmptyPlan()
}
