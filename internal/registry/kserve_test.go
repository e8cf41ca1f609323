package registry_test

import (
	"context"
	"maps"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/testutil/kservecrd"
)

// kserveVersions are fraud/1 (transactions/1) and fraud/2 (transactions/2,
// with a digest) by id.
func kserveVersions() map[string]registry.ModelVersion {
	v1, v2 := fraudVersion(1, 1), fraudVersion(2, 2)
	v2.ArtifactDigest = digestA
	return map[string]registry.ModelVersion{v1.ID(): v1, v2.ID(): v2}
}

func kserveSpec() registry.KServeSpec {
	return registry.KServeSpec{
		Namespace: "fraud", ModelFormat: "xgboost", Runtime: "kserve-xgbserver",
		Requests: map[string]string{"cpu": "500m", "memory": "1Gi"}, Limits: map[string]string{"memory": "2Gi", "nvidia.com/gpu": "1"},
		ServiceAccount: "models-reader",
		Labels:         map[string]string{"team": "risk"},
		Annotations:    map[string]string{"serving.kserve.io/deploymentMode": "Serverless"},
	}
}

func render(t *testing.T, d registry.Deployment, spec registry.KServeSpec) (registry.InferenceService, registry.Problems) {
	t.Helper()
	is, ps, err := registry.RenderInferenceService("prod", d, kserveVersions(), spec)
	if err != nil {
		t.Fatal(err)
	}
	return is, ps
}

// TestInferenceServiceRendering: the manifest of a deployment with a canary,
// field by field.
func TestInferenceServiceRendering(t *testing.T) {
	d := serving("fraud/1", "fraud/2", 10)
	d.Replicas = registry.Replicas{Min: 2, Max: 8}
	is, ps := render(t, d, kserveSpec())
	if len(ps) != 0 {
		t.Fatalf("problems: %+v", ps)
	}
	want := map[string]any{
		"apiVersion": "serving.kserve.io/v1beta1",
		"kind":       "InferenceService",
		"metadata": map[string]any{
			"name":      "fraud-scoring",
			"namespace": "fraud",
			"labels": map[string]any{
				"mlops-tf/deployment":                     "fraud-scoring",
				"mlops-tf/environment":                    "prod",
				"mlops-tf/model":                          "fraud",
				"mlops-tf/model-version":                  "fraud.1",
				"mlops-tf/canary-model-version":           "fraud.2",
				"feature-version.mlops-tf/transactions.1": "true",
				"feature-version.mlops-tf/transactions.2": "true",
				"team": "risk",
			},
			"annotations": map[string]any{
				"mlops-tf/deployment":              "fraud-scoring",
				"mlops-tf/environment":             "prod",
				"mlops-tf/model-version":           "fraud/1",
				"mlops-tf/feature-versions":        "transactions/1",
				"mlops-tf/canary-model-version":    "fraud/2",
				"mlops-tf/canary-feature-versions": "transactions/2",
				"mlops-tf/canary-artifact-digest":  digestA,
				"serving.kserve.io/deploymentMode": "Serverless",
			},
		},
		"spec": map[string]any{"predictor": map[string]any{
			// The canary is the latest revision: its artifact, its share.
			"canaryTrafficPercent": int64(10),
			"minReplicas":          int64(2),
			"maxReplicas":          int64(8),
			"serviceAccountName":   "models-reader",
			"model": map[string]any{
				"modelFormat": map[string]any{"name": "xgboost"},
				"runtime":     "kserve-xgbserver",
				"storageUri":  "s3://models/fraud/2",
				"resources": map[string]any{
					"requests": map[string]any{"cpu": "500m", "memory": "1Gi"},
					"limits":   map[string]any{"memory": "2Gi", "nvidia.com/gpu": "1"},
				},
			},
		}},
	}
	if !reflect.DeepEqual(is.Manifest, want) {
		t.Errorf("manifest\n%#v\nwant\n%#v", is.Manifest, want)
	}
	// The YAML is the same document.
	var back map[string]any
	if err := yaml.Unmarshal([]byte(is.YAML), &back); err != nil {
		t.Fatal(err)
	}
	a, _ := kservecrd.JSONValue(back)
	b, _ := kservecrd.JSONValue(is.Manifest)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("yaml does not read back as the manifest:\n%s", is.YAML)
	}
	if !strings.HasPrefix(is.YAML, "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n") {
		t.Errorf("yaml does not start with apiVersion, kind, metadata:\n%s", is.YAML)
	}

	// Without a canary: the main version's artifact, no canaryTrafficPercent
	// (removing it is how KServe promotes the latest revision).
	is, _ = render(t, serving("fraud/2", "", 0), registry.KServeSpec{Namespace: "fraud", ModelFormat: "xgboost"})
	predictor := sub(t, is.Manifest, "spec", "predictor")
	if _, ok := predictor["canaryTrafficPercent"]; ok {
		t.Errorf("canaryTrafficPercent without a canary: %v", predictor)
	}
	model := sub(t, predictor, "model")
	if model["storageUri"] != "s3://models/fraud/2" || len(model) != 2 {
		t.Errorf("model without runtime and resources: %v", model)
	}
	labels := sub(t, is.Manifest, "metadata", "labels")
	if _, ok := labels["mlops-tf/canary-model-version"]; ok || labels["mlops-tf/model-version"] != "fraud.2" {
		t.Errorf("labels without a canary: %v", labels)
	}
	if sub(t, is.Manifest, "metadata", "annotations")["mlops-tf/artifact-digest"] != digestA {
		t.Errorf("no artifact digest annotation: %v", is.Manifest["metadata"])
	}
}

