package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// This file renders a deployment as a KServe InferenceService
// (serving.kserve.io/v1beta1), for the kubernetes provider's
// kubernetes_manifest. KServe rolls a canary out as a new revision of the
// predictor: the spec applied is the latest revision, which takes
// canaryTrafficPercent of the traffic, and the previous ready revision keeps
// the rest. So with a canary the predictor is the canary's, and the main
// version is the revision already running.

// KServeAPIVersion and KServeKind are what the manifest renders.
const (
	KServeAPIVersion = "serving.kserve.io/v1beta1"
	KServeKind       = "InferenceService"
)

// KServeLabelPrefix prefixes the labels and annotations the rendering sets;
// feature versions are labelled under KServeFeatureLabelPrefix.
const (
	KServeLabelPrefix        = "mlops-tf/"
	KServeFeatureLabelPrefix = "feature-version.mlops-tf/"
)

// KServeSpec is what the manifest takes besides the deployment: where and
// how KServe runs the predictor.
type KServeSpec struct {
	Namespace      string
	ModelFormat    string
	Runtime        string // optional: KServe picks a runtime for the format
	Requests       map[string]string
	Limits         map[string]string
	ServiceAccount string
	Labels         map[string]string
	Annotations    map[string]string
}

// InferenceService is a deployment rendered for KServe.
type InferenceService struct {
	// Manifest is the object: maps, strings and int64 values.
	Manifest map[string]any
	// YAML is the manifest as a YAML document.
	YAML string
}

// InferenceService renders deployment name of this environment as a KServe
// InferenceService. Problems hold what keeps it from being rendered (a
// served version the environment lacks, a bad spec) and warnings for what
// KServe cannot express (a shadow).
func (r *Registry) InferenceService(ctx context.Context, name string, spec KServeSpec) (InferenceService, Problems, error) {
	var (
		d        Deployment
		versions = map[string]ModelVersion{}
	)
	err := r.view(ctx, "inference service of "+name, func(tx Tx) error {
		var err error
		if d, err = tx.Deployment(ctx, r.env, name); err != nil {
			return err
		}
		for _, id := range d.Served() {
			model, version, err := ParseModelVersionID(id)
			if err != nil {
				continue
			}
			mv, err := tx.ModelVersion(ctx, r.env, model, version)
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			versions[id] = mv
		}
		return nil
	})
	if err != nil {
		return InferenceService{}, nil, err
	}
	return RenderInferenceService(r.env, d, versions, spec)
}

