#!/usr/bin/env bash
# Copyright: (c) 2025, strata.cloud maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
#
# build-image.sh - build a bootable Debian cloud image from Debian's packages only.
#
# The result is written to CACHE/ID/ and appears there complete or not at all:
#   disk.qcow2     partition-less ext4 root filesystem labelled LABEL (boot with root=LABEL=...)
#   vmlinuz        the image's kernel, for direct kernel boot
#   initrd.img     the matching initramfs
#   manifest.json  what went into the image
# The debootstrapped base system (base packages installed) is cached as
# CACHE/.base/<key>.tar.zst, keyed by suite, architecture, serial, the use of the security
# mirror and the base package list, so images that only add packages reuse it.
#
# Run as root on a Debian or Ubuntu host with debootstrap, debian-archive-keyring, e2fsprogs
# (mkfs.ext4 -d), qemu-utils and zstd. No loop devices, no network besides the mirrors.
# Prints STRATA_IMAGE_BUILT on stdout when it built the image, STRATA_IMAGE_PRESENT when the
# image was already complete. Progress goes to stderr.

set -euo pipefail
umask 022

# Bump when the base stage changes what it produces, so cached base tarballs are not reused.
readonly BASE_FORMAT=1
readonly MANIFEST_FORMAT=1
readonly KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
readonly RESOLV_MARK='# strata build: temporary resolver configuration'
readonly PKG_RE='^[a-z0-9][a-z0-9+.-]+$'
readonly URL_RE='^https?://[^[:space:]"\\]+$'
readonly CMDLINE_BAD_RE='["\\]'
PROG=${0##*/}
SELF=$(readlink -f "${BASH_SOURCE[0]}")
readonly PROG SELF

usage() {
  cat <<EOF
usage: $PROG --cache-dir DIR --id SHA256 --suite SUITE --mirror URL --size-mib N
            --base-packages P1,P2,... [--set NAME=P1,P2,...]... [--extra-packages P1,...]
            [--security-mirror URL] [--arch ARCH] [--serial S] [--label LABEL] [--cmdline ARGS]
EOF
}

log() { printf '%s %s: %s\n' "$(date -u +%H:%M:%S)" "$PROG" "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# ---------------------------------------------------------------------------- arguments

cache_dir='' id='' suite='' arch='' mirror='' security_mirror='' size_mib='' serial='1'
label='strata-root' cmdline='' base_csv='' extra_csv=''
set_names=()
set_csvs=()
base_packages=()
extra_packages=()
members=()

while [ $# -gt 0 ]; do
  opt=$1
  case $opt in
    -h | --help)
      usage
      exit 0
      ;;
    --cache-dir | --id | --suite | --arch | --mirror | --security-mirror | --size-mib | --serial | \
      --label | --cmdline | --base-packages | --extra-packages | --set)
      [ $# -ge 2 ] || die "$opt needs a value"
      val=$2
      shift 2
      ;;
    *)
      usage >&2
      die "unknown argument: $opt"
      ;;
  esac
  case $opt in
    --cache-dir) cache_dir=$val ;;
    --id) id=$val ;;
    --suite) suite=$val ;;
    --arch) arch=$val ;;
    --mirror) mirror=$val ;;
    --security-mirror) security_mirror=$val ;;
    --size-mib) size_mib=$val ;;
    --serial) serial=$val ;;
    --label) label=$val ;;
    --cmdline) cmdline=$val ;;
    --base-packages) base_csv=$val ;;
    --extra-packages) extra_csv=$val ;;
    --set)
      [[ $val == *=* ]] || die "--set wants NAME=P1,P2,...: $val"
      set_names+=("${val%%=*}")
      set_csvs+=("${val#*=}")
      ;;
  esac
done

