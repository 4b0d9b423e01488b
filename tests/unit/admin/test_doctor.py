"""kaggle-hub doctor's local checks."""

import os

from spawner.admin import doctor


def test_data_dir_checks(tmp_path):
    assert doctor.check_data_dir(tmp_path / "new").ok
    d = tmp_path / "data"
    d.mkdir(mode=0o755)
    os.chmod(d, 0o755)
    loose = doctor.check_data_dir(d)
    assert not loose.ok and loose.fix == f"chmod 700 {d}"
    os.chmod(d, 0o700)
    assert doctor.check_data_dir(d).ok
    other = doctor.check_data_dir(d, euid=os.geteuid() + 1)
    assert not other.ok and other.fix.startswith("chown -R")


def test_disk_check_names_the_shortfall(tmp_path):
    assert doctor.check_disk(tmp_path, minimum=1).ok
    short = doctor.check_disk(tmp_path, minimum=1024**5)
    assert not short.ok and "docker image prune" in short.fix
    assert short.line().startswith("FAIL  disk: ")


def test_a_stopped_hub_fails_and_says_which_of_its_ports_are_taken(tmp_path):
    import socket

    from spawner.settings.hub import from_env

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        s = from_env({"KAGGLE_HUB_DATA_DIR": str(tmp_path), "KAGGLE_HUB_PORT": str(port)})
        check = doctor.check_hub(s)
    assert not check.ok
    assert (
        check.detail == f"not running; another program listens on 127.0.0.1:{port}, which it needs"
    )
    assert check.fix.startswith(f"find it with: ss -ltnp 'sport = :{port}'")
    assert check.fix.endswith("start it: ./deploy/run, or ./deploy/service install")
    s = from_env({"KAGGLE_HUB_DATA_DIR": str(tmp_path)})
    unanswered = doctor.check_hub(s, running=True, answer="Connection refused")
    assert not unanswered.ok and "does not answer (Connection refused)" in unanswered.detail


def test_certificates_near_their_end_are_reported_with_the_renewal(tmp_path):
    import datetime

    from spawner.hub import tls

    cert, _ = tls.sign_server_cert(*tls.ensure_ca(tmp_path, ["hub.lan"]), ["hub.lan"], days=10)
    (tmp_path / "server.pem").write_bytes(cert)
    soon = doctor.check_certificate("TLS", tmp_path / "server.pem", "renew it")
    assert not soon.ok and "in 9 days" in soon.detail and soon.fix == "renew it"
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=20)
    assert (
        "expired on" in doctor.check_certificate("TLS", tmp_path / "server.pem", "", later).detail
    )
    assert doctor.check_certificate("TLS", tmp_path / "ca.pem", "").ok
    assert not doctor.check_certificate("TLS", tmp_path / "missing.pem", "").ok


def test_the_datasets_are_counted(tmp_path):
    (tmp_path / "competitions/titanic").mkdir(parents=True)
    (tmp_path / "datasets/ann/houses").mkdir(parents=True)
    (tmp_path / "by-hand").mkdir()
    assert doctor.check_datasets(tmp_path).detail == (
        f"{tmp_path}: 1 competitions, 1 datasets, 1 plain folders"
    )
    assert doctor.check_datasets("").ok


def test_disk_check_says_when_the_hub_refuses_starts(tmp_path):
    refusing = doctor.check_disk(tmp_path, minimum=1, starts_need=1024**5)
    assert not refusing.ok
    assert "under KAGGLE_HUB_MIN_FREE_DISK (1024.0 TB), so the hub refuses every start" in (
        refusing.line()
    )
    assert doctor.check_disk(tmp_path, minimum=1, starts_need=1).ok
