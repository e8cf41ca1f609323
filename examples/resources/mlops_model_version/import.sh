# A model version is imported by its id: <model>/<version>.
terraform import mlops_model_version.fraud_v2 fraud/2