// TestInferenceServiceMatchesKServeCRD validates rendered manifests against
// the InferenceService CRD of a KServe release, and checks that the
// validation refuses what KServe would not take.
func TestInferenceServiceMatchesKServeCRD(t *testing.T) {
	scaleToZero := serving("fraud/2", "", 0)
	scaleToZero.Replicas = registry.Replicas{Min: 0, Max: 3}
	for name, c := range map[string]struct {
		d    registry.Deployment
		spec registry.KServeSpec
	}{
		"canary, every attribute": {serving("fraud/1", "fraud/2", 10), kserveSpec()},
		"main only, the least":    {serving("fraud/2", "", 0), registry.KServeSpec{Namespace: "default", ModelFormat: "sklearn"}},
		"scale to zero":           {scaleToZero, registry.KServeSpec{Namespace: "default", ModelFormat: "onnx", Requests: map[string]string{"cpu": "1"}}},
	} {
		is, ps := render(t, c.d, c.spec)
		if ps.HasErrors() {
			t.Fatalf("%s: %+v", name, ps)
		}
		if err := kservecrd.Validate(t, is.Manifest); err != nil {
			t.Errorf("%s: the manifest does not match KServe's CRD: %v", name, err)
		}
		var fromYAML any
		if err := yaml.Unmarshal([]byte(is.YAML), &fromYAML); err != nil {
			t.Fatal(err)
		}
		if err := kservecrd.Validate(t, fromYAML); err != nil {
			t.Errorf("%s: the yaml does not match KServe's CRD: %v", name, err)
		}
	}

	// A wrong manifest fails.
	good, _ := render(t, serving("fraud/1", "fraud/2", 10), kserveSpec())
	for name, spoil := range map[string]func(predictor, model map[string]any){
		"misspelled field storageURI": func(_, m map[string]any) { m["storageURI"] = m["storageUri"]; delete(m, "storageUri") },
		"misspelled field minReplica": func(p, _ map[string]any) { p["minReplica"] = p["minReplicas"]; delete(p, "minReplicas") },
		"string replica count":        func(p, _ map[string]any) { p["maxReplicas"] = "8" },
		"string canary percent":       func(p, _ map[string]any) { p["canaryTrafficPercent"] = "10" },
		"model format without a name": func(_, m map[string]any) { m["modelFormat"] = map[string]any{"version": "1"} },
		"quantity not a quantity": func(_, m map[string]any) {
			sub(t, m, "resources")["limits"] = map[string]any{"memory": "2 GB"}
		},
	} {
		m := deepCopy(good.Manifest)
		predictor := sub(t, m, "spec", "predictor")
		spoil(predictor, sub(t, predictor, "model"))
		if err := kservecrd.Validate(t, m); err == nil {
			t.Errorf("%s: KServe's CRD accepts it", name)
		}
	}
}

