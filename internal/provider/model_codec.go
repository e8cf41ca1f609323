package provider

import (
	"context"
	"fmt"
	"reflect"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// A resource's model is read from and written to its state and plan many
// times a run (validate, read, plan, apply), and the framework's own
// conversion (tfsdk.State.Get and Set) finds the struct's fields by
// reflection at every call, compiling a regular expression per field to
// check each tag. With thousands of objects that was a tenth of the
// provider's CPU at plan. The codec below learns a model's fields once per
// model type and converts each one with its attribute's type, as the
// framework does: the same values, the same validation of custom values,
// and the framework's conversion wherever the model is not a plain struct of
// attribute values matching the schema.

// modelCodec is what the conversion of one model type needs: each field's
// index, its attribute's name and type, and the object type of the whole.
type modelCodec struct {
	fields  []codecField
	objType tftypes.Object
}

type codecField struct {
	index int
	name  string
	typ   attr.Type
}

var (
	attrValueType = reflect.TypeFor[attr.Value]()
	// codecs holds a *modelCodec, or nil for a model the framework
	// converts, per model type and schema.
	codecs sync.Map
)

// codecKey names a model type used with a schema. A model type is used with
// one resource's schema; the schema's version and attribute count guard
// the cache against a type used with two.
type codecKey struct {
	model   reflect.Type
	version int64
	attrs   int
}

// codecFor returns the codec of model type t in schema s, or nil when the
// framework must convert it: a field that is not an attribute value, an
// attribute without a field, a field without an attribute.
func codecFor(ctx context.Context, t reflect.Type, s schema.Schema) *modelCodec {
	key := codecKey{model: t, version: s.Version, attrs: len(s.Attributes)}
	if c, ok := codecs.Load(key); ok {
		mc, _ := c.(*modelCodec)
		return mc
	}
	c := buildCodec(ctx, t, s)
	codecs.Store(key, c)
	return c
}

func buildCodec(ctx context.Context, t reflect.Type, s schema.Schema) *modelCodec {
	if t.Kind() != reflect.Struct || len(s.Blocks) > 0 {
		return nil
	}
	c := &modelCodec{}
	seen := make(map[string]bool, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		name := f.Tag.Get("tfsdk")
		if name == "" || name == "-" || !f.IsExported() || !f.Type.Implements(attrValueType) {
			return nil
		}
		a, ok := s.Attributes[name]
		if !ok || seen[name] {
			return nil
		}
		seen[name] = true
		c.fields = append(c.fields, codecField{index: i, name: name, typ: a.GetType()})
	}
	if len(seen) != len(s.Attributes) {
		return nil
	}
	obj, ok := s.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		return nil
	}
	c.objType = obj
	return c
}

// getModel reads src (a state, plan or config) into dst, as src.Get does.
func getModel[M any](ctx context.Context, raw tftypes.Value, s schema.Schema, get func(context.Context, any) diag.Diagnostics, dst *M) diag.Diagnostics {
	c := codecFor(ctx, reflect.TypeFor[M](), s)
	if c == nil || !raw.IsKnown() || raw.IsNull() || !raw.Type().Equal(c.objType) {
		return get(ctx, dst)
	}
	var vals map[string]tftypes.Value
	if err := raw.As(&vals); err != nil {
		return get(ctx, dst)
	}
	var m M
	out := reflect.ValueOf(&m).Elem()
	var diags diag.Diagnostics
	for _, f := range c.fields {
		v, err := f.typ.ValueFromTerraform(ctx, vals[f.name])
		if err != nil {
			return get(ctx, dst)
		}
		at := path.Root(f.name)
		if va, ok := v.(xattr.ValidateableAttribute); ok {
			resp := xattr.ValidateAttributeResponse{}
			va.ValidateAttribute(ctx, xattr.ValidateAttributeRequest{Path: at}, &resp)
			diags.Append(resp.Diagnostics...)
		} else if tv, ok := f.typ.(xattr.TypeWithValidate); ok { //nolint:staticcheck // the framework still honours it
			diags.Append(tv.Validate(ctx, vals[f.name], at)...)
		}
		if diags.HasError() {
			return diags
		}
		fv := out.Field(f.index)
		rv := reflect.ValueOf(v)
		if rv.Type() != fv.Type() {
			return get(ctx, dst)
		}
		fv.Set(rv)
	}
	*dst = m
	return diags
}

// modelValue converts m to the Terraform value of its schema, as Set does,
// or returns false when the framework must.
func modelValue[M any](ctx context.Context, m M, s schema.Schema) (tftypes.Value, bool, error) {
	c := codecFor(ctx, reflect.TypeFor[M](), s)
	if c == nil {
		return tftypes.Value{}, false, nil
	}
	in := reflect.ValueOf(m)
	vals := make(map[string]tftypes.Value, len(c.fields))
	for _, f := range c.fields {
		v, ok := in.Field(f.index).Interface().(attr.Value)
		if !ok || v == nil || !f.typ.TerraformType(ctx).Equal(v.Type(ctx).TerraformType(ctx)) {
			return tftypes.Value{}, false, nil
		}
		tv, err := v.ToTerraformValue(ctx)
		if err != nil {
			return tftypes.Value{}, false, fmt.Errorf("attribute %s: %w", f.name, err)
		}
		vals[f.name] = tv
	}
	return tftypes.NewValue(c.objType, vals), true, nil
}

// getState, getPlan and getConfig read a resource's model; setState writes
// it.
func getState[M any](ctx context.Context, s tfsdk.State, dst *M) diag.Diagnostics {
	return getModel(ctx, s.Raw, resourceSchema(s.Schema), s.Get, dst)
}

func getPlan[M any](ctx context.Context, p tfsdk.Plan, dst *M) diag.Diagnostics {
	return getModel(ctx, p.Raw, resourceSchema(p.Schema), p.Get, dst)
}

func getConfig[M any](ctx context.Context, c tfsdk.Config, dst *M) diag.Diagnostics {
	return getModel(ctx, c.Raw, resourceSchema(c.Schema), c.Get, dst)
}

func setState[M any](ctx context.Context, s *tfsdk.State, m M) diag.Diagnostics {
	if rs, ok := s.Schema.(schema.Schema); ok {
		v, ok, err := modelValue(ctx, m, rs)
		if err != nil {
			var diags diag.Diagnostics
			diags.AddError("State Write Error", "An unexpected error was encountered trying to write the state: "+err.Error())
			return diags
		}
		if ok {
			return s.Set(ctx, v)
		}
	}
	return s.Set(ctx, m)
}

// resourceSchema returns s as a resource schema; any other schema gets
// the framework's conversion (the zero schema has no codec).
func resourceSchema(s any) schema.Schema {
	rs, _ := s.(schema.Schema)
	return rs
}
