package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// NewModelVersionIDFunction returns provider::mlops::model_version_id.
func NewModelVersionIDFunction() function.Function {
	return &versionedIDFunction{
		name:    "model_version_id",
		summary: "Builds the id of a model version from its model and version number",
		description: "Returns `<model>/<version>`, the id of a model version, such as `fraud/2` for " +
			"`provider::mlops::model_version_id(\"fraud\", 2)`. Use it to refer to a model version owned by another " +
			"configuration, for example in a deployment's `model_version_id`, instead of writing the id by hand. It is a " +
			"pure function: it checks the arguments but does not look the model version up in the registry (use the " +
			"`mlops_model_version` data source for that).",
		nameParam:            "model",
		nameParamDescription: "Name of the model; must match `" + registry.ModelNamePattern + "` (" + registry.ModelNameRule + ").",
		nameKind:             "model name",
		pattern:              registry.ModelNamePattern,
		rule:                 registry.ModelNameRule,
		valid:                registry.ValidModelName,
		format:               registry.ModelVersionID,
	}
}
