"""kaggle-hub: the admin's command on the workstation, reading the hub's own settings.

kaggle-hub doctor                       check the machine and say how to fix what is not
kaggle-hub pull                         pull the configured images, with progress
kaggle-hub volumes                      users' volumes, live and quarantined, with sizes
kaggle-hub gpus                         who holds which GPU since when, and each GPU's use
kaggle-hub backup USER [--server S]     write a volume to a .tar.gz
kaggle-hub backup --hub [--list]        save the hub's database and secrets (or list saves)
kaggle-hub backup --all [-o DIR]        a backup set: the hub's state and every volume
kaggle-hub backup --status              the scheduled backups: when, where, the last outcome
kaggle-hub restore USER FILE            put a .tar.gz in the user's (empty) volume (--new:
                                        one the server does not have yet)
kaggle-hub restore --hub FILE           put a saved hub state back (the hub stopped)
kaggle-hub restore --all SET            put a whole backup set back (a fresh machine)
kaggle-hub restore USER --from-volume Q copy a quarantined volume back
kaggle-hub move USER NODE [--server S]  on a swarm: a stopped server and its files to
                                        another node
kaggle-hub purge USER [--yes]           remove a user's volumes, after confirmation (or
                                        one: --server S, --volume V)
kaggle-hub logs USER [--server S]       a server's log: its past runs, then the running one
kaggle-hub datasets add HANDLE          download competitions/SLUG or OWNER/SLUG[/versions/N]
kaggle-hub datasets list                the team's shared competitions and datasets
kaggle-hub datasets remove HANDLE       remove a shared copy, after confirmation
kaggle-hub admin-code                   the sign-up link that claims a named admin account
kaggle-hub stop-proxy                   stop the proxy a stopped hub left serving users
"""

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import docker

from .. import engine
from ..errors import DockerUnreachable, SetupError
from ..hub import backupstatus, datadir, traefikprocess
from ..login import admincode
from ..server import gpus, logs, naming, quotas, standby, volumes
from ..settings.environment import REPO_DIR, SettingsError, env_file_path
from ..settings.hub import load
from ..sizes import human_size
from . import backups, backupsets, datasets, hubstate, move
from .doctor import run_checks
from .meter import Meter, Meters
from .pull import pull_images

# How long the proxy may take to stop before it is killed.
PROXY_STOP_SECONDS = 10


def _client():
    return engine.connect(engine.client_kwargs())


def _volume(s, user, server):
    return naming.volume_name(s.prefix, user, server or "")


def cmd_move(args, s, out):
    return move.move(_client(), s, args.user, args.server, args.node, out)


def cmd_doctor(args, s, out):
    return 0 if run_checks(s, out) else 1


def cmd_pull(args, s, out):
    return 0 if pull_images(_client(), s, out) else 1


def _standby_memory(client, container):
    try:
        return human_size(engine.memory_in_use(client, container))
    except docker.errors.APIError:
        return "memory unknown"


def cmd_volumes(args, s, out):
    client = _client()
    rows = backups.list_volumes(client, s.prefix)
    if not rows:
        out.write(f"No volumes of hub prefix {s.prefix!r}.\n")
        return 0
    table = [("VOLUME", "USER", "SERVER", "SIZE", "QUOTA", "STATUS")]
    for r in rows:
        if r["quarantined_at"]:
            status = f"quarantined {r['quarantined_at'][:19]}"
        else:
            status = "in use" if r["in_use"] else "idle"
        if r["standby"]:
            status += f", standby ({_standby_memory(client, r['standby'])})"
        use = r["quota_use"]
        if use is not None:
            size, quota = human_size(use.used), use.quota_text()
        else:
            size, quota = human_size(r["size"]), "not mounted" if r["quota"] else "-"
        user = "(team folder)" if r["team"] else r["user"]
        table.append((r["name"], user, r["server"] or "-", size, quota, status))
    write_table(out, table)
    if any(r["quota_use"] is not None and r["quota_use"].nearly_full for r in rows):
        out.write(f"Volumes at {quotas.WARN_AT:.0%} of their quota or more are nearly full.\n")
    return 0


