package registry

// This file holds the checks of model aliases: their own fields, and rule
// A1 (an alias names an existing version of its own model in the
// environment).

// CheckModelAlias checks an alias's own fields, without the registry: the
// names, the form of the version id, and the part of A1 the configuration
// alone shows (the version belongs to the alias's model). An empty
// ModelVersionID is one not known yet.
func CheckModelAlias(a ModelAlias) Problems {
	var ps Problems
	if !ValidModelName(a.Model) {
		ps.errorf("", Path{"model_id"}, "Invalid model id",
			"%q is not a valid model name: it must match %s (%s)", a.Model, ModelNamePattern, ModelNameRule)
	}
	if !ValidAliasName(a.Name) {
		ps.errorf("", Path{"name"}, "Invalid alias name",
			"%q is not a valid alias name: it must match %s (%s)", a.Name, AliasNamePattern, AliasNameRule)
	}
	return append(ps, CheckAliasVersionRef(a)...)
}

// CheckAliasVersionRef checks the version id an alias names, without the
// registry: its form, and that it is a version of the alias's model (A1).
// Empty fields are ones not known yet, checked later.
func CheckAliasVersionRef(a ModelAlias) Problems {
	var ps Problems
	if a.ModelVersionID == "" {
		return ps
	}
	model, _, err := ParseModelVersionID(a.ModelVersionID)
	if err != nil {
		ps.errorf("A1", Path{"model_version_id"}, "Invalid model version id", "%s", err.Error())
		return ps
	}
	if a.Model != "" && model != a.Model {
		ps.errorf("A1", Path{"model_version_id"}, "Alias to another model's version",
			"alias %s -> model version %q: that version belongs to model %q, not %q, and an alias names a version of its own model. "+
				"Point model_version_id at a version of %q (such as mlops_model_version.<name>.id), or declare the alias on model %q.",
			aliasLabel(a), a.ModelVersionID, model, a.Model, a.Model, model)
	}
	return ps
}

// CheckAliasTarget is rule A1 with the registry: the version the alias
// names exists in environment env (found). Call it for a version id that
// CheckModelAlias accepts.
func CheckAliasTarget(a ModelAlias, env string, found bool) Problems {
	var ps Problems
	if !found {
		ps.errorf("A1", Path{"model_version_id"}, "Model version not found",
			"alias %s -> model version %q: that version does not exist in environment %q. "+
				"Register it first (an mlops_model_version resource, referenced through its id so that it is created before the alias), "+
				"or point the alias at a version that exists there.",
			a.ID(), a.ModelVersionID, env)
	}
	return ps
}

// aliasLabel names an alias in a message, also when its name is not known
// yet.
func aliasLabel(a ModelAlias) string {
	if a.Name == "" {
		return a.Model + "@<alias>"
	}
	return a.ID()
}
