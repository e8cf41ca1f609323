package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// renamedArgument is a data source argument renamed to the name the
// resources give the same value (feature_group -> feature_group_id): the
// new name, and the old one, which keeps working with a deprecation warning.
// Exactly one of the two is set; the new one always holds the value in state.
type renamedArgument struct {
	name, old string
	// what is the value, for the descriptions: "Id of the feature group: its
	// name, as `mlops_feature_group`'s `id`".
	what      string
	validator validator.String
}

// attributes are the schema of the two arguments.
func (a renamedArgument) attributes() (current, deprecated schema.StringAttribute) {
	current = schema.StringAttribute{
		MarkdownDescription: a.what + ". Exactly one of `" + a.name + "` and the deprecated `" + a.old + "` is required.",
		Optional:            true,
		Computed:            true,
		Validators:          []validator.String{a.validator},
	}
	deprecated = schema.StringAttribute{
		MarkdownDescription: "Deprecated: use `" + a.name + "`, which takes the same value. Exactly one of the two is required.",
		DeprecationMessage:  "Use " + a.name + " instead: " + a.old + " takes the same value and will be removed in a future version.",
		Optional:            true,
		Validators:          []validator.String{a.validator},
	}
	return current, deprecated
}

// configValidator refuses a configuration that sets neither or both.
func (a renamedArgument) configValidator() datasource.ConfigValidator {
	return datasourcevalidator.ExactlyOneOf(path.MatchRoot(a.name), path.MatchRoot(a.old))
}

// value is the configured value, under either name.
func (a renamedArgument) value(current, deprecated types.String) types.String {
	if current.IsNull() {
		return deprecated
	}
	return current
}