def cmd_gpus(args, s, out):
    if s.swarm.on_swarm:
        out.write(
            "On a swarm, Docker's scheduler gives the GPUs of each node: "
            "docker node inspect NODE shows a node's, docker service ps a server's.\n"
        )
        return 0
    found = gpus.smi_devices()
    devices = gpus.pool(s.gpus, found)
    if not devices:
        out.write(
            "No GPUs: nvidia-smi lists none on this machine and KAGGLE_HUB_GPUS names none.\n"
        )
        return 0
    held = gpus.holder_map(_client(), s.prefix, devices)
    smi = {d.index: d for d in found or ()}
    table = [("GPU", "HELD BY", "SINCE", "MODEL", "USE")]
    for device in devices:
        holder = held.get(device)
        known = smi.get(device)
        table.append(
            (
                device,
                holder.who() if holder else "free",
                holder.since_text() if holder else "-",
                known.model if known else "-",
                known.use if known else "-",
            )
        )
    write_table(out, table)
    if found is None:
        out.write("MODEL and USE: nvidia-smi does not answer on this machine.\n")
    return 0


def write_table(out, table):
    """Rows of cells in aligned columns, the first row the heading."""
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        out.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        out.write("\n")


def confirmed(args, out, word, what):
    """True with --yes, or when the person at the terminal types ``word``."""
    if args.yes:
        return True
    if not sys.stdin.isatty():
        out.write("Not removed: confirm with --yes (no terminal to ask on).\n")
        return False
    out.write(f"Type {word} to remove {what} for good: ")
    out.flush()
    if sys.stdin.readline().strip() != word:
        out.write("Not confirmed: nothing removed.\n")
        return False
    return True


def cmd_backup(args, s, out):
    if args.hub:
        return backup_hub(args, s, out)
    if args.status:
        ok, lines = backupstatus.status_lines(s.data_dir, s.backups)
        out.write("".join(f"{line}\n" for line in lines))
        return 0 if ok else 1
    if args.all:
        return backup_all(args, s, out)
    client = _client()
    volume = args.volume or _volume(s, args.user, args.server)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = Path(args.output or f"{volume}-{stamp}.tar.gz")
    image = volumes.helper_image(client, s.image)
    meter = Meter(out, f"reading {volume}", backups.volume_size(client, volume))
    backups.backup(client, image, volume, path, meter)
    done = meter.finish()
    out.write(f"Wrote {volume} to {path} ({human_size(path.stat().st_size)}; read {done}).\n")
    return 0


def backup_hub(args, s, out):
    if args.list:
        saved = hubstate.list_backups(s.data_dir)
        for path in saved:
            out.write(f"{path}  {human_size(path.stat().st_size)}\n")
        if not saved:
            out.write(f"No hub backups in {hubstate.backup_dir(s.data_dir)}.\n")
        return 0
    path = hubstate.backup(s.data_dir, args.output)
    out.write(f"Saved the hub's database and secrets to {path} (keep it private).\n")
    return 0


def backup_all(args, s, out):
    folder = args.output or s.backups.folder
    if not folder:
        raise SettingsError(
            "Give the folder to write the set into (-o DIR), or set KAGGLE_HUB_BACKUP_DIR."
        )
    started = datetime.now(UTC)
    meters = Meters(out)
    try:
        path, manifest = backupsets.write_set(
            _client(), s, folder, env_file_path(os.environ, args.config_dir), meters, started
        )
    except (backupsets.BackupSetError, volumes.VolumeError, hubstate.HubStateError) as e:
        meters.finish()
        backupstatus.record(s.data_dir, started, error=e)
        raise
    meters.finish()
    backupstatus.record(s.data_dir, started, path, manifest)
    out.write(
        f"Wrote the hub's state and {backupstatus.volume_count(manifest['volumes'])} to {path} "
        f"({human_size(manifest['bytes'])} in {manifest['seconds']:.1f} s; the newest "
        f"{s.backups.keep} sets in {folder} are kept).\n"
    )
    return 0


def restore_all(args, s, out):
    env_file = env_file_path(os.environ, args.config_dir)
    meters = Meters(out)
    try:
        restored, changed = backupsets.restore_set(_client(), s, args.user, env_file, meters)
    finally:
        meters.finish()
    out.write(
        f"Restored the hub's state and {backupstatus.volume_count(restored)} from {args.user}.\n"
    )
    if changed:
        before = env_file.with_name(env_file.name + backupsets.BEFORE_RESTORE)
        kept = f" (it was kept as {before})" if before.exists() else ""
        out.write(f"Settings from the set written to {env_file}{kept}: {', '.join(changed)}.\n")
    out.write("Start the hub.\n")
    return 0


