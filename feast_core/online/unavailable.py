"""Online stores of Feast's that feast_core does not include.

Their classes exist at Feast's module paths so that code naming them imports; creating one fails with an error
that names the store and the online stores feast_core has (a configuration naming one is refused the same way
when it is loaded).
"""

from __future__ import annotations

from ..errors import ConfigError

AVAILABLE = "sqlite, postgres and remote"


class UnavailableOnlineStore:
    store = ""

    def __init__(self, *_args, **_kwargs) -> None:
        raise ConfigError(
            f"feast_core does not include Feast's {self.store} online store; its online stores are {AVAILABLE}"
        )


class DynamoDBOnlineStore(UnavailableOnlineStore):
    store = "DynamoDB"

    async def update_online_store_async(self, config, table, update_expressions: dict[str, str], data) -> None:
        """In Feast, the one online store that updates values in place by expression."""
