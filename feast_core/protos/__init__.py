"""Feast's wire format: the ``.proto`` schema (Feast's packages, file paths and field numbers) and the
Python modules generated from it by ``scripts/generate-protos``.

``feast_core.protos.feast.core.Entity_pb2`` is what Feast calls ``feast.protos.feast.core.Entity_pb2``.
Definitions convert to and from these messages with ``to_proto()`` / ``from_proto()``; nothing else in
feast_core builds registry messages by hand.
"""
