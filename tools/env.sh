# shellcheck shell=bash
# Common environment for the tools/ scripts. Source it; it defines paths only and changes nothing.
STRATA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STRATA_VENV="${STRATA_VENV:-$STRATA_ROOT/.venv}"
STRATA_STATE="${STRATA_STATE:-${XDG_CACHE_HOME:-$HOME/.cache}/strata-cloud}"
# Ansible finds the collection through a symlink at .../ansible_collections/strata/cloud outside
# the checkout (ansible-test, which resolves symlinks, works on a copy: see tools/gates).
STRATA_COLLECTIONS="$STRATA_STATE/collections"
STRATA_COLLECTION_DIR="$STRATA_COLLECTIONS/ansible_collections/strata/cloud"
export STRATA_ROOT STRATA_VENV STRATA_STATE STRATA_COLLECTIONS STRATA_COLLECTION_DIR
export PATH="$STRATA_VENV/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$STRATA_COLLECTIONS"
export ANSIBLE_CONFIG="$STRATA_ROOT/ansible.cfg"
export PYENV_VERSION="${PYENV_VERSION:-}"

sudo_cmd() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
export MOLECULE_GLOB='molecule/*/molecule.yml'
