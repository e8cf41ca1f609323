# An environment's policy is imported by the environment's name.
terraform import mlops_environment.prod prod
