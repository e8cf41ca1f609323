# A feature group is imported by its name.
import {
  to = mlops_feature_group.transactions
  id = "transactions"
}
