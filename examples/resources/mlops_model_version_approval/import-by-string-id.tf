# An approval is imported by its id: the model version's id, <model>/<version>.
import {
  to = mlops_model_version_approval.fraud_v2
  id = "fraud/2"
}