# split_csv NAME CSV: fill array NAME with the comma-separated words of CSV, checking each one.
split_csv() {
  local -n _out=$1
  local _word
  _out=()
  [ -n "$2" ] || return 0
  IFS=, read -r -a _out <<<"$2"
  for _word in "${_out[@]}"; do
    [[ $_word =~ $PKG_RE ]] || die "not a Debian package name: '$_word'"
  done
}

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, chroot and mounts)"
[[ $cache_dir =~ ^/[A-Za-z0-9._/+-]+$ ]] || die "--cache-dir must be an absolute path without spaces: '$cache_dir'"
[[ $id =~ ^[0-9a-f]{64}$ ]] || die "--id must be a sha256 hex digest: '$id'"
case $suite in
  bookworm | trixie) ;;
  *) die "--suite must be bookworm or trixie: '$suite'" ;;
esac
host_arch=$(dpkg --print-architecture) || die "dpkg not found: the build host must be Debian or Ubuntu"
[ -n "$arch" ] || arch=$host_arch
[ "$arch" = "$host_arch" ] || die "--arch $arch differs from the build host's architecture $host_arch (foreign builds are not supported)"
[[ $mirror =~ $URL_RE ]] || die "--mirror must be an http(s) URL: '$mirror'"
[ -z "$security_mirror" ] || [[ $security_mirror =~ $URL_RE ]] || die "--security-mirror must be empty or an http(s) URL: '$security_mirror'"
if ! [[ $size_mib =~ ^[0-9]+$ ]] || [ "$size_mib" -lt 512 ]; then
  die "--size-mib must be an integer of at least 512: '$size_mib'"
fi
[[ $serial =~ ^[A-Za-z0-9._-]+$ ]] || die "--serial may hold letters, digits, '.', '_' and '-': '$serial'"
[[ $label =~ ^[A-Za-z0-9_-]{1,16}$ ]] || die "--label must be 1-16 letters, digits, '_' or '-': '$label'"
if [[ $cmdline =~ $CMDLINE_BAD_RE || $cmdline == *$'\n'* ]]; then
  die "--cmdline must not contain quotes, backslashes or newlines"
fi
[ -n "$cmdline" ] || cmdline="root=LABEL=$label rw"

split_csv base_packages "$base_csv"
split_csv extra_packages "$extra_csv"
[ "${#base_packages[@]}" -gt 0 ] || die "--base-packages is empty"
kernels=0
for p in "${base_packages[@]}"; do [[ $p != linux-image-* ]] || kernels=$((kernels + 1)); done
[ "$kernels" -eq 1 ] || die "--base-packages must name exactly one linux-image-* package (found $kernels)"
for name in "${set_names[@]}"; do
  [[ $name =~ ^[A-Za-z0-9_-]+$ ]] || die "package set names may hold letters, digits, '_' and '-': '$name'"
done

for cmd in debootstrap mkfs.ext4 qemu-img zstd flock chroot mount umount tar sha256sum du truncate; do
  command -v "$cmd" >/dev/null || die "$cmd not found: install debootstrap, e2fsprogs, qemu-utils, zstd"
done
[ -r "$KEYRING" ] || die "$KEYRING missing: install debian-archive-keyring"
[ -e "/usr/share/debootstrap/scripts/$suite" ] || die "this debootstrap does not know '$suite': upgrade debootstrap"

builder_sha256=$(sha256sum "$SELF" | cut -d' ' -f1)
readonly final=$cache_dir/$id

# ---------------------------------------------------------------------------- helpers

# Mount points at or below $1, deepest first.
mounts_under() {
  awk -v r="$1" '{ mp = $5; gsub(/\\040/, " ", mp); if (mp == r || index(mp, r "/") == 1) print mp }' \
    /proc/self/mountinfo | sort -r
}

# Unmount everything at or below $1; fails if something stays mounted.
unmount_under() {
  local mp _try
  for _try in 1 2 3; do
    [ -n "$(mounts_under "$1")" ] || return 0
    while read -r mp; do
      umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null || true
    done < <(mounts_under "$1")
  done
  [ -z "$(mounts_under "$1")" ]
}

