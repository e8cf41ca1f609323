// Package kservecrd validates KServe InferenceService manifests in tests,
// against the CRD of a KServe release read from KServe's own Go module,
// which `go mod download` brings (from the Go module proxy the first time,
// then from the module cache). The module is not a dependency of this one:
// go.mod and go.sum do not name it, and nothing is downloaded at build
// time.
package kservecrd

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

// schemaOf is the OpenAPI v3 schema of the v1beta1
// InferenceService of kserveModule, made strict: an object schema that
// lists its properties and does not say otherwise refuses any other
// property (as kubeconform -strict and kubectl's field validation do; the
// API server would silently drop a misspelled field). The module comes
// through `go mod download` (the Go module proxy, then the module cache).
func schemaOf(t testing.TB) *jsonschema.Schema {
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
	doc, err := JSONValue(schema)
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

// JSONValue turns a decoded YAML or Go value into what encoding/json
// decodes, which jsonschema validates.
func JSONValue(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

// Validate validates a manifest (a decoded YAML or JSON document, or maps
// of Go values) against the InferenceService schema of KServe's CRD,
// strict: a field the schema does not list fails.
func Validate(t testing.TB, manifest any) error {
	t.Helper()
	doc, err := JSONValue(manifest)
	if err != nil {
		t.Fatal(err)
	}
	return schemaOf(t).Validate(doc)
}

// ValidateYAML is Validate on a YAML document.
func ValidateYAML(t testing.TB, doc string) error {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(doc), &v); err != nil {
		return err
	}
	return Validate(t, v)
}
