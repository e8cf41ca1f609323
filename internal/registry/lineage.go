package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Lineage is what a deployment serves: its model versions and the feature
// versions they read, for review.
type Lineage struct {
	Environment string
	Deployment  Deployment
	Served      []ServedLineage
}

// ServedLineage is one served model version.
type ServedLineage struct {
	ModelVersion string
	Role         string // RoleMain, RoleCanary or RoleShadow
	Percent      int64  // share of the traffic; for the shadow, of the requests copied to it
	// FeatureVersions are the feature versions it reads; Missing those of
	// them the environment lacks (rule D2).
	FeatureVersions []string
	Missing         []string
	// FeatureViews are the feature views it reads.
	FeatureViews []ViewLineage
	// Absent is true when the environment lacks the model version itself.
	Absent bool
}

// ViewLineage is one feature view a served model version reads.
type ViewLineage struct {
	ID string
	// FeatureVersions are the feature versions it reads; Missing those of
	// them the environment lacks (rule D2).
	FeatureVersions []string
	Missing         []string
	// Absent is true when the environment lacks the feature view itself.
	Absent bool
}

// Lineage reads the lineage of a deployment of this environment.
func (r *Registry) Lineage(ctx context.Context, deployment string) (Lineage, error) {
	l := Lineage{Environment: r.env}
	err := r.view(ctx, "lineage of "+deployment, func(tx Tx) error {
		d, err := tx.Deployment(ctx, r.env, deployment)
		if err != nil {
			return err
		}
		l.Deployment = d
		roles := d.ServedRoles()
		for i, id := range d.Served() {
			sl := ServedLineage{ModelVersion: id, Role: roles[i], Percent: 100}
			switch roles[i] {
			case RoleMain:
				if d.Canary != nil {
					sl.Percent = 100 - d.Canary.Percent
				}
			case RoleCanary:
				sl.Percent = d.Canary.Percent
			case RoleShadow:
				sl.Percent = d.Shadow.SamplePercent
			}
			s, err := r.servedVersion(ctx, tx, id)
			if err != nil {
				return err
			}
			if s.Version == nil {
				sl.Absent = true
			} else {
				sl.FeatureVersions = s.Version.FeatureVersionIDs
				sl.Missing = absentFrom(sl.FeatureVersions, s.Found)
				for _, viewID := range s.Version.FeatureViewIDs {
					vl := ViewLineage{ID: viewID}
					if v, ok := s.Views[viewID]; ok {
						vl.FeatureVersions = v.FeatureVersionIDs()
						vl.Missing = absentFrom(vl.FeatureVersions, s.Found)
					} else {
						vl.Absent = true
					}
					sl.FeatureViews = append(sl.FeatureViews, vl)
				}
			}
			l.Served = append(l.Served, sl)
		}
		return nil
	})
	return l, err
}

// FeatureViewIDs lists the ids of the feature views the served version
// reads, and everything it reads that the environment lacks: its missing
// feature versions, then, view by view, a missing view or the feature
// versions it reads that are missing. Neither is nil.
func (s ServedLineage) FeatureViewIDs() (views, missing []string) {
	views = []string{}
	missing = append([]string{}, s.Missing...)
	for _, v := range s.FeatureViews {
		views = append(views, v.ID)
		if v.Absent {
			missing = append(missing, v.ID)
		}
		for _, fv := range v.Missing {
			if !slices.Contains(missing, fv) {
				missing = append(missing, fv)
			}
		}
	}
	return views, missing
}

// absentFrom lists the ids that found lacks.
func absentFrom(ids []string, found map[string]FeatureVersion) []string {
	var missing []string
	for _, id := range ids {
		if _, ok := found[id]; !ok {
			missing = append(missing, id)
		}
	}
	return missing
}

// Mermaid renders the lineage as a Mermaid flowchart, for a review comment
// or a README. Objects the environment lacks are drawn in red.
func (l Lineage) Mermaid() string {
	var b strings.Builder
	b.WriteString("graph LR\n")
	dep := "deployment_" + mermaidID(l.Deployment.Name)
	fmt.Fprintf(&b, "  %s[\"deployment %s<br/>environment %s\"]\n", dep, l.Deployment.Name, l.Environment)
	var missing []string
	seen := map[string]bool{}
	node := func(kind, id string, absent bool) string {
		n := strings.ReplaceAll(kind, " ", "_") + "_" + mermaidID(id)
		if !seen[n] {
			seen[n] = true
			fmt.Fprintf(&b, "  %s[\"%s %s\"]\n", n, kind, id)
			if absent {
				missing = append(missing, n)
			}
		}
		return n
	}
	for _, s := range l.Served {
		mv := node("model version", s.ModelVersion, s.Absent)
		label := fmt.Sprintf("%d%%", s.Percent)
		if s.Role != RoleMain {
			label = s.Role + " " + label
		}
		if s.Role == RoleShadow { // a copy of the traffic: dotted
			fmt.Fprintf(&b, "  %s -. \"%s\" .-> %s\n", dep, label, mv)
		} else {
			fmt.Fprintf(&b, "  %s -- \"%s\" --> %s\n", dep, label, mv)
		}
		for _, fv := range s.FeatureVersions {
			fmt.Fprintf(&b, "  %s --> %s\n", mv, node("feature version", fv, slices.Contains(s.Missing, fv)))
		}
		for _, v := range s.FeatureViews {
			drawn := seen["feature_view_"+mermaidID(v.ID)]
			view := node("feature view", v.ID, v.Absent)
			fmt.Fprintf(&b, "  %s --> %s\n", mv, view)
			if drawn {
				continue // a view both served versions read: its sources are drawn
			}
			for _, fv := range v.FeatureVersions {
				fmt.Fprintf(&b, "  %s --> %s\n", view, node("feature version", fv, slices.Contains(v.Missing, fv)))
			}
		}
	}
	if len(missing) > 0 {
		b.WriteString("  classDef missing fill:#fdd,stroke:#c00,color:#900\n")
		fmt.Fprintf(&b, "  class %s missing\n", strings.Join(missing, ","))
	}
	return b.String()
}

// mermaidID turns an object id into a Mermaid node id.
func mermaidID(id string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, id)
}
