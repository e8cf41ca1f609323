package provider

import (
	"context"
	"fmt"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// versionType is the custom number type of a version number. Terraform
// sees a plain number, so configurations and state are those of a number
// attribute; a value that is not a whole number from 1 to
// registry.MaxVersion (1.5, 1e30) is refused at `terraform validate` with
// the attribute's path, where an int64 attribute would fail in the
// framework's conversion with no path and no words for the user.
type versionType struct {
	basetypes.NumberType
}

var (
	_ basetypes.NumberTypable     = versionType{}
	_ basetypes.NumberValuable    = versionValue{}
	_ xattr.ValidateableAttribute = versionValue{}
)

func (t versionType) Equal(o attr.Type) bool {
	_, ok := o.(versionType)
	return ok
}

func (t versionType) String() string { return "versionType" }

func (t versionType) ValueFromNumber(_ context.Context, in basetypes.NumberValue) (basetypes.NumberValuable, diag.Diagnostics) {
	return versionValue{NumberValue: in}, nil
}

func (t versionType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.NumberType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	n, ok := v.(basetypes.NumberValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return versionValue{NumberValue: n}, nil
}

func (t versionType) ValueType(context.Context) attr.Value { return versionValue{} }

// versionValue is a version number as written.
type versionValue struct {
	basetypes.NumberValue
}

// newVersionValue is a known version number.
func newVersionValue(v int64) versionValue {
	return versionValue{NumberValue: basetypes.NewNumberValue(new(big.Float).SetInt64(v))}
}

func (v versionValue) Equal(o attr.Value) bool {
	other, ok := o.(versionValue)
	return ok && v.NumberValue.Equal(other.NumberValue)
}

func (v versionValue) Type(context.Context) attr.Type { return versionType{} }

// ValueInt64 is the version number; 0 when it is null, unknown or not a
// valid version (which validation has refused).
func (v versionValue) ValueInt64() int64 {
	if v.IsNull() || v.IsUnknown() {
		return 0
	}
	n, ps := registry.VersionFromNumber(v.ValueBigFloat())
	if ps.HasErrors() {
		return 0
	}
	return n
}

// ValidateAttribute refuses a number that is not a version number.
func (v versionValue) ValidateAttribute(_ context.Context, req xattr.ValidateAttributeRequest, resp *xattr.ValidateAttributeResponse) {
	if v.IsNull() || v.IsUnknown() {
		return
	}
	_, ps := registry.VersionFromNumber(v.ValueBigFloat())
	for _, p := range ps {
		resp.Diagnostics.AddAttributeError(req.Path, p.Summary, p.Detail)
	}
}
