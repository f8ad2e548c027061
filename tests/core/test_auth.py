"""Authentication and authorization, against a loopback OIDC provider and a loopback Kubernetes API double
(real HTTP both): which tokens become which users, which are refused, and which requests permissions allow."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from kube_api import KubeApi, role_binding, service_account, user_subject
from oidc_provider import CLIENT_ID

from feast_core import Entity, FeatureService, FeatureView, Field, FileSource
from feast_core.auth.client import TokenSource
from feast_core.auth.config import KubernetesAuthConfig, OidcAuthConfig, OidcClientAuthConfig
from feast_core.auth.enforce import Guard, enforce
from feast_core.auth.kubernetes import KubernetesAuthenticator
from feast_core.auth.user import User
from feast_core.config import parse_config
from feast_core.definitions import (
    ALL_ACTIONS,
    AuthzedAction,
    CombinedGroupNamespacePolicy,
    GroupBasedPolicy,
    NamespaceBasedPolicy,
    Permission,
    RoleBasedPolicy,
)
from feast_core.errors import AuthConfigError, AuthenticationError, ConfigError, FeastPermissionError
from feast_core.types import Float64

# ---- config ---------------------------------------------------------------------------------------


def _auth(block: str):
    return parse_config(f"project: p\nregistry: data/registry.db\nauth:\n{block}", "feature_store.yaml").auth


def test_auth_blocks_become_typed_configs_by_feasts_rules():
    assert _auth("  type: no_auth\n").enabled is False
    server = _auth("  type: oidc\n  auth_discovery_url: https://idp/.well-known/openid-configuration\n  client_id: feast\n")
    assert type(server) is OidcAuthConfig and server.jwks_cache_lifespan_seconds == 300
    client = _auth("  type: oidc\n  token_env_var: MY_TOKEN\n")
    assert type(client) is OidcClientAuthConfig
    assert type(_auth("  type: oidc\n")) is OidcClientAuthConfig  # a bare block: FEAST_OIDC_TOKEN / pod token
    assert type(_auth("  type: kubernetes\n")) is KubernetesAuthConfig


@pytest.mark.parametrize("block, message", [
    ("  type: oidc\n  auth_discovery_url: https://idp/x\n  audiance: feast\n", "unknown key 'audiance' in block 'auth'"),
    ("  type: kerberos\n", "auth type must be one of no_auth, oidc, kubernetes, not 'kerberos'"),
    ("  type: oidc\n  token: abc\n  token_env_var: T\n", "give one token source, not token and token_env_var"),
    ("  type: oidc\n  client_secret: s\n", "the 'client_secret' credential needs ['auth_discovery_url', 'client_id']"),
    ("  type: oidc\n  auth_discovery_url: idp.example\n  client_id: c\n", "must be an http:// or https:// URL"),
    ("  type: kubernetes\n  usr_token: t\n", "unknown key 'usr_token' in block 'auth'"),
])
def test_auth_block_mistakes_are_named(block, message):
    with pytest.raises(ConfigError) as error:
        _auth(block)
    assert message in str(error.value) and "feature_store.yaml" in str(error.value)


# ---- OIDC ------------------------------------------------------------------------------------------


@pytest.fixture
def oidc_guard(oidc_provider):
    config = OidcAuthConfig(auth_discovery_url=oidc_provider.discovery_url, client_id=CLIENT_ID, audience="account",
                            issuer=oidc_provider.issuer)
    return Guard(config).start()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hs256_with_public_key(provider) -> str:
    """The classic key-confusion forgery: HMAC-signed with the provider's public key as the secret."""
    public_pem = provider.keys[provider.kid].public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": provider.kid}).encode())
    body = _b64(json.dumps(provider.claims(roles=("admin",))).encode())
    signature = hmac.new(public_pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(signature)}"


def _tampered(provider) -> str:
    head, _, signature = provider.mint().split(".")
    body = _b64(json.dumps(provider.claims(roles=("admin",))).encode())
    return f"{head}.{body}.{signature}"


