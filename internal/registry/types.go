package registry

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Kind names a kind of registry object, in the words diagnostics use.
type Kind string

// The kinds of registry object.
const (
	KindFeatureGroup   Kind = "feature group"
	KindFeatureVersion Kind = "feature version"
	KindModel          Kind = "model"
	KindModelVersion   Kind = "model version"
	KindDeployment     Kind = "deployment"
	KindSuite          Kind = "validation suite"
	KindModelAlias     Kind = "model alias"
	KindApproval       Kind = "model version approval"
	KindEnvironment    Kind = "environment"
	KindFeatureView    Kind = "feature view"
	KindPipeline       Kind = "pipeline"
)

// Ref names one object of an environment.
type Ref struct {
	Kind Kind
	ID   string
	// ServedBy names the deployments that serve a model version, when a
	// message should say so.
	ServedBy []string
	// Rollback marks a deployment that names a model version as its
	// rollback version.
	Rollback bool
}

func (r Ref) String() string {
	s := fmt.Sprintf("%s %q", r.Kind, r.ID)
	if len(r.ServedBy) > 0 {
		s += " (served by deployment " + strings.Join(r.ServedBy, ", ") + ")"
	}
	return s
}

// The name patterns are compiled here, once; the provider's validators use
// the Valid functions below rather than compiling them again.
var (
	nameRE        = regexp.MustCompile(NamePattern)
	modelNameRE   = regexp.MustCompile(ModelNamePattern)
	environmentRE = regexp.MustCompile(EnvironmentPattern)
)

// Each name pattern has one description in words, its Rule: every message
// about a name that does not match, at validate, at plan or at apply, says
// it in these words.

// NamePattern is the pattern of feature group and feature names.
const NamePattern = `^[a-z][a-z0-9_]{0,62}$`

// NameRule describes NamePattern.
const NameRule = "lower-case letters, digits and underscores, starting with a letter, at most 63 characters"

// ValidName reports whether s is a valid feature group or feature name.
func ValidName(s string) bool { return nameRE.MatchString(s) }

// ModelNamePattern is the pattern of model names.
const ModelNamePattern = `^[a-z][a-z0-9_-]{0,62}$`

// ModelNameRule describes ModelNamePattern.
const ModelNameRule = "lower-case letters, digits, underscores and dashes, starting with a letter, at most 63 characters"

// ValidModelName reports whether s is a valid model name.
func ValidModelName(s string) bool { return modelNameRE.MatchString(s) }

// EnvironmentPattern is the pattern of environment names.
const EnvironmentPattern = `^[a-z][a-z0-9-]{0,62}$`

// EnvironmentRule describes EnvironmentPattern.
const EnvironmentRule = "lower-case letters, digits and dashes, starting with a letter, at most 63 characters"

// DefaultEnvironment is the environment used when none is configured.
const DefaultEnvironment = "default"

// ValidEnvironment reports whether s is a valid environment name.
func ValidEnvironment(s string) bool { return environmentRE.MatchString(s) }

// CheckEnvironment refuses an environment name that is not valid, in the
// words every refusal of one uses; the provider checks a configured
// environment with it before it opens the registry, and New again.
func CheckEnvironment(env string) error {
	if !ValidEnvironment(env) {
		return fmt.Errorf("environment %q is not valid: it must match %s (%s)", env, EnvironmentPattern, EnvironmentRule)
	}
	return nil
}

// DeploymentNamePattern is the pattern of deployment names: that of
// environment names.
const DeploymentNamePattern = EnvironmentPattern

// DeploymentNameRule describes DeploymentNamePattern.
const DeploymentNameRule = EnvironmentRule

// ValidDeploymentName reports whether s is a valid deployment name.
func ValidDeploymentName(s string) bool { return environmentRE.MatchString(s) }

// SuiteNameRule describes SuiteNamePattern, that of model names.
const SuiteNameRule = ModelNameRule

// ValidSuiteName reports whether s is a valid validation suite name.
func ValidSuiteName(s string) bool { return modelNameRE.MatchString(s) }

// FeatureGroup is a set of features about one entity, keyed by primary_key.
type FeatureGroup struct {
	Name          string            `json:"name"`
	PrimaryKey    []string          `json:"primary_key"`
	EventTime     string            `json:"event_time,omitempty"` // "" when the group has none
	OnlineEnabled bool              `json:"online_enabled"`
	Description   string            `json:"description,omitempty"`
	Tags          map[string]string `json:"tags"` // nil and empty are kept apart
	CreatedAt     time.Time         `json:"created_at"`
	Revision      int64             `json:"revision"`
}

// ID is the feature group's id: its name.
func (g FeatureGroup) ID() string { return g.Name }

