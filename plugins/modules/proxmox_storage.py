#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: proxmox_storage
short_description: Declare the storage definitions of a Proxmox VE cluster (dir, NFS, LVM, LVM-thin, RBD)
version_added: 0.2.0
description:
  - Converges a list of cluster-wide storage definitions (C(/etc/pve/storage.cfg)) through the API. All
    definitions are read in one request; each declared storage is then created, updated (only the keys
    that differ), removed, or left alone.
  - Only the options that are declared are managed. Options that Proxmox VE fixes when a storage is
    created (type, path, NFS export, volume group, thin pool) are reported as an error when they differ,
    never changed behind your back.
  - An RBD keyring (for an external Ceph cluster) is handed to Proxmox VE, which stores it under
    C(/etc/pve/priv/ceph); it is never returned by the API, so it is set when the storage is created,
    and on an existing storage only with O(update_keyring=true). It is never logged.
  - Removing a definition does not touch the data on it.
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
  storages:
    description: The storage definitions.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Storage ID, for example V(nfs-iso) or V(ceph-vm).
        type: str
        required: true
      state:
        description: V(present) or V(absent).
        type: str
        choices: [present, absent]
        default: present
      type:
        description: Storage type. Required to create a storage.
        type: str
        choices: [dir, nfs, lvm, lvmthin, rbd]
      content:
        description: Content types, for example V([images, rootdir]) or V([iso, import, snippets, backup]).
        type: list
        elements: str
      nodes:
        description: Nodes the storage is available on (default all).
        type: list
        elements: str
      shared:
        description: The same content is reachable from every node (set for a directory on a cluster file system).
        type: bool
      disable:
        description: Disable the storage.
        type: bool
      path:
        description: Directory (type V(dir)), or mount point of an NFS storage (default C(/mnt/pve/<name>)).
        type: str
      server:
        description: NFS server name or address.
        type: str
      export:
        description: NFS export path.
        type: str
      options:
        description: NFS mount options, for example V(vers=4.2).
        type: str
      prune_backups:
        description: Backup retention, for example V(keep-last=3,keep-weekly=2).
        type: str
      vgname:
        description: LVM volume group.
        type: str
      thinpool:
        description: LVM thin pool (type V(lvmthin)).
        type: str
      saferemove:
        description: Zero removed logical volumes (type V(lvm)).
        type: bool
      monhost:
        description: Monitor addresses of an external Ceph cluster (type V(rbd)). Leave unset for the cluster's own Ceph.
        type: list
        elements: str
      pool:
        description: Ceph pool (type V(rbd)).
        type: str
      username:
        description: Ceph client name without C(client.), for example V(admin) (type V(rbd)).
        type: str
      keyring:
        description:
          - Keyring of O(storages[].username) for an external Ceph cluster (type V(rbd)), the contents of its keyring file.
          - Set on creation; on an existing storage only with O(update_keyring=true).
        type: str
      krbd:
        description: Map images with the kernel RBD driver (type V(rbd)).
        type: bool
      namespace:
        description: RBD namespace (type V(rbd)).
        type: str
      extra:
        description: "Further storage options by their Proxmox VE names, for example V({max-protected-backups: 5})."
        type: dict
  update_keyring:
    description: Send O(storages[].keyring) also for existing storage (it cannot be compared, so this always reports a change).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Shared storage of the cluster
  strata.cloud.proxmox_storage:
    api_host: pve1.example.org
    api_user: automation@pve
    api_token_id: ansible
    api_token_secret: "{{ vault_pve_token }}"
    storages:
      - {name: nfs-iso, type: nfs, server: 10.0.20.5, export: /srv/iso, content: [iso, import, snippets], options: vers=4.2}
      - {name: thin, type: lvmthin, vgname: pve, thinpool: data, content: [images, rootdir], nodes: [pve1]}
      - name: ceph-vm
        type: rbd
        monhost: [10.0.30.11, 10.0.30.12, 10.0.30.13]
        pool: vms
        username: pve
        keyring: "{{ vault_ceph_pve_keyring }}"
        content: [images]
        krbd: true
  delegate_to: localhost

- name: Remove an old definition (the data stays)
  strata.cloud.proxmox_storage:
    storages:
      - {name: old-nfs, state: absent}
  delegate_to: localhost
"""

RETURN = r"""
storages:
  description: One entry per declared storage, in order.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Storage ID.
      type: str
    action:
      description: V(create), V(update), V(delete) or V(none) (what was done, or would be in check mode).
      type: str
    changed:
      description: Whether this storage was (or would be) changed.
      type: bool
    changes:
      description: Proxmox VE keys that were (or would be) set.
      returned: when action is create or update
      type: list
      elements: str
      sample: [content, nodes]
api_requests:
  description: Number of API requests the task made.
  returned: always
  type: int
"""

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.converge import converge
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.module import proxmox_module, run
from ansible_collections.strata.cloud.plugins.module_utils.proxmox.storage import StorageKind


def main():
    module = proxmox_module(dict(
        storages=dict(type='list', elements='dict', required=True, options=dict(
            name=dict(type='str', required=True),
            state=dict(type='str', default='present', choices=['present', 'absent']),
            type=dict(type='str', choices=['dir', 'nfs', 'lvm', 'lvmthin', 'rbd']),
            content=dict(type='list', elements='str'),
            nodes=dict(type='list', elements='str'),
            shared=dict(type='bool'),
            disable=dict(type='bool'),
            path=dict(type='str'),
            server=dict(type='str'),
            export=dict(type='str'),
            options=dict(type='str'),
            prune_backups=dict(type='str'),
            vgname=dict(type='str'),
            thinpool=dict(type='str'),
            saferemove=dict(type='bool'),
            monhost=dict(type='list', elements='str'),
            pool=dict(type='str'),
            username=dict(type='str'),
            keyring=dict(type='str', no_log=True),
            krbd=dict(type='bool'),
            namespace=dict(type='str'),
            extra=dict(type='dict'),
        )),
        update_keyring=dict(type='bool', default=False, no_log=False),
    ))

    def work(client):
        results, diff, changed = converge(StorageKind(client, module.params['update_keyring']), module.params['storages'],
                                          module.check_mode, where='storages')
        return {'changed': changed, 'storages': results, 'diff': diff}
    run(module, work)


if __name__ == '__main__':
    main()