# Delete a work tree, but never while anything is mounted inside it (that could be the host's /dev).
remove_tree() {
  [ -e "$1" ] || return 0
  if ! unmount_under "$1"; then
    log "still mounted below $1, left in place: $(mounts_under "$1" | tr '\n' ' ')"
    return 1
  fi
  rm -rf --one-file-system -- "$1"
}

# Run a command inside the root with a clean environment.
in_root() {
  local root=$1
  shift
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 LC_ALL=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true \
    chroot "$root" "$@"
}

apt_in_root() {
  local root=$1
  shift
  in_root "$root" apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" >&2
}

# Prepare a root for package installs: kernel file systems, no daemon starts, fast dpkg,
# no recommends, the host's resolver, and update-initramfs deferred to build_initramfs.
chroot_enter() {
  local root=$1
  mount -t proc proc "$root/proc"
  mount -t sysfs sysfs "$root/sys"
  # A private /dev with only the basic nodes: package scripts in the root (udev, qemu) change
  # ownership of device nodes such as /dev/kvm, and must not reach the build host's.
  local name major minor
  mount -t tmpfs -o mode=0755,nosuid tmpfs "$root/dev"
  while read -r name major minor; do
    mknod -m 0666 "$root/dev/$name" c "$major" "$minor"
  done <<'NODES'
null 1 3
zero 1 5
full 1 7
random 1 8
urandom 1 9
tty 5 0
NODES
  mkdir -p "$root/dev/pts" "$root/dev/shm"
  ln -s /proc/self/fd "$root/dev/fd"
  ln -s /proc/self/fd/0 "$root/dev/stdin"
  ln -s /proc/self/fd/1 "$root/dev/stdout"
  ln -s /proc/self/fd/2 "$root/dev/stderr"
  mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"
  ln -s pts/ptmx "$root/dev/ptmx"
  mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"
  mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$root/run"
  printf '#!/bin/sh\n# strata build: no daemon starts inside the build root\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  printf 'force-unsafe-io\n' >"$root/etc/dpkg/dpkg.cfg.d/zz-strata-build"
  cat >"$root/etc/apt/apt.conf.d/99zz-strata-build" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
Acquire::Retries "3";
Dpkg::Use-Pty "false";
EOF
  in_root "$root" dpkg-divert --quiet --local --rename --add /usr/sbin/update-initramfs
  printf '#!/bin/sh\necho "update-initramfs: deferred by the image builder" >&2\n' >"$root/usr/sbin/update-initramfs"
  chmod 0755 "$root/usr/sbin/update-initramfs"
  if [ -e "$root/etc/resolv.conf" ] || [ -L "$root/etc/resolv.conf" ]; then
    mv "$root/etc/resolv.conf" "$root/etc/resolv.conf.strata-save"
  fi
  {
    echo "$RESOLV_MARK"
    cat /etc/resolv.conf
  } >"$root/etc/resolv.conf"
}

# Put back the real update-initramfs (idempotent).
restore_initramfs_tool() {
  local root=$1
  if [ -n "$(in_root "$root" dpkg-divert --list /usr/sbin/update-initramfs)" ]; then
    rm -f "$root/usr/sbin/update-initramfs"
    in_root "$root" dpkg-divert --quiet --local --rename --remove /usr/sbin/update-initramfs
  fi
}

# Undo chroot_enter.
chroot_leave() {
  local root=$1
  if [ ! -L "$root/etc/resolv.conf" ] && [ "$(head -n1 "$root/etc/resolv.conf" 2>/dev/null)" = "$RESOLV_MARK" ]; then
    rm -f "$root/etc/resolv.conf"
    if [ -e "$root/etc/resolv.conf.strata-save" ] || [ -L "$root/etc/resolv.conf.strata-save" ]; then
      mv "$root/etc/resolv.conf.strata-save" "$root/etc/resolv.conf"
    fi
  else
    rm -f "$root/etc/resolv.conf.strata-save" # a package replaced it; keep the package's
  fi
  restore_initramfs_tool "$root"
  rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/dpkg/dpkg.cfg.d/zz-strata-build" \
    "$root/etc/apt/apt.conf.d/99zz-strata-build"
  unmount_under "$root" || die "could not unmount the kernel file systems below $root"
}

