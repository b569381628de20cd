#!/usr/bin/env bash
# Makes a Docker engine available for the docker runtime and its tests, on a machine with no
# image registry (see /work/shared/reference/docker-offline.md). Run as root; idempotent:
#   1. install the engine (docker.io) if dockerd is missing,
#   2. start dockerd in its own session if `docker info` fails, and wait for it,
#   3. build the offline base image chat-bench/node-base:20 from this machine's own Node.js
#      (docker import of a root filesystem: /usr/bin/node + the libraries ldd lists).
# Prints the export line the tests and the CLI use to find the base image.
set -euo pipefail

BASE_IMAGE="${CHAT_BENCH_BASE_IMAGE:-chat-bench/node-base:20}"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/chat-bench-dockerd.log}"
# Published ports through kernel NAT instead of one docker-proxy process per port: every client
# connection of a docker run crosses a published port, and the userland copy costs about half a
# core at smoke-scenario load on 2 cores (measured: ~1.6x more round trips/s without it).
DOCKERD_FLAGS="${DOCKERD_FLAGS:---userland-proxy=false}"
NODE_BIN="$(readlink -f "$(command -v node)")"

say() { echo "docker-engine: $*" >&2; }

if [ "$(id -u)" != 0 ]; then
  say "must run as root (installs and starts dockerd)"; exit 1
fi

# 1. Engine binary.
if ! command -v dockerd >/dev/null 2>&1; then
  say "installing docker.io"
  export DEBIAN_FRONTEND=noninteractive
  # Lock timeout: other setup steps may be installing packages at the same moment.
  APT=(apt-get -o DPkg::Lock::Timeout=600 -y -q)
  "${APT[@]}" install docker.io >/dev/null || { "${APT[@]}" update >/dev/null && "${APT[@]}" install docker.io >/dev/null; }
fi

# 2. Engine process. setsid: the daemon must outlive this script and its caller's session.
if ! docker info >/dev/null 2>&1; then
  say "starting dockerd $DOCKERD_FLAGS (log: $DOCKERD_LOG)"
  # shellcheck disable=SC2086 # flags are words
  setsid dockerd $DOCKERD_FLAGS >>"$DOCKERD_LOG" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    say "dockerd did not answer within 60 s; last log lines:"; tail -n 20 "$DOCKERD_LOG" >&2 || true; exit 1
  fi
fi
say "engine up: $(docker version --format '{{.Server.Version}}' 2>/dev/null || echo unknown)"

# 3. Offline base image. Re-import only when the node binary changed (label holds its hash).
NODE_SUM="$(sha256sum "$NODE_BIN" | cut -c1-16)"
CURRENT_SUM="$(docker image inspect --format '{{ index .Config.Labels "chat-bench.node-sha" }}' "$BASE_IMAGE" 2>/dev/null || true)"
if [ "$CURRENT_SUM" != "$NODE_SUM" ]; then
  say "building $BASE_IMAGE from $NODE_BIN ($(node --version))"
  ROOTFS="$(mktemp -d)"
  trap 'rm -rf "$ROOTFS"' EXIT
  mkdir -p "$ROOTFS/usr/bin" "$ROOTFS/tmp" "$ROOTFS/app" "$ROOTFS/data" "$ROOTFS/etc"
  chmod 1777 "$ROOTFS/tmp"
  cp "$NODE_BIN" "$ROOTFS/usr/bin/node"
  # Every library ldd names, at the same path (dereferenced: the rootfs has no /lib symlinks).
  for lib in $(ldd "$NODE_BIN" | grep -o '/[^ ]*'); do
    mkdir -p "$ROOTFS$(dirname "$lib")"
    cp -L "$lib" "$ROOTFS$lib"
  done
  # glibc >= 2.34 has the files/dns NSS modules built in; this makes the order explicit.
  echo 'hosts: files dns' >"$ROOTFS/etc/nsswitch.conf"
  echo 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' >"$ROOTFS/etc/passwd"
  tar -C "$ROOTFS" -c . | docker import \
    --change 'ENV PATH=/usr/bin' \
    --change 'WORKDIR /app' \
    --change 'CMD ["/usr/bin/node"]' \
    --change "LABEL chat-bench.node-sha=$NODE_SUM" \
    --change "LABEL chat-bench.node-version=$(node --version)" \
    - "$BASE_IMAGE" >/dev/null
  docker run --rm "$BASE_IMAGE" /usr/bin/node -e 'process.exit(0)' || { say "base image does not run node"; exit 1; }
fi
say "base image ready: $BASE_IMAGE"

echo "export CHAT_BENCH_BASE_IMAGE=$BASE_IMAGE"
