package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// protocolDriver plays Terraform's part against the provider's own server
// in the test process: the protocol calls Terraform makes to create an
// object and to refresh and plan it unchanged, with the values encoded and
// decoded as on the wire. It measures the provider's share of a command,
// without Terraform's.
type protocolDriver struct {
	tb      testing.TB
	ctx     context.Context
	s       *Server
	schemas map[string]*tfprotov6.Schema
}

func newProtocolDriver(tb testing.TB) *protocolDriver {
	tb.Helper()
	d := &protocolDriver{tb: tb, ctx: context.Background(), s: NewProviderServer("test")}
	tb.Cleanup(func() { _ = d.s.Close(context.Background()) })
	sch, err := d.s.GetProviderSchema(d.ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		tb.Fatal(err)
	}
	d.schemas = sch.ResourceSchemas
	providerType, ok := sch.Provider.ValueType().(tftypes.Object)
	if !ok {
		tb.Fatalf("provider schema of type %s", sch.Provider.ValueType())
	}
	config := nullFilled(providerType, map[string]tftypes.Value{
		"registry": tftypes.NewValue(tftypes.String, "sqlite://"+filepath.Join(tb.TempDir(), "registry.db")),
	})
	resp, err := d.s.ConfigureProvider(d.ctx, &tfprotov6.ConfigureProviderRequest{Config: d.dynamic(providerType, config)})
	d.check("configure", resp.Diagnostics, err)
	return d
}

// object is a resource's configuration: the given attributes, the others
// null.
func (d *protocolDriver) object(resource string, attrs map[string]tftypes.Value) tftypes.Value {
	return nullFilled(d.typ(resource), attrs)
}

func (d *protocolDriver) typ(resource string) tftypes.Object {
	s, ok := d.schemas[resource]
	if !ok {
		d.tb.Fatalf("no resource %s", resource)
	}
	typ, ok := s.ValueType().(tftypes.Object)
	if !ok {
		d.tb.Fatalf("%s: schema of type %s", resource, s.ValueType())
	}
	return typ
}

// create validates, plans and applies a new object, as terraform apply
// does, and returns its state.
func (d *protocolDriver) create(resource string, config tftypes.Value) tftypes.Value {
	typ := d.typ(resource)
	d.validate(resource, config)
	null := tftypes.NewValue(typ, nil)
	plan, err := d.s.PlanResourceChange(d.ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: resource, PriorState: d.dynamic(typ, null), ProposedNewState: d.dynamic(typ, config), Config: d.dynamic(typ, config),
	})
	d.check("plan "+resource, plan.Diagnostics, err)
	applied, err := d.s.ApplyResourceChange(d.ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: resource, PriorState: d.dynamic(typ, null), PlannedState: plan.PlannedState, Config: d.dynamic(typ, config),
		PlannedPrivate: plan.PlannedPrivate,
	})
	d.check("apply "+resource, applied.Diagnostics, err)
	return d.value(typ, applied.NewState)
}

// refresh validates, upgrades, reads and plans an object whose
// configuration is unchanged, as a refreshing terraform plan does, and
// fails unless the plan leaves it as it is.
func (d *protocolDriver) refresh(resource string, config, state tftypes.Value) {
	typ := d.typ(resource)
	d.validate(resource, config)
	raw, err := json.Marshal(jsonOf(d.tb, state))
	if err != nil {
		d.tb.Fatal(err)
	}
	up, err := d.s.UpgradeResourceState(d.ctx, &tfprotov6.UpgradeResourceStateRequest{TypeName: resource, RawState: &tfprotov6.RawState{JSON: raw}})
	d.check("upgrade "+resource, up.Diagnostics, err)
	read, err := d.s.ReadResource(d.ctx, &tfprotov6.ReadResourceRequest{TypeName: resource, CurrentState: up.UpgradedState})
	d.check("read "+resource, read.Diagnostics, err)
	prior := d.value(typ, read.NewState)
	plan, err := d.s.PlanResourceChange(d.ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: resource, PriorState: read.NewState, ProposedNewState: d.dynamic(typ, proposed(d.schemas[resource], config, prior)),
		Config: d.dynamic(typ, config), PriorPrivate: read.Private,
	})
	d.check("plan "+resource, plan.Diagnostics, err)
	if len(plan.RequiresReplace) > 0 || !d.value(typ, plan.PlannedState).Equal(prior) {
		d.tb.Fatalf("plan of unchanged %s: a change (replace: %v)", resource, plan.RequiresReplace)
	}
}

