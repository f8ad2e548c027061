"""A JSON-able summary of proto file descriptors: what decides the wire format and the gRPC names.

Imports only google.protobuf, so the same code runs here and in upstream Feast's venv
(``upstream_feast.run_python``), and tests compare the two summaries for equality.
"""

from __future__ import annotations


def summarize_message(message) -> dict:
    return {
        "fields": {
            f.name: {
                "number": f.number,
                "type": f.type,
                "label": "repeated" if f.is_repeated else ("required" if f.is_required else "optional"),
                "packed": bool(f.is_packed),
                "type_name": (f.message_type or f.enum_type).full_name if (f.message_type or f.enum_type) else "",
                "oneof": f.containing_oneof.name if f.containing_oneof else "",
                "explicit_presence": bool(f.has_presence),
            }
            for f in message.fields
        },
        "oneofs": sorted(o.name for o in message.oneofs),
        "map_entry": message.GetOptions().map_entry,
        "nested": {n.full_name: summarize_message(n) for n in message.nested_types},
        "enums": {e.full_name: summarize_enum(e) for e in message.enum_types},
    }


def summarize_enum(enum) -> dict:
    return {v.name: v.number for v in enum.values}


def summarize_file(file) -> dict:
    return {
        "package": file.package,
        "dependencies": sorted(d.name for d in file.dependencies),
        "messages": {m.full_name: summarize_message(m) for m in file.message_types_by_name.values()},
        "enums": {e.full_name: summarize_enum(e) for e in file.enum_types_by_name.values()},
        "services": {
            s.full_name: {
                m.name: [m.input_type.full_name, m.output_type.full_name, m.client_streaming, m.server_streaming]
                for m in s.methods
            }
            for s in file.services_by_name.values()
        },
    }


def summarize(modules) -> dict:
    """Every feast/ file reachable from the given generated modules, by file name."""
    seen: dict = {}

    def walk(file) -> None:
        if file.name in seen or not file.name.startswith("feast/"):
            return
        seen[file.name] = summarize_file(file)
        for dependency in file.dependencies:
            walk(dependency)

    for module in modules:
        walk(module.DESCRIPTOR)
    return seen
