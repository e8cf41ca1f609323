# A model alias is imported by its id: <model>@<alias>.
import {
  to = mlops_model_alias.champion
  id = "fraud@champion"
}
