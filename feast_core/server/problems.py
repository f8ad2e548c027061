"""How a failed request is answered: status code and JSON body, never a traceback.

Two body shapes, each the one Feast's own server sends for the same failure, so Feast clients keep working:

* a ``FeastError`` (unknown feature view or service, bad entity rows, store down, ...): status
  ``exc.http_status_code()``, body a JSON *string* holding ``{"module", "class", "message"}`` -- Feast
  double-encodes it (``JSONResponse(content=exc.to_error_detail())``) and its REST client rebuilds the
  exception with ``FeastError.from_error_detail(response.json())``. Where Feast has an equivalent exception,
  the wire names Feast's module and class, so a Feast client raises the exception it knows (with our message).
* a malformed request (bad JSON, a missing or mistyped field): 422 ``{"detail": [{"type", "loc", "msg"}]}``,
  FastAPI's validation-error shape; a body over the size limit: 413 ``{"detail": "..."}``.
"""

from __future__ import annotations

import logging

import orjson

from ..errors import FeastError

log = logging.getLogger(__name__)


class RequestError(Exception):
    """The request itself is malformed; ``loc`` is the path of the offending field, as FastAPI reports it."""

    def __init__(self, message: str, loc: tuple = ("body",), kind: str = "value_error", status: int = 422) -> None:
        super().__init__(message)
        self.message, self.loc, self.kind, self.status = message, loc, kind, status


def request_error_body(error: RequestError) -> bytes:
    if error.status == 413:
        return orjson.dumps({"detail": error.message})
    return orjson.dumps({"detail": [{"type": error.kind, "loc": list(error.loc), "msg": error.message}]})


def feast_error_response(error: FeastError) -> tuple[int, bytes]:
    return error.http_status_code(), orjson.dumps(error.to_error_detail())


def internal_error_response(error: BaseException, endpoint: str) -> tuple[int, bytes]:
    """An error nobody planned for: logged with its traceback here, answered without it."""
    log.error("%s failed unexpectedly", endpoint, exc_info=error)
    return 500, orjson.dumps({"detail": f"internal server error ({type(error).__name__}); see the server log"})