func (d *protocolDriver) validate(resource string, config tftypes.Value) {
	resp, err := d.s.ValidateResourceConfig(d.ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: resource, Config: d.dynamic(d.typ(resource), config)})
	d.check("validate "+resource, resp.Diagnostics, err)
}

func (d *protocolDriver) check(what string, diags []*tfprotov6.Diagnostic, err error) {
	d.tb.Helper()
	if err != nil {
		d.tb.Fatalf("%s: %v", what, err)
	}
	for _, diag := range diags {
		if diag.Severity == tfprotov6.DiagnosticSeverityError {
			d.tb.Fatalf("%s: %s: %s", what, diag.Summary, diag.Detail)
		}
	}
}

func (d *protocolDriver) dynamic(typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		d.tb.Fatal(err)
	}
	return &dv
}

func (d *protocolDriver) value(typ tftypes.Type, dv *tfprotov6.DynamicValue) tftypes.Value {
	v, err := dv.Unmarshal(typ)
	if err != nil {
		d.tb.Fatal(err)
	}
	return v
}

// proposed is Terraform's proposed new state: the configuration, with each
// computed attribute the configuration leaves null taken from the prior
// state.
func proposed(s *tfprotov6.Schema, config, prior tftypes.Value) tftypes.Value {
	var cfg, st map[string]tftypes.Value
	_ = config.As(&cfg)
	_ = prior.As(&st)
	out := make(map[string]tftypes.Value, len(cfg))
	for _, a := range s.Block.Attributes {
		out[a.Name] = cfg[a.Name]
		if a.Computed && cfg[a.Name].IsNull() {
			out[a.Name] = st[a.Name]
		}
	}
	return tftypes.NewValue(config.Type(), out)
}

func nullFilled(typ tftypes.Object, attrs map[string]tftypes.Value) tftypes.Value {
	vals := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, t := range typ.AttributeTypes {
		if v, ok := attrs[name]; ok {
			vals[name] = v
		} else {
			vals[name] = tftypes.NewValue(t, nil)
		}
	}
	return tftypes.NewValue(typ, vals)
}

// jsonOf is a state value as Terraform writes it in its state file.
func jsonOf(tb testing.TB, v tftypes.Value) any {
	if v.IsNull() {
		return nil
	}
	switch t := v.Type().(type) {
	case tftypes.Object, tftypes.Map:
		var m map[string]tftypes.Value
		_ = v.As(&m)
		out := make(map[string]any, len(m))
		for k, e := range m {
			out[k] = jsonOf(tb, e)
		}
		return out
	case tftypes.List, tftypes.Set:
		var l []tftypes.Value
		_ = v.As(&l)
		out := make([]any, len(l))
		for i, e := range l {
			out[i] = jsonOf(tb, e)
		}
		return out
	default:
		switch {
		case t.Is(tftypes.String):
			var s string
			_ = v.As(&s)
			return s
		case t.Is(tftypes.Bool):
			var b bool
			_ = v.As(&b)
			return b
		case t.Is(tftypes.Number):
			n := new(big.Float)
			_ = v.As(&n)
			return json.Number(n.Text('g', -1))
		}
	}
	tb.Fatalf("no JSON for a value of type %s", v.Type())
	return nil
}

// listOfObjects is the type of an attribute that holds a list of objects,
// and of its elements.
func listOfObjects(tb testing.TB, typ tftypes.Object, name string) (tftypes.List, tftypes.Object) {
	l, ok := typ.AttributeTypes[name].(tftypes.List)
	if !ok {
		tb.Fatalf("%s is a %s, not a list", name, typ.AttributeTypes[name])
	}
	o, ok := l.ElementType.(tftypes.Object)
	if !ok {
		tb.Fatalf("%s is a list of %s, not of objects", name, l.ElementType)
	}
	return l, o
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

func num(n int) tftypes.Value { return tftypes.NewValue(tftypes.Number, big.NewFloat(float64(n))) }

// wideFeatures is width features: the two keys, then f_1, f_2, ... with
// every fifth an array, as tfbench writes them.
func wideFeatures(tb testing.TB, typ tftypes.Object, width int) tftypes.Value {
	_, elemType := listOfObjects(tb, typ, "features")
	elems := make([]tftypes.Value, width)
	for i := range elems {
		name, ftype := fmt.Sprintf("f_%d", i-1), "double"
		switch {
		case i == 0:
			name, ftype = "entity_id", "string"
		case i == 1:
			name, ftype = "event_ts", "timestamp"
		case (i-1)%5 == 0:
			ftype = "array<bigint>"
		}
		elems[i] = nullFilled(elemType, map[string]tftypes.Value{"name": str(name), "type": str(ftype)})
	}
	return tftypes.NewValue(typ.AttributeTypes["features"], elems)
}

// wideFeatureVersion creates a feature group and returns the
// configuration of its version v of width features.
func (d *protocolDriver) wideFeatureGroup() {
	d.create("mlops_feature_group", d.object("mlops_feature_group", map[string]tftypes.Value{
		"name":        str("wide"),
		"primary_key": tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, []tftypes.Value{str("entity_id")}),
		"event_time":  str("event_ts"),
	}))
}

