#!/usr/bin/env bash
# Builds the Streamwatch container image without a container engine:
#   deploy/image/build-image.sh monitor-service/target
# writes monitor-service/target/streamwatch-service-image.tar, a docker-archive that
# `docker load -i` and `podman load -i` accept, tagged streamwatch/streamwatch-service:<version>.
#
# One layer: a jlink'd Java runtime (only the modules the service uses), the C libraries it links
# against (taken from this machine), CA certificates, the service jar, and a non-root user 10001.
# Run by the monitor-service build (package phase); needs the JDK (jlink, jar), ldd, tar, sha256sum.
set -euo pipefail

target=${1:?usage: build-image.sh TARGET_DIR [VERSION]}
version=${2:-0.1.0}
tag="streamwatch/streamwatch-service:${version}"
jar="$(readlink -f "$target")/streamwatch-service.jar"
[ -f "$jar" ] || { echo "build-image: $jar is missing; build the service first" >&2; exit 1; }

java_home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
work="$target/image"
rootfs="$work/rootfs"
rm -rf "$work"
mkdir -p "$rootfs"

# 1. A small runtime: the modules jdeps reports for the jar, plus EC crypto for TLS keys.
"$java_home/bin/jlink" \
  --add-modules java.base,java.desktop,java.instrument,java.naming,java.net.http,java.security.jgss,java.security.sasl,java.sql,jdk.management,jdk.unsupported,jdk.crypto.ec \
  --strip-debug --no-man-pages --no-header-files --compress=2 \
  --output "$rootfs/opt/java"

# 2. The shared libraries the runtime and SQLite's native library need, and the loader.
sqlite_so=$(mktemp -d)
(cd "$sqlite_so" && "$java_home/bin/jar" xf "$jar" org/sqlite/native/Linux/x86_64/libsqlitejdbc.so)
# AWT's native parts (X11, sound, fonts) are never loaded by a headless server: leave their
# libraries out rather than drag X11 into the image.
{
  find "$rootfs/opt/java" -type f \( -name '*.so' -o -perm -u+x \) \
    | grep -Ev '/lib(awt_xawt|jawt|splashscreen|fontmanager|lcms|javajpeg|mlib_image|jsound|awt|freetype)\.so$'
  echo "$sqlite_so/org/sqlite/native/Linux/x86_64/libsqlitejdbc.so"
} | while read -r elf; do
  ldd "$elf" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' || true
done | grep -v "^$(cd "$rootfs" && pwd)" | sort -u | while read -r lib; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
rm -rf "$sqlite_so"

# 3. CA certificates (Debian's JDK links cacerts to /etc; the image needs the file itself).
rm -f "$rootfs/opt/java/lib/security/cacerts"
cp -L "$java_home/lib/security/cacerts" "$rootfs/opt/java/lib/security/cacerts"

# 4. The service, a user, and the directories it writes.
mkdir -p "$rootfs/app" "$rootfs/etc/streamwatch" "$rootfs/var/lib/streamwatch" "$rootfs/tmp" "$rootfs/proc" "$rootfs/dev" "$rootfs/sys"
cp "$jar" "$rootfs/app/streamwatch-service.jar"
printf 'root:x:0:0:root:/root:/sbin/nologin\nstreamwatch:x:10001:10001:streamwatch:/var/lib/streamwatch:/sbin/nologin\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nstreamwatch:x:10001:\n' > "$rootfs/etc/group"
chmod 1777 "$rootfs/tmp"

# 5. The layer (reproducible: fixed order, owners and times) and the image around it.
layer="$work/layer.tar"
tar --sort=name --mtime='2026-01-01 00:00:00' --owner=0 --group=0 --numeric-owner \
  -C "$rootfs" -cf "$layer" .
# /var/lib/streamwatch belongs to the service user.
tar --delete -f "$layer" ./var/lib/streamwatch 2>/dev/null || true
tar --mtime='2026-01-01 00:00:00' --owner=10001 --group=10001 --numeric-owner --no-recursion \
  -C "$rootfs" -rf "$layer" ./var/lib/streamwatch
layer_sha=$(sha256sum "$layer" | cut -d' ' -f1)

config=$(cat <<JSON
{"architecture":"amd64","os":"linux","created":"2026-01-01T00:00:00Z",
 "config":{"User":"10001:10001","WorkingDir":"/var/lib/streamwatch",
  "Env":["PATH=/opt/java/bin:/usr/bin:/bin","JAVA_HOME=/opt/java","STREAMWATCH_STORAGE_DIR=/var/lib/streamwatch"],
  "Entrypoint":["/opt/java/bin/java","-XX:MaxRAMPercentage=75","-jar","/app/streamwatch-service.jar"],
  "Cmd":[],"ExposedPorts":{"9470/tcp":{}},"Volumes":{"/var/lib/streamwatch":{}},
  "Labels":{"org.opencontainers.image.title":"Streamwatch","org.opencontainers.image.version":"${version}"}},
 "rootfs":{"type":"layers","diff_ids":["sha256:${layer_sha}"]},
 "history":[{"created":"2026-01-01T00:00:00Z","created_by":"deploy/image/build-image.sh"}]}
JSON
)
config_sha=$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)

archive="$work/archive"
mkdir -p "$archive/$layer_sha"
mv "$layer" "$archive/$layer_sha/layer.tar"
printf '%s' "$config" > "$archive/$config_sha.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$config_sha" "$tag" "$layer_sha" > "$archive/manifest.json"
printf '{"%s":{"%s":"%s"}}' "${tag%:*}" "${tag##*:}" "$layer_sha" > "$archive/repositories"
tar --sort=name --mtime='2026-01-01 00:00:00' --owner=0 --group=0 --numeric-owner \
  -C "$archive" -cf "$target/streamwatch-service-image.tar" .
rm -rf "$work"
echo "build-image: $target/streamwatch-service-image.tar ($tag, $(du -h "$target/streamwatch-service-image.tar" | cut -f1))"
