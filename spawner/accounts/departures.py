"""What a user's servers, files and secrets become when the user leaves the hub or is
renamed, whichever way it happens: the admin page and the REST API, the built-in login's
approval page, or a site's own tool calling the REST API.

Leaving: every server is stopped (named ones too, their routes gone at once), each server's
working volume is quarantined or removed (``Spawner.delete_forever``; the user stays if that
fails, so no files are left for the next account of that name), the secrets are deleted,
and the authenticator forgets the account (a built-in sign-up is removed, so the name needs
an admin's approval again).

Renaming: every server is stopped, each volume moves to the new name, and so do the secrets:
nothing is left under the old name for the next account that takes it.
"""

import asyncio

from jupyterhub.utils import maybe_future
from tornado import web

from ..kaggle.handlers import store_from
from ..server.leaving import LEAVING


async def stop_servers(handler, user, why):
    """Stop every active server of ``user``, its route removed. A start under way is
    cancelled first and its Docker calls waited for (else it makes a container after the
    stop), and a stop under way is waited for."""
    for name, spawner in list(user.spawners.items()):
        if not spawner.active:
            continue
        handler.log.info("Stopping %s: %s", spawner._log_name, why)
        if spawner._spawn_pending and not spawner._stop_pending and spawner._spawn_future:
            spawner._spawn_future.cancel()
        await _ended(spawner._spawn_future)
        await spawner.settle()
        await _ended(getattr(spawner, "_stop_future", None))
        await handler.proxy.delete_user(user, name)
        await user.stop(name)


async def _ended(future):
    """Wait for ``future`` to end, whichever way (its own request reports how)."""
    if future is not None:
        await asyncio.wait([future])


async def remove_user(handler, user):
    """Remove ``user`` from the hub with everything of theirs (see the module's doc)."""
    name = user.name
    LEAVING.add(name)
    try:
        await _remove_user(handler, user)
    finally:
        LEAVING.discard(name)


async def _remove_user(handler, user):
    name = user.name
    await stop_servers(handler, user, f"user {name} is being deleted")
    for server_name in sorted(user.orm_user.orm_spawners):
        try:
            await maybe_future(user.spawners[server_name].delete_forever())
        except Exception as e:
            handler.log.error("Could not put away the files of %s/%s: %s", name, server_name, e)
            raise web.HTTPError(
                503,
                f"The files of {name}'s server {server_name!r} could not be put away ({e}); "
                f"{name} was not deleted. Try again, or see the hub's log.",
            ) from None
    await maybe_future(handler.authenticator.delete_user(user))
    handler.users.delete(user)
    store_from(handler.settings).forget_user(name)
    handler.log.info("Deleted user %s: servers stopped, files put away, secrets deleted", name)


async def rename_user(handler, user, new_name):
    """Move ``user``'s files and secrets to ``new_name`` (the caller renames the account)."""
    name = user.name
    LEAVING.add(name)
    try:
        await _rename_user(handler, user, new_name)
    finally:
        LEAVING.discard(name)


async def _rename_user(handler, user, new_name):
    await stop_servers(handler, user, f"user {user.name} is being renamed to {new_name}")
    for server_name in sorted(user.orm_user.orm_spawners):
        spawner = user.spawners[server_name]
        move = getattr(spawner, "move_files_to", None)
        if move is None:
            continue
        try:
            await move(new_name)
        except Exception as e:
            handler.log.error("Could not move the files of %s: %s", spawner._log_name, e)
            raise web.HTTPError(
                409, f"{user.name} was not renamed: the files could not be moved ({e})."
            ) from None
    store_from(handler.settings).rename_user(user.name, new_name)
    handler.log.info("Moved the files and secrets of user %s to %s", user.name, new_name)


def renamed(handler, user):
    """Forget the hub's in-memory object of a renamed ``user``: JupyterHub keeps it, with the
    old name's URL in it and in each of its spawners, and the next start would be routed
    under the old name. The next look-up makes it afresh from the database."""
    dict.pop(handler.users, user.id, None)