func (d *protocolDriver) wideFeatureVersion(version, width int) tftypes.Value {
	return d.object("mlops_feature_version", map[string]tftypes.Value{
		"feature_group_id": str("wide"),
		"version":          num(version),
		"features":         wideFeatures(d.tb, d.typ("mlops_feature_version"), width),
	})
}

// wideModelVersion is the configuration of version v of model "wide"
// with width inputs, reading feature version wide/1.
func (d *protocolDriver) wideModelVersion(version, width int) tftypes.Value {
	typ := d.typ("mlops_model_version")
	_, elemType := listOfObjects(d.tb, typ, "inputs")
	elems := make([]tftypes.Value, width)
	for i := range elems {
		ftype := "double"
		if (i+1)%5 == 0 {
			ftype = "array<bigint>"
		}
		elems[i] = nullFilled(elemType, map[string]tftypes.Value{"feature": str(fmt.Sprintf("f_%d", i+1)), "type": str(ftype)})
	}
	return d.object("mlops_model_version", map[string]tftypes.Value{
		"model_id":            str("wide"),
		"version":             num(version),
		"artifact_uri":        str(fmt.Sprintf("s3://models/wide/%d", version)),
		"artifact_digest":     str(fmt.Sprintf("sha256:%064x", version)),
		"feature_version_ids": tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, []tftypes.Value{str("wide/1")}),
		"inputs":              tftypes.NewValue(typ.AttributeTypes["inputs"], elems),
	})
}

// The wide cases of tfbench, in the provider alone: a feature version of
// 1,000 and 5,000 features and a model version of 1,000 and 5,000 inputs,
// created (apply) and refreshed unchanged (plan). ns/element should stay
// flat from 1,000 to 5,000: the provider's share linear in width.
func BenchmarkWideFeatureVersion(b *testing.B) {
	for _, width := range []int{1000, 5000} {
		d := newProtocolDriver(b)
		d.wideFeatureGroup()
		b.Run(fmt.Sprintf("apply/%d", width), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				d.create("mlops_feature_version", d.wideFeatureVersion(i+1, width))
			}
			perElement(b, width)
		})
		config := d.wideFeatureVersion(1_000_000, width)
		state := d.create("mlops_feature_version", config)
		b.Run(fmt.Sprintf("plan/%d", width), func(b *testing.B) {
			for b.Loop() {
				d.refresh("mlops_feature_version", config, state)
			}
			perElement(b, width)
		})
	}
}

func BenchmarkWideModelVersion(b *testing.B) {
	for _, width := range []int{1000, 5000} {
		d := newProtocolDriver(b)
		d.wideFeatureGroup()
		d.create("mlops_feature_version", d.wideFeatureVersion(1, width+2))
		d.create("mlops_model", d.object("mlops_model", map[string]tftypes.Value{"name": str("wide")}))
		b.Run(fmt.Sprintf("apply/%d", width), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				d.create("mlops_model_version", d.wideModelVersion(i+1, width))
			}
			perElement(b, width)
		})
		config := d.wideModelVersion(1_000_000, width)
		state := d.create("mlops_model_version", config)
		b.Run(fmt.Sprintf("plan/%d", width), func(b *testing.B) {
			for b.Loop() {
				d.refresh("mlops_model_version", config, state)
			}
			perElement(b, width)
		})
	}
}

func perElement(b *testing.B, width int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(width), "ns/element")
}

