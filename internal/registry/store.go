package registry

import "context"

// Store is the registry's storage. A store knows tables and transactions,
// not rules: the Registry runs every rule inside Update, so a store added
// later (PostgreSQL) inherits them all.
type Store interface {
	// View runs fn with a reader. Reads need not share one transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in one write transaction, committed when fn returns
	// nil and rolled back otherwise. Writers are serialised: what fn reads
	// is not changed by another writer before the commit.
	Update(ctx context.Context, fn func(Tx) error) error
	// Close releases the store.
	Close() error
}

// Tx reads and writes the tables of one store. Getters return a
// *NotFoundError when the object does not exist. Update and delete methods
// take the revision the caller read and return a *ConflictError when the
// object has changed since.
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
	// DeploymentsServing lists the names of the deployments that serve a
	// model version, as main version or canary, sorted.
	DeploymentsServing(ctx context.Context, env, modelVersionID string) ([]string, error)
	InsertDeployment(ctx context.Context, env string, d Deployment) error
	UpdateDeployment(ctx context.Context, env string, d Deployment) error
	DeleteDeployment(ctx context.Context, env, name string, revision int64) error

	Suite(ctx context.Context, env, name string) (ValidationSuite, error)
	// SuitesFor lists the suites that target a feature version or a model
	// (by id), sorted by name.
	SuitesFor(ctx context.Context, env string, target Ref) ([]ValidationSuite, error)
	InsertSuite(ctx context.Context, env string, s ValidationSuite) error
	UpdateSuite(ctx context.Context, env string, s ValidationSuite) error
	DeleteSuite(ctx context.Context, env, name string, revision int64) error

	// AppendAudit records one write.
	AppendAudit(ctx context.Context, rec AuditRecord) error
	// Audit lists the audit trail of one object, oldest first.
	Audit(ctx context.Context, env string, kind Kind, id string) ([]AuditRecord, error)
}
