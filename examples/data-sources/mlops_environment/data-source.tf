# What prod requires, read from any workspace: policies are global.
data "mlops_environment" "prod" {
  name = "prod"
}

output "prod_requires_approval" {
  value = data.mlops_environment.prod.require_approval
}
