package provider

import (
	"context"
	"fmt"
	"math/big"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// The validators check at `terraform validate` what the configuration alone
// shows. Patterns, their checks and their descriptions come from
// internal/registry: nothing is compiled or worded again here.

// patternValidator refuses a value that the registry's check valid refuses.
// Its message is "<summary>: Attribute <path> <description>, got: <value>",
// the description being the registry's words for the pattern.
type patternValidator struct {
	summary     string
	description string
	valid       func(string) bool
}

var _ validator.String = patternValidator{}

func (v patternValidator) Description(context.Context) string { return v.description }

func (v patternValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v patternValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if s := req.ConfigValue.ValueString(); !v.valid(s) {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, "Attribute "+req.Path.String()+" "+v.description+", got: "+s)
	}
}

// validNameValidator refuses a name that valid refuses: what names it, such
// as "feature name", and rule is the registry's description of its pattern.
func validNameValidator(what, rule string, valid func(string) bool) validator.String {
	return patternValidator{summary: "Invalid " + what, description: "must be a valid " + what + ": " + rule, valid: valid}
}

// nameValidator checks a feature group or feature name; what names it.
func nameValidator(what string) validator.String {
	return validNameValidator(what, registry.NameRule, registry.ValidName)
}

func modelNameValidator() validator.String {
	return validNameValidator("model name", registry.ModelNameRule, registry.ValidModelName)
}

func environmentValidator() validator.String {
	return validNameValidator("environment name", registry.EnvironmentRule, registry.ValidEnvironment)
}

func suiteNameValidator() validator.String {
	return validNameValidator("validation suite name", registry.SuiteNameRule, registry.ValidSuiteName)
}

func artifactURIValidator() validator.String {
	return patternValidator{summary: "Invalid artifact URI", description: "must be " + registry.ArtifactURIRule, valid: registry.ValidArtifactURI}
}

func artifactDigestValidator() validator.String {
	return patternValidator{summary: "Invalid artifact digest", description: "must be " + registry.ArtifactDigestRule, valid: registry.ValidArtifactDigest}
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

// wholeNumberBetween refuses a number that is not a whole number from min
// to max: "1.5" and "0" are refused at validate with the attribute's path.
type wholeNumberBetween struct {
	min, max int64
}

var _ validator.Number = wholeNumberBetween{}

func (v wholeNumberBetween) Description(context.Context) string {
	return fmt.Sprintf("must be a whole number from %d to %d", v.min, v.max)
}

func (v wholeNumberBetween) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v wholeNumberBetween) ValidateNumber(ctx context.Context, req validator.NumberRequest, resp *validator.NumberResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	n := req.ConfigValue.ValueBigFloat()
	if i, acc := n.Int64(); n.IsInt() && acc == big.Exact && i >= v.min && i <= v.max {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid Attribute Value",
		"Attribute "+req.Path.String()+" "+v.Description(ctx)+", got: "+n.Text('g', -1))
}

func aliasNameValidator() validator.String {
	return validNameValidator("alias name", registry.AliasNameRule, registry.ValidAliasName)
}

func modelVersionIDValidator() validator.String {
	return versionedIDValidator{what: "model version id, <model>/<version>", parse: registry.ParseModelVersionID}
}

func featureViewIDValidator() validator.String {
	return versionedIDValidator{what: "feature view id, <view>/<version>", parse: registry.ParseFeatureViewID}
}