// TestWideObjectsAllocateLinearly: the provider's work on a wide object
// (creating a feature version and a model version, then refreshing and
// planning them unchanged, through the protocol) allocates in proportion
// to the width, not more: five times the features or inputs, at most 5.5
// times the allocations and the bytes. The framework's handling of a list
// nested attribute, which copied the list once per element at plan, fails
// it (bytes); so does a check that rescans the list per element. It counts
// allocations, not time.
func TestWideObjectsAllocateLinearly(t *testing.T) {
	allocs := func(width int) (count, bytes uint64) {
		d := newProtocolDriver(t)
		d.wideFeatureGroup()
		d.create("mlops_model", d.object("mlops_model", map[string]tftypes.Value{"name": str("wide")}))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		fv := d.wideFeatureVersion(1, width+2)
		d.refresh("mlops_feature_version", fv, d.create("mlops_feature_version", fv))
		mv := d.wideModelVersion(1, width)
		d.refresh("mlops_model_version", mv, d.create("mlops_model_version", mv))
		runtime.ReadMemStats(&after)
		return after.Mallocs - before.Mallocs, after.TotalAlloc - before.TotalAlloc
	}
	narrow, narrowBytes := allocs(200)
	wide, wideBytes := allocs(1000)
	if r := float64(wide) / float64(narrow); r > 5.5 {
		t.Errorf("200 features and inputs: %d allocations; 1,000: %d, %.2f times as many (want at most 5.5)", narrow, wide, r)
	}
	if r := float64(wideBytes) / float64(narrowBytes); r > 5.5 {
		t.Errorf("200 features and inputs: %d bytes allocated; 1,000: %d, %.2f times as many (want at most 5.5)", narrowBytes, wideBytes, r)
	}
	t.Logf("200: %d allocations, %d B; 1,000: %d allocations, %d B", narrow, narrowBytes, wide, wideBytes)
}

// TestWideListsConvertLinearly: the provider's own per-width work on a
// wide object — converting its feature or input list from and to the
// framework's values, the rules the registry runs on it (names and types,
// the schema hash, comparing a prior list with a planned one) — allocates
// in proportion to the width, in count and in bytes: five times the width,
// at most 5.5 times either. It counts allocations, not time.
func TestWideListsConvertLinearly(t *testing.T) {
	ctx := context.Background()
	work := func(width int) func() {
		features := make([]registry.Feature, width)
		inputs := make([]registry.Input, width)
		for i := range features {
			features[i] = registry.Feature{Name: fmt.Sprintf("f_%d", i), Type: "array<bigint>"}
			inputs[i] = registry.Input{Feature: features[i].Name, Type: "double"}
		}
		return func() {
			var diags diag.Diagnostics
			fs, _ := featuresFromList(ctx, featuresToList(features, &diags), &diags)
			ins, _ := inputsFromList(ctx, inputsToList(inputs, &diags), &diags)
			_ = registry.CheckFeatures(fs)
			_ = registry.SchemaHash(fs)
			_ = registry.FeaturesEquivalent(features, fs) && registry.SameSchema(features, fs)
			_ = registry.CheckInputNames(ins)
			_ = registry.InputsEquivalent(inputs, ins)
			if diags.HasError() || len(fs) != width || len(ins) != width {
				t.Fatalf("width %d: %v, %d features, %d inputs", width, diags, len(fs), len(ins))
			}
		}
	}
	measure := func(width int) (allocs, bytes float64) {
		f := work(width)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		allocs = testing.AllocsPerRun(3, f)
		runtime.ReadMemStats(&after)
		return allocs, float64(after.TotalAlloc-before.TotalAlloc) / 4 // AllocsPerRun runs it once more, to warm up
	}
	narrowAllocs, narrowBytes := measure(1000)
	wideAllocs, wideBytes := measure(5000)
	if r := wideAllocs / narrowAllocs; r > 5.5 {
		t.Errorf("allocations: %.0f at 1,000, %.0f at 5,000: %.2f times as many (want at most 5.5)", narrowAllocs, wideAllocs, r)
	}
	if r := wideBytes / narrowBytes; r > 5.5 {
		t.Errorf("bytes: %.0f at 1,000, %.0f at 5,000: %.2f times as many (want at most 5.5)", narrowBytes, wideBytes, r)
	}
	t.Logf("1,000: %.0f allocations, %.0f B; 5,000: %.0f allocations, %.0f B", narrowAllocs, narrowBytes, wideAllocs, wideBytes)
}

