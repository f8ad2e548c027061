"""Authentication and authorization for every server and client.

* ``config``: the ``auth:`` block (no_auth, oidc, kubernetes) as typed config.
* ``user``: who a request comes from (name, roles, groups, namespaces).
* ``bearer``: ``Authorization: Bearer <token>`` in and out.
* ``oidc``, ``kubernetes``: a token becomes a user (signature, claims, TokenReview, RBAC).
* ``tokens``: the per-server front of those: one validation per token, cached until the token expires.
* ``enforce``: the one decision every face calls: may this user do these actions to these resources?
* ``client``: where a client's token comes from (for our remote clients).

Servers build one ``Guard`` (``enforce.guard_for``) at start: it refuses to start when the configured auth
cannot be honoured, and answers ``user(authorization_header)`` and ``require(user, resources, actions)``.
"""
