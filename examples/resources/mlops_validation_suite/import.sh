# A validation suite is imported by its name.
terraform import mlops_validation_suite.transactions_quality transactions-quality