// sub is the map at keys under m.
func sub(t *testing.T, m map[string]any, keys ...string) map[string]any {
	t.Helper()
	for _, k := range keys {
		next, ok := m[k].(map[string]any)
		if !ok {
			t.Fatalf("no map at %q in %v", k, m)
		}
		m = next
	}
	return m
}

func deepCopy(m map[string]any) map[string]any {
	out := maps.Clone(m)
	for k, v := range out {
		if c, ok := v.(map[string]any); ok {
			out[k] = deepCopy(c)
		}
	}
	return out
}

// TestInferenceServiceLimits: what KServe cannot express is said, never
// dropped silently; what cannot be rendered is refused with its attribute.
func TestInferenceServiceLimits(t *testing.T) {
	one := func(t *testing.T, ps registry.Problems, sev registry.Severity, path registry.Path, words ...string) {
		t.Helper()
		oneProblem(t, ps, "", sev, path, words...)
	}
	spec := registry.KServeSpec{Namespace: "fraud", ModelFormat: "xgboost"}

	// A shadow: rendered without it, with a warning saying so.
	d := serving("fraud/2", "", 0)
	d.Shadow = &registry.Shadow{ModelVersion: "fraud/1", SamplePercent: 20}
	is, ps := render(t, d, spec)
	one(t, ps, registry.SeverityWarning, registry.Path{"deployment_id"}, "Shadow not expressible in KServe",
		"model version fraud/1 sampling 20% of the requests, which the manifest leaves out", "has no shadow traffic", "mirror")
	if strings.Contains(is.YAML, "fraud/1") || strings.Contains(is.YAML, "fraud.1") || strings.Contains(is.YAML, "transactions.1") {
		t.Errorf("the shadow is in the manifest:\n%s", is.YAML)
	}

	// A canary with the main version's artifact: KServe makes no new
	// revision, so no split.
	versions := kserveVersions()
	same := versions["fraud/2"]
	same.ArtifactURI = versions["fraud/1"].ArtifactURI
	versions["fraud/2"] = same
	_, ps, err := registry.RenderInferenceService("prod", serving("fraud/1", "fraud/2", 10), versions, spec)
	if err != nil {
		t.Fatal(err)
	}
	one(t, ps, registry.SeverityWarning, registry.Path{"deployment_id"}, "Canary not expressible in KServe",
		"the canary fraud/2 of deployment fraud-scoring has the artifact of the main version fraud/1 (s3://models/fraud/1)")

	// replicas.max = 0 means no bound to KServe.
	d = serving("fraud/2", "", 0)
	d.Replicas = registry.Replicas{}
	_, ps = render(t, d, spec)
	one(t, ps, registry.SeverityWarning, registry.Path{"deployment_id"}, "replicas.max = 0, which KServe reads as no upper bound")

	// Refused: a missing version, a name Kubernetes refuses, a label the
	// rendering sets.
	_, ps = render(t, serving("fraud/2", "fraud/7", 10), spec)
	oneProblem(t, ps, "D1", registry.SeverityError, registry.Path{"deployment_id"}, "the canary of deployment fraud-scoring is model version fraud/7, which does not exist in environment \"prod\"")
	d = serving("fraud/2", "", 0)
	d.Name = "fraud-"
	_, ps = render(t, d, spec)
	one(t, ps, registry.SeverityError, registry.Path{"deployment_id"}, `deployment "fraud-" cannot name an InferenceService`)
	reserved := spec
	reserved.Labels = map[string]string{"mlops-tf/model-version": "x"}
	_, ps = render(t, serving("fraud/2", "", 0), reserved)
	one(t, ps, registry.SeverityError, registry.Path{"labels"}, `label "mlops-tf/model-version" is set by the rendering`)
}

