package provider

import (
	"context"
	"math/big"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// TestModelCodecMatchesTheFramework reads and writes every resource's model
// with the codec and with the framework's own conversion, on a value with
// every attribute null and on one with every attribute set, and requires
// the same models, values and diagnostics. It also requires that the codec,
// not the framework, converts every resource's model: a model it cannot
// convert would make every request slower without any test noticing.
func TestModelCodecMatchesTheFramework(t *testing.T) {
	cases := []struct {
		name string
		new  func() resource.Resource
		test func(*testing.T, schema.Schema)
	}{
		{"deployment", NewDeploymentResource, codecCase[deploymentModel]},
		{"environment", NewEnvironmentResource, codecCase[environmentModel]},
		{"feature_group", NewFeatureGroupResource, codecCase[featureGroupModel]},
		{"feature_version", NewFeatureVersionResource, codecCase[featureVersionModel]},
		{"feature_view", NewFeatureViewResource, codecCase[featureViewModel]},
		{"model_alias", NewModelAliasResource, codecCase[modelAliasModel]},
		{"model", NewModelResource, codecCase[modelModel]},
		{"model_version_approval", NewModelVersionApprovalResource, codecCase[modelVersionApprovalModel]},
		{"model_version", NewModelVersionResource, codecCase[modelVersionModel]},
		{"pipeline", NewPipelineResource, codecCase[pipelineModel]},
		{"validation_suite", NewValidationSuiteResource, codecCase[validationSuiteModel]},
	}
	if n := len((&mlopsProvider{}).Resources(context.Background())); n != len(cases) {
		t.Fatalf("the provider has %d resources, the test %d: add the new one", n, len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp := &resource.SchemaResponse{}
			c.new().Schema(context.Background(), resource.SchemaRequest{}, resp)
			c.test(t, resp.Schema)
		})
	}
}

func codecCase[M any](t *testing.T, s schema.Schema) {
	ctx := context.Background()
	if codecFor(ctx, reflect.TypeFor[M](), s) == nil {
		t.Fatalf("the codec does not convert %T: the framework does, field by field, at every request", *new(M))
	}
	typ := s.Type().TerraformType(ctx)
	for name, raw := range map[string]tftypes.Value{"null attributes": sampleValue(typ, false), "set attributes": sampleValue(typ, true)} {
		st := tfsdk.State{Schema: s, Raw: raw}
		var got, want M
		gotDiags := getState(ctx, st, &got)
		wantDiags := st.Get(ctx, &want)
		if !gotDiags.Equal(wantDiags) {
			t.Fatalf("%s: diagnostics %v, the framework's %v", name, gotDiags, wantDiags)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: read %+v, the framework %+v", name, got, want)
		}
		if wantDiags.HasError() {
			continue
		}
		gotState, wantState := tfsdk.State{Schema: s, Raw: tftypes.NewValue(typ, nil)}, tfsdk.State{Schema: s, Raw: tftypes.NewValue(typ, nil)}
		if d := setState(ctx, &gotState, got); d.HasError() {
			t.Fatalf("%s: %v", name, d)
		}
		if d := wantState.Set(ctx, want); d.HasError() {
			t.Fatalf("%s: %v", name, d)
		}
		if !gotState.Raw.Equal(wantState.Raw) || !gotState.Raw.Equal(raw) {
			t.Fatalf("%s: wrote %v, the framework %v, read %v", name, gotState.Raw, wantState.Raw, raw)
		}
	}
}

// sampleValue is a value of typ: an object whose attributes are all null, or
// one where every attribute and element is set (strings to a valid feature
// type, which every string attribute accepts at read).
func sampleValue(typ tftypes.Type, set bool) tftypes.Value {
	obj, ok := typ.(tftypes.Object)
	if !ok {
		return tftypes.NewValue(typ, nil)
	}
	vals := make(map[string]tftypes.Value, len(obj.AttributeTypes))
	for name, at := range obj.AttributeTypes {
		if set {
			vals[name] = fullValue(at)
		} else {
			vals[name] = tftypes.NewValue(at, nil)
		}
	}
	return tftypes.NewValue(typ, vals)
}

func fullValue(typ tftypes.Type) tftypes.Value {
	switch t := typ.(type) {
	case tftypes.List:
		return tftypes.NewValue(typ, []tftypes.Value{fullValue(t.ElementType)})
	case tftypes.Set:
		return tftypes.NewValue(typ, []tftypes.Value{fullValue(t.ElementType)})
	case tftypes.Map:
		return tftypes.NewValue(typ, map[string]tftypes.Value{"k": fullValue(t.ElementType)})
	case tftypes.Object:
		return sampleValue(typ, true)
	}
	switch {
	case typ.Is(tftypes.String):
		return tftypes.NewValue(typ, "double")
	case typ.Is(tftypes.Number):
		return tftypes.NewValue(typ, big.NewFloat(1))
	case typ.Is(tftypes.Bool):
		return tftypes.NewValue(typ, true)
	}
	return tftypes.NewValue(typ, nil)
}
