package provider

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

var (
	_ datasource.DataSource              = &auditDataSource{}
	_ datasource.DataSourceWithConfigure = &auditDataSource{}
)

// The number of records mlops_audit reads: auditDefaultLimit when limit is
// unset, at most auditMaxLimit.
const (
	auditDefaultLimit = 20
	auditMaxLimit     = 1000
)

// NewAuditDataSource returns the mlops_audit data source.
func NewAuditDataSource() datasource.DataSource { return &auditDataSource{} }

type auditDataSource struct {
	dataSourceBase
}

type auditDataSourceModel struct {
	Kind    types.String       `tfsdk:"kind"`
	ID      types.String       `tfsdk:"id"`
	Limit   types.Number       `tfsdk:"limit"`
	Records []auditRecordModel `tfsdk:"records"`
}

type auditRecordModel struct {
	Action types.String `tfsdk:"action"`
	Actor  types.String `tfsdk:"actor"`
	At     types.String `tfsdk:"at"`
	Before types.String `tfsdk:"before"`
	After  types.String `tfsdk:"after"`
}

func (d *auditDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_audit"
}

func (d *auditDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the audit trail of one object of the provider's environment, newest first: " +
			"who created, changed or deleted it, when, and the object before and after each write.\n\n" +
			"The trail outlives the object: a deleted object's history starts with its delete, and an object deleted " +
			"and created again under the same id continues the trail of the one before. " +
			"An id with no audit record in the environment is an error. " +
			"An environment's policy (`kind = \"environment\"`, `id` its name) has its trail in the environment it governs, " +
			"whatever the provider's environment.",
		Attributes: map[string]schema.Attribute{
			"kind": schema.StringAttribute{
				MarkdownDescription: "Kind of the object: one of " + codeList(registry.KindNames()) + ".",
				Required:            true,
				Validators:          []validator.String{stringvalidator.OneOf(registry.KindNames()...)},
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "Id of the object, as its resource's `id` shows it: `fraud`, `transactions/2`, `fraud/2`.",
				Required:            true,
			},
			"limit": schema.NumberAttribute{
				MarkdownDescription: fmt.Sprintf("Most records to read, the newest: a whole number from 1 to %d. Unset: %d, which this attribute then holds.",
					auditMaxLimit, auditDefaultLimit),
				Optional:   true,
				Computed:   true,
				Validators: []validator.Number{wholeNumberBetween{min: 1, max: auditMaxLimit}},
			},
			"records": schema.ListNestedAttribute{
				MarkdownDescription: "The object's audit records, newest first (the order of the writes), at most `limit`.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"action": schema.StringAttribute{MarkdownDescription: "`create`, `update` or `delete`.", Computed: true},
						"actor":  schema.StringAttribute{MarkdownDescription: "Who wrote: the `actor` of the provider that wrote.", Computed: true},
						"at":     schema.StringAttribute{MarkdownDescription: "When (RFC 3339, UTC, to the second).", Computed: true},
						"before": schema.StringAttribute{
							MarkdownDescription: "The object before the write, as the registry's JSON (read it with `jsondecode`); null on `create`.",
							Computed:            true,
						},
						"after": schema.StringAttribute{
							MarkdownDescription: "The object after the write, as the registry's JSON; null on `delete`.",
							Computed:            true,
						},
					},
				},
			},
		},
	}
}

func (d *auditDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg auditDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	kind, ok := registry.KindNamed(cfg.Kind.ValueString())
	if !ok { // the validator refuses it before Read
		resp.Diagnostics.AddAttributeError(path.Root("kind"), "Invalid kind",
			"kind must be one of "+strings.Join(registry.KindNames(), ", ")+", got: "+cfg.Kind.ValueString())
		return
	}
	limit := int64(auditDefaultLimit)
	if !cfg.Limit.IsNull() {
		limit, _ = cfg.Limit.ValueBigFloat().Int64() // validated: 1 to auditMaxLimit
	}
	recs, err := d.reg.History(ctx, kind, cfg.ID.ValueString(), int(limit))
	if err != nil {
		addHistoryError(&resp.Diagnostics, kind, cfg.ID.ValueString(), err)
		return
	}
	cfg.Limit = types.NumberValue(new(big.Float).SetInt64(limit))
	cfg.Records = make([]auditRecordModel, len(recs))
	for i, r := range recs {
		cfg.Records[i] = auditRecordModel{
			Action: types.StringValue(r.Action),
			Actor:  types.StringValue(r.Actor),
			At:     types.StringValue(formatTime(r.At)),
			Before: optionalString(r.Before),
			After:  optionalString(r.After),
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, cfg)...)
}
