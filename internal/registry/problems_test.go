package registry

import (
	"strings"
	"testing"
)

// TestAlreadyExistsErrorShowsImport: the refusal of a create that found
// its object gives both ways to import it, an import block and the
// command, with the object's id and a placeholder for the resource's
// address: the registry does not know the address, and a guess (g_126 for
// mlops_feature_group.g["126"]) would be wrong.
func TestAlreadyExistsErrorShowsImport(t *testing.T) {
	for _, c := range []struct {
		kind Kind
		id   string
	}{
		{KindFeatureGroup, "g126"},
		{KindFeatureVersion, "transactions/2"},
		{KindModelVersion, "fraud/2"},
		{KindDeployment, "fraud-scoring"},
	} {
		msg := (&AlreadyExistsError{Kind: c.kind, ID: c.id, Environment: "prod"}).Error()
		for _, want := range []string{
			string(c.kind) + ` "` + c.id + `" already exists in environment "prod"`,
			"import block",
			"  import {\n    to = <address of this resource>\n    id = \"" + c.id + "\"\n  }\n",
			"terraform import <address of this resource> " + c.id,
		} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s %s: the message lacks %q:\n%s", c.kind, c.id, want, msg)
			}
		}
		if strings.Contains(msg, "mlops_") || strings.Contains(msg, "<resource address>") {
			t.Errorf("%s %s: the message guesses or half-names an address:\n%s", c.kind, c.id, msg)
		}
	}
}
