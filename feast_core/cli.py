"""The ``feast`` command: a thin layer over FeatureStore and repo.py.

Every FeastError (and every usage error) ends as one ``Error: ...`` line on stderr and exit code 1.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

import click
import yaml

from . import __version__, telemetry
from .config import FS_YAML_ENV
from .errors import FeastError

LIST_COLUMNS = {
    "entities": ("NAME", "DESCRIPTION", "TYPE"),
    "feature-views": ("NAME", "ENTITIES", "TYPE"),
    "on-demand-feature-views": ("NAME",),
    "feature-services": ("NAME", "FEATURES"),
    "data-sources": ("NAME", "CLASS"),
    "permissions": ("NAME", "TYPES", "NAME_PATTERNS", "ACTIONS", "ROLES"),
    "projects": ("NAME", "DESCRIPTION", "TAGS"),
}


# the service name a command's traces and metrics are reported under, unless OTEL_SERVICE_NAME says otherwise
SERVICE_NAMES = {"serve": "feast-feature-server", "ui": "feast-ui", "serve_offline": "feast-offline-server",
                 "serve_registry": "feast-registry-server"}


def fail(message: str, code: int = 1) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


class FeastGroup(click.Group):
    """Turns the errors a user can act on into one line, never a traceback."""

    def main(self, *args, **kwargs):
        kwargs.setdefault("standalone_mode", False)
        kwargs.setdefault("prog_name", "feast")
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.Abort:
            fail("aborted")
        except click.UsageError as exc:  # exit code 2, as click and Feast give
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            fail(f"{exc.format_message()}{hint}", exc.exit_code)
        except click.ClickException as exc:
            fail(exc.format_message())
        except FeastError as exc:
            fail(str(exc))
        except (ValueError, OSError) as exc:  # bad dates, unreadable files: one line, never a traceback
            if logging.getLogger().isEnabledFor(logging.DEBUG):
                raise
            fail(f"{exc}")


class Context:
    def __init__(self, repo_path: Path, fs_yaml_file: Path | None) -> None:
        self.repo_path = repo_path
        self.fs_yaml_file = fs_yaml_file
        self._store = None

    @property
    def store(self):
        if self._store is None:
            from .store import FeatureStore

            self._store = FeatureStore(repo_path=self.repo_path, fs_yaml_file=self.fs_yaml_file)
        return self._store


pass_context = click.make_pass_decorator(Context)


@click.group(cls=FeastGroup)
@click.option("-c", "--chdir", type=click.Path(file_okay=False), envvar="FEATURE_REPO_DIR_ENV_VAR",
              help="Run as if started in this directory (the feature repository).")
@click.option("-f", "--feature-store-yaml", type=click.Path(dir_okay=False), envvar=FS_YAML_ENV,
              help=f"Path to feature_store.yaml (default: the repository's; env {FS_YAML_ENV}).")
@click.option("--log-level", default="warning", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"], case_sensitive=False))
@click.pass_context
def main(ctx: click.Context, chdir: str | None, feature_store_yaml: str | None, log_level: str) -> None:
    """feast_core: a Feast-compatible feature store."""
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    if chdir is not None and not Path(chdir).is_dir():
        raise click.UsageError(f"-c/--chdir {chdir}: no such directory")
    repo_path = Path(chdir or os.getcwd()).resolve()
    telemetry.default_service(SERVICE_NAMES.get(ctx.invoked_subcommand, "feast"))
    ctx.obj = Context(repo_path, Path(feature_store_yaml).resolve() if feature_store_yaml else None)


# ---- repo commands ------------------------------------------------------------------------------


@main.command()
@click.argument("project_directory", required=False)
@click.option("-t", "--template", default="local", show_default=True, type=click.Choice(["local"]))
@click.option("-m", "--minimal", is_flag=True, help="Only feature_store.yaml and an empty definitions file.")
@pass_context
def init(obj: Context, project_directory: str | None, template: str, minimal: bool) -> None:
    """Create a new feature repository (a demo of driver statistics by default)."""
    from .scaffold import init_repo, random_project_name

    target = obj.repo_path / (project_directory or random_project_name())
    feature_repo = init_repo(target, template, minimal)
    shown = feature_repo.relative_to(Path.cwd()) if feature_repo.is_relative_to(Path.cwd()) else feature_repo
    click.echo(f"Created a new feast_core repository in {target}.")
    click.echo(f"Next: cd {shown} && " + ("feast apply" if minimal else "python test_workflow.py   (or: feast apply)"))


@main.command()
@click.option("--skip-source-validation", is_flag=True, help="Do not read data sources to check columns.")
@click.option("--skip-feature-view-validation", is_flag=True,
              help="Do not try on-demand feature views' functions on a made-up row.")
@click.option("--no-progress", is_flag=True, hidden=True)
@pass_context
def apply(obj: Context, skip_source_validation: bool, skip_feature_view_validation: bool, **_ignored) -> None:
    """Make the registry hold exactly the objects this repository declares."""
    from .repo import apply_repo

    diff = apply_repo(obj.store, obj.repo_path, skip_source_validation=skip_source_validation,
                      skip_feature_view_validation=skip_feature_view_validation)
    click.echo(diff.to_string())


@main.command()
@click.option("--skip-source-validation", is_flag=True)
@click.option("--skip-feature-view-validation", is_flag=True)
@pass_context
def plan(obj: Context, skip_source_validation: bool, skip_feature_view_validation: bool) -> None:
    """Show what `feast apply` would change, writing nothing."""
    from .repo import plan_repo

    diff = plan_repo(obj.store, obj.repo_path, skip_source_validation=skip_source_validation,
                     skip_feature_view_validation=skip_feature_view_validation)
    click.echo(diff.to_string())


@main.command()
@pass_context
def teardown(obj: Context) -> None:
    """Drop the project's online tables and remove it from the registry."""
    from .repo import teardown as teardown_repo

    teardown_repo(obj.store)
    click.echo(f"Removed project {obj.store.project!r} from the registry and dropped its online tables.")


