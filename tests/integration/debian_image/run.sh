#!/usr/bin/env bash
# Check that strata.cloud.debian_image rejects bad variables, build an image with it, run the
# role again (it must report changed=0, also in check mode), then boot the image once with bare
# QEMU (TCG) and a NoCloud seed and check SSH, python3, sudo, cloud-init, systemd, the
# machine-id/host-key handling and root file system growth.
#
# usage: run.sh [--suite trixie|bookworm] [--sets libvirt,...] [--no-boot]
# Needs root. Installs qemu-system-x86, genisoimage and openssh-client with apt when missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../../../tools/env.sh
. "$here/../../../tools/env.sh"

suite=trixie sets='' boot=1
while [ $# -gt 0 ]; do
  case $1 in
    --suite) suite=$2; shift 2 ;;
    --sets) sets=$2; shift 2 ;;
    --no-boot) boot=0; shift ;;
    *) echo "usage: $0 [--suite trixie|bookworm] [--sets a,b] [--no-boot]" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "run.sh must run as root" >&2; exit 2; }

fail() { log "FAIL: $*"; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

tmp=$(mktemp -d /tmp/strata-debian-image-test.XXXXXX)
qemu_pid=''
cleanup() {
  local rc=$?
  if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
    kill "$qemu_pid" 2>/dev/null || true
    wait "$qemu_pid" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ] && [ -s "$tmp/console.log" ]; then
    log "last console lines:"
    tail -n 40 "$tmp/console.log" >&2 || true
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

sets_json=$(python3 -c 'import json, sys; print(json.dumps([s for s in sys.argv[1].split(",") if s]))' "$sets")
facts_dir=$STRATA_STATE/debian_image-test
mkdir -p "$facts_dir"
facts=$facts_dir/facts-$suite-${sets//,/_}.env
playbook() {
  ansible-playbook -i localhost, "$here/build.yml" \
    -e "debian_image_suite=$suite" -e "{\"debian_image_extra_sets\": $sets_json}" \
    -e "debian_image_test_facts_file=$facts" "$@"
}

log "validate: bad variables are rejected, check mode builds nothing"
ansible-playbook -i localhost, --check "$here/validate.yml" >"$tmp/validate.log" ||
  { cat "$tmp/validate.log"; fail "validation test"; }

log "build: suite=$suite sets=${sets:-none}"
t0=$(now)
playbook | tee "$tmp/build1.log"
t1=$(now)
log "build: first run $(elapsed "$t0" "$t1") s"

playbook | tee "$tmp/build2.log"
t2=$(now)
log "build: second run $(elapsed "$t1" "$t2") s"
grep -Eq '^localhost +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0' "$tmp/build2.log" ||
  fail "the second run of the role changed something"

playbook --check | tee "$tmp/build3.log"
grep -Eq '^localhost +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0' "$tmp/build3.log" ||
  fail "a check-mode run against the cached image reports changes"

# shellcheck source=/dev/null
. "$facts"
log "image: $DISK ($(du -m "$DISK" | cut -f1) MiB on disk, $(du -m "$INITRD" | cut -f1) MiB initrd)"
[ "$boot" -eq 1 ] || exit 0

for tool in qemu-system-x86_64:qemu-system-x86 genisoimage:genisoimage ssh:openssh-client; do
  command -v "${tool%%:*}" >/dev/null && continue
  log "installing ${tool#*:} for the boot test"
  apt-get -q -y -o DPkg::Lock::Timeout=600 install --no-install-recommends "${tool#*:}" >/dev/null
done

ssh-keygen -q -t ed25519 -N '' -C strata-image-test -f "$tmp/id"
cat >"$tmp/user-data" <<USERDATA
#cloud-config
ssh_authorized_keys:
  - $(cat "$tmp/id.pub")
USERDATA
printf 'instance-id: strata-image-test-%s\nlocal-hostname: strata-image-test\n' "$RANDOM$RANDOM" >"$tmp/meta-data"
genisoimage -quiet -output "$tmp/seed.iso" -volid cidata -joliet -rock "$tmp/user-data" "$tmp/meta-data"
# The overlay is 4 GiB larger than the image: cloud-init must grow the root file system.
overlay_mib=$((SIZE_MIB + 4096))
qemu-img create -q -f qcow2 -F qcow2 -b "$DISK" "$tmp/root.qcow2" "${overlay_mib}M"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

ssh_vm() {
  ssh -q -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o ConnectTimeout=5 -o LogLevel=ERROR -i "$tmp/id" -p "$port" debian@127.0.0.1 "$@"
}

log "boot: qemu-system-x86_64 -accel tcg -cpu max, ssh on 127.0.0.1:$port"
t_boot=$(now)
qemu-system-x86_64 -name strata-image-test -accel tcg -cpu max -m 1024 -smp 2 \
  -nodefaults -no-user-config -display none \
  -kernel "$KERNEL" -initrd "$INITRD" -append "$CMDLINE" \
  -drive "file=$tmp/root.qcow2,format=qcow2,if=virtio" \
  -drive "file=$tmp/seed.iso,format=raw,if=virtio,readonly=on" \
  -netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$port-:22" -device virtio-net-pci,netdev=net0 \
  -serial "file:$tmp/console.log" &
qemu_pid=$!

deadline=$((SECONDS + 600))
until ssh_vm true 2>/dev/null; do
  kill -0 "$qemu_pid" 2>/dev/null || fail "QEMU exited before SSH answered"
  [ "$SECONDS" -lt "$deadline" ] || fail "no SSH login within 600 s"
  sleep 1
done
t_ssh=$(now)
# CPU time QEMU used until then: less dependent than wall time on what else runs on the host.
cpu_ssh=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$qemu_pid/stat")
log "boot: SSH login after $(elapsed "$t_boot" "$t_ssh") s ($cpu_ssh s of QEMU CPU time)"

[ "$(ssh_vm python3 -c "'print(1)'")" = 1 ] || fail "python3 -c 'print(1)' did not print 1"
ssh_vm sudo -n cloud-init status --wait --long || fail "cloud-init did not finish cleanly"
t_ci=$(now)
log "boot: cloud-init done after $(elapsed "$t_boot" "$t_ci") s"
state=$(ssh_vm sudo -n timeout 300 systemctl is-system-running --wait || true)
if [ "$state" != running ]; then
  ssh_vm sudo -n systemctl --failed --no-pager || true
  fail "systemctl is-system-running: '$state'"
fi
# Each check is echoed (sh -x) so a failure names itself.
ssh_vm sudo -n sh -ex <<'CHECKS' || fail "image checks in the VM"
test -s /etc/machine-id
test -s /etc/ssh/ssh_host_ed25519_key
test "$(hostname)" = strata-image-test
grep -q strata-image-test /etc/hosts
systemctl is-active --quiet systemd-networkd systemd-resolved
test "$(readlink /etc/resolv.conf)" = ../run/systemd/resolve/stub-resolv.conf
test "$(findmnt -no SOURCE,FSTYPE /)" = "/dev/vda ext4"
test ! -e /usr/sbin/policy-rc.d
CHECKS
root_mib=$(ssh_vm df -BM --output=size / | tail -n1 | tr -dc 0-9)
[ "$root_mib" -gt $((SIZE_MIB + 2048)) ] || fail "root file system not grown: $root_mib MiB on a $overlay_mib MiB disk"
log "boot: root file system grown to $root_mib MiB"
if [[ ,$sets, == *,libvirt,* ]]; then
  ssh_vm sudo -n virsh -c qemu:///system list --all >/dev/null || fail "virsh in the libvirt image"
  log "boot: libvirt answers in the VM"
fi
ssh_vm sudo -n systemd-analyze || true
ssh_vm sudo -n cloud-init analyze blame 2>/dev/null | head -n 12 || true

kill "$qemu_pid"
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=''
log "PASS: suite=$suite sets=${sets:-none} first-run=$(elapsed "$t0" "$t1")s rerun=$(elapsed "$t1" "$t2")s boot-to-ssh=$(elapsed "$t_boot" "$t_ssh")s qemu-cpu-to-ssh=${cpu_ssh}s cloud-init-done=$(elapsed "$t_boot" "$t_ci")s"
