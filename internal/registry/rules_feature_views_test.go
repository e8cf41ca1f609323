package registry

import (
	"reflect"
	"testing"
)

// The sources of the views below: transactions/2 keyed by account_id
// (string), accounts/1 keyed by account_id (string), devices/1 keyed by
// account_id of another type (bigint).
var (
	viewTx2      = fv("transactions", 2, feats("account_id", "string", "event_ts", "timestamp", "amount", "double", "is_fraud", "boolean")...)
	viewAccounts = fv("accounts", 1, feats("account_id", "STRING", "age_days", "int", "amount", "double")...)
	viewDevices  = fv("devices", 1, feats("account_id", "bigint", "device_count", "int")...)
)

func fraudView(sources ...FeatureViewSource) FeatureView {
	return FeatureView{Name: "fraud_features", Version: 1, Sources: sources, Labels: []string{"is_fraud"}}
}

var (
	txSource       = FeatureViewSource{FeatureVersionID: "transactions/2"}
	accountsSource = FeatureViewSource{FeatureVersionID: "accounts/1", Features: []string{"account_id", "age_days"}, JoinOn: []string{"account_id"}, Prefix: "acct_"}
)

// TestCheckFeatureViewSources is rule FV1 with the registry, and the schema
// it computes.
func TestCheckFeatureViewSources(t *testing.T) {
	cases := []struct {
		name     string
		view     FeatureView
		versions []*FeatureVersion
		want     []want
		schema   []Feature
	}{
		{
			name:     "the design's view",
			view:     fraudView(txSource, accountsSource),
			versions: []*FeatureVersion{&viewTx2, &viewAccounts},
			schema: feats("account_id", "string", "event_ts", "timestamp", "amount", "double", "is_fraud", "boolean",
				"acct_age_days", "int"),
		},
		{
			name:     "every feature of a joined source, the key once",
			view:     fraudView(txSource, FeatureViewSource{FeatureVersionID: "accounts/1", JoinOn: []string{"account_id"}, Prefix: "acct_"}),
			versions: []*FeatureVersion{&viewTx2, &viewAccounts},
			schema: feats("account_id", "string", "event_ts", "timestamp", "amount", "double", "is_fraud", "boolean",
				"acct_age_days", "int", "acct_amount", "double"),
		},
		{
			name:     "source missing in the environment",
			view:     fraudView(txSource, accountsSource),
			versions: []*FeatureVersion{&viewTx2, nil},
			want: []want{errorAt("FV1", Path{"sources", 1, "feature_version_id"}, "Feature version missing",
				`feature view fraud_features/1 reads feature version accounts/1, which does not exist in environment "prod"`)},
		},
		{
			name:     "selected feature missing",
			view:     fraudView(txSource, FeatureViewSource{FeatureVersionID: "accounts/1", Features: []string{"age_days", "tenure"}, JoinOn: []string{"account_id"}}),
			versions: []*FeatureVersion{&viewTx2, &viewAccounts},
			want: []want{errorAt("FV1", Path{"sources", 1, "features", 1}, "Selected feature missing",
				`feature view fraud_features/1 selects "tenure" from source 2 (accounts/1), which feature version accounts/1 does not have (it has account_id, age_days, amount)`)},
		},
		{
			name:     "join on a key the right side lacks",
			view:     fraudView(txSource, FeatureViewSource{FeatureVersionID: "accounts/1", Features: []string{"age_days"}, JoinOn: []string{"event_ts"}}),
			versions: []*FeatureVersion{&viewTx2, &viewAccounts},
			want: []want{errorAt("FV1", Path{"sources", 1, "join_on", 0}, "Join key missing",
				`feature view fraud_features/1 joins source 2 (accounts/1) on "event_ts", which feature version accounts/1 does not have`)},
		},
		{
			name:     "join on a key the left side lacks",
			view:     fraudView(FeatureViewSource{FeatureVersionID: "transactions/2", Features: []string{"amount", "is_fraud"}}, accountsSource),
			versions: []*FeatureVersion{&viewTx2, &viewAccounts},
			want: []want{errorAt("FV1", Path{"sources", 1, "join_on", 0}, "Join key missing",
				`feature view fraud_features/1 joins source 2 (accounts/1) on "account_id", which is not an output feature of the sources before it (amount, is_fraud)`)},
		},
		{
			name:     "join keys of different types",
			view:     fraudView(txSource, FeatureViewSource{FeatureVersionID: "devices/1", JoinOn: []string{"account_id"}}),
			versions: []*FeatureVersion{&viewTx2, &viewDevices},
			want: []want{errorAt("FV1", Path{"sources", 1, "join_on", 0}, "Join key type mismatch",
				`feature view fraud_features/1 joins source 2 (devices/1) on "account_id", which is string on the left (source 1 (transactions/2)) but bigint in feature version devices/1`)},
		},
		{
			name:     "duplicate output names",
			view:     fraudView(txSource, FeatureViewSource{FeatureVersionID: "accounts/1", JoinOn: []string{"account_id"}}),
			versions: []*FeatureVersion{&viewTx2, &viewAccounts},
			want: []want{errorAt("FV1", Path{"sources", 1, "feature_version_id"}, "Duplicate output feature",
				`feature view fraud_features/1 outputs "amount" from source 1 (transactions/2) and from source 2 (accounts/1)`, "set a prefix on source 2")},
		},
		{
			name:     "label not among the outputs",
			view:     FeatureView{Name: "fraud_features", Version: 1, Sources: []FeatureViewSource{txSource, accountsSource}, Labels: []string{"age_days"}},
			versions: []*FeatureVersion{&viewTx2, &viewAccounts},
			want: []want{errorAt("FV1", Path{"labels", 0}, "Label not among the outputs",
				`feature view fraud_features/1 labels "age_days", which is not one of its output features`, "acct_age_days")},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			schema, ps := CheckFeatureViewSources(c.view, "prod", c.versions)
			expectProblems(t, ps, c.want...)
			if !reflect.DeepEqual(schema, c.schema) {
				t.Errorf("schema = %v, want %v", schema, c.schema)
			}
		})
	}
}