def cmd_restore(args, s, out):
    if args.all:
        return restore_all(args, s, out)
    if args.hub:
        saved = hubstate.restore(s.data_dir, args.user)
        before = f"; the state it replaced is in {saved}" if saved else ""
        out.write(f"Restored the hub's state from {args.user}{before}. Start the hub.\n")
        return 0
    client = _client()
    volume = _volume(s, args.user, args.server)
    if not args.new:
        _check_restore_target(client, s, args.user, args.server, volume)
    image = volumes.helper_image(client, s.image)
    labels = volumes.labels(s.prefix, args.user, args.server or "")
    meters = Meters(out)
    try:
        if args.from_volume:
            saved = backups.restore_volume(
                client, image, volume, args.from_volume, labels, force=args.force, meter=meters
            )
            out.write(f"Copied {args.from_volume} into {volume} ({meters.finish()}).\n")
        elif not args.file:
            raise volumes.VolumeError("Give a FILE to restore, or --from-volume NAME.")
        else:
            saved = backups.restore(
                client, image, volume, args.file, labels, force=args.force, meter=meters
            )
            out.write(f"Restored {args.file} into {volume} ({meters.finish()}).\n")
    finally:
        meters.finish()
    if saved:
        out.write(
            f"Its previous content is kept in {saved}: 'kaggle-hub restore {args.user} "
            f"--from-volume {saved} --force' puts it back, 'kaggle-hub purge' removes it.\n"
        )
    return 0


def _check_restore_target(client, s, user, server, volume):
    """Refuse a restore into a server the user has no volume for while they have volumes
    for others (a mistyped server name would otherwise get a volume nobody uses), naming
    those. A user with no volume at all (a fresh machine, after a purge) is restored into."""
    try:
        client.inspect_volume(volume)
        return
    except docker.errors.NotFound:
        pass
    live = [
        r
        for r in backups.list_volumes(client, s.prefix, sizes=False)
        if r["user"] == user and not r["quarantined_at"]
    ]
    if not live:
        return
    names = sorted(repr(r["server"]) if r["server"] else "the default server" for r in live)
    what = f"server {server!r}" if server else "the default server"
    raise volumes.VolumeError(
        f"{user} has no volume for {what} ({user}'s volumes: {', '.join(names)}). Check the "
        f"names, or add --new to restore into a new volume, which {user} gets on starting "
        "that server."
    )


def cmd_purge(args, s, out):
    client = _client()
    rows = [
        r for r in backups.list_volumes(client, s.prefix, sizes=False) if r["user"] == args.user
    ]
    if not rows:
        out.write(f"{args.user!r} has no volumes: nothing to remove.\n")
        return 0
    names = [r["name"] for r in rows]
    if args.volume:
        if args.volume not in names:
            raise volumes.VolumeError(
                f"{args.volume!r} is not one of {args.user}'s volumes ({', '.join(names)})."
            )
        names = [args.volume]
    elif args.server is not None:
        names = [r["name"] for r in rows if r["server"] == args.server and not r["quarantined_at"]]
        if not names:
            raise volumes.VolumeError(
                f"{args.user} has no volume for server {args.server!r}: nothing removed."
            )
    out.write(f"Volumes of {args.user!r} to remove: {', '.join(names)}\n")
    if not confirmed(args, out, args.user, "them"):
        return 1
    for name in names:
        standby.using(client, name)
        try:
            volumes.remove(client, name)
        except docker.errors.APIError as e:
            if e.status_code != 409:
                raise
            raise volumes.VolumeError(
                f"Volume {name!r} is in use: stop {args.user}'s server first (admin page)."
            ) from None
        out.write(f"Removed {name}\n")
    return 0


