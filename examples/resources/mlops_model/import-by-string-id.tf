# A model is imported by its name.
import {
  to = mlops_model.fraud
  id = "fraud"
}
