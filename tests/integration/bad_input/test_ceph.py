"""Bad Ceph input fails before anything changes, with a message naming the field.

Each case runs the ceph_cluster (or ceph_clients) role against this machine (connection local) as
a storage host and checks the exit status, the message and that the recap reports changed=0. The
disk case puts an ext4 file system on a loop device and names it as an OSD disk.
"""

from __future__ import annotations

import sys
import textwrap

import pytest

from conftest import fs_type
from test_bad_input import assert_failed_unchanged, run

PYTHON = sys.executable

PLAY = textwrap.dedent("""\
    - hosts: storage
      gather_facts: true
      gather_subset: [min]
      roles:
        - role: strata.cloud.{role}
    """)

LOCAL = {'ansible_connection': 'local', 'ansible_python_interpreter': PYTHON}
NETS = {'storage': {'cidr': '10.91.1.0/24'}, 'api': {'cidr': '10.90.0.0/24'}}


def site(mons=('localhost',), storage=('localhost',), networks=None, hostvars=None):
    hosts = {}
    for index, name in enumerate(sorted(set(mons) | set(storage))):
        hv = dict(LOCAL)
        hv['strata_interfaces'] = {'storage': {'device': 'ens4', 'address': '10.91.1.%d' % (11 + index)}}
        hv.update((hostvars or {}).get(name, {}))
        hosts[name] = hv
    return {'all': {
        'hosts': hosts,
        'vars': {'strata_networks': NETS if networks is None else networks},
        'children': {
            'storage': {'hosts': {h: {} for h in storage}},
            'ceph_mons': {'hosts': {h: {} for h in mons}},
        },
    }}


CLUSTER_CASES = {
    'even monitor count': (site(mons=('localhost', 'peer'), storage=('localhost', 'peer')), {},
                           ['ceph_cluster_mon_group: group "ceph_mons" has 2 hosts (localhost, peer); monitors need an odd number']),
    'no monitors': (site(mons=()), {}, ['ceph_cluster_mon_group: group "ceph_mons" has no hosts']),
    'monitor outside the storage group': (site(mons=('peer',), storage=('localhost',)), {},
                                          ['ceph_cluster_mon_group: peer is a monitor but not in group "storage"']),
    'public network not defined': (site(), {'ceph_cluster_public_network': 'backend'},
                                   ['ceph_cluster_public_network: "backend" is not a network in strata_networks (defined: storage, api)']),
    'cluster network not defined': (site(), {'ceph_cluster_cluster_network': 'replication'},
                                    ['ceph_cluster_cluster_network: "replication" is not a network in strata_networks']),
    'host without an address on the public network': (
        site(hostvars={'localhost': {'strata_interfaces': {'api': {'device': 'ens4', 'address': '10.90.0.5'}}}}), {},
        ['hostvars[localhost].strata_interfaces.storage.address: missing']),
    'pool size out of range': (site(), {'ceph_cluster_pools': [{'name': 'rbd', 'application': 'rbd', 'size': 0}]},
                               ['ceph_cluster_pools[name=rbd].size: 0 is out of range']),
    'min_size above size': (site(), {'ceph_cluster_pools': [{'name': 'rbd', 'application': 'rbd', 'size': 2, 'min_size': 3}]},
                            ['ceph_cluster_pools[name=rbd].min_size: 3 must be from 1 to the size 2']),
    'pool application not a choice': (site(), {'ceph_cluster_pools': [{'name': 'p', 'application': 'nfs'}]},
                                      ['ceph_cluster_pools', 'nfs']),
    'fsid not a uuid': (site(), {'ceph_cluster_fsid': 'my-cluster'}, ['ceph_cluster_fsid: "my-cluster" is not a lower-case UUID']),
    'osd memory target too low': (site(), {'ceph_cluster_osd_memory_target': 536870912},
                                  ['ceph_cluster_osd_memory_target: 536870912 is below the minimum']),
    'osd disk name unknown': (site(hostvars={'localhost': {'strata_disks': [{'name': 'data1', 'size': '8G', 'device': '/dev/vdb'}]}}),
                              {'ceph_cluster_osd_disks': ['data9']},
                              ['ceph_cluster_osd_disks: "data9" is not in hostvars[localhost].strata_disks (names: data1)']),
}


@pytest.mark.parametrize('case', sorted(CLUSTER_CASES))
def test_ceph_cluster_rejects(tmp_path, case):
    inventory, extra, expected = CLUSTER_CASES[case]
    rc, out = run(tmp_path, PLAY.format(role='ceph_cluster'), extra or None, inventory=inventory)
    assert_failed_unchanged(rc, out, expected)


def test_ceph_cluster_never_takes_a_disk_with_data(tmp_path, ext4_disk):
    disk_with_filesystem, dummy = ext4_disk
    inventory = site(hostvars={'localhost': {'strata_disks': [{'name': 'data1', 'size': '64M', 'device': disk_with_filesystem}]}})
    rc, out = run(tmp_path, PLAY.format(role='ceph_cluster'), inventory=inventory)
    assert_failed_unchanged(rc, out, ['hostvars[localhost].strata_disks[name=data1].device: %s is not blank' % disk_with_filesystem,
                                      'unless its entry has force: true'])
    assert fs_type(disk_with_filesystem) == 'ext4', 'the file system must still be there'


CLIENT_CASES = {
    'user name without client. prefix': ({'ceph_clients_users': [{'name': 'glance2', 'caps': {'mon': 'profile rbd'}}]},
                                         ['ceph_clients_users[name=glance2].name: must be client.<id>']),
    'user clashes with a consumer user': ({'ceph_clients_openstack_enabled': True,
                                           'ceph_clients_users': [{'name': 'client.glance', 'caps': {'mon': 'profile rbd'}}]},
                                          ['ceph_clients_users: user names must be unique']),
    'relative output dir': ({'ceph_clients_output_dir': 'ceph-out'}, ['ceph_clients_output_dir: "ceph-out" must be an absolute path']),
    'libvirt secret not a uuid': ({'ceph_clients_libvirt_secret_uuid': 'abc'}, ['ceph_clients_libvirt_secret_uuid: "abc" is not a lower-case UUID']),
}


@pytest.mark.parametrize('case', sorted(CLIENT_CASES))
def test_ceph_clients_rejects(tmp_path, case):
    extra, expected = CLIENT_CASES[case]
    rc, out = run(tmp_path, PLAY.format(role='ceph_clients'), extra, inventory=site())
    assert_failed_unchanged(rc, out, expected)
