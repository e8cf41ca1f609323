# A deployment is imported by its name.
terraform import mlops_deployment.fraud fraud-scoring