@main.command()
@click.option("--dry-run", is_flag=True, help="Only say what would be converted; change nothing.")
@pass_context
def migrate(obj: Context, dry_run: bool) -> None:
    """Convert what earlier feast_core versions wrote (registry, online tables) to Feast's formats, without loss."""
    from .migrate import migrate as run_migration

    for report in run_migration(obj.store, dry_run=dry_run):
        for line in report.lines():
            click.echo(line)


def _moment(text: str, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 date-time (e.g. 2024-01-31T12:00:00)", param_hint=what) from None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


@main.command()
@click.argument("start_ts", required=False)
@click.argument("end_ts", required=False)
@click.option("-v", "--views", multiple=True, help="Only these feature views (repeatable).")
@click.option("--disable-event-timestamp", is_flag=True,
              help="Materialize all rows, from 1970-01-01 to now, without START_TS and END_TS.")
@pass_context
def materialize(obj: Context, start_ts: str | None, end_ts: str | None, views: tuple[str, ...],
                disable_event_timestamp: bool) -> None:
    """Load the latest value per entity with an event time in [START_TS, END_TS] into the online store."""
    if disable_event_timestamp:
        if start_ts or end_ts:
            raise click.UsageError("Cannot specify START_TS or END_TS when --disable-event-timestamp is used")
        start, end = datetime(1970, 1, 1, tzinfo=timezone.utc), datetime.now(timezone.utc)
    elif not (start_ts and end_ts):
        raise click.UsageError("START_TS and END_TS are required unless --disable-event-timestamp is used")
    else:
        start, end = _moment(start_ts, "START_TS"), _moment(end_ts, "END_TS")
    obj.store.materialize(start, end, feature_views=list(views) or None,
                          disable_event_timestamp=disable_event_timestamp)


@main.command("materialize-incremental")
@click.argument("end_ts")
@click.option("-v", "--views", multiple=True, help="Only these feature views (repeatable).")
@pass_context
def materialize_incremental(obj: Context, end_ts: str, views: tuple[str, ...]) -> None:
    """Materialize from where the last run of each view ended up to END_TS."""
    obj.store.materialize_incremental(_moment(end_ts, "END_TS"), feature_views=list(views) or None)


@main.command("registry-dump")
@pass_context
def registry_dump(obj: Context) -> None:
    """Print the project's registry contents as JSON (Feast's layout: the stored messages per kind)."""
    objects = obj.store.registry.snapshot(allow_cache=False).require_project(obj.store.project)
    click.echo(json.dumps(objects.dump(), indent=2, sort_keys=True))


@main.command()
@pass_context
def configuration(obj: Context) -> None:
    """Print the configuration in effect (feature_store.yaml with every default filled in)."""
    from .config import config_to_yaml, load_config

    click.echo(config_to_yaml(load_config(obj.repo_path, obj.fs_yaml_file)), nl=False)


@main.command()
def version() -> None:
    """Print the version."""
    click.echo(f'Feast SDK Version: "{__version__}"')
    click.echo(f"(feast-core {__version__}, the feast_core implementation of the Feast API)")


# ---- servers ------------------------------------------------------------------------------------


def _frame_ancestors(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from .ui.headers import check_frame_ancestors

    try:
        return check_frame_ancestors(value)
    except FeastError as error:
        raise click.BadParameter(str(error)) from None


def _tls(key: str | None, cert: str | None):
    """The server's TLS key pair from -k/--key and -c/--cert (both or neither, as in Feast)."""
    if bool(key) != bool(cert):
        raise click.BadParameter("give both -k/--key and -c/--cert for TLS, or neither", param_hint="--key/--cert")
    from .server.tls import key_pair

    return key_pair(key, cert)


_key_option = click.option("-k", "--key", "tls_key_path", default="", show_default=False,
                           help="Path to the TLS private key (PEM); with --cert the server speaks TLS.")
_cert_option = click.option("-c", "--cert", "tls_cert_path", default="", show_default=False,
                            help="Path to the TLS certificate (PEM).")
_metrics_options = (
    click.option("-m", "--metrics", is_flag=True,
                 help="Record metrics even if feature_server.metrics.enabled is false, and serve them over HTTP."),
    click.option("--metrics-port", type=int, default=8000, show_default=True,
                 help="Port of the Prometheus metrics endpoint (with --metrics)."),
)


def _with(options):
    def decorate(function):
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


@main.command()
@click.option("-h", "--host", default="127.0.0.1", show_default=True)
@click.option("-p", "--port", type=int, default=6566, show_default=True)
@click.option("-w", "--workers", type=int, default=1, show_default=True)
@click.option("--no-access-log", is_flag=True, help="Do not log each request.")
@click.option("--keep-alive-timeout", type=int, default=30, show_default=True)
@click.option("-r", "--registry_ttl_sec", type=int, default=60, show_default=True,
              help="How often the server re-reads the registry, in seconds.")
@click.option("--max-request-bytes", type=int, default=None, help="Reject request bodies larger than this.")
@click.option("--max-entity-rows", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Refuse (413) an online request with more entity rows.")
@click.option("--max-response-values", type=click.IntRange(min=1), default=5_000_000, show_default=True,
              help="Refuse (413) an online request whose answer would hold more values (rows x columns).")
@click.option("-m", "--metrics", is_flag=True,
              help="Record metrics even if feature_server.metrics.enabled is false, and serve them on port 8000 "
                   "too (they are always at /metrics).")
@_key_option
@_cert_option
@pass_context
def serve(obj: Context, host: str, port: int, workers: int, no_access_log: bool, keep_alive_timeout: int,
          registry_ttl_sec: int, max_request_bytes: int | None, max_entity_rows: int, max_response_values: int,
          metrics: bool, tls_key_path: str, tls_cert_path: str) -> None:
    """Start the HTTP feature server."""
    from .server import serve as run_server
    from .server.limits import OnlineLimits

    _tls(tls_key_path, tls_cert_path)  # both or neither, readable PEM files
    run_server(obj.store, host=host, port=port, workers=workers, access_log=not no_access_log,
               keep_alive_timeout=keep_alive_timeout, registry_ttl_sec=registry_ttl_sec,
               max_request_bytes=max_request_bytes, metrics=metrics,
               limits=OnlineLimits(max_entity_rows, max_response_values),
               tls_files=(tls_key_path, tls_cert_path) if tls_key_path else None)


@main.command("serve_registry")
@click.option("-h", "--host", default="::", show_default=True, help="Address to listen on (:: = every address).")
@click.option("-p", "--port", type=int, default=6570, show_default=True)
@_key_option
@_cert_option
@_with(_metrics_options)
@pass_context
def serve_registry(obj: Context, host: str, port: int, tls_key_path: str, tls_cert_path: str, metrics: bool,
                   metrics_port: int) -> None:
    """Start the registry server (gRPC, Feast's protocol)."""
    from .server.registry import serve_registry as run_server

    tls = _tls(tls_key_path, tls_cert_path)
    run_server(obj.store, host=host, port=port, tls=tls, metrics=metrics, metrics_port=metrics_port)


@main.command("serve_offline")
@click.option("-h", "--host", default="127.0.0.1", show_default=True)
@click.option("-p", "--port", type=int, default=8815, show_default=True)
@_key_option
@_cert_option
@_with(_metrics_options)
@pass_context
def serve_offline(obj: Context, host: str, port: int, tls_key_path: str, tls_cert_path: str, metrics: bool,
                  metrics_port: int) -> None:
    """Start the offline server (Arrow Flight, Feast's protocol)."""
    from .server.offline import serve_offline as run_server

    tls = _tls(tls_key_path, tls_cert_path)
    run_server(obj.store, host=host, port=port, tls=tls, metrics=metrics, metrics_port=metrics_port)


@main.command()
@click.option("-h", "--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on; 0.0.0.0 for every interface (in a container).")
@click.option("-p", "--port", type=int, default=8888, show_default=True)
@click.option("--root_path", default="", show_default=True, help="URL prefix the UI is served under.")
@click.option("-r", "--registry_ttl_sec", type=int, default=5, show_default=True)
@click.option("--token-header", default="authorization", show_default=True,
              help="With auth on: the request header carrying the user's token (a proxy's, e.g. "
                   "X-Forwarded-Access-Token).")
@click.option("--frame-ancestors", default="'self'", show_default=True, envvar="FEAST_UI_FRAME_ANCESTORS",
              callback=_frame_ancestors,
              help="Origins whose pages may show the UI in a frame (CSP frame-ancestors sources).")
@pass_context
def ui(obj: Context, host: str, port: int, root_path: str, registry_ttl_sec: int, token_header: str,
       frame_ancestors: str) -> None:
    """Start the web UI."""
    from .ui import serve_ui

    serve_ui(obj.store, host=host, port=port, root_path=root_path, registry_ttl_sec=registry_ttl_sec,
             token_header=token_header, frame_ancestors=frame_ancestors)


# ---- list / describe ----------------------------------------------------------------------------


def _parse_tags(tags: tuple[str, ...]) -> dict[str, str] | None:
    parsed = {}
    for item in tags:
        key, sep, value = item.partition(":")
        if not sep:
            raise click.BadParameter(f"{item!r}: tags are key:value", param_hint="--tags")
        parsed[key.strip()] = value.strip()
    return parsed or None


def _row(group: str, obj) -> tuple:
    if group == "entities":
        return obj.name, obj.description, obj.value_type.name
    if group == "feature-views":
        return obj.name, ", ".join(obj.entities), "FeatureView"
    if group == "feature-services":
        return obj.name, ", ".join(obj.feature_references)
    if group == "data-sources":
        return obj.name, type(obj).__name__
    if group == "permissions":
        roles = getattr(obj.policy, "values", [])
        return (obj.name, ", ".join(obj.types) or "ALL", ", ".join(obj.name_patterns) or "-",
                ", ".join(a.value for a in obj.actions), ", ".join(roles) or "-")
    if group == "projects":
        return obj.name, obj.description, ", ".join(f"{k}={v}" for k, v in obj.tags.items())
    return (obj.name,)


def _table(header: tuple, rows: list[tuple]) -> str:
    """A plain, space-aligned table."""
    cells = [tuple(str(c) for c in header)] + [tuple(str(c) for c in row) for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells)


def _object_group(group: str, list_method: str, get_method: str, label: str, plural: str) -> None:
    @main.group(name=group)
    def command_group() -> None:
        pass

    command_group.help = f"Access {plural}."

    @command_group.command("list")
    @click.option("--tags", multiple=True, help="Only objects with this tag, as key:value (repeatable).")
    @pass_context
    def list_objects(obj: Context, tags: tuple[str, ...]) -> None:
        wanted = _parse_tags(tags)  # a malformed tag fails before the store is opened
        items = getattr(obj.store, list_method)(tags=wanted)
        click.echo(_table(LIST_COLUMNS[group], [_row(group, item) for item in items]))

    list_objects.help = f"List {plural}."

    @command_group.command("describe")
    @click.argument("name")
    @pass_context
    def describe(obj: Context, name: str) -> None:
        spec = getattr(obj.store, get_method)(name).to_dict()
        spec.pop("udf_pickle", None)  # the function's bytes; its source text (udf_string) is shown
        click.echo(yaml.safe_dump(spec, sort_keys=False, default_flow_style=False), nl=False)

    describe.help = f"Describe a {label}."


_object_group("entities", "list_entities", "get_entity", "entity", "entities")
_object_group("feature-views", "list_feature_views", "get_feature_view", "feature view", "feature views")
_object_group("on-demand-feature-views", "list_on_demand_feature_views", "get_on_demand_feature_view",
              "on-demand feature view", "on-demand feature views")
_object_group("feature-services", "list_feature_services", "get_feature_service", "feature service", "feature services")
_object_group("data-sources", "list_data_sources", "get_data_source", "data source", "data sources")
_object_group("permissions", "list_permissions", "get_permission", "permission", "permissions")
_object_group("projects", "list_projects", "get_project", "project", "projects")


cli = main  # Feast's name for the command group (feast.cli.cli)


if __name__ == "__main__":
    main()
