package provider

import (
	"context"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

var _ function.Function = &modelAliasIDFunction{}

// NewModelAliasIDFunction returns provider::mlops::model_alias_id.
func NewModelAliasIDFunction() function.Function { return &modelAliasIDFunction{} }

type modelAliasIDFunction struct{}

func (f *modelAliasIDFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "model_alias_id"
}

func (f *modelAliasIDFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Builds the id of a model alias from its model and alias name",
		MarkdownDescription: "Returns `<model>@<alias>`, the id of a model alias, such as `fraud@champion` for " +
			"`provider::mlops::model_alias_id(\"fraud\", \"champion\")`. Use it to import an alias or to name one owned by another " +
			"configuration. It is a pure function: it checks the arguments but does not look the alias up in the registry (use the " +
			"`mlops_model_alias` data source for that).",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "model",
				MarkdownDescription: "Name of the model; must match `" + registry.ModelNamePattern + "` (" + registry.ModelNameRule + ").",
			},
			function.StringParameter{
				Name:                "alias",
				MarkdownDescription: "Name of the alias; must match `" + registry.AliasNamePattern + "` (" + registry.AliasNameRule + ").",
			},
		},
		Return: function.StringReturn{},
	}
}

func (f *modelAliasIDFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var model, alias string
	// Terraform appends a full stop to an argument error: messages end without one.
	resp.Error = function.ConcatFuncErrors(resp.Error, req.Arguments.Get(ctx, &model, &alias))
	if resp.Error != nil {
		return
	}
	if !registry.ValidModelName(model) {
		resp.Error = function.NewArgumentFuncError(0, strconv.Quote(model)+" is not a valid model name: it must match "+
			registry.ModelNamePattern+" ("+registry.ModelNameRule+")")
		return
	}
	if !registry.ValidAliasName(alias) {
		resp.Error = function.NewArgumentFuncError(1, strconv.Quote(alias)+" is not a valid alias name: it must match "+
			registry.AliasNamePattern+" ("+registry.AliasNameRule+")")
		return
	}
	resp.Error = resp.Result.Set(ctx, registry.ModelAliasID(model, alias))
}
