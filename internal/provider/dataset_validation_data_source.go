package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
	"github.com/mlops-tf/terraform-provider-mlops/internal/registry/dataset"
)

var (
	_ datasource.DataSource                   = &datasetValidationDataSource{}
	_ datasource.DataSourceWithConfigure      = &datasetValidationDataSource{}
	_ datasource.DataSourceWithValidateConfig = &datasetValidationDataSource{}
)

// NewDatasetValidationDataSource returns the mlops_dataset_validation data
// source.
func NewDatasetValidationDataSource() datasource.DataSource { return &datasetValidationDataSource{} }

type datasetValidationDataSource struct {
	dataSourceBase
}

type datasetValidationModel struct {
	Suite            types.String `tfsdk:"suite"`
	Path             types.String `tfsdk:"path"`
	Format           types.String `tfsdk:"format"`
	FeatureVersionID types.String `tfsdk:"feature_version_id"`
	NullValues       types.List   `tfsdk:"null_values"`
	Success          types.Bool   `tfsdk:"success"`
	RowCount         types.Int64  `tfsdk:"row_count"`
	Results          types.List   `tfsdk:"results"`
}

var datasetResultAttrTypes = map[string]attr.Type{
	"index": types.Int64Type, "type": types.StringType, "column": types.StringType, "severity": types.StringType,
	"success": types.BoolType, "observed_value": types.StringType, "element_count": types.Int64Type,
	"missing_count": types.Int64Type, "unexpected_count": types.Int64Type, "unexpected_percent": types.Float64Type,
}

func (d *datasetValidationDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_dataset_validation"
}

func (d *datasetValidationDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Runs a data validation suite of the provider's environment on a local file (CSV, JSON Lines or Parquet) " +
			"and returns whether it passes, with a result per expectation, in Great Expectations' terms. Use it in a `check` block: " +
			"a failing assertion is a warning, so `terraform plan` and `apply` report bad data without failing.\n\n" +
			"The file is read when Terraform reads the data source (every plan and refresh), in one streaming pass: memory does not " +
			"grow with the number of rows, except for `expect_column_values_to_be_unique`, which keeps each distinct value " +
			"and compares values exactly (about 35 MiB per million distinct values of 11 characters). Unless `GOMEMLIMIT` is set, the provider's soft memory limit " +
			"(48 MiB) follows a larger live heap at four times its size; set `GOMEMLIMIT` to bound the process instead. " +
			"Parquet files are read row group by row group, only the columns " +
			"the suite names.\n\n" +
			"Semantics are those of Great Expectations 1.x's pandas engine; the guide and the documentation of this data source " +
			"list them with each difference.",
		Attributes: map[string]schema.Attribute{
			"suite": schema.StringAttribute{
				MarkdownDescription: "Name of a data validation suite (one with `feature_version_id`) in the provider's environment.",
				Required:            true,
				Validators:          []validator.String{suiteNameValidator()},
			},
			"path": schema.StringAttribute{
				MarkdownDescription: "Path of the file to validate, relative to Terraform's working directory unless absolute " +
					"(`\"${path.module}/data.csv\"` for a file next to the module).",
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"format": schema.StringAttribute{
				MarkdownDescription: "File format: `csv` (a header row, then records; an empty field is null), `jsonl` (JSON Lines: " +
					"one object per line) or `parquet`. Unset: from the file's extension (`.csv`, `.jsonl` or `.ndjson`, `.parquet`).",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.OneOf(dataset.Formats...)},
			},
			"feature_version_id": schema.StringAttribute{
				MarkdownDescription: "The feature version the suite targets; its feature types say which columns are numeric or boolean.",
				Computed:            true,
			},
			"null_values": schema.ListAttribute{
				MarkdownDescription: "CSV fields read as null, compared exactly. Unset: pandas' default `na_values` (" +
					nullValuesMarkdown() + "), as Great Expectations' pandas engine reads CSV files. Set, it replaces them " +
					"(pandas' `na_values=[...]` with `keep_default_na=False`): `[\"\"]` makes only an empty field null, `[]` none. " +
					"JSON Lines and Parquet have their own nulls.",
				Optional:    true,
				ElementType: types.StringType,
			},
			"success": schema.BoolAttribute{
				MarkdownDescription: "Whether every expectation of severity `error` holds.",
				Computed:            true,
			},
			"row_count": schema.Int64Attribute{
				MarkdownDescription: "Number of rows in the file.",
				Computed:            true,
			},
			"results": schema.ListNestedAttribute{
				MarkdownDescription: "A result per expectation of the suite, in its order.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"index":    schema.Int64Attribute{MarkdownDescription: "Position of the expectation in the suite, from 0.", Computed: true},
						"type":     schema.StringAttribute{MarkdownDescription: "Expectation type.", Computed: true},
						"column":   schema.StringAttribute{MarkdownDescription: "Column; null for table expectations.", Computed: true},
						"severity": schema.StringAttribute{MarkdownDescription: "`error` or `warning`.", Computed: true},
						"success":  schema.BoolAttribute{MarkdownDescription: "Whether the expectation holds.", Computed: true},
						"observed_value": schema.StringAttribute{
							MarkdownDescription: "What was found: the mean, the row count, `2 null values`, `1 value out of range`, `column missing`…",
							Computed:            true,
						},
						"element_count": schema.Int64Attribute{MarkdownDescription: "Number of rows.", Computed: true},
						"missing_count": schema.Int64Attribute{MarkdownDescription: "Number of null values in the column.", Computed: true},
						"unexpected_count": schema.Int64Attribute{
							MarkdownDescription: "Number of values that fail the expectation (nulls for `expect_column_values_to_not_be_null`, " +
								"non-numeric values for `expect_column_mean_to_be_between`).",
							Computed: true,
						},
						"unexpected_percent": schema.Float64Attribute{
							MarkdownDescription: "`unexpected_count` per 100 non-null values (per 100 rows for `expect_column_values_to_not_be_null`); 0 without any.",
							Computed:            true,
						},
					},
				},
			},
		},
	}
}

