# Sourced by the scripts in bin/ and .ci/: exports JAVA_HOME pointing at a JDK 25.
# JAVA_HOME wins when it already is a 25; otherwise the temurin-25* JDK in the system's JVM directory.
fovea_is_jdk25() {
  [ -x "$1/bin/java" ] || return 1
  "$1/bin/java" -version 2>&1 | head -n 1 | grep -Eq 'version "25([."]|$)'
}
if [ -n "${JAVA_HOME:-}" ] && fovea_is_jdk25 "$JAVA_HOME"; then
  :
else
  JAVA_HOME=""
  for candidate in /usr/lib/jvm/temurin-25*; do
    if fovea_is_jdk25 "$candidate"; then JAVA_HOME="$candidate"; break; fi
  done
  if [ -z "$JAVA_HOME" ]; then
    echo "fovea: no JDK 25 found (set JAVA_HOME to one, or install temurin-25 under /usr/lib/jvm)" >&2
    return 1 2>/dev/null || exit 1
  fi
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
FOVEA_JVM_FLAGS="--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED"
