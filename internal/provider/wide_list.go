package provider

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/attr/xattr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// wideListAttribute is a list nested attribute that can hold thousands of
// objects (a feature version's features, a model version's inputs).
// Terraform sees the list nested attribute, unchanged (the provider's
// schema is rewritten on its way out, see Server.GetProviderSchema); the
// framework sees a list of objects. For a list nested attribute the
// framework walks every element's attributes at validation and at plan,
// and at plan copies the whole list again for each element, so that its
// cost grew with the square of the width (terraform-plugin-framework
// v1.19, AttributeModifyPlan). The nested attributes' own checks (their
// validators and their types' validation) run here instead, once over the
// list, with the same diagnostics at the same paths.
type wideListAttribute struct {
	schema.ListAttribute
	// Nested is the attribute as Terraform sees it.
	Nested schema.ListNestedAttribute
}

// wideList turns a list nested attribute into a wideListAttribute. Its
// nested attributes may be strings only, with no plan modifiers or
// defaults (none of those would run).
func wideList(a schema.ListNestedAttribute) wideListAttribute {
	attrTypes := make(map[string]attr.Type, len(a.NestedObject.Attributes))
	strs := make(map[string]schema.StringAttribute, len(a.NestedObject.Attributes))
	for name, nested := range a.NestedObject.Attributes {
		s, ok := nested.(schema.StringAttribute)
		if !ok || len(s.PlanModifiers) > 0 || s.Default != nil {
			panic("wideList: nested attribute " + name + " is not a plain string attribute")
		}
		attrTypes[name], strs[name] = s.GetType(), s
	}
	return wideListAttribute{
		ListAttribute: schema.ListAttribute{
			ElementType:         types.ObjectType{AttrTypes: attrTypes},
			MarkdownDescription: a.MarkdownDescription,
			Required:            a.Required,
			Optional:            a.Optional,
			Computed:            a.Computed,
			Validators:          append(append([]validator.List{}, a.Validators...), nestedChecks{strs}),
			PlanModifiers:       a.PlanModifiers,
		},
		Nested: a,
	}
}

// nestedChecks runs each element's nested attribute checks, as the
// framework does for a list nested attribute: a value type's own
// validation (such as the feature type language), then, if that passed,
// the attribute's validators, each at the element's attribute path.
type nestedChecks struct {
	attributes map[string]schema.StringAttribute
}

func (v nestedChecks) Description(context.Context) string {
	return "each element's attributes are checked"
}

func (v nestedChecks) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v nestedChecks) ValidateList(ctx context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	names := make([]string, 0, len(v.attributes))
	for name := range v.attributes {
		names = append(names, name)
	}
	sort.Strings(names)
	for i, e := range req.ConfigValue.Elements() {
		obj, ok := e.(basetypes.ObjectValuable)
		if !ok {
			continue
		}
		o, d := obj.ToObjectValue(ctx)
		resp.Diagnostics.Append(d...)
		if o.IsNull() || o.IsUnknown() {
			continue
		}
		attrs := o.Attributes()
		for _, name := range names {
			p := req.Path.AtListIndex(i).AtName(name)
			value := attrs[name]
			if vv, ok := value.(xattr.ValidateableAttribute); ok {
				var r xattr.ValidateAttributeResponse
				vv.ValidateAttribute(ctx, xattr.ValidateAttributeRequest{Path: p}, &r)
				resp.Diagnostics.Append(r.Diagnostics...)
				if r.Diagnostics.HasError() {
					continue
				}
			}
			s, ok := value.(basetypes.StringValuable)
			if !ok {
				continue
			}
			str, d := s.ToStringValue(ctx)
			resp.Diagnostics.Append(d...)
			for _, check := range v.attributes[name].Validators {
				r := &validator.StringResponse{}
				check.ValidateString(ctx, validator.StringRequest{
					Path: p, PathExpression: p.Expression(), ConfigValue: str, Config: req.Config,
				}, r)
				resp.Diagnostics.Append(r.Diagnostics...)
			}
		}
	}
}

// terraformSchemas is the provider's resource schemas as Terraform is to
// see them: for each resource with a wide list, the framework's own
// protocol form of the resource with that attribute a list nested
// attribute again (nil when no resource has one).
func terraformSchemas(ctx context.Context, p provider.Provider) map[string]*tfprotov6.Schema {
	var shown []func() resource.Resource
	for _, newResource := range p.Resources(ctx) {
		r := newResource()
		var sch resource.SchemaResponse
		r.Schema(ctx, resource.SchemaRequest{}, &sch)
		wide := false
		attrs := make(map[string]schema.Attribute, len(sch.Schema.Attributes))
		for name, a := range sch.Schema.Attributes {
			if w, ok := a.(wideListAttribute); ok {
				a, wide = w.Nested, true
			}
			attrs[name] = a
		}
		if !wide {
			continue
		}
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "mlops"}, &meta)
		s := sch.Schema
		s.Attributes = attrs
		shown = append(shown, func() resource.Resource { return schemaOnly{name: meta.TypeName, schema: s} })
	}
	if len(shown) == 0 {
		return nil
	}
	resp, err := providerserver.NewProtocol6(schemaOnlyProvider{resources: shown})().GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(resp.Diagnostics) > 0 {
		panic("the schemas of wide lists do not convert")
	}
	return resp.ResourceSchemas
}

// schemaOnlyProvider serves resource schemas, nothing else: the
// framework's conversion of a schema to Terraform's.
type schemaOnlyProvider struct{ resources []func() resource.Resource }

func (p schemaOnlyProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "mlops"
}
func (p schemaOnlyProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {
}
func (p schemaOnlyProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}
func (p schemaOnlyProvider) Resources(context.Context) []func() resource.Resource { return p.resources }
func (p schemaOnlyProvider) DataSources(context.Context) []func() datasource.DataSource {
	return nil
}

type schemaOnly struct {
	name   string
	schema schema.Schema
}

func (r schemaOnly) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = r.name
}
func (r schemaOnly) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = r.schema
}
func (r schemaOnly) Create(context.Context, resource.CreateRequest, *resource.CreateResponse) {}
func (r schemaOnly) Read(context.Context, resource.ReadRequest, *resource.ReadResponse)       {}
func (r schemaOnly) Update(context.Context, resource.UpdateRequest, *resource.UpdateResponse) {}
func (r schemaOnly) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
