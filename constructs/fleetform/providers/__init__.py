"""Hand-written, typed Terraform provider bindings: the lowest layer (imports only errors)."""
