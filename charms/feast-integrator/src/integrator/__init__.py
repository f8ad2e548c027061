"""feast-integrator's modules (a package, so names cannot clash with other charms' src/)."""
