#!/usr/bin/env bash
# Integration tests of strata.cloud.openstack_layout against a real OpenStack API: install the
# fixture's packages (fast when installed), start it, run the playbooks and the no_log check,
# and always stop the daemons.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export OS_FIXTURE_DIR=${OS_FIXTURE_DIR:-${STRATA_STATE:-$HOME/.cache/strata}/openstack-fixture}
export OS_CLIENT_CONFIG_FILE=$OS_FIXTURE_DIR/clouds.yaml
export OS_FIXTURE_PYTHON=${OS_FIXTURE_PYTHON:-$(command -v python)}
t0=$SECONDS
bash "$here/fixture/install.sh"
echo "install: $((SECONDS - t0)) s"
trap 'bash "$here/fixture/fixture.sh" stop' EXIT
bash "$here/fixture/fixture.sh" start
echo "fixture up: $((SECONDS - t0)) s"
ansible-playbook "$here/layout.yml"
ansible-playbook "$here/bootstrap.yml"
# no_log: the admin password and a user's password never appear in -vvv output.
out=$(mktemp)
ansible-playbook -vvv "$here/secrets.yml" > "$out" 2>&1 || { tail -n 40 "$out"; exit 1; }
admin_password=$(cat "$OS_FIXTURE_DIR/admin-password")
for secret in "$admin_password" secret-user-password-4711; do
  if grep -qF -- "$secret" "$out"; then echo "FAIL: a secret appears in the -vvv output ($out)"; exit 1; fi
done
grep -q 'it-secret-user' "$out" || { echo "FAIL: the secrets playbook did not run the module"; exit 1; }
rm -f "$out"
echo "openstack integration: all passed ($((SECONDS - t0)) s)"
