#!/usr/bin/env bash
# The container test (docs/container.md): makes a base image from Debian's packages, builds the image,
# checks compose.yaml, then runs e2e/container/session-in-container.ts against it (a session logged in
# against the WhatsApp Web double, restored after a restart without a QR, stopped cleanly) and
# e2e/container/cluster-in-containers.ts (three workers of the image on one local PostgreSQL).
#
#   bash scripts/container-test.sh
#
# Docker: a running daemon (DOCKER_HOST or the default socket) is used as it is. Without one, as root
# with Debian's docker.io installed, a daemon of its own is started on a socket in a temp folder
# (`dockerd --iptables=false --bridge=none`: containers and builds use host networking) and stopped at
# the end. Without either it exits 77 with the reason: skipped.
#
# Cached in SWITCHBOARD_CONTAINER_CACHE (default ~/.cache/switchboard-container; delete it to start
# afresh): the base made with debootstrap, as a tarball, and the own daemon's data folder, so the next
# build reuses the layers whose inputs did not change (npm ci, Chromium). The image stays tagged
# switchboard:container-test for that; dangling layers of older builds are pruned.
# SWITCHBOARD_CONTAINER_BASE=<image> builds on that image (the official Node image, say) instead.
# SWITCHBOARD_SKIP_CONTAINER_TEST=1 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."

SKIPPED=77
BASE_SUITE=trixie # Debian 13: nodejs 20.19, Switchboard's minimum
IMAGE=switchboard:container-test
CACHE="${SWITCHBOARD_CONTAINER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/switchboard-container}"
work=""
dockerd_pid=""

skip() {
  echo "container test skipped: $*"
  exit "$SKIPPED"
}

cleanup() {
  local status=$?
  rm -f .npm-ca.pem
  if [ -n "$dockerd_pid" ]; then
    kill -TERM "$dockerd_pid" 2>/dev/null || true
    # dockerd stops its containers and its containerd before it exits (then it is a zombie until waited for).
    for _ in $(seq 1 300); do
      case "$(ps -o stat= -p "$dockerd_pid" 2>/dev/null || true)" in "" | Z*) break ;; esac
      sleep 0.1
    done
    kill -KILL "$dockerd_pid" 2>/dev/null || true
    wait "$dockerd_pid" 2>/dev/null || true
  fi
  if [ -n "$work" ]; then
    # A daemon that had to be killed leaves mounts in its folders; unmount them, then remove the temp one.
    grep -o -e " $work/[^ ]*" -e " $CACHE/docker/[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ -z "${SWITCHBOARD_SKIP_CONTAINER_TEST:-}" ] || skip "SWITCHBOARD_SKIP_CONTAINER_TEST is set"
command -v docker >/dev/null || skip "no docker command (apt-get install docker.io)"

started=$(date +%s)
if ! docker info >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || skip "no Docker daemon answers, and only root can start one"
  command -v dockerd >/dev/null || skip "no Docker daemon answers and dockerd is not installed (apt-get install docker.io)"
  mkdir -p "$CACHE/docker"
  # One daemon at a time on the cached data folder.
  exec 9>"$CACHE/docker.lock"
  flock --wait 3600 9 || skip "another container test held $CACHE/docker.lock for an hour"
  work=$(mktemp -d /tmp/switchboard-container-test.XXXXXX)
  export DOCKER_HOST="unix://$work/docker.sock"
  dockerd --iptables=false --bridge=none --data-root "$CACHE/docker" --exec-root "$work/exec" \
    --pidfile "$work/dockerd.pid" --host "$DOCKER_HOST" >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 1 300); do docker info >/dev/null 2>&1 && break; kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.1; done
  if ! docker info >/dev/null 2>&1; then
    tail -5 "$work/dockerd.log"
    skip "dockerd did not start here (its log above)"
  fi
  echo "Started dockerd (pid $dockerd_pid) on $DOCKER_HOST"
fi

echo "=== compose.yaml: docker-compose config"
if command -v docker-compose >/dev/null; then
  docker-compose --file compose.yaml config --quiet
  docker-compose --file compose.yaml --profile cluster config --quiet
  echo "compose.yaml is valid (default and cluster profile)"
else
  echo "docker-compose is not installed: compose.yaml not checked"
fi

base="${SWITCHBOARD_CONTAINER_BASE:-}"
if [ -z "$base" ]; then
  base="switchboard-base:$BASE_SUITE"
  tarball="$CACHE/base-$BASE_SUITE.tar"
  if [ ! -f "$tarball" ]; then
    [ "$(id -u)" = 0 ] || skip "making the base image needs root (debootstrap), or set SWITCHBOARD_CONTAINER_BASE"
    command -v debootstrap >/dev/null || skip "debootstrap is not installed (apt-get install debootstrap), or set SWITCHBOARD_CONTAINER_BASE"
    echo "=== base image: debootstrap $BASE_SUITE with Debian's nodejs (cached in $tarball)"
    rootfs=$(mktemp -d /tmp/switchboard-base.XXXXXX)
    debootstrap --variant=minbase "$BASE_SUITE" "$rootfs" http://deb.debian.org/debian >"$rootfs.log" 2>&1 ||
      { tail -20 "$rootfs.log"; rm -rf "$rootfs" "$rootfs.log"; exit 1; }
    chroot "$rootfs" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs ca-certificates >/dev/null && apt-get clean && rm -rf /var/lib/apt/lists/*'
    mkdir -p "$CACHE"
    tar -C "$rootfs" -cf "$tarball.partial" . && mv "$tarball.partial" "$tarball"
    rm -rf "$rootfs" "$rootfs.log"
  fi
  docker image inspect "$base" >/dev/null 2>&1 ||
    docker import --change 'ENV LANG=C.UTF-8' --change 'CMD ["node"]' "$tarball" "$base" >/dev/null
fi
echo "base image: $base ($(docker run --rm --network host "$base" node --version))"

echo "=== docker build (base $base)"
build_args=(--network host --build-arg "BASE_IMAGE=$base")
# npm behind this machine's TLS-intercepting proxy needs the CA bundle npm itself uses.
cafile=$(npm config get cafile 2>/dev/null || true)
if [ -n "$cafile" ] && [ -f "$cafile" ]; then
  cp "$cafile" .npm-ca.pem
  build_args+=(--build-arg NPM_CA_BUNDLE=.npm-ca.pem)
fi
build_started=$(date +%s)
build_log=$(mktemp /tmp/switchboard-container-build.XXXXXX)
if ! docker build "${build_args[@]}" --tag "$IMAGE" . >"$build_log" 2>&1; then
  tail -60 "$build_log"
  rm -f "$build_log"
  exit 1
fi
# The build stage tagged too (every step cached, so at once): pruning keeps its layers (npm ci) for the next run.
docker build --target build "${build_args[@]}" --tag "$IMAGE-build" . >"$build_log" 2>&1
rm -f "$build_log"
echo "built $IMAGE in $(($(date +%s) - build_started)) s"

echo "=== the image against the WhatsApp Web double"
npx tsx e2e/container/session-in-container.ts "$IMAGE"
echo "=== compose.yaml's cluster, as far as it runs here: three workers of the image on a local PostgreSQL"
npx tsx e2e/container/cluster-in-containers.ts "$IMAGE"
docker image prune --force >/dev/null
echo "container test took $(($(date +%s) - started)) s"
