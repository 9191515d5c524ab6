#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: libvirt_vm
short_description: Declare a libvirt VM with its disks, NICs and cloud-init seed
version_added: 0.1.0
description:
  - Converges one libvirt domain to the declared state. The domain's definition is compared with
    the declared one field by field; a difference redefines it.
  - Disk volumes C(<name>-<disk>.qcow2) (C(<name>-<disk>) in LVM and RBD pools) are created through
    the storage pool API, as blank volumes, as qcow2 overlays of a base image or as copies of it.
    Growing a disk resizes the volume (live when the VM runs); shrinking is refused.
  - PCI addresses are pinned in list order, so the first disk is always C(vda) and the NICs keep
    their order in the guest. Disk I(i) sits at PCI slot C(0x08+i), NIC I(i) at C(0x14+i).
  - NICs of type V(user) are QEMU user-mode networking with port forwards. libvirt's own
    C(<interface type='user'>) cannot forward ports (before passt), so these NICs are written as
    C(<qemu:commandline>) arguments (C(-netdev user,hostfwd=...) and C(-device ...,addr=...)) and
    parsed back from there. libvirt marks such domains as I(tainted) (custom argv); this is expected.
  - With O(cloud_init), a NoCloud seed image (volume label C(cidata)) is built on the host that runs
    the module and uploaded to volume C(<name>-seed.iso) in the pool of the first disk, then attached
    as a cdrom. A hash of its content is kept in the domain metadata; a changed seed is uploaded
    again, but cloud-init applies it only when O(cloud_init.instance_id) changes.
  - Changes to a running VM are written to its persistent definition. New disks are hot-plugged;
    any other change takes effect at the next restart. With O(restart=true) the VM is restarted,
    otherwise RV(restart_required) is returned with a warning.
  - O(state=absent) powers the VM off, undefines it and deletes the volumes this module created for
    it (recorded in the domain metadata); base images are never deleted.
author:
  - strata.cloud maintainers (@strata-cloud)
