# A model version is imported by its id: <model>/<version>.
import {
  to = mlops_model_version.fraud_v2
  id = "fraud/2"
}
