#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: proxmox_vm
short_description: Declare Proxmox VE VMs (clone, configure, power, guest IP) in one task
version_added: 0.2.0
description:
  - Converges a list of QEMU VMs of a Proxmox VE cluster to their declared state. VMs are found by
    name in one C(GET /cluster/resources) call, so a re-run never creates a duplicate; two VMs with
    the same name are reported as an error instead of guessed at.
  - A VM that does not exist is cloned from a template (full or linked). New VM IDs come from
    C(/cluster/nextid) once and are then counted up locally; if another client takes an ID meanwhile,
    the clone is retried with the next free one.
  - All VMs run concurrently (up to O(parallel)), each through its own steps as soon as its previous
    step is done (clone, configuration, disk growth, pool, power, guest-agent IP), so the task takes
    about as long as the slowest clone, not the sum of all clones.
  - Only the settings that are declared are managed. A change to a running VM that Proxmox VE cannot
    apply live goes into the pending configuration; RV(vms[].restart_required) then says so.
  - Writes that hit a VM lock (C(VM 101 is locked (backup))) are retried until O(lock_timeout).
  - A VM whose step fails is reported in RV(vms[].error) while the others go on; the task then fails
    and a re-run continues from where it stopped.
author:
  - strata.cloud maintainers (@strata-cloud)