// Feature is one column of a feature version's schema. Type keeps the
// spelling it was written with; compare types with FeatureTypesEqual.
type Feature struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
}

// FeatureVersion is an immutable-schema version of a feature group.
type FeatureVersion struct {
	Group       string    `json:"feature_group"`
	Version     int64     `json:"version"`
	Features    []Feature `json:"features"`
	Deprecated  bool      `json:"deprecated"`
	Description string    `json:"description,omitempty"`
	SchemaHash  string    `json:"schema_hash"`
	CreatedAt   time.Time `json:"created_at"`
	Revision    int64     `json:"revision"`
}

// ID is the feature version's id, "group/version".
func (v FeatureVersion) ID() string { return FeatureVersionID(v.Group, v.Version) }

// FeatureVersionID formats a feature version id.
func FeatureVersionID(group string, version int64) string {
	return group + "/" + strconv.FormatInt(version, 10)
}

// Model is a named model whose versions are registered artifacts.
type Model struct {
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Tags        map[string]string `json:"tags"`
	CreatedAt   time.Time         `json:"created_at"`
	Revision    int64             `json:"revision"`
}

// ID is the model's id: its name.
func (m Model) ID() string { return m.Name }

// Input is one model input: a feature of the listed feature versions,
// written "feature" or, where two versions have it, "group.feature". Type,
// when set, must equal the feature's type.
type Input struct {
	Feature string `json:"feature"`
	Type    string `json:"type,omitempty"`
}

// ModelVersion is a trained artifact of a model and the feature versions it
// reads.
type ModelVersion struct {
	Model          string `json:"model"`
	Version        int64  `json:"version"`
	ArtifactURI    string `json:"artifact_uri"`
	ArtifactDigest string `json:"artifact_digest,omitempty"`
	// FeatureVersionIDs are the feature versions read, sorted.
	FeatureVersionIDs []string `json:"feature_version_ids"`
	// FeatureViewIDs are the feature views read, sorted; a model version
	// reads at least one feature version or feature view.
	FeatureViewIDs []string `json:"feature_view_ids,omitempty"`
	// Inputs nil means every feature of the listed versions.
	Inputs []Input `json:"inputs"`
	// Metrics hold each metric's decimal text as written, so that it reads
	// back exactly; MetricValue parses one.
	Metrics     map[string]string `json:"metrics"`
	Description string            `json:"description,omitempty"`
	Tags        map[string]string `json:"tags"`
	CreatedAt   time.Time         `json:"created_at"`
	Revision    int64             `json:"revision"`
}

// ID is the model version's id, "model/version".
func (v ModelVersion) ID() string { return ModelVersionID(v.Model, v.Version) }

// ModelVersionID formats a model version id.
func ModelVersionID(model string, version int64) string {
	return model + "/" + strconv.FormatInt(version, 10)
}