HOSTILE = {
    "unsigned (alg none)": ("algorithm 'none' is not accepted", lambda p: jwt.encode(p.claims(), None, algorithm="none", headers={"kid": p.kid})),
    "HS256 signed with the public key": ("algorithm 'HS256' is not accepted", _hs256_with_public_key),
    "payload changed after signing": ('InvalidSignatureError', _tampered),
    "signature removed": ('InvalidSignatureError', lambda p: p.mint().rsplit(".", 1)[0] + "."),
    "signed by a foreign key under the provider's key id": ('InvalidSignatureError', lambda p: p.mint(
        key=rsa.generate_private_key(public_exponent=65537, key_size=2048))),
    "unknown key id": ("no signing key 'nobody-knows-me'", lambda p: p.mint(key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
                                       headers={"kid": "nobody-knows-me"})),
    "EC signature under an RSA key id": ("'ES256' does not fit key", lambda p: p.mint(key=ec.generate_private_key(ec.SECP256R1()), algorithm="ES256")),
    "RS384 under a key that declares RS256": ("'RS384' does not fit key", lambda p: p.mint(algorithm="RS384")),
    "expired a minute ago": ('ExpiredSignatureError', lambda p: p.mint(exp=int(time.time()) - 60)),
    "not valid for ten minutes": ('ImmatureSignatureError', lambda p: p.mint(nbf=int(time.time()) + 600)),
    "no expiry": ('missing the "exp" claim', lambda p: p.mint(exp=None)),
    "wrong audience": ('InvalidAudienceError', lambda p: p.mint(aud="somebody-else")),
    "no audience": ('missing the "aud" claim', lambda p: p.mint(aud=None)),
    "wrong issuer": ('InvalidIssuerError', lambda p: p.mint(iss="https://evil.example")),
    "no user claim": ('names no user', lambda p: p.mint(preferred_username=None, sub=None)),
    "garbage": ('not a JWT', lambda p: "not-a-token"),
    "three dots of garbage": ('not a JWT', lambda p: "a.b.c"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_tokens_are_refused(oidc_guard, oidc_provider, name):
    reason, make = HOSTILE[name]
    with pytest.raises(AuthenticationError) as refused:
        oidc_guard.user(f"Bearer {make(oidc_provider)}")
    assert reason in str(refused.value)
    assert len(oidc_guard.tokens) == 0


@pytest.mark.parametrize("header", [None, "", "Bearer", "Basic YWxpY2U6cHc=", "Token {t}", "Bearer {t} extra", "{t}"])
def test_malformed_authorization_headers_are_refused(oidc_guard, oidc_provider, header):
    value = header.format(t=oidc_provider.mint()) if header else header
    with pytest.raises(AuthenticationError):
        oidc_guard.user(value)


def test_a_provider_token_becomes_the_user_its_claims_name(oidc_guard, oidc_provider):
    claims = oidc_provider.claims(roles=("reader", 7), groups=["data-science"])
    token = oidc_provider.mint(claims, roles=["entra-role", "reader"])  # Entra's top-level roles merge in
    user = oidc_guard.user(f"Bearer {token}")
    assert user == User("alice", roles=["reader", "entra-role"], groups=["data-science"])
    # the scheme is case-insensitive, as in Feast
    assert oidc_guard.user(f"bearer {token}") is user


def test_username_falls_back_through_feasts_claims(oidc_guard, oidc_provider):
    token = oidc_provider.mint(preferred_username=None, azp="batch-job")
    assert oidc_guard.user(f"Bearer {token}").username == "batch-job"


def test_each_token_is_validated_once(oidc_guard, oidc_provider):
    calls = []
    validate = oidc_guard.tokens._authenticate
    oidc_guard.tokens._authenticate = lambda token: calls.append(token) or validate(token)
    token = oidc_provider.mint()
    users = {oidc_guard.user(f"Bearer {token}") for _ in range(50)}
    assert len(users) == 1 and calls == [token]
    oidc_guard.user(f"Bearer {oidc_provider.mint(preferred_username='bob')}")
    assert len(calls) == 2


def test_a_rotated_key_is_fetched_when_a_token_names_it(oidc_guard, oidc_provider):
    reads = oidc_provider.jwks_reads
    new_kid = oidc_provider.rotate("ec")
    try:
        user = oidc_guard.user(f"Bearer {oidc_provider.mint(kid=new_kid)}")
    finally:
        del oidc_provider.keys[new_kid]
    assert user.username == "alice"
    assert oidc_provider.jwks_reads == reads + 1


def test_audience_and_issuer_are_not_checked_unless_configured(oidc_provider):
    guard = Guard(OidcAuthConfig(auth_discovery_url=oidc_provider.discovery_url)).start()
    user = guard.user(f"Bearer {oidc_provider.mint(aud='anyone', iss='https://elsewhere')}")
    assert user.username == "alice" and user.roles == ()  # no client_id: no resource_access roles


def test_an_unreachable_provider_stops_the_start(oidc_provider):
    with pytest.raises(AuthConfigError, match="cannot read the discovery document: http://127.0.0.1:9/"):
        Guard(OidcAuthConfig(auth_discovery_url="http://127.0.0.1:9/.well-known/openid-configuration")).start()
    with pytest.raises(AuthConfigError, match="answered 404"):
        Guard(OidcAuthConfig(auth_discovery_url=oidc_provider.url + "/nothing-here")).start()


# ---- Kubernetes ------------------------------------------------------------------------------------


@pytest.fixture
def cluster(kube_api: KubeApi, tmp_path, monkeypatch):
    """A cluster where the feast server runs in namespace 'feast'; team-a's notebooks run as default-editor."""
    monkeypatch.setenv("KUBECONFIG", str(kube_api.kubeconfig(tmp_path / "kubeconfig", namespace="feast")))
    kube_api.tokens["team-a-notebook"] = {
        "username": "system:serviceaccount:team-a:default-editor",
        "groups": ["system:serviceaccounts", "system:serviceaccounts:team-a", "system:authenticated"],
    }
    kube_api.tokens["team-b-notebook"] = {
        "username": "system:serviceaccount:team-b:default-editor",
        "groups": ["system:serviceaccounts", "system:serviceaccounts:team-b", "system:authenticated"],
    }
    kube_api.tokens["alice-token"] = {"username": "alice@example.com", "groups": ["data-scientists"]}
    kube_api.role_bindings += [
        role_binding("team-a-reads-features", "feast", "feast-reader", service_account("default-editor", "team-a")),
        role_binding("namespaceAdmin", "team-a", "kubeflow-admin", user_subject("alice@example.com"),
                     role_kind="ClusterRole"),
        role_binding("admins", "team-c", "admin", user_subject("alice@example.com"), role_kind="ClusterRole"),
        role_binding("ds-edit", "team-a", "kubeflow-edit", {"kind": "Group", "name": "data-scientists"},
                     role_kind="ClusterRole"),
    ]
    return kube_api


def test_a_service_account_token_becomes_its_namespace_and_roles(cluster):
    guard = Guard(KubernetesAuthConfig()).start()
    user = guard.user("Bearer team-a-notebook")
    assert user.username == "team-a:default-editor"
    assert user.roles == ("feast-reader",)
    assert user.namespaces == ("team-a",)
    assert "data-scientists" in user.groups and "system:serviceaccounts:team-a" in user.groups
    other = guard.user("Bearer team-b-notebook")
    assert other.roles == () and other.namespaces == ("team-b",)


def test_a_person_token_gets_roles_from_bindings_everywhere(cluster):
    user = Guard(KubernetesAuthConfig()).start().user("Bearer alice-token")
    assert user.username == "alice@example.com"
    assert set(user.roles) == {"kubeflow-admin", "admin", "kubeflow-edit"}
    assert user.namespaces == ("team-c",)  # a RoleBinding to ClusterRole admin naming her


def test_tokens_the_review_does_not_authenticate_are_refused(cluster):
    guard = Guard(KubernetesAuthConfig()).start()
    forged = jwt.encode({"sub": "system:serviceaccount:team-a:default-editor"}, None, algorithm="none")
    for header in (f"Bearer {forged}", "Bearer unknown-token", None):
        with pytest.raises(AuthenticationError):
            guard.user(header)


def test_each_kubernetes_token_is_reviewed_once(cluster):
    guard = Guard(KubernetesAuthConfig()).start()
    for _ in range(20):
        guard.user("Bearer team-a-notebook")
    assert cluster.reviews() == 1
    for _ in range(20):  # a refused token is remembered for a while too: no review per request
        with pytest.raises(AuthenticationError):
            guard.user("Bearer stolen-or-stale")
    assert cluster.reviews() == 2


def test_an_oidc_server_reviews_service_account_tokens_with_the_cluster(cluster, oidc_provider):
    """As Feast: a token with a kubernetes.io claim is checked by TokenReview, and its user has its namespace."""
    sa_token = jwt.encode({"sub": "system:serviceaccount:team-a:default-editor", "kubernetes.io": {
        "namespace": "team-a", "serviceaccount": {"name": "default-editor"}}}, "a-signing-key-the-test-cluster-holds-only", algorithm="HS256")
    cluster.tokens[sa_token] = cluster.tokens["team-a-notebook"]
    guard = Guard(OidcAuthConfig(auth_discovery_url=oidc_provider.discovery_url)).start()
    user = guard.user(f"Bearer {sa_token}")
    assert user.namespaces == ("team-a",) and user.roles == ()
    forged = jwt.encode({"sub": "system:serviceaccount:team-a:default-editor", "kubernetes.io": {}},
                        "a-key-nobody-in-the-cluster-knows-about", algorithm="HS256")
    with pytest.raises(AuthenticationError, match="TokenReview"):
        guard.user(f"Bearer {forged}")


def test_kubernetes_auth_without_a_cluster_stops_the_start(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-such-kubeconfig"))
    with pytest.raises(AuthConfigError, match="no Kubernetes API configuration"):
        Guard(KubernetesAuthConfig()).start()


def test_kubernetes_auth_without_rbac_rights_stops_the_start(cluster):
    cluster.refuse_rbac = True
    with pytest.raises(AuthConfigError, match="refused to list RoleBindings in namespace 'feast'.*403"):
        Guard(KubernetesAuthConfig()).start()


def test_an_unreachable_kubernetes_api_stops_the_start(kube_api, tmp_path, monkeypatch):
    config = kube_api.kubeconfig(tmp_path / "kubeconfig")
    config.write_text(config.read_text().replace(kube_api.url, "http://127.0.0.1:9"))
    monkeypatch.setenv("KUBECONFIG", str(config))
    with pytest.raises(AuthConfigError, match="cannot be reached"):
        KubernetesAuthenticator().start()


# ---- permissions -----------------------------------------------------------------------------------

driver = Entity(name="driver", join_keys=["driver_id"])
source = FileSource(name="src", path="data/x.parquet", timestamp_field="ts")
public = FeatureView(name="public_stats", entities=[driver], source=source, schema=[Field(name="x", dtype=Float64)],
                     tags={"team": "risk"})
secret = FeatureView(name="secret_stats", entities=[driver], source=source, schema=[Field(name="x", dtype=Float64)])
service = FeatureService(name="svc", features=[public])

reader = User("r", roles=["reader"])
team_a = User("team-a:default-editor", namespaces=["team-a"], groups=["system:serviceaccounts:team-a"])
nobody = User("n")

PERMISSIONS = [
    Permission(name="readers", types=[FeatureView], name_patterns=["public.*"], policy=RoleBasedPolicy(["reader"]),
               actions=[AuthzedAction.READ_ONLINE, AuthzedAction.DESCRIBE]),
    Permission(name="team-a", types=[FeatureView, FeatureService], policy=NamespaceBasedPolicy(["team-a"]),
               actions=[AuthzedAction.READ_ONLINE]),
    Permission(name="risk-writers", types=[FeatureView], required_tags={"team": "risk"},
               policy=GroupBasedPolicy(["risk"]), actions=[AuthzedAction.WRITE_ONLINE]),
]


@pytest.mark.parametrize("user, resources, actions, allowed", [
    (reader, [public], [AuthzedAction.READ_ONLINE], True),
    (reader, [public], [AuthzedAction.READ_ONLINE, AuthzedAction.DESCRIBE], True),
    (reader, [secret], [AuthzedAction.READ_ONLINE], False),  # the name pattern is matched in full, not searched
    (reader, [public], [AuthzedAction.WRITE_ONLINE], False),
    (team_a, [public, secret, service], [AuthzedAction.READ_ONLINE], True),
    (team_a, [public], [AuthzedAction.READ_ONLINE, AuthzedAction.DESCRIBE], False),  # no permission covers both
    (nobody, [public], [AuthzedAction.READ_ONLINE], False),
    (User("w", groups=["risk"]), [public], [AuthzedAction.WRITE_ONLINE], True),
    (User("w", groups=["risk"]), [secret], [AuthzedAction.WRITE_ONLINE], False),  # lacks the required tag
    (reader, [driver], [AuthzedAction.DESCRIBE], False),  # no permission for entities at all
])
def test_permissions_decide_by_type_name_tags_actions_and_policy(user, resources, actions, allowed):
    if allowed:
        assert enforce(PERMISSIONS, user, resources, actions) == resources
    else:
        with pytest.raises(FeastPermissionError):
            enforce(PERMISSIONS, user, resources, actions)


def test_refusals_read_as_feasts():
    with pytest.raises(FeastPermissionError) as refused:
        enforce(PERMISSIONS, nobody, [public], [AuthzedAction.READ_ONLINE])
    assert str(refused.value).startswith("Permission error:\nPermission readers denied execution of ['READ_ONLINE'] "
                                         "to FeatureView:public_stats: Requires roles ['reader']")
    with pytest.raises(FeastPermissionError, match=r"No permissions defined to manage \['DESCRIBE'\] on Entity/driver\."):
        enforce(PERMISSIONS, reader, [driver], [AuthzedAction.DESCRIBE])


def test_no_permissions_at_all_allow_authenticated_users_only():
    assert enforce([], reader, [secret], ALL_ACTIONS) == [secret]
    with pytest.raises(FeastPermissionError, match="no authenticated user"):
        enforce([], None, [secret], ALL_ACTIONS)


def test_filtering_leaves_out_what_is_refused():
    assert enforce(PERMISSIONS, reader, [public, secret, driver], [AuthzedAction.DESCRIBE], filter_only=True) == [public]


def test_combined_group_namespace_policy_grants_either():
    policy = CombinedGroupNamespacePolicy(groups=["admins"], namespaces=["team-a"])
    assert policy.validate_user(team_a) == (True, "")
    assert policy.validate_user(User("x", groups=["admins"]))[0]
    assert not policy.validate_user(nobody)[0]
    permission = Permission(name="p", policy=policy)
    assert Permission.from_dict(permission.to_dict()).policy == policy


# ---- client tokens ---------------------------------------------------------------------------------


def test_client_token_sources_in_feasts_order(oidc_provider, tmp_path, monkeypatch):
    monkeypatch.delenv("FEAST_OIDC_TOKEN", raising=False)
    monkeypatch.delenv("LOCAL_K8S_TOKEN", raising=False)
    monkeypatch.setattr(TokenSource, "service_account_token", tmp_path / "sa-token")
    assert TokenSource(OidcClientAuthConfig(token="literal"))() == "literal"
    monkeypatch.setenv("MY_TOKEN", "from-env")
    assert TokenSource(OidcClientAuthConfig(token_env_var="MY_TOKEN"))() == "from-env"
    with pytest.raises(AuthConfigError, match="NOPE"):
        TokenSource(OidcClientAuthConfig(token_env_var="NOPE"))()
    bare = TokenSource(OidcClientAuthConfig())
    with pytest.raises(AuthConfigError, match="no token"):
        bare()
    (tmp_path / "sa-token").write_text("pod-token\n")
    assert bare() == "pod-token"
    monkeypatch.setenv("FEAST_OIDC_TOKEN", "feast-oidc-token")
    assert bare() == "feast-oidc-token"
    kubernetes = TokenSource(KubernetesAuthConfig())
    assert kubernetes() == "pod-token"
    (tmp_path / "sa-token").unlink()
    monkeypatch.setenv("LOCAL_K8S_TOKEN", "local")
    assert kubernetes() == "local"
    assert TokenSource(KubernetesAuthConfig(user_token="mine"))() == "mine"


def test_client_credentials_and_password_grants_fetch_and_reuse_tokens(oidc_provider, oidc_guard):
    requests_before = len(oidc_provider.token_requests)
    source = TokenSource(OidcClientAuthConfig(auth_discovery_url=oidc_provider.discovery_url, client_id=CLIENT_ID,
                                              client_secret="s3cret"))
    token = source()
    assert source() == token  # reused until near its expiry
    assert oidc_guard.user(f"Bearer {token}").roles == ("writer",)
    password = TokenSource(OidcClientAuthConfig(auth_discovery_url=oidc_provider.discovery_url, client_id=CLIENT_ID,
                                                client_secret="s3cret", username="alice", password="wonderland"))
    assert oidc_guard.user(f"Bearer {password()}").username == "alice"
    grants = [r["grant_type"] for r in oidc_provider.token_requests[requests_before:]]
    assert grants == ["client_credentials", "password"]
    wrong = TokenSource(OidcClientAuthConfig(auth_discovery_url=oidc_provider.discovery_url, client_id=CLIENT_ID,
                                             client_secret="guess"))
    with pytest.raises(AuthConfigError, match="refused a token.*401"):
        wrong()


def test_feasts_permission_module_paths_and_grpc_metadata():
    from feast_core.auth.bearer import authorization_from_metadata
    from feast_core.permissions.auth_model import OidcClientAuthConfig as Client
    from feast_core.permissions.enforcer import enforce_policy
    from feast_core.permissions.policy import CombinedGroupNamespacePolicy as Combined
    from feast_core.permissions.user import User as FeastUser

    assert Client is OidcClientAuthConfig and Combined is CombinedGroupNamespacePolicy and FeastUser is User
    assert enforce_policy(PERMISSIONS, reader, [public], [AuthzedAction.READ_ONLINE]) == [public]
    assert authorization_from_metadata((("x-a", "1"), ("Authorization", "Bearer t"))) == "Bearer t"
    assert authorization_from_metadata({"authorization": [b"Bearer f"]}) == "Bearer f"
    assert authorization_from_metadata(()) is None
