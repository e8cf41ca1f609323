# A validation suite is imported by its name.
import {
  to = mlops_validation_suite.transactions_quality
  id = "transactions-quality"
}
