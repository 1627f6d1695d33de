# Shared by the deploy scripts: installing Debian packages and building.
# Sourced, not run.

CLUBCRM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Debian packages the build, the tests and the tools need.
CLUBCRM_PACKAGES=(
  build-essential cmake pkg-config
  libuv1-dev libprotobuf-c-dev protobuf-c-compiler liblmdb-dev lmdb-utils
  libcmocka-dev libsodium-dev libssl-dev libjansson-dev libinih-dev
  libncurses-dev libutf8proc-dev tmux tzdata openssl
  libwebsockets-dev libwebsockets-evlib-uv
  clang libclang-rt-dev
  valgrind python3
  nodejs protobuf-compiler chromium
  libical-dev libcsv-dev python3-icalendar
)

log() { printf '==> %s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# Installs the packages that are missing, and only those.
install_packages() {
  local missing=() p
  for p in "${CLUBCRM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
}

# build DIR [cmake args...]: configures and builds into DIR.
build() {
  local dir=$1
  shift
  log "building in $dir $*"
  cmake -S "$CLUBCRM_ROOT" -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j "$(nproc)"
}
