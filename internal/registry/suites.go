package registry

import (
	"context"
)

// Suite reads a validation suite of this environment.
func (r *Registry) Suite(ctx context.Context, name string) (ValidationSuite, error) {
	var s ValidationSuite
	err := r.view(ctx, "validation suite "+name, func(tx Tx) error {
		var err error
		s, err = tx.Suite(ctx, r.env, name)
		return err
	})
	return s, err
}

// SuitePlan is what plan knows of a suite: unknown targets are "" (with
// TargetKnown false), unknown expectation fields are listed in each
// expectation's Unknown.
type SuitePlan struct {
	Suite       ValidationSuite
	TargetKnown bool
}

// CheckSuitePlan runs at plan time the checks that need the registry: the
// target exists, and each expectation fits the target feature version's
// schema (V1). It also renders the suite's Great Expectations JSON when
// everything it needs is known (empty otherwise).
func (r *Registry) CheckSuitePlan(ctx context.Context, p SuitePlan) (Problems, GreatExpectations, error) {
	var (
		ps     Problems
		geJSON GreatExpectations
	)
	err := r.view(ctx, "plan validation suite "+p.Suite.Name, func(tx Tx) error {
		if !p.TargetKnown {
			return nil
		}
		tx = r.run.over(tx)
		var fv *FeatureVersion
		var err error
		ps, fv, err = r.checkSuite(ctx, tx, p.Suite)
		if err != nil || ps.HasErrors() || !expectationsKnown(p.Suite.Expectations) {
			return err
		}
		if p.Suite.Model != "" {
			more, err := r.servedGateFailures(ctx, tx, p.Suite)
			if err != nil {
				return err
			}
			ps = append(ps, more...)
		}
		geJSON, err = RenderGreatExpectations(p.Suite, fv)
		return err
	})
	return ps, geJSON, err
}

func expectationsKnown(exps []Expectation) bool {
	for _, e := range exps {
		if len(e.Unknown) > 0 {
			return false
		}
	}
	return true
}

// checkSuite is shared by plan and write: the target exists and the
// expectations fit it. It returns the target feature version of a data
// suite.
func (r *Registry) checkSuite(ctx context.Context, tx Tx, s ValidationSuite) (Problems, *FeatureVersion, error) {
	var ps Problems
	switch {
	case s.FeatureVersion != "":
		group, version, err := ParseFeatureVersionID(s.FeatureVersion)
		if err != nil {
			return ps, nil, nil //nolint:nilerr // a malformed id is refused by CheckSuite, not here
		}
		fv, err := tx.FeatureVersion(ctx, r.env, group, version)
		if isNotFound(err) {
			ps.errorf("V1", Path{"feature_version_id"}, "Feature version not found",
				"validation suite %s targets feature version %s, which does not exist in environment %q; apply it first, or fix the id", nameOrNew(s.Name), s.FeatureVersion, r.env)
			return ps, nil, nil
		}
		if err != nil {
			return nil, nil, err
		}
		if fv.Features == nil {
			return ps, nil, nil // planned in this run, its features not known yet
		}
		return CheckExpectationsAgainstSchema(s.Name, fv, s.Expectations), &fv, nil
	case s.Model != "":
		if _, err := tx.Model(ctx, r.env, s.Model); isNotFound(err) {
			ps.errorf("V1", Path{"model_id"}, "Model not found",
				"validation suite %s targets model %q, which does not exist in environment %q; apply it first, or fix the id", nameOrNew(s.Name), s.Model, r.env)
		} else if err != nil {
			return nil, nil, err
		}
	}
	return ps, nil, nil
}

// servedGateFailures warns, for a model suite, of every model version that
// a deployment serves and that fails its gates: nothing running changes,
// but the next change to that deployment will be refused (D3).
func (r *Registry) servedGateFailures(ctx context.Context, tx Tx, s ValidationSuite) (Problems, error) {
	versions, err := tx.ModelVersions(ctx, r.env, s.Model)
	if err != nil {
		return nil, err
	}
	var ps Problems
	for i := range versions {
		deployments, err := tx.DeploymentsServing(ctx, r.env, versions[i].ID())
		if err != nil {
			return nil, err
		}
		for _, d := range deployments {
			served := []ServedVersion{{ID: versions[i].ID(), Version: &versions[i]}}
			for _, p := range CheckGates(d, served, []ValidationSuite{s}) {
				if p.Severity == SeverityError {
					ps.warnf("D3", Path{"expectations"}, "A served model version fails this gate",
						"%s. It keeps serving: the gate applies to the next change of deployment %s, which will be refused until it serves a version that passes", p.Detail, d)
				}
			}
		}
	}
	return ps, nil
}

