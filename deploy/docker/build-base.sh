#!/usr/bin/env bash
# Builds the services' base image, fovea/jre25-base:local, without pulling anything from a registry:
#   - a JRE 25 made with jlink from the host's JDK 25 (bin/jdk25.sh finds it), with the Vector API module;
#   - the shared libraries that JRE links against (found with ldd) and the dynamic loader;
#   - /etc/passwd and /etc/group with the non-root user fovea (10001:10001), /tmp, /models, /deployments;
#   - the HEALTHCHECK probe (HealthProbe.java, compiled here) in /opt/fovea/health;
# then `docker import`s that root filesystem. No shell or package manager ends up in the image.
#
# Usage: deploy/docker/build-base.sh [--if-stale]
#   --if-stale  do nothing when the image exists and was built from the same inputs (JDK, modules, probe, script)
# Env: FOVEA_BASE_IMAGE (default fovea/jre25-base:local), DOCKER (default docker).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$root/bin/jdk25.sh"
docker="${DOCKER:-docker}"
image="${FOVEA_BASE_IMAGE:-fovea/jre25-base:local}"
uid=10001
# /sbin is not on every user's PATH
ldconfig="$(command -v ldconfig || echo /sbin/ldconfig)"

# java.se + what Quarkus, Netty and the engine use beyond it; jdk.jcmd/jdk.jfr for thread dumps and recordings
# in production. jdk.crypto.ec is empty on 25 (folded into java.base) but harmless and keeps older JDKs working.
modules="java.se,jdk.incubator.vector,jdk.unsupported,jdk.crypto.ec,jdk.management,jdk.naming.dns,jdk.zipfs"
modules+=",jdk.net,jdk.jfr,jdk.jcmd"
# AWT's X11, JAWT, splash and sound libraries need X and ALSA; the services run headless (ImageIO only).
excluded="glob:/java.desktop/lib/libawt_xawt.so,glob:/java.desktop/lib/libjawt.so"
excluded+=",glob:/java.desktop/lib/libsplashscreen.so,glob:/java.desktop/lib/libjsound.so"

inputs_hash() {
    { "$JAVA_HOME/bin/java" -version 2>&1; echo "$modules $excluded"; cat "$here/HealthProbe.java" "$0"; } \
        | sha256sum | cut -c1-16
}
hash="$(inputs_hash)"

if [ "${1:-}" = "--if-stale" ]; then
    current="$("$docker" image inspect --format '{{ index .Config.Labels "dev.fovea.base.inputs" }}' "$image" 2>/dev/null || true)"
    if [ "$current" = "$hash" ]; then
        echo "base: $image is up to date (inputs $hash)"
        exit 0
    fi
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/fovea-base.XXXXXX")"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs"/{etc,tmp,models,deployments,home/fovea,opt/fovea/health}

echo "base: jlink ($modules) from $JAVA_HOME"
# the CDS archive makes every JVM start (the services and each health probe) cheaper
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --output "$rootfs/opt/java" \
    --strip-debug --no-man-pages --no-header-files --compress=zip-6 --generate-cds-archive \
    --exclude-files="$excluded"

echo "base: shared libraries"
missing=""
while read -r lib; do
    case "$lib" in
        "$rootfs"/*) ;;                                  # the JRE's own libraries, already there
        "not-found:libjvm.so") ;;                        # found by the launcher in lib/server at run time
        not-found:*) missing+=" ${lib#not-found:}" ;;
        /*) mkdir -p "$rootfs$(dirname "$lib")"; cp -L "$lib" "$rootfs$lib" ;;
    esac
done < <(find "$rootfs/opt/java" -type f \( -name '*.so' -o -perm -u+x \) -print0 \
    | xargs -0 -n 1 ldd 2>/dev/null \
    | awk '$2 == "=>" && $3 == "not" {print "not-found:" $1; next}
           $2 == "=>" && $3 ~ /^\// {print $3; next}
           $1 ~ /^\// {print $1}' | sort -u)
if [ -n "$missing" ]; then
    echo "base: the JRE links against libraries this host lacks:$missing" >&2
    exit 1
fi
# glibc loads libgcc_s at run time (thread exit and cancellation unwinding); ldd cannot see that
gcc_s="$("$ldconfig" -p | awk '/libgcc_s\.so\.1 .*x86-64/ {print $NF; exit}')"
if [ -n "$gcc_s" ]; then
    mkdir -p "$rootfs$(dirname "$gcc_s")"
    cp -L "$gcc_s" "$rootfs$gcc_s"
fi
# the loader's cache, so library lookups do not depend on the loader's compiled-in search path
printf '%s\n' /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib64 /usr/lib64 > "$rootfs/etc/ld.so.conf"
"$ldconfig" -r "$rootfs" 2>/dev/null || echo "base: ldconfig -r failed; relying on the loader's default paths" >&2

echo "base: users, health probe"
printf 'root:x:0:0:root:/root:/sbin/nologin\nfovea:x:%d:%d:fovea:/home/fovea:/sbin/nologin\n' "$uid" "$uid" \
    > "$rootfs/etc/passwd"
printf 'root:x:0:\nfovea:x:%d:\n' "$uid" > "$rootfs/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
"$JAVA_HOME/bin/javac" --release 25 -d "$rootfs/opt/fovea/health" "$here/HealthProbe.java"
chmod 1777 "$rootfs/tmp"
chmod -R a+rX "$rootfs"

# everything root-owned except the user's home, whatever user runs this script
tar -C "$rootfs" --numeric-owner --owner=0 --group=0 --exclude=./home/fovea -cf "$work/rootfs.tar" .
tar -C "$rootfs" --numeric-owner --owner="$uid" --group="$uid" -rf "$work/rootfs.tar" ./home/fovea

echo "base: docker import → $image"
"$docker" import \
    --change "ENV JAVA_HOME=/opt/java" \
    --change "ENV PATH=/opt/java/bin" \
    --change "ENV LANG=C.UTF-8" \
    --change "USER $uid:$uid" \
    --change "WORKDIR /deployments" \
    --change "LABEL dev.fovea.base.inputs=$hash" \
    --change 'CMD ["java", "-version"]' \
    --message "fovea JRE 25 base (jlink of $(basename "$JAVA_HOME"))" \
    "$work/rootfs.tar" "$image" >/dev/null
echo "base: $image ($(du -sh "$work/rootfs.tar" | cut -f1) uncompressed, inputs $hash)"
