package provider

import (
	"context"
	"math/big"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

var _ function.Function = &versionedIDFunction{}

// NewFeatureVersionIDFunction returns provider::mlops::feature_version_id.
func NewFeatureVersionIDFunction() function.Function {
	return &versionedIDFunction{
		name:    "feature_version_id",
		summary: "Builds the id of a feature version from its feature group and version number",
		description: "Returns `<group>/<version>`, the id of a feature version, such as `transactions/2` for " +
			"`provider::mlops::feature_version_id(\"transactions\", 2)`. Use it to refer to a feature version owned by " +
			"another configuration, for example in a model version's `feature_version_ids`, instead of writing the id " +
			"by hand. It is a pure function: it checks the arguments but does not look the feature version up in the " +
			"registry (use the `mlops_feature_version` data source for that).",
		nameParam:            "group",
		nameParamDescription: "Name of the feature group; must match `" + registry.NamePattern + "` (" + registry.NameRule + ").",
		nameKind:             "feature group name",
		pattern:              registry.NamePattern,
		rule:                 registry.NameRule,
		valid:                registry.ValidName,
		format:               registry.FeatureVersionID,
	}
}

// versionedIDFunction is a provider function that formats the id of a
// versioned object, "<name>/<version>", from a name checked by valid and a
// version number, a whole number from 1 to registry.MaxVersion (1.5 is
// refused in words). feature_version_id and model_version_id are two of
// them.
type versionedIDFunction struct {
	name, summary, description      string
	nameParam, nameParamDescription string
	// nameKind ("feature group name"), pattern and rule, the registry's
	// words for the pattern, describe a valid name in error messages.
	nameKind, pattern, rule string
	valid                   func(string) bool
	format                  func(string, int64) string
}

func (f *versionedIDFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = f.name
}

func (f *versionedIDFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary:             f.summary,
		MarkdownDescription: f.description,
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                f.nameParam,
				MarkdownDescription: f.nameParamDescription,
			},
			function.NumberParameter{
				Name:                "version",
				MarkdownDescription: "Version number, a whole number from 1 to " + strconv.FormatInt(registry.MaxVersion, 10) + ".",
			},
		},
		Return: function.StringReturn{},
	}
}

func (f *versionedIDFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var name string
	var number *big.Float
	// Terraform appends a full stop to an argument error: messages end without one.
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &name, &number))
	if resp.Error != nil {
		return
	}
	if !f.valid(name) {
		resp.Error = function.NewArgumentFuncError(0, strconv.Quote(name)+" is not a valid "+f.nameKind+": it must match "+
			f.pattern+" ("+f.rule+")")
		return
	}
	version, ps := registry.VersionFromNumber(number)
	if ps.HasErrors() {
		resp.Error = function.NewArgumentFuncError(1, ps[0].Detail)
		return
	}
	resp.Error = resp.Result.Set(ctx, f.format(name, version))
}
