# A feature view is imported by its id: <name>/<version>.
import {
  to = mlops_feature_view.fraud
  id = "fraud_features/1"
}
