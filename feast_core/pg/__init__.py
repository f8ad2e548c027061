"""PostgreSQL plumbing shared by the registry, offline and online stores: connections and Arrow <-> COPY."""
