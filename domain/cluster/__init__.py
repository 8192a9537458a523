"""What happened to Phoenix's objects on a Kubernetes cluster (stream ``cluster-<ns>.<name>``)."""
