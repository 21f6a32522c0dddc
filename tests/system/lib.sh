# Shared by checks.sh and own_box.sh (sourced after they set `here` and
# `state`): run a command in the box, fail with a message, compare, read a
# unit property inside the box.
box() { "$here/box.sh" exec "$state" "$@"; }
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
expect_eq() { [[ "$1" == "$2" ]] || fail "$3: got '$1', want '$2'"; }
prop() { box systemctl show -p "$2" --value "$1"; }