// TestCheckFeatureView is what the configuration alone shows.
func TestCheckFeatureView(t *testing.T) {
	cases := []struct {
		name string
		view FeatureView
		want []want
	}{
		{"the design's view", fraudView(txSource, accountsSource), nil},
		{"no sources", FeatureView{Name: "v", Version: 1}, []want{errorAt("FV1", Path{"sources"}, "No sources")}},
		{"invalid name and version", FeatureView{Name: "Fraud", Version: 0, Sources: []FeatureViewSource{txSource}},
			[]want{errorAt("", Path{"name"}, "Invalid feature view name"), errorAt("", Path{"version"})}},
		{"first source joins", fraudView(FeatureViewSource{FeatureVersionID: "transactions/2", JoinOn: []string{"account_id"}}),
			[]want{errorAt("FV1", Path{"sources", 0, "join_on"}, "First source joins on nothing")}},
		{"later source without keys", fraudView(txSource, FeatureViewSource{FeatureVersionID: "accounts/1", Prefix: "acct_"}),
			[]want{errorAt("FV1", Path{"sources", 1, "join_on"}, "Join keys missing", "source 2 joins the sources before it")}},
		{"bad id and prefix, empty selection", fraudView(txSource, FeatureViewSource{FeatureVersionID: "accounts", Features: []string{}, JoinOn: []string{"account_id"}, Prefix: "Acct"}),
			[]want{
				errorAt("FV1", Path{"sources", 1, "feature_version_id"}, "Invalid feature version id"),
				errorAt("FV1", Path{"sources", 1, "features"}, "No features selected"),
				errorAt("FV1", Path{"sources", 1, "prefix"}, "Invalid prefix"),
			}},
		{"duplicate output names the configuration shows", FeatureView{Name: "v", Version: 1, Sources: []FeatureViewSource{
			{FeatureVersionID: "transactions/2", Features: []string{"account_id", "amount"}},
			{FeatureVersionID: "accounts/1", Features: []string{"account_id", "amount"}, JoinOn: []string{"account_id"}},
		}}, []want{errorAt("FV1", Path{"sources", 1, "features", 1}, "Duplicate output feature",
			`feature view v/1 outputs "amount" from source 1 (transactions/2) and from source 2 (accounts/1)`)}},
		{"join on a key the listed left side lacks", FeatureView{Name: "v", Version: 1, Sources: []FeatureViewSource{
			{FeatureVersionID: "transactions/2", Features: []string{"amount"}},
			{FeatureVersionID: "accounts/1", JoinOn: []string{"account_id"}},
		}}, []want{errorAt("FV1", Path{"sources", 1, "join_on", 0}, "Join key missing", "(amount)")}},
		{"label not among listed outputs", FeatureView{Name: "v", Version: 1, Labels: []string{"is_fraud", "is_fraud"}, Sources: []FeatureViewSource{
			{FeatureVersionID: "transactions/2", Features: []string{"amount"}},
		}}, []want{
			errorAt("FV1", Path{"labels", 1}, "Duplicate label"),
			errorAt("FV1", Path{"labels", 0}, "Label not among the outputs"),
			errorAt("FV1", Path{"labels", 1}, "Label not among the outputs"),
		}},
		{"labels wait for the outputs of a source that selects all", fraudView(txSource, accountsSource), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { expectProblems(t, CheckFeatureView(c.view), c.want...) })
	}
}

