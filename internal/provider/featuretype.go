package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// featureTypeType is the custom string type of a feature's type: it
// validates the feature type language at `terraform validate` and treats
// spellings of the same type ("Array< INT >", "array<int>") as equal, so
// that no spelling difference between configuration and registry shows as
// a diff.
type featureTypeType struct {
	basetypes.StringType
}

var (
	_ basetypes.StringTypable                    = featureTypeType{}
	_ basetypes.StringValuableWithSemanticEquals = featureTypeValue{}
	_ xattr.ValidateableAttribute                = featureTypeValue{}
)

func (t featureTypeType) Equal(o attr.Type) bool {
	_, ok := o.(featureTypeType)
	return ok
}

func (t featureTypeType) String() string { return "featureTypeType" }

func (t featureTypeType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return featureTypeValue{StringValue: in}, nil
}

func (t featureTypeType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return featureTypeValue{StringValue: s}, nil
}

func (t featureTypeType) ValueType(context.Context) attr.Value { return featureTypeValue{} }

// featureTypeValue is a feature type as written.
type featureTypeValue struct {
	basetypes.StringValue
}

func newFeatureTypeValue(s string) featureTypeValue {
	return featureTypeValue{StringValue: basetypes.NewStringValue(s)}
}

func (v featureTypeValue) Equal(o attr.Value) bool {
	other, ok := o.(featureTypeValue)
	return ok && v.StringValue.Equal(other.StringValue)
}

func (v featureTypeValue) Type(context.Context) attr.Type { return featureTypeType{} }

// StringSemanticEquals is true when both spell the same feature type.
func (v featureTypeValue) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	newValue, ok := newValuable.(featureTypeValue)
	if !ok {
		return false, nil
	}
	return registry.FeatureTypesEqual(v.ValueString(), newValue.ValueString()), nil
}

// ValidateAttribute refuses a type outside the feature type language (F3).
func (v featureTypeValue) ValidateAttribute(_ context.Context, req xattr.ValidateAttributeRequest, resp *xattr.ValidateAttributeResponse) {
	if v.IsNull() || v.IsUnknown() {
		return
	}
	if _, err := registry.ParseFeatureType(v.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Unknown feature type (rule F3)", err.Error())
	}
}
