# A feature version is imported by its id: <feature group>/<version>.
import {
  to = mlops_feature_version.transactions_v2
  id = "transactions/2"
}
