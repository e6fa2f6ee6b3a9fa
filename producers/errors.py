"""One line for a user's configuration or infrastructure mistake, instead of a traceback.

The `talentq` command turns the exceptions below into ``talentq: <what> (<setting>): <fix>`` and exit code 1;
``--debug`` (or TALENTQ_LOG_LEVEL=DEBUG) shows the traceback instead. Anything not listed is a bug: it keeps
its traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config.settings import Settings


class UserError(Exception):
    """A mistake the user can fix, already worded for them (a missing folder, an unknown posting)."""


def safe_url(url: str | None) -> str:
    """The URL without its password: error lines end up in terminals and CI logs."""
    from sqlalchemy import exc as sa_exc
    from sqlalchemy import make_url

    if not url:
        return "unset"
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return "<unparsable>"


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0].rstrip(".") if text else type(exc).__name__


def _database(exc: Exception, settings: Settings) -> str:
    where = f"TALENTQ_DATABASE_URL={safe_url(settings.database_url)}"
    detail = _first_line(exc)
    if "no such table" in detail or ("relation" in detail and "does not exist" in detail):
        return f"the database has no talentq schema ({where}): run `talentq db upgrade`"
    return f"cannot use the database ({where}): {detail}; check TALENTQ_DATABASE_URL and that the server runs"


def _broker(exc: BaseException, settings: Settings) -> str:
    return (
        f"cannot reach the broker (TALENTQ_BROKER_URL={safe_url(settings.broker_url)}): {_first_line(exc)}; "
        "start Redis or fix TALENTQ_BROKER_URL"
    )


def queued_in_outbox(what: str, pending: int, settings: Settings) -> str:
    return (
        f"{what} stored, but the broker (TALENTQ_BROKER_URL={safe_url(settings.broker_url)}) is unreachable: "
        f"{pending} message(s) wait in the outbox and go out once it is back, with the next `talentq submit` "
        "or from a running `talentq worker`"
    )


def explain(exc: BaseException, settings: Settings) -> str | None:
    """The one line for ``exc``, or None when it is not a user's mistake (then the traceback is the report)."""
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, UserError):
        return str(exc)
    if isinstance(exc, sa_exc.DBAPIError) and isinstance(exc, sa_exc.OperationalError | sa_exc.ProgrammingError):
        return _database(exc, settings)
    if isinstance(exc, sa_exc.NoSuchModuleError | sa_exc.ArgumentError):
        return f"TALENTQ_DATABASE_URL={safe_url(settings.database_url)} is not a usable URL: {_first_line(exc)}"
    if isinstance(exc, BrokerError | RedisConnectionError | ConnectionError):
        return _broker(exc, settings)
    if isinstance(exc, FileNotFoundError | IsADirectoryError | NotADirectoryError):
        return f"{exc.strerror or 'cannot read'}: {exc.filename}"
    return None