// RenderInferenceService renders d, served in environment env, whose model
// versions are versions (by id), as a KServe InferenceService.
func RenderInferenceService(env string, d Deployment, versions map[string]ModelVersion, spec KServeSpec) (InferenceService, Problems, error) {
	ps := CheckKServeSpec(spec)
	ps = append(ps, checkKServeName(d.Name)...)
	main, okMain := versions[d.ModelVersion]
	if !okMain {
		ps.errorf("D1", Path{"deployment_id"}, "Model version missing",
			"deployment %s serves model version %s, which does not exist in environment %q: there is no artifact to render", d.Name, d.ModelVersion, env)
	}
	var canary ModelVersion
	if d.Canary != nil {
		var ok bool
		if canary, ok = versions[d.Canary.ModelVersion]; !ok {
			ps.errorf("D1", Path{"deployment_id"}, "Model version missing",
				"the canary of deployment %s is model version %s, which does not exist in environment %q: there is no artifact to render", d.Name, d.Canary.ModelVersion, env)
		} else if okMain && canary.ArtifactURI == main.ArtifactURI {
			ps.warnf("", Path{"deployment_id"}, "Canary not expressible in KServe",
				"the canary %s of deployment %s has the artifact of the main version %s (%s). KServe splits the traffic between the predictor's latest revision and the previous one, and makes a new revision only when the predictor changes: the manifest has one storageUri, so all the traffic goes to that artifact",
				canary.ID(), d.Name, main.ID(), main.ArtifactURI)
		}
	}
	if d.Shadow != nil {
		ps.warnf("", Path{"deployment_id"}, "Shadow not expressible in KServe",
			"deployment %s has a shadow, model version %s sampling %d%% of the requests, which the manifest leaves out: a KServe InferenceService has no shadow traffic. Mirror the requests in front of it (an Istio VirtualService's mirror and mirrorPercentage) to a second InferenceService rendered from a deployment that serves %s",
			d.Name, d.Shadow.ModelVersion, d.Shadow.SamplePercent, d.Shadow.ModelVersion)
	}
	if d.Replicas.Max == 0 {
		ps.warnf("", Path{"deployment_id"}, "No replica bound in KServe",
			"deployment %s has replicas.max = 0, which KServe reads as no upper bound on maxReplicas", d.Name)
	}
	if ps.HasErrors() {
		return InferenceService{}, ps, nil
	}

	labels, annotations := kserveMetadata(env, d, main, canary)
	for _, k := range slices.Sorted(maps.Keys(spec.Labels)) {
		if _, ours := labels[k]; ours || strings.HasPrefix(k, KServeFeatureLabelPrefix) {
			ps.errorf("", Path{"labels"}, "Reserved label", "label %q is set by the rendering (the deployment's lineage); choose another key", k)
		}
		labels[k] = spec.Labels[k]
	}
	for _, k := range slices.Sorted(maps.Keys(spec.Annotations)) {
		if _, ours := annotations[k]; ours {
			ps.errorf("", Path{"annotations"}, "Reserved annotation", "annotation %q is set by the rendering (the deployment's lineage); choose another key", k)
		}
		annotations[k] = spec.Annotations[k]
	}
	if ps.HasErrors() {
		return InferenceService{}, ps, nil
	}

	served := main
	if d.Canary != nil {
		served = canary // the latest revision; the previous one is main's
	}
	model := map[string]any{
		"modelFormat": map[string]any{"name": spec.ModelFormat},
		"storageUri":  served.ArtifactURI,
	}
	if spec.Runtime != "" {
		model["runtime"] = spec.Runtime
	}
	if res := kserveResources(spec); len(res) > 0 {
		model["resources"] = res
	}
	predictor := map[string]any{
		"model":       model,
		"minReplicas": d.Replicas.Min,
		"maxReplicas": d.Replicas.Max,
	}
	if d.Canary != nil {
		predictor["canaryTrafficPercent"] = d.Canary.Percent
	}
	if spec.ServiceAccount != "" {
		predictor["serviceAccountName"] = spec.ServiceAccount
	}
	manifest := map[string]any{
		"apiVersion": KServeAPIVersion,
		"kind":       KServeKind,
		"metadata": map[string]any{
			"name":        d.Name,
			"namespace":   spec.Namespace,
			"labels":      stringsAsAny(labels),
			"annotations": stringsAsAny(annotations),
		},
		"spec": map[string]any{"predictor": predictor},
	}
	var out strings.Builder
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2) // as Kubernetes' own manifests
	if err := enc.Encode(manifest); err != nil {
		return InferenceService{}, ps, fmt.Errorf("rendering the InferenceService of deployment %s: %w", d.Name, err)
	}
	return InferenceService{Manifest: manifest, YAML: out.String()}, ps, enc.Close()
}

// kserveMetadata is the lineage as labels (label-safe, for selectors) and
// annotations (the exact ids).
func kserveMetadata(env string, d Deployment, main, canary ModelVersion) (labels, annotations map[string]string) {
	labels = map[string]string{
		KServeLabelPrefix + "deployment":    LabelValue(d.Name),
		KServeLabelPrefix + "environment":   LabelValue(env),
		KServeLabelPrefix + "model":         LabelValue(main.Model),
		KServeLabelPrefix + "model-version": LabelValue(main.ID()),
	}
	annotations = map[string]string{
		KServeLabelPrefix + "deployment":       d.Name,
		KServeLabelPrefix + "environment":      env,
		KServeLabelPrefix + "model-version":    main.ID(),
		KServeLabelPrefix + "feature-versions": strings.Join(main.FeatureVersionIDs, ","),
	}
	if main.ArtifactDigest != "" {
		annotations[KServeLabelPrefix+"artifact-digest"] = main.ArtifactDigest
	}
	read := slices.Clone(main.FeatureVersionIDs)
	if d.Canary != nil {
		labels[KServeLabelPrefix+"canary-model-version"] = LabelValue(canary.ID())
		annotations[KServeLabelPrefix+"canary-model-version"] = canary.ID()
		annotations[KServeLabelPrefix+"canary-feature-versions"] = strings.Join(canary.FeatureVersionIDs, ",")
		if canary.ArtifactDigest != "" {
			annotations[KServeLabelPrefix+"canary-artifact-digest"] = canary.ArtifactDigest
		}
		read = append(read, canary.FeatureVersionIDs...)
	}
	for _, fv := range read {
		labels[KServeFeatureLabelPrefix+labelName(fv)] = "true"
	}
	return labels, annotations
}

func kserveResources(spec KServeSpec) map[string]any {
	res := map[string]any{}
	if len(spec.Requests) > 0 {
		res["requests"] = stringsAsAny(spec.Requests)
	}
	if len(spec.Limits) > 0 {
		res["limits"] = stringsAsAny(spec.Limits)
	}
	return res
}

