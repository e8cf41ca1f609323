terraform {
  required_providers {
    mlops = {
      source = "mlops-tf/mlops"
    }
  }
}

provider "mlops" {
  # The registry that holds the objects; here the default, written out.
  # Unset, it falls back to the MLOPS_REGISTRY environment variable, then to
  # the embedded default: a SQLite file, mlops-registry.db, in the working
  # directory.
  #   sqlite://relative/path.db        a file relative to the working directory
  #   sqlite:///absolute/path.db       a file at an absolute path
  #   postgres://user@host:5432/db     a PostgreSQL database that every
  #                                    workspace and machine shares
  # Keep a PostgreSQL password out of the configuration: set MLOPS_REGISTRY.
  registry = "sqlite://mlops-registry.db"

  # One workspace per environment (dev, staging, prod): the same
  # configuration is applied, and promoted, workspace by workspace.
  # Unset, it falls back to MLOPS_ENVIRONMENT, then to "default".
  environment = terraform.workspace

  # Recorded in the registry's audit trail with every write. Unset, it falls
  # back to MLOPS_ACTOR, then to the operating-system user.
  actor = "ml-platform"
}