// MetricValue returns a metric as a number.
func (v ModelVersion) MetricValue(name string) (float64, bool) {
	s, ok := v.Metrics[name]
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// Canary is a second model version that takes a share of the traffic.
type Canary struct {
	ModelVersion string `json:"model_version_id"`
	Percent      int64  `json:"percent"`
}

// Shadow is a model version that receives a copy of a sample of the
// deployment's requests; its answers are discarded, so it takes no share of
// the traffic.
type Shadow struct {
	ModelVersion  string `json:"model_version_id"`
	SamplePercent int64  `json:"sample_percent"`
}

// Replicas bound a deployment's replica count.
type Replicas struct {
	Min int64 `json:"min"`
	Max int64 `json:"max"`
}

// DefaultReplicas are a deployment's replicas when none are configured.
var DefaultReplicas = Replicas{Min: 1, Max: 1}

// The statuses of a deployment.
const (
	StatusServing = "serving" // one model version takes all traffic
	StatusCanary  = "canary"  // a canary takes a share of the traffic
)

// Deployment serves a model version, and optionally a canary and a shadow,
// in an environment.
type Deployment struct {
	Name         string    `json:"name"`
	ModelVersion string    `json:"model_version_id"`
	Canary       *Canary   `json:"canary,omitempty"`
	Shadow       *Shadow   `json:"shadow,omitempty"`
	Replicas     Replicas  `json:"replicas"`
	PromoteFrom  string    `json:"promote_from,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	Revision     int64     `json:"revision"`
	// Rollback is the model version to fall back to (rule D10), not
	// served; "" for none.
	Rollback string `json:"rollback_model_version_id,omitempty"`
}

// ID is the deployment's id: its name.
func (d Deployment) ID() string { return d.Name }

// Status is what the deployment does with its traffic: StatusServing or
// StatusCanary. It follows from the configuration alone.
func (d Deployment) Status() string {
	if d.Canary != nil {
		return StatusCanary
	}
	return StatusServing
}

// The roles of the model versions a deployment serves.
const (
	RoleMain   = "main"   // takes the traffic the canary does not
	RoleCanary = "canary" // takes a share of the traffic
	RoleShadow = "shadow" // receives a copy of a sample of the traffic
)

// Served lists the model versions the deployment serves: the main one, then
// the canary, then the shadow. Every rule of a served version applies to
// each of them.
func (d Deployment) Served() []string {
	ids := []string{d.ModelVersion}
	if d.Canary != nil {
		ids = append(ids, d.Canary.ModelVersion)
	}
	if d.Shadow != nil {
		ids = append(ids, d.Shadow.ModelVersion)
	}
	return ids
}

// ServedRoles lists the role of each model version of Served, in the same
// order.
func (d Deployment) ServedRoles() []string {
	roles := []string{RoleMain}
	if d.Canary != nil {
		roles = append(roles, RoleCanary)
	}
	if d.Shadow != nil {
		roles = append(roles, RoleShadow)
	}
	return roles
}

// parseVersionedID splits an id of the form "name/version" (feature versions,
// model versions); validName checks the name part, a nameKind matching
// pattern.
func parseVersionedID(kind Kind, id string, nameKind string, validName func(string) bool, pattern string) (string, int64, error) {
	name, ver, ok := strings.Cut(id, "/")
	if !ok || name == "" {
		return "", 0, fmt.Errorf("%s id %q must have the form <name>/<version>, such as %q", kind, id, exampleID(kind))
	}
	n, err := strconv.ParseInt(ver, 10, 64)
	if err != nil || n < 1 || strconv.FormatInt(n, 10) != ver {
		return "", 0, fmt.Errorf("%s id %q must end in a version number of 1 or more, such as %q", kind, id, exampleID(kind))
	}
	if !validName(name) {
		return "", 0, fmt.Errorf("%s id %q: %q is not a valid %s (%s)", kind, id, name, nameKind, pattern)
	}
	return name, n, nil
}

// ParseFeatureVersionID splits "group/version".
func ParseFeatureVersionID(id string) (string, int64, error) {
	return parseVersionedID(KindFeatureVersion, id, "feature group name", ValidName, NamePattern)
}

// ParseModelVersionID splits "model/version".
func ParseModelVersionID(id string) (string, int64, error) {
	return parseVersionedID(KindModelVersion, id, "model name", ValidModelName, ModelNamePattern)
}

// ParseFeatureViewID splits "view/version".
func ParseFeatureViewID(id string) (string, int64, error) {
	return parseVersionedID(KindFeatureView, id, "feature view name", ValidName, NamePattern)
}

func exampleID(kind Kind) string {
	switch kind {
	case KindModelVersion:
		return "fraud/2"
	case KindFeatureView:
		return "fraud_features/1"
	}
	return "transactions/2"
}

// ModelAlias is a name, such as "champion", that points at one version of
// a model. Moving it is an update.
type ModelAlias struct {
	Model string `json:"model"`
	Name  string `json:"name"`
	// ModelVersionID is the version it points at, "model/version".
	ModelVersionID string    `json:"model_version_id"`
	Description    string    `json:"description,omitempty"`
	UpdatedAt      time.Time `json:"updated_at"`
	Revision       int64     `json:"revision"`
}

// ID is the alias's id, "model@alias".
func (a ModelAlias) ID() string { return ModelAliasID(a.Model, a.Name) }

// ModelAliasID formats a model alias id.
func ModelAliasID(model, alias string) string { return model + "@" + alias }

// AliasNamePattern is the pattern of alias names: that of model names.
const AliasNamePattern = ModelNamePattern

// AliasNameRule describes AliasNamePattern.
const AliasNameRule = ModelNameRule

// ValidAliasName reports whether s is a valid alias name.
func ValidAliasName(s string) bool { return modelNameRE.MatchString(s) }

// ParseModelAliasID splits "model@alias".
func ParseModelAliasID(id string) (model, alias string, err error) {
	model, alias, ok := strings.Cut(id, "@")
	if !ok || model == "" || alias == "" {
		return "", "", fmt.Errorf("%s id %q must have the form <model>@<alias>, such as \"fraud@champion\"", KindModelAlias, id)
	}
	if !ValidModelName(model) {
		return "", "", fmt.Errorf("%s id %q: %q is not a valid model name (%s)", KindModelAlias, id, model, ModelNameRule)
	}
	if !ValidAliasName(alias) {
		return "", "", fmt.Errorf("%s id %q: %q is not a valid alias name (%s)", KindModelAlias, id, alias, AliasNameRule)
	}
	return model, alias, nil
}

// Approval statuses. A model version without an Approval in an environment
// is pending there.
const (
	ApprovalApproved = "approved"
	ApprovalRejected = "rejected"
)

// Approval is the decision on one model version in one environment: its
// id is the model version's id. It holds the artifact decided on; once the
// model version's artifact differs, the approval is void.
type Approval struct {
	ModelVersionID string `json:"model_version_id"`
	// Status is ApprovalApproved or ApprovalRejected.
	Status   string `json:"status"`
	Approver string `json:"approver"`
	Reason   string `json:"reason,omitempty"`
	// ArtifactURI and ArtifactDigest are the model version's artifact
	// when it was decided on.
	ArtifactURI    string    `json:"artifact_uri"`
	ArtifactDigest string    `json:"artifact_digest,omitempty"`
	ApprovedAt     time.Time `json:"approved_at"`
	Revision       int64     `json:"revision"`
}

// ID is the approval's id: its model version's id.
func (a Approval) ID() string { return a.ModelVersionID }

// EnvironmentPolicy is what an environment requires of the deployments in
// it (rules D6 to D9). Policies are not namespaced by the provider's
// environment: a platform configuration writes those of every environment.
type EnvironmentPolicy struct {
	Name string `json:"name"`
	// PromoteFrom is the one environment deployments here are promoted
	// from; "" for none.
	PromoteFrom     string `json:"promote_from,omitempty"`
	RequireApproval bool   `json:"require_approval"`
	// RequiredGates are the names of the suites every served model version
	// must pass here, sorted.
	RequiredGates []string  `json:"required_gates"`
	Protected     bool      `json:"protected"`
	Description   string    `json:"description,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Revision      int64     `json:"revision"`
}

// ID is the policy's id: the environment's name.
func (p EnvironmentPolicy) ID() string { return p.Name }

// ValidationSuite is a set of expectations on a feature version's data or
// on a model's metrics.
type ValidationSuite struct {
	Name string `json:"name"`
	// FeatureVersion is the target of a data suite, Model of a model suite;
	// exactly one is set.
	FeatureVersion  string        `json:"feature_version_id,omitempty"`
	Model           string        `json:"model_id,omitempty"`
	IngestionPolicy string        `json:"ingestion_policy,omitempty"`
	Expectations    []Expectation `json:"expectations"`
	CreatedAt       time.Time     `json:"created_at"`
	Revision        int64         `json:"revision"`
}

// AuditRecord is one row of the audit trail: every write records one.
type AuditRecord struct {
	Environment string
	Kind        Kind
	ObjectID    string
	Action      string // create, update, delete
	Before      string // JSON of the object before the write; "" on create
	After       string // JSON of the object after the write; "" on delete
	At          time.Time
	Actor       string
}

// FeatureViewSource is one source of a feature view: features of a feature
// version, joined to the sources before it.
type FeatureViewSource struct {
	FeatureVersionID string `json:"feature_version_id"`
	// Features are the names selected, in output order; nil selects every
	// feature of the feature version, in its order.
	Features []string `json:"features"`
	// JoinOn are the key names the source joins on: features of this
	// source equal to output features of the sources before it. The first
	// source has none.
	JoinOn []string `json:"join_on"`
	// Prefix is put before the names of this source's output features.
	Prefix string `json:"prefix,omitempty"`
}

// FeatureView is a versioned selection of features joined from feature
// versions, which model versions read (Hopsworks feature views, Feast
// feature services). Its sources and labels never change: a change is a
// new version.
type FeatureView struct {
	Name    string              `json:"name"`
	Version int64               `json:"version"`
	Sources []FeatureViewSource `json:"sources"`
	// Labels are output features used as training labels, not served.
	Labels      []string          `json:"labels"`
	Description string            `json:"description,omitempty"`
	Tags        map[string]string `json:"tags"`
	// Schema is the resulting features with their canonical types, in
	// order; SchemaHash its SchemaHash. Both are computed when the view is
	// created.
	Schema     []Feature `json:"schema"`
	SchemaHash string    `json:"schema_hash"`
	CreatedAt  time.Time `json:"created_at"`
	Revision   int64     `json:"revision"`
}

// ID is the feature view's id, "name/version".
func (v FeatureView) ID() string { return FeatureViewID(v.Name, v.Version) }

// FeatureViewID formats a feature view id.
func FeatureViewID(name string, version int64) string {
	return name + "/" + strconv.FormatInt(version, 10)
}

// FeatureVersionIDs lists the feature versions the view reads, sorted.
func (v FeatureView) FeatureVersionIDs() []string {
	ids := make([]string, len(v.Sources))
	for i, s := range v.Sources {
		ids[i] = s.FeatureVersionID
	}
	return SortedIDs(ids)
}