extends_documentation_fragment:
  - strata.cloud.attributes
  - strata.cloud.libvirt
  - strata.cloud.libvirt.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  name:
    description: Name of the domain. Also the prefix of its volume names.
    type: str
    required: true
  state:
    description:
      - V(running) defines the VM and starts it, V(stopped) defines it and shuts it down (ACPI, then
        power off after O(shutdown_timeout)), V(absent) removes it with its volumes.
    type: str
    choices: [running, stopped, absent]
    default: running
  virt_type:
    description:
      - libvirt domain type. V(auto) uses V(kvm) when the host's libvirt capabilities offer KVM
        domains, else V(qemu) (TCG emulation). It chooses only when the domain is defined; an
        existing domain keeps its type under V(auto); set V(kvm) or V(qemu) to change it.
      - Hosts whose C(/dev/kvm) exists but does not work (some nested or container setups) must set V(qemu).
    type: str
    choices: [auto, kvm, qemu]
    default: auto
  vcpus:
    description: Number of virtual CPUs (at least 1).
    type: int
    default: 1
  memory:
    description: Memory in MiB (at least 64).
    type: int
    default: 1024
  cpu_mode:
    description:
      - Guest CPU model. V(auto) means V(host-passthrough) with KVM and V(maximum) (QEMU C(-cpu max))
        with TCG. QEMU's default C(qemu64) model is never used (it lacks SSSE3/SSE4, which Ceph needs).
    type: str
    choices: [auto, host-passthrough, host-model, maximum]
    default: auto
  machine:
    description:
      - QEMU machine type, for example V(pc) or V(q35). An alias is compared as written (it is
        recorded in the domain metadata), not as the versioned type libvirt expands it to.
    type: str
    default: pc
  autostart:
    description: Whether libvirtd starts the VM when the host boots.
    type: bool
    default: false
  boot:
    description:
      - Direct kernel boot. Paths are on the hypervisor. Without it the VM boots from its first disk.
    type: dict
    suboptions:
      kernel:
        description: Path of the kernel image.
        type: str
        required: true
      initrd:
        description: Path of the initrd.
        type: str
      cmdline:
        description: Kernel command line, for example C(root=/dev/vda console=ttyS0).
        type: str
  disks:
    description:
      - Disks in guest order (C(vda), C(vdb), ...). At most 12.
      - A disk removed from the list is detached at the next definition; its volume stays (and is
        deleted with O(state=absent)).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Disk name, unique in the VM; the volume is C(<vm>-<name>.qcow2). V(seed) is reserved.
        type: str
        required: true
      pool:
        description: Storage pool of the volume. It must exist and be active.
        type: str
        default: default
      size:
        description:
          - Virtual size. An int is a number of GiB; a string takes binary units, for example V(10G),
            V(512M), V(1.5T).
          - Required without O(disks[].base_image); with it, the default is the base image's size.
          - A larger size than the volume's grows it (live when the VM runs); a smaller one is an error.
        type: raw
      base_image:
        description:
          - Path on the hypervisor of a qcow2 or raw image to clone when the volume is created (it is
            not used once the volume exists).
          - The image is looked up in the storage pools (refreshing the pool of its directory); if no
            pool holds it, a transient pool is started for its directory for the duration of the task.
        type: str
      clone:
        description:
          - V(overlay) creates a qcow2 volume whose backing file is the base image (fast, the base
            must stay in place and unchanged). V(copy) makes a full, independent copy through the
            storage API. Overlays need a file-based pool (dir, fs, netfs).
        type: str
        choices: [overlay, copy]
        default: overlay
      bus:
        description: Disk bus.
        type: str
        choices: [virtio]
        default: virtio
  nics:
    description: NICs in guest order. At most 8.
    type: list
    elements: dict
    default: []
    suboptions:
      type:
        description:
          - V(network) attaches to a libvirt network, V(bridge) to a host bridge, V(user) is QEMU
            user-mode networking (outbound NAT and O(nics[].port_forwards), no inbound otherwise).
        type: str
        choices: [network, bridge, user]
        default: network
      source:
        description: Network name (V(network)) or bridge name (V(bridge)). Not used by V(user).
        type: str
      mac:
        description:
          - MAC address. Default is derived from the VM name and the NIC index (QEMU's 52:54:00 prefix
            followed by the first three bytes of sha256(C(<name>/<index>))), so it is stable across runs.
        type: str
      model:
        description: NIC model.
        type: str
        choices: [virtio, e1000, e1000e, rtl8139]
        default: virtio
      mtu:
        description: MTU of the NIC (68-65535). On V(user) NICs it needs O(nics[].model=virtio).
        type: int
      port_forwards:
        description:
          - Host ports forwarded to guest ports; only for V(user) NICs. A host address and port may be
            forwarded only once across all NICs.
        type: list
        elements: dict
        suboptions:
          host_port:
            description: Port on the host.
            type: int
            required: true
          guest_port:
            description: Port in the guest.
            type: int
            required: true
          host_address:
            description: Host address to listen on. Keep the default unless the port must be reachable from outside.
            type: str
            default: 127.0.0.1
          protocol:
            description: Protocol.
            type: str
            choices: [tcp, udp]
            default: tcp
  cloud_init:
    description:
      - Build a cloud-init NoCloud seed for the VM. Needs one of C(cloud-localds), C(genisoimage),
        C(xorrisofs) or C(mkisofs) on the host that runs the module.
      - The generated C(#cloud-config) creates O(cloud_init.user) with passwordless sudo and sets the hostname.
    type: dict
    suboptions:
      hostname:
        description: Guest host name. Defaults to O(name).
        type: str
      instance_id:
        description: cloud-init instance ID. Defaults to O(name). Change it to make cloud-init apply a changed seed.
        type: str
      user:
        description: User to create.
        type: str
        default: debian
      ssh_authorized_keys:
        description: Public SSH keys of O(cloud_init.user).
        type: list
        elements: str
        default: []
      password:
        description: Password of O(cloud_init.user) (plain text in the seed). Without it password login is disabled.
        type: str
      packages:
        description: Packages that cloud-init installs at first boot.
        type: list
        elements: str
        default: []
      network_config:
        description:
          - Network configuration (netplan v2 format) written as the seed's C(network-config);
            C(version 2) is added when missing.
        type: dict
      user_data:
        description: Merged (recursively for dicts) over the generated C(#cloud-config).
        type: dict
  console_log:
    description: Also write the serial console to this file on the hypervisor (through virtlogd).
    type: str
  restart:
    description: Restart a running VM whose definition changed in a way that needs it.
    type: bool
    default: false
  shutdown_timeout:
    description: Seconds to wait for an ACPI shutdown before powering the VM off. V(0) powers off at once.
    type: int
    default: 120
  wait_for_ssh:
    description:
      - After the VM runs, wait until its SSH server answers with an C(SSH-) banner, on O(ssh_host) or
        else on the host side of the port forward of guest port 22 of a V(user) NIC.
      - Fails at once if the VM stops while waiting, and after O(wait_timeout) seconds.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for SSH.
    type: int
    default: 300
  ssh_host:
    description: Address to probe for SSH instead of the user NIC's port forward.
    type: str
  ssh_port:
    description: Port to probe for SSH with O(ssh_host). Defaults to 22.
    type: int
notes:
  - The domain has no graphics; its serial console is C(virsh console <name>).
  - Domains not created by this module can be adopted (their definition is replaced by the declared
    one), but O(state=absent) only deletes volumes recorded by this module.
seealso:
  - module: strata.cloud.libvirt_vm_info
  - module: strata.cloud.libvirt_network
  - module: strata.cloud.libvirt_pool
"""

EXAMPLES = r"""
- name: Boot a Debian VM from a cloud image with an SSH port forward and a lab network NIC
  strata.cloud.libvirt_vm:
    name: node1
    vcpus: 2
    memory: 2048
    disks:
      - name: root
        pool: default
        base_image: /var/lib/libvirt/images/debian-12-genericcloud-amd64.qcow2
        size: 20G
      - name: osd
        size: 10G
    nics:
      - type: user
        port_forwards:
          - host_port: 2201
            guest_port: 22
      - type: network
        source: lab-mgmt
    cloud_init:
      ssh_authorized_keys:
        - "{{ lookup('ansible.builtin.file', '~/.ssh/id_ed25519.pub') }}"
      network_config:
        ethernets:
          eth1:
            match:
              macaddress: "52:54:00:12:34:56"
            addresses: [10.10.0.11/24]
    wait_for_ssh: true

- name: Direct kernel boot under TCG (no working KVM)
  strata.cloud.libvirt_vm:
    name: tiny
    virt_type: qemu
    memory: 512
    boot:
      kernel: /var/lib/libvirt/boot/vmlinuz
      initrd: /var/lib/libvirt/boot/initrd.img
      cmdline: root=/dev/vda console=ttyS0
    disks:
      - name: root
        pool: images
        base_image: /var/lib/libvirt/images/rootfs.qcow2
        clone: copy

- name: Give a VM more memory and restart it for that
  strata.cloud.libvirt_vm:
    name: node1
    memory: 4096
    restart: true
    shutdown_timeout: 60

- name: Remove the VM and its volumes
  strata.cloud.libvirt_vm:
    name: node1
    state: absent
"""

RETURN = r"""
vm:
  description:
    - The VM as defined (persistent definition) after the task; the predicted one in check mode.
      Null with O(state=absent).
  returned: always
  type: dict
  contains:
    name:
      description: Domain name.
      type: str
      sample: node1
    uuid:
      description: Domain UUID (null in check mode for a VM not yet defined).
      type: str
    state:
      description: Domain state, for example V(running), V(stopped), V(paused).
      type: str
      sample: running
    virt_type:
      description: Domain type, V(kvm) or V(qemu).
      type: str
    cpu_mode:
      description: CPU mode.
      type: str
    machine:
      description: Machine type as libvirt stores it (versioned, for example V(pc-i440fx-7.2)).
      type: str
    vcpus:
      description: Number of vCPUs.
      type: int
    memory:
      description: Memory in MiB.
      type: int
    boot:
      description: Direct kernel boot settings (C(kernel), C(initrd), C(cmdline)), or null.
      type: dict
    disks:
      description: Disks in guest order.
      type: list
      elements: dict
      contains:
        name:
          description: Disk name.
          type: str
        target:
          description: Guest device name, for example V(vda).
          type: str
        pool:
          description: Storage pool.
          type: str
        volume:
          description: Volume name.
          type: str
        path:
          description: Path of the volume on the hypervisor (null in check mode).
          type: str
        format:
          description: Volume format, V(qcow2) or V(raw).
          type: str
        size:
          description: Virtual size in bytes.
          type: int
    nics:
      description: NICs in guest order.
      type: list
      elements: dict
      contains:
        type:
          description: V(network), V(bridge) or V(user).
          type: str
        source:
          description: Network or bridge name; null for V(user).
          type: str
        mac:
          description: MAC address.
          type: str
        model:
          description: NIC model.
          type: str
        mtu:
          description: MTU, or null.
          type: int
    port_forwards:
      description: All port forwards of the user NICs.
      type: list
      elements: dict
      contains:
        nic:
          description: Index of the NIC in O(nics).
          type: int
        host_address:
          description: Host address.
          type: str
        host_port:
          description: Host port.
          type: int
        guest_port:
          description: Guest port.
          type: int
        protocol:
          description: V(tcp) or V(udp).
          type: str
    autostart:
      description: Whether the VM starts with the host.
      type: bool
    seed:
      description: Pool and volume of the cloud-init seed cdrom, or null.
      type: dict
restart_required:
  description: The VM runs with an older definition; the change takes effect after a restart.
  returned: always
  type: bool
  sample: false
actions:
  description: What the task did (or would do in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: ["create volume default/node1-root.qcow2 as an overlay of /srv/base.qcow2", "define domain node1", "start domain node1"]
ssh_wait:
  description: Where SSH was probed and how many seconds the wait took.
  returned: when O(wait_for_ssh=true) and the VM runs
  type: dict
  sample: {"host": "127.0.0.1", "port": 2201, "elapsed": 21.3}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.strata.cloud.plugins.module_utils.libvirt.client import libvirt_argument_spec
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.domain import validate_vm_params
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.module import converge
from ansible_collections.strata.cloud.plugins.module_utils.libvirt.runner import VmRunner


def argument_spec():
    spec = libvirt_argument_spec()
    spec.update(
        name=dict(type='str', required=True),
        state=dict(type='str', default='running', choices=['running', 'stopped', 'absent']),
        virt_type=dict(type='str', default='auto', choices=['auto', 'kvm', 'qemu']),
        vcpus=dict(type='int', default=1),
        memory=dict(type='int', default=1024),
        cpu_mode=dict(type='str', default='auto', choices=['auto', 'host-passthrough', 'host-model', 'maximum']),
        machine=dict(type='str', default='pc'),
        autostart=dict(type='bool', default=False),
        boot=dict(type='dict', options=dict(
            kernel=dict(type='str', required=True),
            initrd=dict(type='str'),
            cmdline=dict(type='str'),
        )),
        disks=dict(type='list', elements='dict', default=[], options=dict(
            name=dict(type='str', required=True),
            pool=dict(type='str', default='default'),
            size=dict(type='raw'),
            base_image=dict(type='str'),
            clone=dict(type='str', default='overlay', choices=['overlay', 'copy']),
            bus=dict(type='str', default='virtio', choices=['virtio']),
        )),
        nics=dict(type='list', elements='dict', default=[], options=dict(
            type=dict(type='str', default='network', choices=['network', 'bridge', 'user']),
            source=dict(type='str'),
            mac=dict(type='str'),
            model=dict(type='str', default='virtio', choices=['virtio', 'e1000', 'e1000e', 'rtl8139']),
            mtu=dict(type='int'),
            port_forwards=dict(type='list', elements='dict', options=dict(
                host_port=dict(type='int', required=True),
                guest_port=dict(type='int', required=True),
                host_address=dict(type='str', default='127.0.0.1'),
                protocol=dict(type='str', default='tcp', choices=['tcp', 'udp']),
            )),
        )),
        cloud_init=dict(type='dict', options=dict(
            hostname=dict(type='str'),
            instance_id=dict(type='str'),
            user=dict(type='str', default='debian'),
            ssh_authorized_keys=dict(type='list', elements='str', default=[], no_log=False),
            password=dict(type='str', no_log=True),
            packages=dict(type='list', elements='str', default=[]),
            network_config=dict(type='dict'),
            user_data=dict(type='dict'),
        )),
        console_log=dict(type='str'),
        restart=dict(type='bool', default=False),
        shutdown_timeout=dict(type='int', default=120),
        wait_for_ssh=dict(type='bool', default=False),
        wait_timeout=dict(type='int', default=300),
        ssh_host=dict(type='str'),
        ssh_port=dict(type='int'),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True,
                           required_by={'ssh_port': 'ssh_host'})
    params = module.params
    converge(
        module,
        validate_vm_params,
        lambda client, spec: VmRunner(
            client, spec, check_mode=module.check_mode, restart=params['restart'],
            wait_for_ssh=params['wait_for_ssh'], wait_timeout=params['wait_timeout'],
            shutdown_timeout=params['shutdown_timeout'], run_command=module.run_command))


if __name__ == '__main__':
    main()
