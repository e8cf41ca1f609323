# An environment's policy is imported by the environment's name.
import {
  to = mlops_environment.prod
  id = "prod"
}