extends_documentation_fragment:
  - strata.cloud.attributes
  - strata.cloud.proxmox
  - strata.cloud.proxmox.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  vms:
    description: The VMs.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: VM name (a DNS name), unique in the cluster.
        type: str
        required: true
      state:
        description:
          - V(running) creates or converges the VM and starts it, V(stopped) shuts it down (forced after
            120 s), V(present) leaves the power state alone, V(absent) stops and destroys it with its disks.
        type: str
        choices: [running, stopped, present, absent]
        default: running
      vmid:
        description: VM ID for a new VM. Default is the next free ID. For an existing VM it must match.
        type: int
      node:
        description: Node of a new VM. Default is the node of the template. Cloning to another node needs shared storage.
        type: str
      clone:
        description: Name or VM ID of the template a new VM is cloned from.
        type: str
      full:
        description: Full clone (independent disks) or linked clone (copy-on-write on the template's disks).
        type: bool
        default: true
      storage:
        description: Target storage of a full clone's disks. Default is the template's storage.
        type: str
      pool:
        description: Resource pool of the VM (it must exist). A VM in another pool is moved.
        type: str
      cores:
        description: CPU cores per socket.
        type: int
      sockets:
        description: CPU sockets.
        type: int
      memory:
        description: Memory in MiB.
        type: int
      cpu:
        description: CPU type, for example V(host) or V(x86-64-v2-AES).
        type: str
      description:
        description: Notes shown in the web interface.
        type: str
      onboot:
        description: Start the VM when its node boots.
        type: bool
      agent:
        description: Enable the QEMU guest agent device (needed for O(wait_for_ip)).
        type: bool
      tags:
        description: Tags (compared as a set, lower case).
        type: list
        elements: str
      boot_order:
        description: Boot devices in order, for example V([scsi0, net0]).
        type: list
        elements: str
      disks:
        description:
          - Disks by slot. An existing disk is grown to O(vms[].disks[].size) (never shrunk); a missing one is
            allocated on O(vms[].disks[].storage).
        type: list
        elements: dict
        suboptions:
          slot:
            description: Bus and index, for example V(scsi0) or V(virtio1).
            type: str
            required: true
          size:
            description: Size; an int is GiB, a string takes K/M/G/T, for example V(20G). New disks take whole GiB.
            type: raw
            required: true
          storage:
            description: Storage of a new disk.
            type: str
          options:
            description: 'Further drive options of a new disk, for example V({discard: "on", ssd: 1}).'
            type: dict
      nics:
        description: NICs in order (C(net0), C(net1), ...). A NIC without O(vms[].nics[].mac) keeps the MAC it has.
        type: list
        elements: dict
        suboptions:
          bridge:
            description: Bridge, for example V(vmbr0).
            type: str
            required: true
          model:
            description: NIC model.
            type: str
            choices: [virtio, e1000, e1000e, vmxnet3, rtl8139]
            default: virtio
          vlan:
            description: VLAN tag.
            type: int
          mac:
            description: MAC address.
            type: str
          mtu:
            description: MTU (virtio only).
            type: int
          rate:
            description: Rate limit in MB/s.
            type: float
          firewall:
            description: Use the Proxmox VE firewall on this NIC.
            type: bool
      cloud_init:
        description: cloud-init settings of the VM's cloud-init drive (the template must have one).
        type: dict
        suboptions:
          user:
            description: User name.
            type: str
          password:
            description: Password of O(vms[].cloud_init.user). Set when the VM is created, or on every run with O(update_password=true).
            type: str
          ssh_keys:
            description: Public SSH keys.
            type: list
            elements: str
          ipconfig:
            description: Addresses per NIC in order, each a dict with C(ip) (CIDR or V(dhcp)), C(gw), C(ip6), C(gw6).
            type: list
            elements: dict
          nameserver:
            description: DNS servers (a list or a space-separated string).
            type: raw
          searchdomain:
            description: DNS search domain.
            type: str
  parallel:
    description: How many VMs are worked on at once.
    type: int
    default: 20
  timeout:
    description: Seconds each Proxmox VE task (clone, start, ...) may take. A full clone of a large disk can take long.
    type: int
    default: 1800
  lock_timeout:
    description: Seconds a write waits while the VM is locked by another task (backup, migration) before failing.
    type: int
    default: 60
  wait_for_ip:
    description: Wait until the guest agent of each running VM reports an IPv4 address (returned in RV(vms[].ip)).
    type: bool
    default: false
  ip_timeout:
    description: Seconds to wait for the guest agent's address with O(wait_for_ip).
    type: int
    default: 300
  update_password:
    description: Set O(vms[].cloud_init.password) also on existing VMs (Proxmox VE never returns it, so it cannot be compared).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Twenty web servers from a template, started, with their addresses
  strata.cloud.proxmox_vm:
    api_host: pve1.example.org
    api_user: automation@pve
    api_token_id: ansible
    api_token_secret: "{{ vault_pve_token }}"
    wait_for_ip: true
    vms: "{{ web_vms }}"
  vars:
    web_vms: >-
      [{% for i in range(1, 21) %}{'name': 'web{{ i }}', 'clone': 'debian-13', 'cores': 2, 'memory': 2048,
       'tags': ['web'], 'agent': true, 'cloud_init': {'user': 'debian', 'ssh_keys': ['{{ ssh_pubkey }}']}},{% endfor %}]
  delegate_to: localhost

- name: One VM with its own disk and NIC layout (connection set once through module_defaults)
  module_defaults:
    group/strata.cloud.proxmox:
      api_host: pve1.example.org
      api_user: automation@pve
      api_token_id: ansible
      api_token_secret: "{{ vault_pve_token }}"
  strata.cloud.proxmox_vm:
    vms:
      - name: db1
        clone: debian-13
        node: pve2
        storage: local-lvm
        pool: prod
        cores: 4
        memory: 8192
        agent: true
        disks:
          - {slot: scsi0, size: 40G}
          - {slot: scsi1, size: 100, storage: local-lvm, options: {discard: "on"}}
        nics:
          - {bridge: vmbr0, vlan: 20}
        cloud_init:
          user: debian
          ssh_keys: ["{{ lookup('file', '~/.ssh/id_ed25519.pub') }}"]
          ipconfig:
            - {ip: 10.20.0.11/24, gw: 10.20.0.1}
  delegate_to: localhost

- name: Remove a VM
  strata.cloud.proxmox_vm:
    vms:
      - {name: db1, state: absent}
  delegate_to: localhost
"""

RETURN = r"""
vms:
  description: One entry per declared VM, in order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: VM name.
      type: str
    vmid:
      description: VM ID (the one that would be used, in check mode).
      type: int
    node:
      description: Node of the VM.
      type: str
    status:
      description: V(running), V(stopped), V(absent) after the task (before it, in check mode).
      type: str
    changed:
      description: Whether this VM was (or would be) changed.
      type: bool
    actions:
      description: What was (or would be) done, in order.
      type: list
      elements: str
      sample: ["clone debian-13 (vmid 9000) to web1 (vmid 101, full)", "configure web1: ciuser, cores, sshkeys", "start web1"]
    restart_required:
      description: Some configuration changes of this running VM wait for its next restart.
      type: bool
    ip:
      description: First IPv4 address the guest agent reported.
      returned: when O(wait_for_ip=true)
      type: str
    error:
      description: Why this VM failed.
      returned: when this VM failed
      type: str
api_requests:
  description: Number of API requests the task made (a password login counts as one).
  returned: always
  type: int
  sample: 61
"""

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.module import proxmox_module, run
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.vm_runner import VmRunner


def argument_spec():
    return dict(
        vms=dict(type='list', elements='dict', required=True, options=dict(
            name=dict(type='str', required=True),
            state=dict(type='str', default='running', choices=['running', 'stopped', 'present', 'absent']),
            vmid=dict(type='int'),
            node=dict(type='str'),
            clone=dict(type='str'),
            full=dict(type='bool', default=True),
            storage=dict(type='str'),
            pool=dict(type='str'),
            cores=dict(type='int'),
            sockets=dict(type='int'),
            memory=dict(type='int'),
            cpu=dict(type='str'),
            description=dict(type='str'),
            onboot=dict(type='bool'),
            agent=dict(type='bool'),
            tags=dict(type='list', elements='str'),
            boot_order=dict(type='list', elements='str'),
            disks=dict(type='list', elements='dict', options=dict(
                slot=dict(type='str', required=True),
                size=dict(type='raw', required=True),
                storage=dict(type='str'),
                options=dict(type='dict'),
            )),
            nics=dict(type='list', elements='dict', options=dict(
                bridge=dict(type='str', required=True),
                model=dict(type='str', default='virtio', choices=['virtio', 'e1000', 'e1000e', 'vmxnet3', 'rtl8139']),
                vlan=dict(type='int'),
                mac=dict(type='str'),
                mtu=dict(type='int'),
                rate=dict(type='float'),
                firewall=dict(type='bool'),
            )),
            cloud_init=dict(type='dict', options=dict(
                user=dict(type='str'),
                password=dict(type='str', no_log=True),
                ssh_keys=dict(type='list', elements='str', no_log=False),
                ipconfig=dict(type='list', elements='dict'),
                nameserver=dict(type='raw'),
                searchdomain=dict(type='str'),
            )),
        )),
        parallel=dict(type='int', default=20),
        timeout=dict(type='int', default=1800),
        lock_timeout=dict(type='int', default=60),
        wait_for_ip=dict(type='bool', default=False),
        ip_timeout=dict(type='int', default=300),
        update_password=dict(type='bool', default=False, no_log=False),
    )


def main():
    module = proxmox_module(argument_spec())
    params = module.params

    def work(client):
        return VmRunner(client, params['vms'], check_mode=module.check_mode, timeout=params['timeout'],
                        lock_timeout=params['lock_timeout'], wait_for_ip=params['wait_for_ip'],
                        ip_timeout=params['ip_timeout'], parallel=params['parallel'],
                        update_password=params['update_password']).run()
    run(module, work)


if __name__ == '__main__':
    main()
