"""Requirer side of the ``kubeflow_dashboard_links`` interface.

A charm that wants a link in the Kubeflow central dashboard relates to
``kubeflow-dashboard:links`` and publishes, in its application databag, the key
``dashboard_links``: a JSON list of objects with the keys ``text``, ``link``,
``location``, ``icon``, ``type`` and ``desc`` (in that order).

``location`` must be one of ``menu``, ``external``, ``quick`` or ``documentation``; the
dashboard maps them to its ``menuLinks``, ``externalLinks``, ``quickLinks`` and
``documentationItems`` lists.

The library is passive: it never observes events. Call :meth:`DashboardLinksRequirer.publish`
from your charm's reconcile (only the leader writes; other units are a no-op)::

    links = [DashboardLink(text="Docs", link="/docs/", location="external", icon="book")]
    DashboardLinksRequirer(self, "dashboard-links").publish(links)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from ops import CharmBase, Object, Relation

# The unique Charmhub library identifier, never change it
LIBID = "16972c8863754166be4bcfe592baf306"

# Increment this major API version when introducing breaking changes
LIBAPI = 0

# Increment this PATCH version before using `charmcraft publish-lib` or reset
# to 0 if you are raising the major API version
LIBPATCH = 1

DATABAG_KEY = "dashboard_links"
VALID_LOCATIONS = ("menu", "external", "quick", "documentation")


class InvalidDashboardLinkError(ValueError):
    """A link that the dashboard would reject."""


@dataclass(frozen=True)
class DashboardLink:
    """One entry of the dashboard's sidebar, menu, quick links or documentation list."""

    text: str
    link: str
    location: str
    icon: str = "icon"
    type: str = "item"
    desc: str = ""

    def __post_init__(self) -> None:
        if self.location not in VALID_LOCATIONS:
            raise InvalidDashboardLinkError(
                f"location {self.location!r} is not one of {', '.join(VALID_LOCATIONS)}"
            )
        if not self.text:
            raise InvalidDashboardLinkError("text must not be empty")
        if not self.link:
            raise InvalidDashboardLinkError("link must not be empty")


def encode_links(links: Iterable[DashboardLink]) -> str:
    """The exact value of the ``dashboard_links`` databag key."""
    return json.dumps([asdict(link) for link in links])


def decode_links(raw: str) -> list[DashboardLink]:
    """Parse a ``dashboard_links`` value (for providers and tests).

    Raises InvalidDashboardLinkError for anything that is not a list of valid links.
    """
    try:
        items = json.loads(raw)
    except json.JSONDecodeError as e:
        raise InvalidDashboardLinkError(f"dashboard_links is not JSON: {e}") from e
    if not isinstance(items, list):
        raise InvalidDashboardLinkError("dashboard_links must be a JSON list")
    links = []
    for item in items:
        if not isinstance(item, dict):
            raise InvalidDashboardLinkError("each dashboard link must be a JSON object")
        try:
            links.append(DashboardLink(**item))
        except TypeError as e:
            raise InvalidDashboardLinkError(f"unexpected dashboard link fields: {e}") from e
    return links


class DashboardLinksRequirer(Object):
    """Publishes dashboard links on every relation of ``relation_name``."""

    def __init__(self, charm: CharmBase, relation_name: str = "dashboard-links"):
        super().__init__(charm, relation_name)
        self._charm = charm
        self._relation_name = relation_name

    @property
    def relations(self) -> list[Relation]:
        """The relations links are sent on."""
        return list(self._charm.model.relations.get(self._relation_name, ()))

    def publish(self, links: Iterable[DashboardLink]) -> None:
        """Write the links to every relation; a no-op on non-leader units.

        The databag is only written when its content changes, so calling this on every
        hook does not wake the dashboard up needlessly.
        """
        if not self._charm.unit.is_leader():
            return
        value = encode_links(links)
        for relation in self.relations:
            databag = relation.data[self._charm.app]
            if databag.get(DATABAG_KEY) != value:
                databag[DATABAG_KEY] = value
