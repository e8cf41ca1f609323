# The id of an alias, without a registry lookup:
# provider::mlops::model_alias_id("fraud", "champion") is "fraud@champion".
import {
  to = mlops_model_alias.champion
  id = provider::mlops::model_alias_id("fraud", "champion")
}

resource "mlops_model_alias" "champion" {
  model_id         = "fraud"
  name             = "champion"
  model_version_id = "fraud/2"
}
