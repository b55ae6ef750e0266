# Shared by bin/meshchain and bin/bench: locate a JDK >= 21, (re)build a module when its
# output is missing or older than the sources, and assemble the JVM flags the node needs.
# shellcheck shell=bash

MESHCHAIN_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MIN_JDK=21

die() {
  echo "meshchain: $*" >&2
  exit 1
}

# Prints the major version of the java binary given, or nothing if it does not run.
java_major() {
  local version
  version=$("$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')
  echo "${version%%.*}"
}

# Sets JAVA_HOME to a JDK >= 21: the caller's JAVA_HOME if good enough, else the newest under /usr/lib/jvm.
find_jdk() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/javac" ]]; then
    local major
    major=$(java_major "$JAVA_HOME/bin/java")
    if [[ -n "$major" && "$major" -ge $MIN_JDK ]]; then
      export JAVA_HOME
      return
    fi
    echo "meshchain: JAVA_HOME=$JAVA_HOME is JDK ${major:-unknown}, below $MIN_JDK; looking under /usr/lib/jvm" >&2
  fi
  local best="" best_major=0 candidate major
  for candidate in /usr/lib/jvm/*; do
    [[ -x "$candidate/bin/javac" ]] || continue
    major=$(java_major "$candidate/bin/java")
    if [[ -n "$major" && "$major" -ge $MIN_JDK && "$major" -gt $best_major ]]; then
      best="$candidate"
      best_major=$major
    fi
  done
  [[ -n "$best" ]] || die "no JDK >= $MIN_JDK found. Install one (e.g. Temurin 25) and set JAVA_HOME, e.g. export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64"
  export JAVA_HOME="$best"
}

# build_if_stale MODULE MARKER_FILE: runs the Maven package for MODULE (and what it needs) when
# MARKER_FILE is missing or any pom or source file is newer than it. Test sources are compiled (not run):
# the benchmarks use test-jars (persistence fixtures, the bridge's Mosquitto harness and honest node).
build_if_stale() {
  local module="$1" marker="$2"
  if [[ -f "$marker" ]] && [[ -z "$(find "$MESHCHAIN_HOME" -path '*/target' -prune -o \
        \( -name pom.xml -o -path '*/src/*' \) -newer "$marker" -type f -print -quit)" ]]; then
    return
  fi
  echo "meshchain: building $module (first run or sources changed)..." >&2
  (cd "$MESHCHAIN_HOME" && ./mvnw -q -pl "$module" -am package -DskipTests >&2) \
    || die "build of $module failed; run ./mvnw -pl $module -am package to see why"
  [[ -f "$marker" ]] || die "build of $module did not produce $marker"
}

# jvm_flags UPGRADE_DIR: the flags every MeshChain JVM runs with. When the Graal compiler jars are
# present, Truffle (GraalWasm) gets the optimizing JIT instead of its ~100x slower interpreter.
jvm_flags() {
  local upgrade_dir="$1"
  JVM_FLAGS=(-XX:+ExitOnOutOfMemoryError -Dfile.encoding=UTF-8 --enable-native-access=ALL-UNNAMED)
  if compgen -G "$upgrade_dir/*.jar" >/dev/null; then
    local jars
    jars=$(printf '%s:' "$upgrade_dir"/*.jar)
    JVM_FLAGS+=(-XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI "--upgrade-module-path=${jars%:}")
  fi
  # Operators add their own (heap size, GC logging) through JAVA_OPTS.
  if [[ -n "${JAVA_OPTS:-}" ]]; then
    read -r -a extra <<<"$JAVA_OPTS"
    JVM_FLAGS+=("${extra[@]}")
  fi
}
