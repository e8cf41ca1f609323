package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The attributes several resources share, written once.

// idAttribute is a resource's computed id, stable once created.
func idAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: description,
		Computed:            true,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// createdAtAttribute is when the registry created the object.
func createdAtAttribute(description string) schema.StringAttribute {
	return idAttribute(description)
}

// descriptionAttribute is an optional free-text description: unset or
// non-empty, so that an unset one reads back unset.
func descriptionAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "Free-text description. Leave it unset rather than empty.",
		Optional:            true,
		Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
	}
}

// tagsAttribute is optional free-form string tags.
func tagsAttribute() schema.MapAttribute {
	return schema.MapAttribute{
		MarkdownDescription: "Free-form string tags. An empty map and an unset one are kept apart.",
		Optional:            true,
		ElementType:         types.StringType,
	}
}

// codeList writes names as Markdown code, separated by commas: "`a`, `b`".
func codeList(names []string) string {
	return "`" + strings.Join(names, "`, `") + "`"
}
