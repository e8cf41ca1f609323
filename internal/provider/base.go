package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// resourceBase gives a resource the registry the provider configured.
type resourceBase struct {
	reg *registry.Registry
}

func (b *resourceBase) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	b.reg = registryFrom(req.ProviderData, &resp.Diagnostics)
}

// dataSourceBase gives a data source the registry the provider configured.
type dataSourceBase struct {
	reg *registry.Registry
}

func (b *dataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	b.reg = registryFrom(req.ProviderData, &resp.Diagnostics)
}

func registryFrom(data any, diags *diag.Diagnostics) *registry.Registry {
	if data == nil {
		return nil // not configured yet: validation runs without a registry
	}
	reg, ok := data.(*registry.Registry)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("Expected *registry.Registry, got %T. This is a bug in the provider.", data))
		return nil
	}
	return reg
}
