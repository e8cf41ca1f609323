# A model is imported by its name.
terraform import mlops_model.fraud fraud
