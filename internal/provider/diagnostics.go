package provider

import (
	"errors"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/mlops-tf/terraform-provider-mlops/internal/registry"
)

// The wording of every diagnostic the provider adds lives here: a summary,
// what is wrong in the user's terms and the fix (from the registry's rule),
// then the underlying error.

// attrPath turns a registry path into a Terraform attribute path under base.
func attrPath(base path.Path, p registry.Path) path.Path {
	for _, step := range p {
		switch s := step.(type) {
		case string:
			base = base.AtName(s)
		case int:
			base = base.AtListIndex(s)
		}
	}
	return base
}

// addProblems adds the registry's problems as diagnostics, errors and
// warnings as the registry rates them.
func addProblems(diags *diag.Diagnostics, ps registry.Problems) {
	for _, p := range ps {
		summary := p.Summary
		if p.Rule != "" {
			summary += " (rule " + p.Rule + ")"
		}
		warn := p.Severity == registry.SeverityWarning
		switch {
		case len(p.Path) == 0 && warn:
			diags.AddWarning(summary, p.Detail)
		case len(p.Path) == 0:
			diags.AddError(summary, p.Detail)
		case warn:
			diags.AddAttributeWarning(attrPath(path.Empty(), p.Path), summary, p.Detail)
		default:
			diags.AddAttributeError(attrPath(path.Empty(), p.Path), summary, p.Detail)
		}
	}
}

// addRegistryError turns an error of a registry call into diagnostics. what
// says what the provider was doing, such as "create feature version
// transactions/2".
func addRegistryError(diags *diag.Diagnostics, what string, err error) {
	var ruleErr *registry.RuleError
	var exists *registry.AlreadyExistsError
	var notFound *registry.NotFoundError
	var conflict *registry.ConflictError
	switch {
	case errors.As(err, &ruleErr):
		addProblems(diags, ruleErr.Problems)
	case errors.As(err, &exists):
		diags.AddError("Cannot "+what+": it already exists", exists.Error())
	case errors.As(err, &notFound):
		diags.AddError("Cannot "+what+": not found", notFound.Error())
	case errors.As(err, &conflict):
		diags.AddError("Cannot "+what+": concurrent change", conflict.Error())
	default:
		diags.AddError("Cannot "+what, "The registry returned an error: "+err.Error())
	}
}

// addHistoryError turns an error of Registry.History into diagnostics: an
// object with no audit record names its kind, id and environment.
func addHistoryError(diags *diag.Diagnostics, kind registry.Kind, id string, err error) {
	var notFound *registry.NotFoundError
	if errors.As(err, &notFound) {
		diags.AddError("No history of "+string(kind)+" "+quote(id),
			"The registry holds no audit record of "+string(kind)+" "+quote(id)+" in environment "+quote(notFound.Environment)+
				": nothing was ever written to it there. Check the kind, the id (as the resource's id attribute shows it) and the provider's environment.")
		return
	}
	addRegistryError(diags, "read the history of "+string(kind)+" "+quote(id), err)
}

// addRegistryURLError adds an error about the registry the URL names.
// Terraform prints the source line of a diagnostic attached to an
// attribute, so when the provider block's URL holds a password the error is
// the provider's as a whole, and says where the password belongs instead.
func addRegistryURLError(diags *diag.Diagnostics, url string, inConfig bool, summary, detail string) {
	if !inConfig || registry.RedactURL(url) == url {
		diags.AddAttributeError(path.Root("registry"), summary, detail)
		return
	}
	diags.AddError(summary, detail+"\n\n"+
		"The registry URL in the provider block holds a password, which Terraform would print with the line that holds it. "+
		"Keep the password out of the configuration: set the URL in the "+EnvRegistry+" environment variable instead, "+
		"or leave the password out of the URL and give it in PGPASSWORD or a PostgreSQL password file (~/.pgpass).")
}

func quote(s string) string { return strconv.Quote(s) }
