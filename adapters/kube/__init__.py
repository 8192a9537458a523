"""Phoenix on Kubernetes: custom resource definitions, and (to come) the operator and deployer."""
