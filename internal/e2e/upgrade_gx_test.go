package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestUpgradeGreatExpectations1x: on a state written before
// great_expectations_json_v0 existed, the plan is empty, and the planned
// values of both Great Expectations attributes are known, each in its
// format: great_expectations_json in 1.x's, great_expectations_json_v0 in
// 0.18's.
func TestUpgradeGreatExpectations1x(t *testing.T) {
	w := newWorkdir(t)
	w.copyUpgradeFixture()
	w.expectEmptyPlan()
	w.must("plan", "-out=upgrade.tfplan", "-no-color")
	var plan struct {
		ResourceChanges []struct {
			Address string `json:"address"`
			Change  struct {
				Actions      []string        `json:"actions"`
				After        map[string]any  `json:"after"`
				AfterUnknown map[string]bool `json:"after_unknown"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(w.must("show", "-json", "upgrade.tfplan").stdout), &plan); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, rc := range plan.ResourceChanges {
		if !strings.HasPrefix(rc.Address, "mlops_validation_suite.") {
			continue
		}
		seen++
		if len(rc.Change.Actions) != 1 || rc.Change.Actions[0] != "no-op" {
			t.Errorf("%s: actions %v, want no-op", rc.Address, rc.Change.Actions)
		}
		for attr, key := range map[string]string{"great_expectations_json": `"name":`, "great_expectations_json_v0": `"expectation_suite_name":`} {
			v, _ := rc.Change.After[attr].(string)
			if rc.Change.AfterUnknown[attr] || !strings.Contains(v, key) {
				t.Errorf("%s: %s is not known in its format (unknown %v): %q", rc.Address, attr, rc.Change.AfterUnknown[attr], v)
			}
		}
	}
	if seen != 2 {
		t.Errorf("%d validation suites in the plan, want 2", seen)
	}
}
