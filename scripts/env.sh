# Sourced by ./test, ./conformance, bench/run, ./jvirt and ./virtctl: picks the JDK, installs missing Debian packages, builds a module.
# Contract: idempotent; installs only what dpkg says is missing; runs `apt-get update` first.

JVIRT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export JVIRT_ROOT

# Debian packages the build, the demo image and the tests use.
JVIRT_PACKAGES=(
  maven                       # the build
  curl                        # ./jvirt's readiness probe
  qemu-system-x86 qemu-utils  # the hypervisor and qemu-img
  ovmf                        # UEFI firmware for bootloader.efi
  busybox-static cpio xz-utils            # demo guest userland and initramfs
  syslinux syslinux-common mtools dosfstools  # demo guest boot disk (no loop mounts)
  genisoimage                 # NoCloud ISOs in the image tests
  etcd-server                 # baseline of the apiserver benchmark (bench/run apiserver)
  python3-kubernetes          # the Python client in the apiserver's PythonClientIT
  prometheus                  # the real Prometheus that scrapes jvirt in the handler's VmiMetricsIT
  docker-registry skopeo apache2-utils  # loopback OCI registry (htpasswd auth) and an independent push client in the registry tests
  containernetworking-plugins # pod networks: bridge, host-local, portmap in /usr/lib/cni (network module)
  nftables iptables iproute2  # pod namespaces, NAT inside them (nft), portmap's rules (iptables-nft), sweeps
  passt                       # the passt binding
  dropbear-bin                # the demo guest's SSH server (images/demo/build.sh)
  openssh-client              # ssh and ssh-keygen in the demo guest's SSH test
)

jvirt_java_major() { # prints the feature version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'
}

jvirt_pick_jdk() {
  local best="" best_major=0 candidate major
  for candidate in ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/*; do
    [ -x "$candidate/bin/javac" ] || continue
    major=$(jvirt_java_major "$candidate/bin/java")
    [ -n "$major" ] || continue
    if [ "$major" -gt "$best_major" ]; then best=$candidate; best_major=$major; fi
  done
  # 25: the network driver and the node agent use the FFM API (setns into pod namespaces), compiled for 25
  if [ "$best_major" -lt 25 ]; then
    echo "jvirt: needs a JDK 25 or newer (found ${best:-none}, version ${best_major}); install one, e.g. Temurin 25, or set JAVA_HOME" >&2
    return 1
  fi
  export JAVA_HOME=$best
  export PATH="$JAVA_HOME/bin:$PATH"
  jvirt_maven_opts "$best_major"
}

jvirt_maven_opts() { # MAJOR: Maven's bundled Guava uses sun.misc.Unsafe, which JDK 24+ warns about on every run
  if [ "$1" -ge 24 ] && [[ "${MAVEN_OPTS:-}" != *sun-misc-unsafe* ]]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}

jvirt_install_packages() {
  local missing=() p
  for p in "${JVIRT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "jvirt: installing Debian packages: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# jvirt_build_module MODULE CLASSPATH_FILE PATH...: builds MODULE (and the modules it needs) when a source
# file under PATH... is newer than CLASSPATH_FILE, which then holds the module's runtime class path
# (jars only: class-data archives refuse directories). Every module built on the way gets its own
# build/<module>.classpath too.
jvirt_build_module() {
  local module=$1 cpfile=$2
  shift 2
  if [ -f "$cpfile" ] && [ -z "$(find "$@" \( -name target -o -name build \) -prune -o \
      \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -newer "$cpfile" -print -quit)" ]; then
    return 0
  fi
  echo "jvirt: building $module" >&2
  jvirt_maven_opts "$(jvirt_java_major "$JAVA_HOME/bin/java")"
  mkdir -p "$JVIRT_ROOT/build"
  (cd "$JVIRT_ROOT" && mvn -B -ntp -q -pl "$module" -am package \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
      -DskipTests -Dmdep.outputFile=target/runtime.classpath -DincludeScope=runtime) >&2
  local built jar deps
  for built in "$JVIRT_ROOT"/*/target/runtime.classpath; do
    built=${built%/target/runtime.classpath}
    jar=$(ls "$built"/target/jvirt-*.jar | grep -v -e '-tests.jar$' -e '-sources.jar$' | head -n1)
    deps=$(cat "$built/target/runtime.classpath")
    echo "$jar${deps:+:$deps}" > "$JVIRT_ROOT/build/$(basename "$built").classpath"
    rm -f "$built/target/runtime.classpath"
  done
  cp "$JVIRT_ROOT/build/$module.classpath" "$cpfile.tmp" && mv "$cpfile.tmp" "$cpfile"
}

jvirt_open_path_for_qemu() { # DIR: QEMU runs as uid 107 and must pass through every directory above DIR (e.g. a
  # clone under a 0700 `mktemp -d`, or /root) to open the demo images: add the search bit (o+x, no listing) where missing
  local d
  d=$(cd "$1" && pwd)
  while [ "$d" != "/" ]; do
    if [ "$(stat -c %A "$d" | cut -c10)" = "-" ]; then
      echo "jvirt: letting QEMU's user pass through $d (chmod o+x)" >&2
      chmod o+x "$d"
    fi
    d=$(dirname "$d")
  done
}
