# feast-server: Feast's online, registry and offline servers. Trust gives the servers the cluster
# credentials Kubernetes authentication needs (TokenReview, RBAC reads).
resource "juju_application" "feast_server" {
  name        = var.app_name
  model       = var.model_name
  trust       = true
  units       = var.units
  config      = var.config
  constraints = var.constraints
  resources   = var.resources

  charm {
    name     = "feast-server"
    base     = var.base
    channel  = var.channel
    revision = var.revision
  }
}
