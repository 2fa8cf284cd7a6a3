#!/usr/bin/env bash
# Builds the four service images fovea/{encoder-service,adapter-service,llm-service,gateway}:TAG from their
# Quarkus fast-jars, on the locally made base image (built first by build-base.sh when missing or stale).
#
# Usage: deploy/docker/build-images.sh [--no-package] [TAG]     (TAG defaults to dev)
#   --no-package  use the existing <module>/target/quarkus-app instead of running `mvn package` first
# Env: DOCKER (default docker), FOVEA_IMAGE_PREFIX (default fovea), FOVEA_BASE_IMAGE (default fovea/jre25-base:local).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
docker="${DOCKER:-docker}"
prefix="${FOVEA_IMAGE_PREFIX:-fovea}"
base="${FOVEA_BASE_IMAGE:-fovea/jre25-base:local}"
package=1
if [ "${1:-}" = "--no-package" ]; then
    package=0
    shift
fi
tag="${1:-dev}"
# module → default port (docs/services.md)
services=(encoder-service:8081 adapter-service:8082 llm-service:8083 gateway:8080)

if [ "$package" = 1 ]; then
    . "$root/bin/jdk25.sh"
    echo "images: mvn package (services and what they depend on, tests skipped)"
    (cd "$root" && mvn -B -q -pl encoder-service,adapter-service,llm-service,gateway -am package -DskipTests)
fi

FOVEA_BASE_IMAGE="$base" DOCKER="$docker" "$here/build-base.sh" --if-stale

revision="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
for entry in "${services[@]}"; do
    module="${entry%%:*}"
    port="${entry##*:}"
    app="$root/$module/target/quarkus-app"
    if [ ! -f "$app/quarkus-run.jar" ]; then
        echo "images: $app/quarkus-run.jar is missing; run without --no-package, or build it with" \
            "mvn -pl $module -am package -DskipTests" >&2
        exit 1
    fi
    echo "images: $prefix/$module:$tag (port $port)"
    "$docker" build --quiet -f "$here/service.Dockerfile" \
        --build-arg BASE="$base" --build-arg SERVICE="$module" --build-arg PORT="$port" \
        --build-arg VERSION="$tag" --build-arg REVISION="$revision" \
        -t "$prefix/$module:$tag" "$app" >/dev/null
done
"$docker" image ls --filter "reference=$prefix/*:$tag" --format '{{.Repository}}:{{.Tag}}  {{.Size}}'