def cmd_logs(args, s, out):
    name = naming.container_name(s.prefix, args.user, args.server or "")
    kept = logs.log_path(datadir.server_log_dir(s.data_dir), name)
    found = False
    if kept.exists():
        out.write(kept.read_text(errors="replace"))
        found = True
    try:
        live = _client().logs(name, tail=args.tail).decode("utf-8", "replace")
    except docker.errors.NotFound:
        live = None
    if live is not None:
        out.write(f"===== {name} running now (last {args.tail} lines) =====\n{live}")
        found = True
    if not found:
        out.write(f"No log of {name}: the server has not run since logs are kept.\n")
    return 0


def cmd_admin_code(args, s, out):
    if s.auth.mode != "native":
        out.write(
            f"Admins log in through {s.auth.mode}: the provider vouches for them, no code is "
            "needed.\n"
        )
        return 0
    datadir.ensure_private_dir(s.data_dir)
    path = datadir.hub_paths(s.data_dir)["admin_code_file"]
    url = admincode.claim_url(s.public_url, admincode.current(path))
    out.write(
        f"Sign up as an admin named in KAGGLE_HUB_ADMINS at:\n  {url}\nThe code works once: "
        "each admin's sign-up makes a new one (run this again for the next).\n"
    )
    return 0


def cmd_datasets(args, s, out):
    if not s.datasets_dir:
        raise SettingsError(
            "KAGGLE_HUB_DATASETS_DIR is not set: name the folder the team's datasets live in "
            "(e.g. /srv/kaggle-datasets) in .env, and restart the hub so servers see it."
        )
    if args.action == "list":
        rows = datasets.listing(s.datasets_dir)
        if not rows:
            out.write(f"No shared datasets in {s.datasets_dir} yet.\n")
            return 0
        table = [("HANDLE", "VERSION", "SIZE", "ADDED")]
        table += [(n, str(v or "-"), human_size(size), a) for n, v, size, a in rows]
        write_table(out, table)
        return 0
    if not args.handle:
        parser().error(f"datasets {args.action} needs a HANDLE, e.g. competitions/titanic")
    if args.action == "remove":
        if not confirmed(args, out, args.handle, "the team's copy"):
            return 1
        folder = datasets.remove(s.datasets_dir, args.handle)
        out.write(f"Removed {folder}. Running servers lose it now; nothing else changes.\n")
        return 0
    meters = Meters(out)
    meta = datasets.add(s.datasets_dir, args.handle, s.kaggle_api, os.environ, Path.home(), meters)
    meters.finish()
    version = f" version {meta['version']}" if meta["version"] else ""
    handle = datasets.parse_handle(args.handle)
    files = f"{meta['files']} file{'' if meta['files'] == 1 else 's'}"
    out.write(
        f"Added {meta['handle']}{version}: {files}, archive "
        f"{human_size(meta['archive_bytes'])}, sha256 {meta['sha256']}.\n"
        f"Every server sees it now at {handle.input_path} (kagglehub finds it there), and at "
        f"/kaggle/input/{handle.slug}/ from its next start.\n"
    )
    return 0


def cmd_stop_proxy(args, s, out):
    if hubstate.hub_running(s.data_dir):
        raise SetupError(
            "the hub is running, and it keeps its proxy running: stop the hub first "
            "(Ctrl-C in its terminal, or: systemctl stop kaggle-team-hub), then run this."
        )
    pid = traefikprocess.left_running(s.data_dir)
    if pid is None:
        out.write("No proxy of this hub is running.\n")
        return 0
    traefikprocess.stop(traefikprocess.TakenOver(pid), PROXY_STOP_SECONDS)
    out.write(
        f"Stopped the proxy (traefik, pid {pid}): users' servers are out of reach until the "
        "hub starts again.\n"
    )
    return 0


