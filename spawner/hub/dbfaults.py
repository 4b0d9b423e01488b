"""What the hub answers when its database cannot be used: a full disk under the data dir,
a read-only data dir, another program holding the database's lock.

JupyterHub takes any error while it looks up who is asking (where it records the token's
or cookie's activity, a write) for "nobody": every request, a user's running server's own
included, is then answered 403 "Missing or invalid credentials", or sent to the login
page, and people think they were logged out. Here the request is answered 503 with the
cause and what to do, and the hub recovers on its own once the cause is gone.

JupyterHub has no hook for this in its handlers, so ``install`` wraps the ``prepare`` of
their common base class (every page and API handler of the hub).
"""

import os

from jupyterhub.handlers.base import BaseHandler
from sqlalchemy.exc import SQLAlchemyError
from tornado import web


def unusable_message(error, data_dir):
    """What a person is told about an ``error`` of the hub's database or data dir
    (SQLAlchemy's, sqlite3's or an OSError): the cause, and what to do."""
    reason = str(getattr(error, "orig", None) or error)
    lowered = reason.lower()
    disk = _disk_state(data_dir)
    if disk == "full" or "disk is full" in lowered or "no space" in lowered:
        fix = f"the disk of the hub's data directory {data_dir} is full: free space there"
    elif disk == "read-only" or "readonly" in lowered or "read-only" in lowered:
        fix = f"the hub's data directory {data_dir} is read-only: make it writable"
    elif "locked" in lowered:
        fix = (
            f"another program holds the lock of the hub's database in {data_dir}: stop it "
            "(a second hub, a copy or backup tool)"
        )
    else:
        fix = f"see the disk of the hub's data directory {data_dir}"
    return f"The hub cannot use its data directory ({reason}); {fix}."


def _disk_state(data_dir):
    """``"full"``, ``"read-only"`` or ``""``: what the disk of ``data_dir`` says of itself
    (SQLite names neither when it cannot make its journal there)."""
    try:
        disk = os.statvfs(data_dir)
    except OSError:
        return ""
    if disk.f_flag & os.ST_RDONLY:
        return "read-only"
    return "full" if disk.f_bavail == 0 else ""


def install(data_dir):
    """Answer 503 with ``unusable_message`` wherever the hub's database fails while a
    request is identified (once per process)."""
    if getattr(BaseHandler.prepare, "_answers_database_faults", False):
        return
    prepare = BaseHandler.prepare

    async def prepare_or_503(self):
        try:
            await self.get_current_user()
        except SQLAlchemyError as e:
            self.db.rollback()
            message = unusable_message(e, data_dir)
            request = self.request
            self.log.error("%s %s answered 503: %s", request.method, request.path, message)
            raise web.HTTPError(503, f"{message} The hub recovers by itself then.") from None
        except Exception:
            # Another fault: JupyterHub's own prepare looks again and reports it.
            del self._jupyterhub_user
        await prepare(self)

    prepare_or_503._answers_database_faults = True
    BaseHandler.prepare = prepare_or_503
