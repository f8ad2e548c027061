# feast-integrator: renders feature_store.yaml from three PostgreSQL relations and shares it with
# notebooks (through resource-dispatcher) and with feast-ui. Trust is not needed by the charm's own
# code, but it is what the bundle and the docs deploy with, as the other Charmed Kubeflow charms.
resource "juju_application" "feast_integrator" {
  name        = var.app_name
  model       = var.model_name
  trust       = true
  units       = var.units
  config      = var.config
  constraints = var.constraints

  charm {
    name     = "feast-integrator"
    base     = var.base
    channel  = var.channel
    revision = var.revision
  }
}