// ValidateConfig refuses, from the configuration alone, a path whose format
// cannot be told. The file itself is read only by Read.
func (d *datasetValidationDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var cfg datasetValidationModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !known(cfg.Path) || !cfg.Format.IsNull() {
		return
	}
	if _, err := dataset.DetectFormat(cfg.Path.ValueString(), ""); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("format"), "Unknown dataset format", err.Error()+".")
	}
}

func (d *datasetValidationDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg datasetValidationModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name, file := cfg.Suite.ValueString(), cfg.Path.ValueString()
	s, err := d.reg.Suite(ctx, name)
	if err != nil {
		addLookupError(&resp.Diagnostics, "validation suite", err)
		return
	}
	if s.FeatureVersion == "" {
		resp.Diagnostics.AddAttributeError(path.Root("suite"), "Not a data suite",
			fmt.Sprintf("Validation suite %q targets model %q: its expectations are release gates on model metrics, which do not apply to a "+
				"dataset. mlops_dataset_validation runs data suites, those with feature_version_id.", s.Name, s.Model))
		return
	}
	fv := d.featureVersion(ctx, s, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	format, err := dataset.DetectFormat(file, cfg.Format.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("format"), "Unknown dataset format", err.Error()+".")
		return
	}
	start := time.Now()
	opts := dataset.Options{}
	if !cfg.NullValues.IsNull() {
		opts.NullValues = []string{}
		resp.Diagnostics.Append(cfg.NullValues.ElementsAs(ctx, &opts.NullValues, false)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	rep, err := dataset.ValidateWith(ctx, file, format, s.Expectations, fv, opts)
	if err != nil {
		addDatasetError(&resp.Diagnostics, s.Name, file, format, err)
		return
	}
	tflog.Debug(ctx, "validated dataset", map[string]any{
		"suite": s.Name, "path": file, "format": format, "rows": rep.RowCount, "success": rep.Success,
		"duration_ms": time.Since(start).Milliseconds(),
	})
	state := datasetValidationModel{
		Suite:            cfg.Suite,
		Path:             cfg.Path,
		Format:           types.StringValue(format),
		FeatureVersionID: types.StringValue(s.FeatureVersion),
		NullValues:       cfg.NullValues,
		Success:          types.BoolValue(rep.Success),
		RowCount:         types.Int64Value(rep.RowCount),
		Results:          datasetResultsToList(rep.Results, &resp.Diagnostics),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// featureVersion reads the suite's feature version, whose types say which
// columns are numeric. A feature version that is gone leaves every CSV
// column text, with a warning.
func (d *datasetValidationDataSource) featureVersion(ctx context.Context, s registry.ValidationSuite, diags *diag.Diagnostics) *registry.FeatureVersion {
	group, version, err := registry.ParseFeatureVersionID(s.FeatureVersion)
	if err != nil {
		diags.AddError("Invalid validation suite", fmt.Sprintf("Validation suite %q has feature_version_id %q: %s.", s.Name, s.FeatureVersion, err))
		return nil
	}
	fv, err := d.reg.FeatureVersion(ctx, group, version)
	if registry.IsNotFound(err) {
		diags.AddAttributeWarning(path.Root("suite"), "Feature version not found",
			fmt.Sprintf("Validation suite %q targets feature version %s, which does not exist in environment %q; the file's columns are "+
				"checked without its feature types (CSV values are text unless a bound applies to their column).",
				s.Name, s.FeatureVersion, d.reg.Environment()))
		return nil
	}
	if err != nil {
		addRegistryError(diags, "read feature version "+s.FeatureVersion, err)
		return nil
	}
	return &fv
}

// nullValuesMarkdown lists the default null markers as code.
func nullValuesMarkdown() string {
	quoted := make([]string, len(dataset.DefaultNullValues))
	for i, v := range dataset.DefaultNullValues {
		quoted[i] = "`\"" + v + "\"`"
	}
	return strings.Join(quoted, ", ")
}

func addDatasetError(diags *diag.Diagnostics, suite, file, format string, err error) {
	switch {
	case errors.Is(err, os.ErrNotExist):
		diags.AddAttributeError(path.Root("path"), "Dataset file not found",
			fmt.Sprintf("Cannot run validation suite %q on %q: the file does not exist. A relative path is relative to Terraform's "+
				"working directory; use \"${path.module}/...\" for a file next to the module. (%s)", suite, file, err))
	case errors.Is(err, os.ErrPermission):
		diags.AddAttributeError(path.Root("path"), "Dataset file not readable",
			fmt.Sprintf("Cannot run validation suite %q on %q: permission denied. (%s)", suite, file, err))
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		diags.AddError("Dataset validation interrupted", fmt.Sprintf("Validation suite %q on %q: %s.", suite, file, err))
	default:
		diags.AddAttributeError(path.Root("path"), "Cannot read dataset file",
			fmt.Sprintf("Cannot run validation suite %q on %q as %s: %s.", suite, file, strings.ToUpper(format), err))
	}
}

func datasetResultsToList(results []dataset.Result, diags *diag.Diagnostics) types.List {
	elems := make([]attr.Value, len(results))
	for i, r := range results {
		obj, d := types.ObjectValue(datasetResultAttrTypes, map[string]attr.Value{
			"index": types.Int64Value(int64(r.Index)), "type": types.StringValue(r.Type), "column": optionalString(r.Column),
			"severity": types.StringValue(r.Severity), "success": types.BoolValue(r.Success),
			"observed_value": types.StringValue(r.ObservedValue), "element_count": types.Int64Value(r.ElementCount),
			"missing_count": types.Int64Value(r.MissingCount), "unexpected_count": types.Int64Value(r.UnexpectedCount),
			"unexpected_percent": types.Float64Value(r.UnexpectedPercent),
		})
		diags.Append(d...)
		elems[i] = obj
	}
	l, d := types.ListValue(types.ObjectType{AttrTypes: datasetResultAttrTypes}, elems)
	diags.Append(d...)
	return l
}
