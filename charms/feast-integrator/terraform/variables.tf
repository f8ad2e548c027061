variable "app_name" {
  description = "Name of the application in the Juju model."
  type        = string
  default     = "feast-integrator"
}

variable "base" {
  description = "Base of the charm."
  type        = string
  default     = "ubuntu@24.04"
}

variable "channel" {
  description = "Charmhub channel of the charm."
  type        = string
  default     = "latest/edge"
}

variable "config" {
  description = "Charm configuration: project, registry-cache-ttl, notebook-configuration (see docs/reference/config.md)."
  type        = map(string)
  default     = {}
}

variable "constraints" {
  description = "Juju constraints of the application."
  type        = string
  default     = "arch=amd64"
}

variable "model_name" {
  description = "Juju model to deploy into; the model Charmed Kubeflow runs in (`kubeflow`)."
  type        = string
}

variable "revision" {
  description = "Charm revision; null deploys the channel's latest."
  type        = number
  default     = null
}

variable "units" {
  description = "Number of units. Only the leader publishes; more units are standbys."
  type        = number
  default     = 1
}
