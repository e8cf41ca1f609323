package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// TestProviderDescriptionNamesEveryKind: the provider's description, the
// first lines of its documentation, names every kind of object it manages,
// not only the first ones it had.
func TestProviderDescriptionNamesEveryKind(t *testing.T) {
	ctx := context.Background()
	p := New("test")()
	var sresp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &sresp)
	desc := sresp.Schema.MarkdownDescription
	names := map[string]string{
		"mlops_feature_group":          "feature groups",
		"mlops_feature_version":        "versioned feature schemas",
		"mlops_model":                  "models",
		"mlops_model_version":          "model versions",
		"mlops_validation_suite":       "validation suites",
		"mlops_deployment":             "deployments",
		"mlops_model_alias":            "aliases",
		"mlops_model_version_approval": "approvals",
		"mlops_environment":            "policies of environments",
		"mlops_feature_view":           "feature views",
		"mlops_pipeline":               "pipelines",
	}
	for _, newResource := range p.Resources(ctx) {
		var mresp resource.MetadataResponse
		newResource().Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "mlops"}, &mresp)
		words, ok := names[mresp.TypeName]
		if !ok {
			t.Errorf("resource %s: say here how the description names it", mresp.TypeName)
			continue
		}
		if !strings.Contains(desc, words) {
			t.Errorf("the provider's description does not name %s (%s): %q", words, mresp.TypeName, desc)
		}
	}
}
