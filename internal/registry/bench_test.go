package registry

import (
	"fmt"
	"testing"
)

var benchTypes = []string{"double", "Array< INT >", "map<string, array<decimal(12,2)>>", "timestamp", "MAP < String , ARRAY<Double> >"}

func BenchmarkParseFeatureType(b *testing.B) {
	for b.Loop() {
		for _, t := range benchTypes {
			if _, err := ParseFeatureType(t); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkFeatureTypesEqual(b *testing.B) {
	for b.Loop() {
		if !FeatureTypesEqual("Array< INT >", "array<int>") || FeatureTypesEqual("map<string,double>", "map<string,float>") {
			b.Fatal("wrong answer")
		}
	}
}

func benchFeatures(n int) []Feature {
	features := []Feature{{Name: "account_id", Type: "string"}, {Name: "event_ts", Type: "timestamp"}}
	for i := 0; i < n; i++ {
		features = append(features, Feature{Name: fmt.Sprintf("f_%d", i), Type: benchTypes[i%len(benchTypes)]})
	}
	return features
}

func BenchmarkCheckFeatures20(b *testing.B) {
	features := benchFeatures(18)
	for b.Loop() {
		if ps := CheckFeatures(features); ps.HasErrors() {
			b.Fatal(ps)
		}
	}
}

func BenchmarkCheckFeatureSchemaChange20(b *testing.B) {
	prior := FeatureVersion{Group: "transactions", Version: 1, Features: benchFeatures(18)}
	next := append(benchFeatures(18), Feature{Name: "appended", Type: "double"})
	for b.Loop() {
		if ps := CheckFeatureSchemaChange(prior, next); ps.HasErrors() {
			b.Fatal(ps)
		}
	}
}

func BenchmarkCheckInputs(b *testing.B) {
	versions := []FeatureVersion{{Group: "transactions", Version: 2, Features: benchFeatures(18)}, {Group: "payments", Version: 1, Features: benchFeatures(18)}}
	inputs := []Input{{Feature: "transactions.f_1", Type: "array<int>"}, {Feature: "payments.f_2", Type: "map<string,array<decimal(12,2)>>"}}
	for b.Loop() {
		if ps := CheckInputs("fraud/2", inputs, versions, nil); ps.HasErrors() {
			b.Fatal(ps)
		}
	}
}

func BenchmarkSchemaHash20(b *testing.B) {
	features := benchFeatures(18)
	for b.Loop() {
		_ = SchemaHash(features)
	}
}
