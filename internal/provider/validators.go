package provider

import (
	"context"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// The validators check at `terraform validate` what the configuration alone
// shows. Patterns and checks come from internal/registry.

// The registry's patterns, compiled once: schemas are built often.
var (
	nameRE           = regexp.MustCompile(registry.NamePattern)
	modelNameRE      = regexp.MustCompile(registry.ModelNamePattern)
	environmentRE    = regexp.MustCompile(registry.EnvironmentPattern)
	artifactURIRE    = regexp.MustCompile(registry.ArtifactURIPattern)
	artifactDigestRE = regexp.MustCompile(registry.ArtifactDigestPattern)
)

func nameValidator(what string) validator.String {
	return stringvalidator.RegexMatches(nameRE,
		"must be a valid "+what+": lower-case letters, digits and underscores, starting with a letter, at most 63 characters")
}

func modelNameValidator() validator.String {
	return stringvalidator.RegexMatches(modelNameRE,
		"must be a valid model name: lower-case letters, digits, underscores and dashes, starting with a letter, at most 63 characters")
}

func environmentValidator() validator.String {
	return stringvalidator.RegexMatches(environmentRE,
		"must be a valid environment name: lower-case letters, digits and dashes, starting with a letter, at most 63 characters")
}

// uniqueFeatureNames refuses a features list that names a feature twice (F3).
type uniqueFeatureNames struct{}

var _ validator.List = uniqueFeatureNames{}

func (uniqueFeatureNames) Description(context.Context) string {
	return "feature names must be unique"
}

func (v uniqueFeatureNames) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (uniqueFeatureNames) ValidateList(ctx context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	elems := req.ConfigValue.Elements()
	names := make([]*string, len(elems))
	for i, e := range elems {
		obj, ok := e.(types.Object)
		if !ok || obj.IsNull() || obj.IsUnknown() {
			continue
		}
		if n, ok := obj.Attributes()["name"].(types.String); ok && !n.IsNull() && !n.IsUnknown() {
			s := n.ValueString()
			names[i] = &s
		}
	}
	ps := registry.CheckDuplicateFeatureNames(names)
	for _, p := range ps {
		resp.Diagnostics.AddAttributeError(attrPath(req.Path.ParentPath(), p.Path), p.Summary+" (rule "+p.Rule+")", p.Detail)
	}
}

func uniqueStrings() validator.List { return listvalidator.UniqueValues() }

// versionedIDValidator refuses an id that the registry's parser refuses,
// such as a feature version id that is not "group/version".
type versionedIDValidator struct {
	what  string
	parse func(string) (string, int64, error)
}

var _ validator.String = versionedIDValidator{}

func featureVersionIDValidator() validator.String {
	return versionedIDValidator{what: "feature version id, <feature group>/<version>", parse: registry.ParseFeatureVersionID}
}

func (v versionedIDValidator) Description(context.Context) string { return "must be a " + v.what }

func (v versionedIDValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v versionedIDValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, _, err := v.parse(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid id", err.Error())
	}
}
