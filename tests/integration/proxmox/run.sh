#!/usr/bin/env bash
# Integration tests of the strata.cloud.proxmox_* modules and the proxmox inventory plugin against
# the Proxmox VE API simulator (tests/proxmox_sim: HTTPS on 127.0.0.1, every request checked against
# the official API schema).
#
#   tests/integration/proxmox/run.sh [pytest options, e.g. -k lifecycle -x]
#
# The schema is test data outside the repository: $STRATA_PVE_SCHEMA_DIR, else ../shared/proxmox-api
# beside the repository root, else /work/shared/proxmox-api (apidata-pve8.4.js, apidata-pve9.1.js).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tools/env.sh
. "$HERE/../../../tools/env.sh"
# The simulator decides where the schema is (tests/proxmox_sim/schema.py: schema_dir).
schema="$(cd "$STRATA_ROOT/tests" && python -c 'from proxmox_sim.schema import schema_dir; print(schema_dir())')"
for file in apidata-pve8.4.js apidata-pve9.1.js; do
  [ -f "$schema/$file" ] || {
    echo "ERROR: Proxmox VE API schema $schema/$file not found: set STRATA_PVE_SCHEMA_DIR to its directory" >&2
    exit 1
  }
done
export STRATA_PVE_SCHEMA_DIR="$schema"
start=$(date +%s)
rc=0
python -m pytest -p no:cacheprovider -q "$HERE" "$@" || rc=$?
echo "proxmox integration suite: rc=$rc in $(( $(date +%s) - start ))s"
exit "$rc"