def parser():
    p = argparse.ArgumentParser(prog="kaggle-hub", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--config-dir",
        default=str(REPO_DIR),
        help="folder of jupyterhub_config.py and .env (default: %(default)s)",
    )
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("doctor", help="check Docker, the network, images, data dir and disk")
    sub.add_parser("pull", help="pull the configured images")
    sub.add_parser("volumes", help="list users' volumes")
    sub.add_parser("gpus", help="who holds which GPU, and each GPU's use")
    b = sub.add_parser("backup", help="write a user's volume to a .tar.gz")
    b.add_argument("user", nargs="?")
    b.add_argument("--server", default="", help="a named server (default: the default server)")
    b.add_argument("--volume", help="a volume by name, e.g. a quarantined one")
    b.add_argument("-o", "--output", help="file to write (default: VOLUME-TIME.tar.gz)")
    b.add_argument("--hub", action="store_true", help="the hub's database and secrets")
    b.add_argument("--list", action="store_true", help="with --hub: list the saved states")
    b.add_argument(
        "--all",
        action="store_true",
        help="a backup set of the hub's state and every volume, into -o DIR or "
        "KAGGLE_HUB_BACKUP_DIR",
    )
    b.add_argument("--status", action="store_true", help="the scheduled backups' last outcome")
    r = sub.add_parser("restore", help="restore a .tar.gz or a quarantined volume")
    r.add_argument("user", help="the user (with --hub: the hub backup file; with --all: the set)")
    r.add_argument("--hub", action="store_true", help="restore the hub's state from a backup")
    r.add_argument("--all", action="store_true", help="restore a whole backup set")
    r.add_argument("file", nargs="?")
    r.add_argument("--server", default="")
    r.add_argument("--from-volume", help="copy this (quarantined) volume instead of a file")
    r.add_argument(
        "--force",
        action="store_true",
        help="replace a volume's content (the current content is kept, quarantined)",
    )
    r.add_argument(
        "--new",
        action="store_true",
        help="restore into a server that has no volume yet (e.g. a new named server)",
    )
    m = sub.add_parser("move", help="on a swarm: run a stopped server on another node")
    m.add_argument("user")
    m.add_argument("node", help="the node's host name (or id)")
    m.add_argument("--server", default="", help="a named server (default: the default server)")
    g = sub.add_parser("purge", help="remove a user's volumes")
    g.add_argument("user")
    which = g.add_mutually_exclusive_group()
    which.add_argument("--server", help="only this named server's volume")
    which.add_argument("--volume", help="only this volume of the user's, e.g. a quarantined one")
    g.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    lg = sub.add_parser("logs", help="a user's server log, kept after it stops")
    lg.add_argument("user")
    lg.add_argument("--server", default="", help="a named server (default: the default server)")
    lg.add_argument("--tail", type=int, default=200, help="lines of the running server's log")
    d = sub.add_parser("datasets", help="the team's shared Kaggle competitions and datasets")
    d.add_argument("action", choices=("add", "list", "remove"))
    d.add_argument("handle", nargs="?", help="competitions/SLUG or OWNER/SLUG[/versions/N]")
    d.add_argument("--yes", action="store_true", help="with remove: do not ask")
    sub.add_parser("admin-code", help="the sign-up link that claims a named admin account")
    sub.add_parser("stop-proxy", help="stop the proxy a stopped hub left serving users")
    return p


COMMANDS = {
    "doctor": cmd_doctor,
    "pull": cmd_pull,
    "volumes": cmd_volumes,
    "gpus": cmd_gpus,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "move": cmd_move,
    "purge": cmd_purge,
    "logs": cmd_logs,
    "datasets": cmd_datasets,
    "admin-code": cmd_admin_code,
    "stop-proxy": cmd_stop_proxy,
}


def parse(argv=None):
    """The command line's arguments; exits with argparse's message if they are wrong."""
    args, extra = parser().parse_known_args(argv)
    # argparse gives 'restore USER --server S FILE' no place for FILE after an option.
    late_file = len(extra) == 1 and not extra[0].startswith("-")
    if args.command == "restore" and args.file is None and late_file:
        args.file = extra.pop()
    if extra:
        parser().error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "backup" and not (
        args.user or args.volume or args.hub or args.all or args.status
    ):
        parser().error("backup needs USER, --volume NAME, --hub, --all or --status")
    return args


def main(argv=None, out=None):
    out = out or sys.stdout
    args = parse(argv)
    try:
        s = load(Path(args.config_dir))
        return COMMANDS[args.command](args, s, out)
    except (
        SettingsError,
        SetupError,
        DockerUnreachable,
        volumes.VolumeError,
        hubstate.HubStateError,
        backupsets.BackupSetError,
        datasets.DatasetError,
    ) as e:
        sys.stderr.write(f"kaggle-hub {args.command}: {e}\n")
        return 2
    except docker.errors.APIError as e:
        sys.stderr.write(f"kaggle-hub {args.command}: Docker refused: {e.explanation or e}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