func TestCheckFeatureViewChange(t *testing.T) {
	prior := fraudView(txSource, accountsSource)
	same := prior
	same.Description, same.Tags = "new words", map[string]string{"team": "risk"}
	expectProblems(t, CheckFeatureViewChange(prior, same))
	for name, next := range map[string]FeatureView{
		"labels":  fraudView(txSource, accountsSource),
		"prefix":  fraudView(txSource, FeatureViewSource{FeatureVersionID: "accounts/1", Features: []string{"account_id", "age_days"}, JoinOn: []string{"account_id"}, Prefix: "a_"}),
		"all now": fraudView(txSource, FeatureViewSource{FeatureVersionID: "accounts/1", JoinOn: []string{"account_id"}, Prefix: "acct_"}),
	} {
		if name == "labels" {
			next.Labels = nil
		}
		t.Run(name, func(t *testing.T) {
			expectProblems(t, CheckFeatureViewChange(prior, next), errorAt("FV1", nil, "Feature view cannot change in place", "declare a new version (version = 2)"))
		})
	}
}

// TestCheckInputsThroughViews is rule M2 on a view's outputs: an input may
// name one (qualified by the view's name), never a label.
func TestCheckInputsThroughViews(t *testing.T) {
	view := fraudView(txSource, accountsSource)
	view.Schema, _ = CheckFeatureViewSources(view, "prod", []*FeatureVersion{&viewTx2, &viewAccounts})
	pay1 := fv("payments", 1, feats("payment_id", "string", "amount", "decimal(12,2)")...)
	cases := []struct {
		name   string
		inputs []Input
		want   []want
	}{
		{"outputs of the view", []Input{{Feature: "acct_age_days", Type: "int"}, {Feature: "fraud_features.event_ts"}}, nil},
		{"a label is not served", []Input{{Feature: "is_fraud"}}, []want{errorAt("M2", Path{"inputs", 0, "feature"}, "Input is a label",
			`model version fraud/2 reads input "is_fraud", which feature view fraud_features/1 declares as a training label`)}},
		{"ambiguous between a version and the view", []Input{{Feature: "amount"}}, []want{errorAt("M2", Path{"inputs", 0, "feature"}, "Ambiguous input",
			"payments/1 and feature view fraud_features/1", "view.feature")}},
		{"type through the view", []Input{{Feature: "acct_age_days", Type: "string"}}, []want{errorAt("M2", Path{"inputs", 0, "type"}, "Input type mismatch",
			`but feature view fraud_features/1 declares "acct_age_days" as int`)}},
		{"not found names the views", []Input{{Feature: "age_days"}}, []want{errorAt("M2", Path{"inputs", 0, "feature"}, "Input not found",
			"(payments/1, feature view fraud_features/1)")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectProblems(t, CheckInputs("fraud/2", c.inputs, []FeatureVersion{pay1}, []FeatureView{view}), c.want...)
		})
	}
}

// TestCheckServedThroughViews is D2 along deployment -> model version ->
// feature view -> feature version, each link named.
func TestCheckServedThroughViews(t *testing.T) {
	view := fraudView(txSource, accountsSource)
	mv := ModelVersion{Model: "fraud", Version: 3, FeatureViewIDs: []string{"fraud_features/1", "risk_features/2"}}
	served := []ServedVersion{{
		ID: "fraud/3", Version: &mv,
		Found: map[string]FeatureVersion{"transactions/2": viewTx2},
		Views: map[string]FeatureView{"fraud_features/1": view},
	}}
	expectProblems(t, CheckServed("fraud-scoring", "prod", served),
		errorAt("D2", Path{"model_version_id"}, "Feature version missing for a served model",
			`deployment fraud-scoring -> model version fraud/3 -> feature view fraud_features/1 -> feature version accounts/1: feature version accounts/1 does not exist in environment "prod"`),
		errorAt("D2", Path{"model_version_id"}, "Feature view missing for a served model",
			`deployment fraud-scoring -> model version fraud/3 -> feature view risk_features/2: feature view risk_features/2 does not exist in environment "prod"`),
	)
}
