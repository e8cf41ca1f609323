# A feature group is imported by its name.
terraform import mlops_feature_group.transactions transactions
