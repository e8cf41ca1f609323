# A pipeline is imported by its name.
import {
  to = mlops_pipeline.transactions_v1
  id = "transactions-v1"
}
