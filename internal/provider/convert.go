package provider

import (
	"context"
	"math/big"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// optionalString maps the registry's "" (unset) to null, so that an unset
// optional attribute reads back as unset.
func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// tagsToRegistry keeps null (nil) and empty apart.
func tagsToRegistry(ctx context.Context, m types.Map, diags *diag.Diagnostics) map[string]string {
	if m.IsNull() || m.IsUnknown() {
		return nil
	}
	tags := map[string]string{}
	diags.Append(m.ElementsAs(ctx, &tags, false)...)
	return tags
}

func tagsFromRegistry(ctx context.Context, tags map[string]string, diags *diag.Diagnostics) types.Map {
	if tags == nil {
		return types.MapNull(types.StringType)
	}
	m, d := types.MapValueFrom(ctx, types.StringType, tags)
	diags.Append(d...)
	return m
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// decimalText is a number's exact decimal text, "" when null or unknown.
// The registry keeps numbers as text so that they read back exactly.
func decimalText(n types.Number) string {
	if n.IsNull() || n.IsUnknown() {
		return ""
	}
	return n.ValueBigFloat().Text('g', -1)
}

// decimalValue parses decimal text as Terraform parses numbers, so that a
// number reads back equal to the configuration; "" is null.
func decimalValue(what, text string, diags *diag.Diagnostics) types.Number {
	if text == "" {
		return types.NumberNull()
	}
	f, _, err := big.ParseFloat(text, 10, 512, big.ToNearestEven)
	if err != nil {
		diags.AddError("Invalid number in the registry", what+" = "+quote(text)+" is not a number: "+err.Error())
		return types.NumberNull()
	}
	return types.NumberValue(f)
}

// The registry revision an object had when this provider last read or wrote
// it is kept in the resource's private state. Update and Delete hand it back
// to the registry, which refuses the write if another writer has changed the
// object since (a *registry.ConflictError): two writers never silently
// overwrite each other.
const revisionKey = "revision"

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

func setRevision(ctx context.Context, p privateSetter, revision int64, diags *diag.Diagnostics) {
	diags.Append(p.SetKey(ctx, revisionKey, []byte(strconv.FormatInt(revision, 10)))...)
}

// readRevision is the revision last seen, 0 when none was recorded (the
// registry then does not check it).
func readRevision(ctx context.Context, p privateGetter, diags *diag.Diagnostics) int64 {
	b, d := p.GetKey(ctx, revisionKey)
	diags.Append(d...)
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// objectAs converts a known, non-null object; ok is false otherwise.
func objectAs[T any](ctx context.Context, o types.Object, diags *diag.Diagnostics) (T, bool) {
	var out T
	if o.IsNull() || o.IsUnknown() {
		return out, false
	}
	diags.Append(o.As(ctx, &out, basetypes.ObjectAsOptions{UnhandledUnknownAsEmpty: true})...)
	return out, true
}

func known(v attr.Value) bool { return !v.IsNull() && !v.IsUnknown() }

// knownString is the value, or "" when null or unknown.
func knownString(s types.String) string {
	if !known(s) {
		return ""
	}
	return s.ValueString()
}

// knownInt64 is the value, or nil when null or unknown.
func knownInt64(i types.Int64) *int64 {
	if !known(i) {
		return nil
	}
	v := i.ValueInt64()
	return &v
}

// listObjectStrings reads the string attributes names of each object in a
// list (a list nested attribute's value), in order, without the
// framework's reflection, which costs a regular expression compiled per
// field and element: out[i][j] is element i's attribute names[j], "" when
// null. known is false when the list, an element or one of those
// attributes is not known yet; null is nil and known.
func listObjectStrings(ctx context.Context, l types.List, names ...string) (out [][]string, known bool, diags diag.Diagnostics) {
	if l.IsUnknown() {
		return nil, false, nil
	}
	if l.IsNull() {
		return nil, true, nil
	}
	elems := l.Elements()
	out = make([][]string, len(elems))
	known = true
	for i, e := range elems {
		obj, ok := e.(basetypes.ObjectValuable)
		if !ok {
			diags.AddError("Unexpected list element", "A list element is a "+e.Type(ctx).String()+", not an object. This is a bug in the provider.")
			return nil, false, diags
		}
		o, d := obj.ToObjectValue(ctx)
		diags.Append(d...)
		if o.IsUnknown() {
			return nil, false, diags
		}
		attrs := o.Attributes()
		row := make([]string, len(names))
		for j, name := range names {
			s, ok := attrs[name].(basetypes.StringValuable)
			if !ok {
				diags.AddError("Unexpected attribute", "Attribute "+name+" of a list element is not a string. This is a bug in the provider.")
				return nil, false, diags
			}
			v, d := s.ToStringValue(ctx)
			diags.Append(d...)
			if v.IsUnknown() {
				known = false
			}
			row[j] = v.ValueString()
		}
		out[i] = row
	}
	return out, known, diags
}