func stringsAsAny(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Kubernetes' syntax for names, labels and quantities
// (k8s.io/apimachinery/pkg/util/validation, k8s.io/apimachinery/pkg/api/resource).
var (
	dns1123LabelRE     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	dns1123SubdomainRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	dns1035LabelRE     = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)
	labelNameRE        = regexp.MustCompile(`^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`)
	labelValueRE       = regexp.MustCompile(`^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`)
	quantityRE         = regexp.MustCompile(`^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$`)
	notLabelCharRE     = regexp.MustCompile(`[^-A-Za-z0-9_.]+`)
)

// LabelValue turns s into a Kubernetes label value: characters other than
// letters, digits, '-', '_' and '.' become '.', the ends are trimmed to a
// letter or digit, and a value longer than 63 characters is cut to 54 and
// ends with '-' and 8 hex digits of its SHA-256, so that distinct ids stay
// distinct.
func LabelValue(s string) string {
	v := strings.Trim(notLabelCharRE.ReplaceAllString(s, "."), "-_.")
	if len(v) > 63 {
		sum := sha256.Sum256([]byte(s))
		v = strings.TrimRight(v[:54], "-_.") + "-" + hex.EncodeToString(sum[:4])
	}
	return v
}

// labelName is LabelValue for the name part of a label key, never empty.
func labelName(s string) string {
	if v := LabelValue(s); v != "" {
		return v
	}
	return "x"
}

// ValidLabelValue reports whether v is a Kubernetes label value.
func ValidLabelValue(v string) bool { return len(v) <= 63 && labelValueRE.MatchString(v) }

// ValidLabelKey reports whether k is a Kubernetes label or annotation key:
// an optional DNS subdomain prefix and '/', then a name of 1 to 63
// characters.
func ValidLabelKey(k string) bool {
	prefix, name, found := strings.Cut(k, "/")
	if !found {
		name = k
	} else if prefix == "" || len(prefix) > 253 || !dns1123SubdomainRE.MatchString(prefix) {
		return false
	}
	return len(name) <= 63 && labelNameRE.MatchString(name)
}

// CheckKServeSpec checks what the configuration alone shows of a KServe
// rendering; "" and nil are not set (or not known yet).
func CheckKServeSpec(spec KServeSpec) Problems {
	var ps Problems
	if spec.Namespace != "" && (len(spec.Namespace) > 63 || !dns1123LabelRE.MatchString(spec.Namespace)) {
		ps.errorf("", Path{"namespace"}, "Invalid namespace",
			"namespace %q is not a Kubernetes namespace name: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit", spec.Namespace)
	}
	if spec.ServiceAccount != "" && (len(spec.ServiceAccount) > 253 || !dns1123SubdomainRE.MatchString(spec.ServiceAccount)) {
		ps.errorf("", Path{"service_account"}, "Invalid service account",
			"service_account %q is not a Kubernetes object name: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit", spec.ServiceAccount)
	}
	for _, q := range []struct {
		name string
		m    map[string]string
	}{{"requests", spec.Requests}, {"limits", spec.Limits}} {
		for _, k := range slices.Sorted(maps.Keys(q.m)) {
			if !ValidLabelKey(k) {
				ps.errorf("", Path{"predictor", "resources", q.name}, "Invalid resource name", "resource name %q is not a Kubernetes resource name, such as cpu, memory or nvidia.com/gpu", k)
			}
			if v := q.m[k]; v != "" && !quantityRE.MatchString(v) {
				ps.errorf("", Path{"predictor", "resources", q.name}, "Invalid quantity",
					"%s %q = %q is not a Kubernetes quantity, such as \"500m\", \"2\", \"4Gi\" or \"1e3\"", q.name, k, v)
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(spec.Labels)) {
		if !ValidLabelKey(k) {
			ps.errorf("", Path{"labels"}, "Invalid label", "label key %q is not a Kubernetes label key: an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit", k)
		}
		if v := spec.Labels[k]; !ValidLabelValue(v) {
			ps.errorf("", Path{"labels"}, "Invalid label", "label %q = %q: a label value is at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit", k, v)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(spec.Annotations)) {
		if !ValidLabelKey(k) {
			ps.errorf("", Path{"annotations"}, "Invalid annotation", "annotation key %q is not a Kubernetes annotation key: an optional DNS prefix and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit", k)
		}
	}
	return ps
}

// checkKServeName checks that a deployment name is an InferenceService
// name (a DNS-1035 label: it cannot end with '-').
func checkKServeName(name string) Problems {
	var ps Problems
	if !dns1035LabelRE.MatchString(name) {
		ps.errorf("", Path{"deployment_id"}, "Name not valid in Kubernetes",
			"deployment %q cannot name an InferenceService: a Kubernetes name ends with a letter or digit", name)
	}
	return ps
}
