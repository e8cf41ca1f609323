# A pipeline is imported by its name.
terraform import mlops_pipeline.transactions_v1 transactions-v1
