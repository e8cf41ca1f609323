# A feature version is imported by its id: <feature group>/<version>.
terraform import mlops_feature_version.transactions_v2 transactions/2
