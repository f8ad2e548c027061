"""A loopback OIDC provider for tests: discovery document, JWKS and a token endpoint over real HTTP.

Tokens are minted with PyJWT and keys made with ``cryptography``; ``mint`` can make any token a hostile client
could send (any algorithm, key, key id or claims). ``rotate`` adds a new signing key; ``jwks_reads`` counts
how often servers fetched the key set.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

CLIENT_ID = "feast-client"


class OidcProvider:
    def __init__(self) -> None:
        self.keys: dict[str, object] = {}
        self.jwks_reads = 0
        self.token_requests: list[dict] = []
        self.clients = {CLIENT_ID: "s3cret"}
        self.users: dict[str, tuple[str, list[str]]] = {"alice": ("wonderland", ["reader"])}
        self.kid = self.rotate()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _json(self, status: int, data: dict) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    self._json(200, provider.discovery())
                elif self.path == "/jwks":
                    provider.jwks_reads += 1
                    self._json(200, provider.jwks())
                else:
                    self._json(404, {"error": "not found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                provider.token_requests.append(form)
                if self.path != "/token":
                    self._json(404, {"error": "not found"})
                    return
                status, answer = provider.token_answer(form)
                self._json(status, answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    @property
    def issuer(self) -> str:
        return self.url

    def discovery(self) -> dict:
        return {"issuer": self.issuer, "jwks_uri": f"{self.url}/jwks", "token_endpoint": f"{self.url}/token",
                "authorization_endpoint": f"{self.url}/auth"}

    def rotate(self, kind: str = "rsa") -> str:
        kid = f"{kind}-{uuid.uuid4().hex[:8]}"
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048) if kind == "rsa" \
            else ec.generate_private_key(ec.SECP256R1())
        return kid

    def jwks(self) -> dict:
        keys = []
        for kid, private in self.keys.items():
            public = private.public_key()
            if isinstance(private, rsa.RSAPrivateKey):
                jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(public))
                jwk["alg"] = "RS256"
            else:
                jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(public))
                jwk["alg"] = "ES256"
            keys.append({**jwk, "kid": kid, "use": "sig"})
        return {"keys": keys}

    def claims(self, username: str = "alice", roles=("reader",), **extra) -> dict:
        now = int(time.time())
        return {"iss": self.issuer, "aud": "account", "sub": f"sub-{username}", "preferred_username": username,
                "iat": now, "exp": now + 300, "resource_access": {CLIENT_ID: {"roles": list(roles)}}, **extra}

    def mint(self, claims: dict | None = None, kid: str | None = None, algorithm: str | None = None,
             key=None, headers: dict | None = None, **claim_overrides) -> str:
        """A token signed with the provider's key ``kid`` (default: the current one), or with ``key`` as given."""
        kid = kid or self.kid
        private = key if key is not None else self.keys[kid]
        if algorithm is None:
            algorithm = "RS256" if isinstance(private, rsa.RSAPrivateKey) else "ES256"
        body = {**(claims or self.claims()), **claim_overrides}
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(body, private, algorithm=algorithm, headers={"kid": kid, **(headers or {})})

    def token_answer(self, form: dict) -> tuple[int, dict]:
        client = form.get("client_id")
        if self.clients.get(client) != form.get("client_secret"):
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") == "client_credentials":
            token = self.mint(self.claims(username=f"service-account-{client}", roles=("writer",)))
        elif form.get("grant_type") == "password":
            user = self.users.get(form.get("username", ""))
            if user is None or user[0] != form.get("password"):
                return 401, {"error": "invalid_grant"}
            token = self.mint(self.claims(username=form["username"], roles=user[1]))
        else:
            return 400, {"error": "unsupported_grant_type"}
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 300}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
