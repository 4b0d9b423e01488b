"""Users on their way out: a start that reaches its spawner after the user's deletion (or
rename) began, or ended, must not make a container or a volume under the old name.

The deletion stops every server active when it begins; a start request that was still
on its way (checking its options) then gets to the spawner later, and is refused here.
"""

import asyncio

from sqlalchemy import inspect

# Names whose deletion or rename is under way.
LEAVING = set()


def refuse_if_gone(user):
    """Cancel the start of a server of ``user`` if the user is leaving or has left: the
    start request answers that its server was stopped before it finished starting."""
    if user.name in LEAVING or inspect(user.orm_user).was_deleted:
        raise asyncio.CancelledError(f"user {user.name} is leaving")
