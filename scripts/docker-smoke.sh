#!/bin/sh
# Builds the Provisio image from a static binary built here
# (deploy/Dockerfile.prebuilt, FROM scratch: no image pull), runs it, and
# checks that Docker reports it healthy (its HEALTHCHECK runs
# `provisio healthcheck`), that it runs as 65532 and that its admin token
# is in the /data volume. Needs a Docker daemon; not part of `make test`.
#   scripts/docker-smoke.sh [IMAGE]
set -eu
image=${1:-provisio:smoke}
cd "$(dirname "$0")/.."
if ! docker info >/dev/null 2>&1; then
	echo "docker-smoke: no Docker daemon (docker info failed); nothing tested" >&2
	exit 2
fi
ctx=$(mktemp -d)
name=provisio-smoke-$$
trap 'docker rm -f "$name" >/dev/null 2>&1 || true; rm -rf "$ctx"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$ctx/provisio" ./cmd/provisio
cp /etc/ssl/certs/ca-certificates.crt "$ctx/"
mkdir "$ctx/data"
docker build -q -f deploy/Dockerfile.prebuilt -t "$image" "$ctx"
docker run -d --name "$name" -p 127.0.0.1::8080 "$image" >/dev/null
i=0
while :; do
	status=$(docker inspect -f '{{.State.Health.Status}}' "$name")
	[ "$status" = healthy ] && break
	i=$((i + 1))
	if [ "$i" -ge 60 ] || [ "$status" = unhealthy ]; then
		echo "docker-smoke: container $status after ${i}s" >&2
		docker logs "$name" >&2
		exit 1
	fi
	sleep 1
done
port=$(docker port "$name" 8080/tcp | head -1 | sed 's/.*://')
"$ctx/provisio" healthcheck --url "http://127.0.0.1:$port/readyz"
user=$(docker inspect -f '{{.Config.User}}' "$name")
[ "$user" = 65532:65532 ] || { echo "docker-smoke: runs as $user, want 65532:65532" >&2; exit 1; }
docker exec "$name" /provisio healthcheck >/dev/null
docker cp "$name:/data/admin.token" "$ctx/admin.token"
[ -s "$ctx/admin.token" ] || { echo "docker-smoke: no admin token in /data" >&2; exit 1; }
echo "docker-smoke: $image healthy, user $user, serving on 127.0.0.1:$port"
