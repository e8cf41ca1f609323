# A feature view is imported by its id: <name>/<version>.
terraform import mlops_feature_view.fraud fraud_features/1