func TestCheckKServeSpec(t *testing.T) {
	for name, c := range map[string]struct {
		spec registry.KServeSpec
		path registry.Path
		word string
	}{
		"namespace":       {registry.KServeSpec{Namespace: "Fraud_NS"}, registry.Path{"namespace"}, `namespace "Fraud_NS" is not a Kubernetes namespace name`},
		"service account": {registry.KServeSpec{ServiceAccount: "-sa"}, registry.Path{"service_account"}, `service_account "-sa"`},
		"quantity":        {registry.KServeSpec{Limits: map[string]string{"memory": "2 GB"}}, registry.Path{"predictor", "resources", "limits"}, `limits "memory" = "2 GB" is not a Kubernetes quantity`},
		"resource name":   {registry.KServeSpec{Requests: map[string]string{"cpu count": "1"}}, registry.Path{"predictor", "resources", "requests"}, `resource name "cpu count"`},
		"label key":       {registry.KServeSpec{Labels: map[string]string{"-team": "risk"}}, registry.Path{"labels"}, `label key "-team"`},
		"label value":     {registry.KServeSpec{Labels: map[string]string{"team": "risk & fraud"}}, registry.Path{"labels"}, `label "team" = "risk & fraud"`},
		"annotation key":  {registry.KServeSpec{Annotations: map[string]string{"a/b/c": "x"}}, registry.Path{"annotations"}, `annotation key "a/b/c"`},
	} {
		t.Run(name, func(t *testing.T) {
			oneProblem(t, registry.CheckKServeSpec(c.spec), "", registry.SeverityError, c.path, c.word)
		})
	}
	if ps := registry.CheckKServeSpec(kserveSpec()); len(ps) != 0 {
		t.Errorf("a valid spec: %+v", ps)
	}
}

// TestLabelValue: ids become label values, long ones stay distinct.
func TestLabelValue(t *testing.T) {
	long := strings.Repeat("a", 62)
	for in, want := range map[string]string{
		"fraud/2":      "fraud.2",
		"fraud_":       "fraud",
		"a b/c":        "a.b.c",
		long + "/1":    long[:54] + "-",
		long + "/2":    long[:54] + "-",
		"transactions": "transactions",
	} {
		got := registry.LabelValue(in)
		if !registry.ValidLabelValue(got) || !strings.HasPrefix(got, want) {
			t.Errorf("LabelValue(%q) = %q, want a valid label value starting %q", in, got, want)
		}
	}
	if registry.LabelValue(long+"/1") == registry.LabelValue(long+"/2") {
		t.Error("two long ids give one label value")
	}
}

// TestInferenceServiceFromTheRegistry: the registry reads the deployment
// and its versions of the environment.
func TestInferenceServiceFromTheRegistry(t *testing.T) {
	ctx := context.Background()
	r := newEnv(t).registry(t, "dev")
	seedServing(t, r)
	mustDeploy(t, r, serving("fraud/1", "fraud/2", 25))
	is, ps, err := r.InferenceService(ctx, "fraud-scoring", registry.KServeSpec{Namespace: "fraud", ModelFormat: "xgboost"})
	if err != nil || len(ps) != 0 {
		t.Fatalf("%+v, %v", ps, err)
	}
	for _, line := range []string{"storageUri: s3://models/fraud/2", "canaryTrafficPercent: 25", "mlops-tf/environment: dev", "mlops-tf/model-version: fraud.1"} {
		if !strings.Contains(is.YAML, line+"\n") {
			t.Errorf("yaml lacks %q:\n%s", line, is.YAML)
		}
	}
	_, _, err = r.InferenceService(ctx, "ranking", registry.KServeSpec{})
	notFound(t, err, `deployment "ranking" does not exist in environment "dev"`)
}
