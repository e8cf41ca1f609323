package registry_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// The KServe release whose InferenceService CRD the rendering is checked
// against, taken from KServe's own module (not copied by hand).
const (
	kserveModule  = "github.com/kserve/kserve@v0.16.0"
	kserveCRDPath = "config/crd/full/serving.kserve.io_inferenceservices.yaml"
)

var kserveSchema = struct {
	once   sync.Once
	schema *jsonschema.Schema
	err    string
}{}

// inferenceServiceSchema is the OpenAPI v3 schema of the v1beta1
// InferenceService of kserveModule, made strict: an object schema that
// lists its properties and does not say otherwise refuses any other
// property (as kubeconform -strict and kubectl's field validation do; the
// API server would silently drop a misspelled field). The module comes
// through `go mod download` (the Go module proxy, then the module cache).
func inferenceServiceSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	kserveSchema.once.Do(func() {
		kserveSchema.schema, kserveSchema.err = loadInferenceServiceSchema(t.TempDir())
	})
	if kserveSchema.err != "" {
		t.Fatal(kserveSchema.err)
	}
	return kserveSchema.schema
}

func loadInferenceServiceSchema(dir string) (*jsonschema.Schema, string) {
	// Outside this module, so that go.mod and go.sum stay as they are.
	cmd := exec.Command("go", "mod", "download", "-json", kserveModule)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var mod struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &mod); err != nil || jerr != nil || mod.Dir == "" {
		return nil, "go mod download " + kserveModule + " (needs the Go module proxy once, then the module cache): " +
			strings.TrimSpace(stderr.String()+" "+mod.Error+" "+errString(err))
	}
	raw, err := os.ReadFile(filepath.Join(mod.Dir, kserveCRDPath))
	if err != nil {
		return nil, err.Error()
	}
	var crd struct {
		Spec struct {
			Versions []struct {
				Name   string
				Schema struct {
					OpenAPIV3Schema map[string]any `yaml:"openAPIV3Schema"`
				}
			}
		}
	}
	if err := yaml.Unmarshal(raw, &crd); err != nil {
		return nil, "reading " + kserveCRDPath + ": " + err.Error()
	}
	var schema map[string]any
	for _, v := range crd.Spec.Versions {
		if v.Name == "v1beta1" {
			schema = v.Schema.OpenAPIV3Schema
		}
	}
	if schema == nil {
		return nil, kserveCRDPath + " has no v1beta1 schema"
	}
	strict(schema)
	doc, err := jsonValue(schema)
	if err != nil {
		return nil, err.Error()
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("inferenceservice.json", doc); err != nil {
		return nil, err.Error()
	}
	s, err := c.Compile("inferenceservice.json")
	if err != nil {
		return nil, "compiling the InferenceService schema: " + err.Error()
	}
	return s, ""
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// strict sets additionalProperties false on every object schema under s
// that lists properties and neither allows others nor keeps unknown fields.
func strict(s any) {
	switch v := s.(type) {
	case map[string]any:
		_, listed := v["properties"]
		_, open := v["additionalProperties"]
		_, keep := v["x-kubernetes-preserve-unknown-fields"]
		if listed && !open && !keep {
			v["additionalProperties"] = false
		}
		for _, c := range v {
			strict(c)
		}
	case []any:
		for _, c := range v {
			strict(c)
		}
	}
}

// jsonValue turns a decoded YAML or Go value into what encoding/json
// decodes, which jsonschema validates.
func jsonValue(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

// validateInferenceService validates a manifest against the CRD's schema.
func validateInferenceService(t *testing.T, manifest any) error {
	t.Helper()
	doc, err := jsonValue(manifest)
	if err != nil {
		t.Fatal(err)
	}
	return inferenceServiceSchema(t).Validate(doc)
}
