# An approval is imported by its id: the model version's id, <model>/<version>.
terraform import mlops_model_version_approval.fraud_v2 fraud/2
