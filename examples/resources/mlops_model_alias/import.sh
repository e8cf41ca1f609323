# A model alias is imported by its id: <model>@<alias>.
terraform import mlops_model_alias.champion fraud@champion