write_sources() {
  local root=$1 signed=''
  [ ! -e "$root$KEYRING" ] || signed="Signed-By: $KEYRING"
  rm -f "$root/etc/apt/sources.list"
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\n%s\n' \
      "$mirror" "$suite" "$suite" "$signed"
    if [ -n "$security_mirror" ]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\n%s\n' \
        "$security_mirror" "$suite" "$signed"
    fi
  } >"$root/etc/apt/sources.list.d/debian.sources"
}

# Drop caches and logs that have no place in an image or a base tarball.
clean_root() {
  local root=$1
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin \
    "$root"/var/lib/apt/lists/* "$root"/tmp/* "$root"/var/tmp/* \
    "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old "$root/root/.bash_history" \
    "$root/etc/.resolv.conf.systemd-resolved.bak"
  mkdir -p "$root/var/lib/apt/lists/partial"
  find "$root/var/log" -type f -exec truncate -s 0 {} +
}

sha256_of() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

json_str() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

json_list() {
  local sep='' x
  printf '['
  for x in "$@"; do
    printf '%s' "$sep"
    json_str "$x"
    sep=', '
  done
  printf ']'
}

# ---------------------------------------------------------------------------- stages

# Base stage: debootstrap (minbase) + the base packages, packed as a tarball.
build_base() {
  local root=$1 tarball=$2 started=$SECONDS
  log "base: debootstrap $suite/$arch from $mirror"
  mkdir -p "$root"
  debootstrap --foreign --variant=minbase --arch="$arch" --include=ca-certificates \
    --keyring="$KEYRING" "$suite" "$root" "$mirror" >&2
  mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
  printf 'force-unsafe-io\n' >"$root/etc/dpkg/dpkg.cfg.d/zz-strata-build"
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  log "base: debootstrap second stage"
  in_root "$root" /debootstrap/debootstrap --second-stage >&2
  unmount_under "$root" || die "debootstrap left mounts below $root"
  chroot_enter "$root"
  write_sources "$root"
  log "base: installing ${#base_packages[@]} base packages"
  apt_in_root "$root" update
  apt_in_root "$root" dist-upgrade
  apt_in_root "$root" install "${base_packages[@]}"
  chroot_leave "$root"
  clean_root "$root"
  log "base: packing $(du -sxm "$root" | cut -f1) MiB"
  tar -C "$root" --numeric-owner --xattrs --xattrs-include='*' --acls -cf - . |
    zstd -q -T0 -3 -o "$tarball"
  base_seconds=$((SECONDS - started))
}

# The base tarball for this suite and base package list, built once.
ensure_base() {
  local workdir=$1 lock_fd sorted
  sorted=$(printf '%s\n' "${base_packages[@]}" | sort -u | tr '\n' ' ')
  base_key=$(sha256_of "format=$BASE_FORMAT suite=$suite arch=$arch serial=$serial security=${security_mirror:+yes} packages=$sorted")
  base_tarball=$cache_dir/.base/$base_key.tar.zst
  exec {lock_fd}>"$cache_dir/.locks/base-$base_key.lock"
  flock "$lock_fd"
  if [ -f "$base_tarball" ]; then
    log "base: cached $base_tarball"
  else
    build_base "$workdir/base" "$workdir/base.tar.zst"
    mv "$workdir/base.tar.zst" "$base_tarball"
    remove_tree "$workdir/base" || die "could not remove $workdir/base"
  fi
  exec {lock_fd}>&-
}

configure_root() {
  local root=$1
  cat >"$root/etc/fstab" <<EOF
# <file system>  <mount point>  <type>  <options>  <dump>  <pass>
LABEL=$label  /  ext4  rw,errors=remount-ro  0  1
EOF
  echo debian >"$root/etc/hostname"
  printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
  printf 'LANG=C.UTF-8\n' >"$root/etc/default/locale"
  mkdir -p "$root/etc/cloud/cloud.cfg.d"
  cat >"$root/etc/cloud/cloud.cfg.d/99_strata.cfg" <<'EOF'
# strata.cloud debian_image: NoCloud only (no probing of cloud metadata services),
# networkd renders the network, /etc/hosts follows the hostname, the unpartitioned root
# file system grows to the disk size on boot.
datasource_list: [NoCloud, None]
manage_etc_hosts: true
locale: C.UTF-8
growpart:
  mode: "off"
resize_rootfs: true
# RSA host keys take seconds to generate under emulation, on the way to the first SSH login.
ssh_genkeytypes: [ed25519, ecdsa]
system_info:
  network:
    renderers: [networkd]
    activators: [networkd]
EOF
  # Host keys are made on first boot by cloud-init; this unit covers a boot without a seed.
  cat >"$root/etc/systemd/system/strata-ssh-host-key.service" <<'EOF'
[Unit]
Description=Generate an SSH host key when there is none
Before=ssh.service
ConditionPathExistsGlob=!/etc/ssh/ssh_host_*_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key

[Install]
WantedBy=ssh.service
EOF
  # No SSH over AF_VSOCK (trixie's generator probes for it and loads the VMCI/vsock modules).
  mkdir -p "$root/etc/systemd/system-generators"
  ln -sfn /dev/null "$root/etc/systemd/system-generators/systemd-ssh-generator"
  # Boot is not held up for 2 minutes by NICs that never get configured (or by no NIC at all):
  # network-online means one link is up.
  mkdir -p "$root/etc/systemd/system/systemd-networkd-wait-online.service.d"
  cat >"$root/etc/systemd/system/systemd-networkd-wait-online.service.d/10-strata-any.conf" <<'EOF'
[Service]
ExecStart=
ExecStart=/usr/lib/systemd/systemd-networkd-wait-online --any --timeout=60
EOF
  # A small initramfs: the drivers a VM's root disk can sit on (virtio-blk, virtio-scsi, SATA, IDE,
  # NVMe) and ext4, instead of MODULES=most (fewer modules to unpack and probe on every boot).
  mkdir -p "$root/etc/initramfs-tools/conf.d" "$root/etc/initramfs-tools/hooks"
  printf '# strata.cloud debian_image: modules come from hooks/strata-vm\nMODULES=list\n' \
    >"$root/etc/initramfs-tools/conf.d/strata-vm.conf"
  cat >"$root/etc/initramfs-tools/hooks/strata-vm" <<'EOF'
#!/bin/sh
# strata.cloud debian_image: root disk drivers of virtual machines and the root file system.
PREREQ=""
prereqs() { echo "$PREREQ"; }
case "$1" in
  prereqs) prereqs; exit 0 ;;
esac
. /usr/share/initramfs-tools/hook-functions
for module in ext4 virtio_pci virtio_mmio virtio_blk virtio_scsi sd_mod sr_mod ahci ata_piix nvme; do
  manual_add_modules "$module"
done
EOF
  chmod 0755 "$root/etc/initramfs-tools/hooks/strata-vm"
  in_root "$root" systemctl enable systemd-networkd.service systemd-resolved.service \
    strata-ssh-host-key.service >&2
}

build_initramfs() {
  local root=$1
  local -a kvers
  mapfile -t kvers < <(find "$root/lib/modules" -mindepth 1 -maxdepth 1 -type d -printf '%f\n')
  [ "${#kvers[@]}" -eq 1 ] || die "expected one kernel in the image, found: ${kvers[*]:-none}"
  kernel_version=${kvers[0]}
  restore_initramfs_tool "$root"
  rm -f "$root/boot/initrd.img-$kernel_version"
  log "image: initramfs for $kernel_version"
  in_root "$root" update-initramfs -c -k "$kernel_version" >&2
}

# After chroot_leave: what must differ per VM is removed, and checked.
finalize_root() {
  local root=$1
  if [ -e "$root/usr/lib/systemd/systemd-resolved" ] || [ -e "$root/lib/systemd/systemd-resolved" ]; then
    ln -sfn ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
  fi
  : >"$root/etc/machine-id"
  [ -L "$root/var/lib/dbus/machine-id" ] || rm -f "$root/var/lib/dbus/machine-id"
  rm -f "$root"/etc/ssh/ssh_host_* "$root/var/lib/systemd/random-seed"
  clean_root "$root"
  # /etc and /var are up to date with /usr: no ldconfig or catalog rebuild on first boot.
  touch -r "$root/usr" "$root/etc/.updated" "$root/var/.updated"

  [ ! -s "$root/etc/machine-id" ] || die "self-check: /etc/machine-id is not empty"
  ! compgen -G "$root/etc/ssh/ssh_host_*" >/dev/null || die "self-check: SSH host keys left in the image"
  [ ! -e "$root/usr/sbin/policy-rc.d" ] || die "self-check: policy-rc.d left in the image"
  [ -z "$(in_root "$root" dpkg-divert --list /usr/sbin/update-initramfs)" ] ||
    die "self-check: update-initramfs is still diverted"
  ! grep -qF "$RESOLV_MARK" "$root/etc/resolv.conf" 2>/dev/null || die "self-check: build resolver left in the image"
}

# Installed versions of the requested packages, as JSON members; fails if one is missing.
package_versions_json() {
  local root=$1 name version status sep='' found=0
  # shellcheck disable=SC2016 # dpkg-query's own ${field} syntax, not shell expansions
  local format='${Package}\t${Version}\t${Status}\n'
  shift
  while IFS=$'\t' read -r name version status; do
    [ "$status" = "install ok installed" ] || die "self-check: $name is not installed ($status)"
    printf '%s\n    %s: %s' "$sep" "$(json_str "$name")" "$(json_str "$version")"
    sep=','
    found=$((found + 1))
  done < <(in_root "$root" dpkg-query -W -f="$format" "$@")
  [ "$found" -eq $# ] || die "self-check: only $found of the $# requested packages are installed"
}

write_manifest() {
  local out=$1 disk_bytes versions i sep='' sets=''
  disk_bytes=$(stat -c %s "$out/disk.qcow2")
  versions=$(package_versions_json "$root" "${requested[@]}") || exit 1
  for i in "${!set_names[@]}"; do
    local -a members=()
    split_csv members "${set_csvs[$i]}"
    sets+="$sep"$'\n'"    $(json_str "${set_names[$i]}"): $(json_list "${members[@]}")"
    sep=','
  done
  cat >"$out/manifest.json" <<EOF
{
  "format": $MANIFEST_FORMAT,
  "id": $(json_str "$id"),
  "suite": $(json_str "$suite"),
  "arch": $(json_str "$arch"),
  "mirror": $(json_str "$mirror"),
  "security_mirror": $(json_str "$security_mirror"),
  "serial": $(json_str "$serial"),
  "size_mib": $size_mib,
  "label": $(json_str "$label"),
  "cmdline": $(json_str "$cmdline"),
  "kernel_version": $(json_str "$kernel_version"),
  "disk": "disk.qcow2",
  "kernel": "vmlinuz",
  "initrd": "initrd.img",
  "disk_bytes": $disk_bytes,
  "root_used_mib": $root_used_mib,
  "base_key": $(json_str "$base_key"),
  "base_packages": $(json_list "${base_packages[@]}"),
  "package_sets": {${sets}
  },
  "extra_packages": $(json_list "${extra_packages[@]}"),
  "package_versions": {${versions}
  },
  "builder_sha256": $(json_str "$builder_sha256"),
  "built_at": $(json_str "$(date -u +%Y-%m-%dT%H:%M:%SZ)"),
  "seconds": {"base": ${base_seconds:-null}, "total": $((SECONDS - started))}
}
EOF
}

# ---------------------------------------------------------------------------- main

started=$SECONDS
base_seconds=''
work=''
lock_fd=''

cleanup() {
  local rc=$?
  trap - EXIT
  if [ -n "$work" ] && ! remove_tree "$work"; then
    rc=1
  fi
  [ "$rc" -eq 0 ] || log "failed (exit $rc): nothing was written to $final"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$cache_dir/.base" "$cache_dir/.tmp" "$cache_dir/.locks"
chmod 0755 "$cache_dir"
exec {lock_fd}>"$cache_dir/.locks/$id.lock"
flock "$lock_fd"
if [ -f "$final/manifest.json" ]; then
  log "image $id is already complete"
  echo STRATA_IMAGE_PRESENT
  exit 0
fi
[ ! -e "$final" ] || die "$final exists without a manifest.json (not written by this builder?); remove it"

# Work trees left by a killed build of this image (we hold its lock, so nobody else uses them).
for stale in "$cache_dir/.tmp/$id".*; do
  [ ! -e "$stale" ] || remove_tree "$stale" || die "could not remove the stale build tree $stale"
done
work=$(mktemp -d "$cache_dir/.tmp/$id.XXXXXX")
chmod 0755 "$work"

ensure_base "$work"

# The requested package list: base + sets + extras.
requested=("${base_packages[@]}" "${extra_packages[@]}")
all_extra=("${extra_packages[@]}")
for i in "${!set_csvs[@]}"; do
  split_csv members "${set_csvs[$i]}"
  requested+=("${members[@]}")
  all_extra+=("${members[@]}")
done
mapfile -t requested < <(printf '%s\n' "${requested[@]}" | sort -u)
mapfile -t all_extra < <(printf '%s\n' "${all_extra[@]}" | sed '/^$/d' | sort -u)

root=$work/rootfs
mkdir -p "$root"
log "image: unpacking the base"
zstd -q -d -c "$base_tarball" | tar -C "$root" --numeric-owner --xattrs --xattrs-include='*' --acls -xpf -
chroot_enter "$root"
write_sources "$root"
if [ "${#all_extra[@]}" -gt 0 ]; then
  log "image: installing ${#all_extra[@]} extra packages"
  apt_in_root "$root" update
  apt_in_root "$root" install "${all_extra[@]}"
fi
configure_root "$root"
build_initramfs "$root"
out=$work/out
mkdir -p "$out"
install -m 0644 "$root/boot/vmlinuz-$kernel_version" "$out/vmlinuz"
install -m 0644 "$root/boot/initrd.img-$kernel_version" "$out/initrd.img"
chroot_leave "$root"
finalize_root "$root"

root_used_mib=$(du -sxm "$root" | cut -f1)
need_mib=$((root_used_mib + root_used_mib / 5 + 128))
[ "$size_mib" -ge "$need_mib" ] || die "the root file system needs about $need_mib MiB but the image size is $size_mib MiB: raise debian_image_size_mib"
log "image: ext4 file system '$label' of $size_mib MiB ($root_used_mib MiB used)"
truncate -s "${size_mib}M" "$work/root.raw"
mkfs.ext4 -q -F -L "$label" -d "$root" "$work/root.raw" >&2
qemu-img convert -q -O qcow2 "$work/root.raw" "$out/disk.qcow2"
rm -f "$work/root.raw"
chmod 0644 "$out/disk.qcow2"
write_manifest "$out"
chmod 0755 "$out"
mv -T "$out" "$final"
log "image: $final ($(du -m "$final/disk.qcow2" | cut -f1) MiB qcow2) in $((SECONDS - started)) s"
echo STRATA_IMAGE_BUILT
