# A deployment is imported by its name.
import {
  to = mlops_deployment.fraud
  id = "fraud-scoring"
}