// Terraform sees a feature version's features and a model version's inputs
// as list nested attributes, with their nested attributes required or
// optional as written, though the framework handles them as lists of
// objects.
func TestWideListsShowAsNestedAttributes(t *testing.T) {
	resp, err := NewProviderServer("test").GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for resource, want := range map[string]map[string]string{
		"mlops_feature_version": {"features": "required", "features.name": "required", "features.type": "required", "features.description": "optional"},
		"mlops_model_version":   {"inputs": "optional", "inputs.feature": "required", "inputs.type": "optional"},
	} {
		got := map[string]string{}
		for _, a := range resp.ResourceSchemas[resource].Block.Attributes {
			if a.NestedType == nil {
				continue
			}
			got[a.Name] = requiredOrOptional(a)
			if a.NestedType.Nesting != tfprotov6.SchemaObjectNestingModeList {
				t.Errorf("%s.%s: nesting %v, want a list", resource, a.Name, a.NestedType.Nesting)
			}
			for _, n := range a.NestedType.Attributes {
				got[a.Name+"."+n.Name] = requiredOrOptional(n)
				if n.Description == "" {
					t.Errorf("%s.%s.%s: no description", resource, a.Name, n.Name)
				}
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: nested attributes %v, want %v", resource, got, want)
		}
	}
}

func requiredOrOptional(a *tfprotov6.SchemaAttribute) string {
	if a.Required {
		return "required"
	}
	return "optional"
}

// The checks of a wide list's nested attributes report at the element's
// attribute: a bad feature type, name or empty description, a bad input
// type.
func TestWideListsCheckEachElement(t *testing.T) {
	d := newProtocolDriver(t)
	fv := d.typ("mlops_feature_version")
	features, _ := listOfObjects(t, fv, "features")
	feature := func(name, typ string, description tftypes.Value) tftypes.Value {
		return tftypes.NewValue(features.ElementType, map[string]tftypes.Value{"name": str(name), "type": str(typ), "description": description})
	}
	mv := d.typ("mlops_model_version")
	inputs, _ := listOfObjects(t, mv, "inputs")
	for _, c := range []struct {
		resource string
		config   tftypes.Value
		want     []string
	}{
		{"mlops_feature_version", d.object("mlops_feature_version", map[string]tftypes.Value{
			"feature_group_id": str("g"), "version": num(1),
			"features": tftypes.NewValue(features, []tftypes.Value{
				feature("entity_id", "string", tftypes.NewValue(tftypes.String, nil)),
				feature("Bad-Name", "strng", str("")),
			}),
		}), []string{
			`AttributeName("features").ElementKeyInt(1).AttributeName("description"): Invalid Attribute Value Length`,
			`AttributeName("features").ElementKeyInt(1).AttributeName("name"): Invalid feature name`,
			`AttributeName("features").ElementKeyInt(1).AttributeName("type"): Unknown feature type (rule F3)`,
		}},
		{"mlops_model_version", d.object("mlops_model_version", map[string]tftypes.Value{
			"model_id": str("m"), "version": num(1), "artifact_uri": str("s3://m/1"), "artifact_digest": str(fmt.Sprintf("sha256:%064x", 1)),
			"feature_version_ids": tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, []tftypes.Value{str("g/1")}),
			"inputs": tftypes.NewValue(inputs, []tftypes.Value{
				tftypes.NewValue(inputs.ElementType, map[string]tftypes.Value{"feature": str("f"), "type": tftypes.NewValue(tftypes.String, nil)}),
				tftypes.NewValue(inputs.ElementType, map[string]tftypes.Value{"feature": str("g"), "type": str("array<int")}),
			}),
		}), []string{
			`AttributeName("inputs").ElementKeyInt(1).AttributeName("type"): Unknown feature type (rule F3)`,
			`AttributeName("inputs").ElementKeyInt(1).AttributeName("type"): Unknown feature type (rule M2)`,
		}},
	} {
		resp, err := d.s.ValidateResourceConfig(d.ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: c.resource, Config: d.dynamic(d.typ(c.resource), c.config)})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, diag := range resp.Diagnostics {
			got = append(got, fmt.Sprintf("%s: %s", diag.Attribute, diag.Summary))
		}
		sort.Strings(got)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: diagnostics\n%s\nwant\n%s", c.resource, strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
	}
}
