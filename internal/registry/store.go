package registry

import "context"

// Store is the registry's storage. A store knows tables and transactions,
// not rules: the Registry runs every rule inside Update, so every store
// (the SQLite file, PostgreSQL) inherits them all.
//
// Opening a store and View never write: a registry that does not exist yet
// (a missing SQLite file, a database without the registry's tables) reads
// as empty, and the first Update creates it.
type Store interface {
	// View runs fn with a reader. Reads need not share one transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in one write transaction on environment env, committed
	// when fn returns nil and rolled back otherwise (also when fn panics).
	// Writers of one environment are serialised: what fn reads is not
	// changed by another writer before the commit. Writers of different
	// environments do not wait for or fail each other. fn may run more
	// than once when the database reports a conflict; it must only read
	// and write through its Tx.
	Update(ctx context.Context, env string, fn func(Tx) error) error
	// Close releases the store.
	Close() error
}

// Tx reads and writes the tables of one store. Getters return a
// *NotFoundError when the object does not exist.
//
// Revisions: an Update method takes the object as it is to be written, its
// Revision one more than the revision the caller read, and writes it only
// if the stored revision is still the one read. A Delete method takes the
// revision the caller read. Both return a *ConflictError when the object
// has changed since (or is gone).
type Tx interface {
	FeatureGroup(ctx context.Context, env, name string) (FeatureGroup, error)
	InsertFeatureGroup(ctx context.Context, env string, g FeatureGroup) error
	UpdateFeatureGroup(ctx context.Context, env string, g FeatureGroup) error
	DeleteFeatureGroup(ctx context.Context, env, name string, revision int64) error

	FeatureVersion(ctx context.Context, env, group string, version int64) (FeatureVersion, error)
	// FeatureVersions lists a group's versions, lowest version first.
	FeatureVersions(ctx context.Context, env, group string) ([]FeatureVersion, error)
	InsertFeatureVersion(ctx context.Context, env string, v FeatureVersion) error
	UpdateFeatureVersion(ctx context.Context, env string, v FeatureVersion) error
	DeleteFeatureVersion(ctx context.Context, env, group string, version int64, revision int64) error

	Model(ctx context.Context, env, name string) (Model, error)
	InsertModel(ctx context.Context, env string, m Model) error
	UpdateModel(ctx context.Context, env string, m Model) error
	DeleteModel(ctx context.Context, env, name string, revision int64) error

	ModelVersion(ctx context.Context, env, model string, version int64) (ModelVersion, error)
	// ModelVersions lists a model's versions, lowest version first.
	ModelVersions(ctx context.Context, env, model string) ([]ModelVersion, error)
	// ModelVersionsReading lists the ids of the model versions that read a
	// feature version, sorted.
	ModelVersionsReading(ctx context.Context, env, featureVersionID string) ([]string, error)
	InsertModelVersion(ctx context.Context, env string, v ModelVersion) error
	UpdateModelVersion(ctx context.Context, env string, v ModelVersion) error
	DeleteModelVersion(ctx context.Context, env, model string, version int64, revision int64) error

	Deployment(ctx context.Context, env, name string) (Deployment, error)
	// Deployments lists the deployments of env, sorted by name.
	Deployments(ctx context.Context, env string) ([]Deployment, error)
	// DeploymentsServing lists the names of the deployments that serve a
	// model version, as main version or canary, sorted.
	DeploymentsServing(ctx context.Context, env, modelVersionID string) ([]string, error)
	InsertDeployment(ctx context.Context, env string, d Deployment) error
	UpdateDeployment(ctx context.Context, env string, d Deployment) error
	DeleteDeployment(ctx context.Context, env, name string, revision int64) error

	ModelAlias(ctx context.Context, env, model, name string) (ModelAlias, error)
	// ModelAliases lists a model's aliases, sorted by name.
	ModelAliases(ctx context.Context, env, model string) ([]ModelAlias, error)
	// AliasesOf lists the ids of the aliases that point at a model version,
	// sorted.
	AliasesOf(ctx context.Context, env, modelVersionID string) ([]string, error)
	InsertModelAlias(ctx context.Context, env string, a ModelAlias) error
	UpdateModelAlias(ctx context.Context, env string, a ModelAlias) error
	DeleteModelAlias(ctx context.Context, env, model, name string, revision int64) error

	// Approval reads the approval of a model version in env.
	Approval(ctx context.Context, env, model string, version int64) (Approval, error)
	// Approvals lists the approvals of a model's versions in env, lowest
	// version first.
	Approvals(ctx context.Context, env, model string) ([]Approval, error)
	InsertApproval(ctx context.Context, env string, a Approval) error
	UpdateApproval(ctx context.Context, env string, a Approval) error
	DeleteApproval(ctx context.Context, env, model string, version int64, revision int64) error

	// Environment reads the policy of an environment. Policies are not
	// namespaced by environment: there is one per environment name.
	Environment(ctx context.Context, name string) (EnvironmentPolicy, error)
	// Environments lists every environment's policy, sorted by name.
	Environments(ctx context.Context) ([]EnvironmentPolicy, error)
	InsertEnvironment(ctx context.Context, p EnvironmentPolicy) error
	UpdateEnvironment(ctx context.Context, p EnvironmentPolicy) error
	DeleteEnvironment(ctx context.Context, name string, revision int64) error

	FeatureView(ctx context.Context, env, name string, version int64) (FeatureView, error)
	// LatestFeatureView reads the highest version of a feature view.
	LatestFeatureView(ctx context.Context, env, name string) (FeatureView, error)
	// FeatureViewsReading lists the ids of the feature views that read a
	// feature version, sorted.
	FeatureViewsReading(ctx context.Context, env, featureVersionID string) ([]string, error)
	// ModelVersionsReadingView lists the ids of the model versions that
	// read a feature view, sorted.
	ModelVersionsReadingView(ctx context.Context, env, featureViewID string) ([]string, error)
	InsertFeatureView(ctx context.Context, env string, v FeatureView) error
	UpdateFeatureView(ctx context.Context, env string, v FeatureView) error
	DeleteFeatureView(ctx context.Context, env, name string, version int64, revision int64) error
	// DeploymentsRollingBackTo lists the names of the deployments whose
	// rollback version is a model version, sorted.
	DeploymentsRollingBackTo(ctx context.Context, env, modelVersionID string) ([]string, error)

	Pipeline(ctx context.Context, env, name string) (Pipeline, error)
	// PipelinesWriting lists the pipelines whose writes name a feature
	// version, sorted by name.
	PipelinesWriting(ctx context.Context, env, featureVersionID string) ([]Pipeline, error)
	// PipelinesNaming lists the names of the pipelines whose reads or
	// writes name obj (a feature version, a model or a deployment), sorted.
	PipelinesNaming(ctx context.Context, env string, obj Ref) ([]string, error)
	// HasFeaturePipelines reports whether env holds a pipeline of kind
	// feature.
	HasFeaturePipelines(ctx context.Context, env string) (bool, error)
	InsertPipeline(ctx context.Context, env string, p Pipeline) error
	UpdatePipeline(ctx context.Context, env string, p Pipeline) error
	DeletePipeline(ctx context.Context, env, name string, revision int64) error

	Suite(ctx context.Context, env, name string) (ValidationSuite, error)
	// SuitesFor lists the suites that target a feature version or a model
	// (by id), sorted by name.
	SuitesFor(ctx context.Context, env string, target Ref) ([]ValidationSuite, error)
	InsertSuite(ctx context.Context, env string, s ValidationSuite) error
	UpdateSuite(ctx context.Context, env string, s ValidationSuite) error
	DeleteSuite(ctx context.Context, env, name string, revision int64) error

	// Written reports whether environment env holds any object or any
	// audit record: false for an environment nothing was ever written to
	// (and for a registry that does not exist yet).
	Written(ctx context.Context, env string) (bool, error)

	// AppendAudit records one write.
	AppendAudit(ctx context.Context, rec AuditRecord) error
	// Audit lists the audit trail of one object, oldest first.
	Audit(ctx context.Context, env string, kind Kind, id string) ([]AuditRecord, error)
	// RecentAudit lists the newest records of one object's audit trail,
	// newest first (the order of the writes), at most limit (1 or more).
	RecentAudit(ctx context.Context, env string, kind Kind, id string, limit int) ([]AuditRecord, error)
}