// GreatExpectationsJSON renders a stored suite in Great Expectations' JSON,
// in the 1.x and 0.18 formats.
func (r *Registry) GreatExpectationsJSON(ctx context.Context, s ValidationSuite) (GreatExpectations, error) {
	var out GreatExpectations
	err := r.view(ctx, "render validation suite "+s.Name, func(tx Tx) error {
		_, fv, err := r.checkSuite(ctx, tx, s)
		if err != nil {
			return err
		}
		out, err = RenderGreatExpectations(s, fv)
		return err
	})
	return out, err
}

// normalised returns the suite as the registry keeps it: every severity
// written out.
func (s ValidationSuite) normalised() ValidationSuite {
	exps := make([]Expectation, len(s.Expectations))
	for i, e := range s.Expectations {
		e.Severity = e.EffectiveSeverity()
		e.Unknown = nil
		exps[i] = e
	}
	s.Expectations = exps
	return s
}

// CreateSuite creates a validation suite; V1 holds or nothing is written.
func (r *Registry) CreateSuite(ctx context.Context, s ValidationSuite) (ValidationSuite, error) {
	s = s.normalised()
	if err := CheckSuite(s).Err(); err != nil {
		return ValidationSuite{}, err
	}
	s.CreatedAt = r.timestamp()
	s.Revision = 1
	err := r.write(ctx, KindSuite, s.Name, "create", func(tx Tx) (any, any, error) {
		if _, err := tx.Suite(ctx, r.env, s.Name); err == nil {
			return nil, nil, &AlreadyExistsError{Kind: KindSuite, ID: s.Name, Environment: r.env}
		} else if !isNotFound(err) {
			return nil, nil, err
		}
		if err := r.checkSuiteErr(ctx, tx, s); err != nil {
			return nil, nil, err
		}
		return nil, s, tx.InsertSuite(ctx, r.env, s)
	})
	if err != nil {
		return ValidationSuite{}, err
	}
	return s, nil
}

// UpdateSuite changes a suite's expectations and ingestion policy.
func (r *Registry) UpdateSuite(ctx context.Context, s ValidationSuite) (ValidationSuite, error) {
	s = s.normalised()
	if err := CheckSuite(s).Err(); err != nil {
		return ValidationSuite{}, err
	}
	var out ValidationSuite
	err := r.write(ctx, KindSuite, s.Name, "update", func(tx Tx) (any, any, error) {
		prior, err := tx.Suite(ctx, r.env, s.Name)
		if err != nil {
			return nil, nil, err
		}
		if err := checkRevision(KindSuite, s.Name, r.env, s.Revision, prior.Revision); err != nil {
			return nil, nil, err
		}
		if prior.FeatureVersion != s.FeatureVersion || prior.Model != s.Model {
			var ps Problems
			ps.errorf("V1", nil, "Target cannot change in place",
				"validation suite %s targets %s; a suite for another target is a new suite", s.Name, prior.targetName())
			return nil, nil, ps.Err()
		}
		if err := r.checkSuiteErr(ctx, tx, s); err != nil {
			return nil, nil, err
		}
		out = s
		out.CreatedAt = prior.CreatedAt
		out.Revision = prior.Revision + 1
		return prior, out, tx.UpdateSuite(ctx, r.env, out)
	})
	if err != nil {
		return ValidationSuite{}, err
	}
	return out, nil
}

func (r *Registry) checkSuiteErr(ctx context.Context, tx Tx, s ValidationSuite) error {
	ps, _, err := r.checkSuite(ctx, tx, s)
	if err != nil {
		return err
	}
	return ps.Err()
}

// DeleteSuite deletes a validation suite. Deleting one that is already gone
// succeeds.
func (r *Registry) DeleteSuite(ctx context.Context, name string, opts ...WriteOption) error {
	return r.deleteObject(ctx, opts, Ref{Kind: KindSuite, ID: name},
		func(tx Tx) (any, int64, error) {
			s, err := tx.Suite(ctx, r.env, name)
			return s, s.Revision, err
		},
		func(tx Tx, revision int64) error { return tx.DeleteSuite(ctx, r.env, name, revision) })
}

func (s ValidationSuite) targetName() string {
	if s.FeatureVersion != "" {
		return "feature version " + s.FeatureVersion
	}
	return "model " + s.Model
}
