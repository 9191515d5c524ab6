"""Valid input passes every role's checks: the other side of the bad-input suites.

A check that rejects good input, or that cannot even render its message when nothing is wrong,
stops every real run, and the bad-input cases cannot see it (they stop at the first problem).
Each case runs a role's read-only steps (its ``validate`` tag, and ``disks`` where the disks are
inspected in a step of their own) on this machine with the valid base input of the matching
bad-input suite, and checks that the run succeeds, changes nothing, and really ran the checks.
"""

from __future__ import annotations

import re

import test_ceph
import test_kolla
import test_kubernetes
import test_network
import test_nfs
import test_proxmox
from test_bad_input import ROLE_PLAY, run, site


def assert_passed_unchanged(rc, out, role, expected_tasks):
    """rc 0, changed=0 on every host, and for each of ``expected_tasks`` (a task name or the start of
    one) a task of ``role`` so named ran and was ok, not skipped."""
    assert rc == 0, out[-4000:]
    recap = re.findall(r'^\S+\s+:\s+ok=\d+.*$', out, re.M)
    assert recap, out[-2000:]
    for line in recap:
        assert 'changed=0' in line and 'failed=0' in line, line
    for task in expected_tasks:
        block = re.search(r'^TASK \[(?:strata\.cloud\.)?%s : %s[^\]]*\].*?\n(.*?)(?=^TASK |^PLAY RECAP)' % (re.escape(role), re.escape(task)),
                          out, re.M | re.S)
        assert block, 'task %r of %s did not run:\n%s' % (task, role, out[-3000:])
        assert re.search(r'^ok: ', block.group(1), re.M), 'task %r was not ok:\n%s' % (task, block.group(0))


def test_kvm_host_accepts(tmp_path):
    extra = {'kvm_host_pools': [{'name': 'images', 'type': 'dir', 'path': '/srv/images'}],
             'kvm_host_networks': [{'name': 'lab', 'mode': 'isolated', 'bridge': 'strata-lab0'},
                                   {'name': 'nat', 'mode': 'nat', 'bridge': 'strata-nat0', 'cidr': '10.89.0.0/24'}],
             'kvm_host_users': ['root'], 'kvm_host_hugepages': 0}
    rc, out = run(tmp_path, ROLE_PLAY.format(role='kvm_host'), extra, tags=['validate'])
    assert_passed_unchanged(rc, out, 'kvm_host', ['Validate | pools, networks and users'])


def test_inventory_model_accepts(tmp_path):
    networks = {'api': {'cidr': '10.90.0.0/24', 'vlan': 20, 'mtu': 9000}, 'storage': {'cidr': '10.91.0.0/24', 'segment': 'storage'}}
    hosts = {'h1': {'strata_interfaces': {'api': {'address': '10.90.0.5'}, 'storage': {'address': '10.91.0.5'}},
                    'strata_disks': [{'name': 'data1', 'size': '8G'}]},
             'h2': {'strata_interfaces': {'api': {'address': '10.90.0.6'}}}}
    inventory = site(networks, hosts)
    rc, out = run(tmp_path, ROLE_PLAY.format(role='validate'), inventory=inventory)
    assert_passed_unchanged(rc, out, 'validate', [''])


def test_lvm_accepts(tmp_path, blank_disk):
    extra = {'strata_disks': [{'name': 'data1', 'device': blank_disk}], 'lvm_install_packages': False,
             'lvm_volume_groups': [{'name': 'data', 'disks': ['data1'],
                                    'thin_pools': [{'name': 'pool0', 'size': '32M'}],
                                    'logical_volumes': [{'name': 'thin1', 'size': '16M', 'thin_pool': 'pool0'},
                                                        {'name': 'db', 'size': '16M', 'filesystem': 'xfs', 'mount': '/srv/db'}]}]}
    rc, out = run(tmp_path, ROLE_PLAY.format(role='lvm'), extra, tags=['validate', 'disks'])
    assert_passed_unchanged(rc, out, 'lvm', ['Validate | volume groups, disks, thin pools and logical volumes',
                                             'Disks | refuse disks that hold data',
                                             'Disks | volume groups declared without disks must exist'])


def test_nfs_server_accepts(tmp_path):
    extra = {'strata_networks': test_nfs.NETWORKS, 'nfs_server_install_packages': False,
             'nfs_server_exports': [test_nfs.export(), test_nfs.export(path='/srv/nfs/backup', clients=['10.90.0.7', '10.92.0.0/25'])]}
    rc, out = run(tmp_path, test_nfs.PLAY, extra, tags=['validate'])
    assert_passed_unchanged(rc, out, 'nfs_server', ['Validate | exports, clients and options'])


def test_network_accepts(tmp_path):
    host_vars = {'strata_interfaces': {'api': {'device': 'lo', 'address': '10.94.0.5'}, 'blue': {'device': 'lo', 'address': '10.94.1.5'}},
                 'strata_networks': dict(test_network.NETS, api={'cidr': '10.94.0.0/24', 'routes': [{'to': '10.95.0.0/16', 'via': '10.94.0.1'}]})}
    rc, out = test_network.run_role(tmp_path, host_vars, tags=['validate'])
    assert_passed_unchanged(rc, out, 'network', ['Validate | no contradictions'])


def test_ceph_cluster_accepts(tmp_path, blank_disk):
    inventory = test_ceph.site(hostvars={'localhost': {'strata_disks': [{'name': 'data1', 'size': '64M', 'device': blank_disk}]}})
    rc, out = run(tmp_path, test_ceph.PLAY.format(role='ceph_cluster'), inventory=inventory, tags=['validate'])
    assert_passed_unchanged(rc, out, 'ceph_cluster', ['Validate | one cluster id', 'Validate | inspect the OSD disks (read only)'])


def test_ceph_clients_accepts(tmp_path):
    extra = {'ceph_clients_openstack_enabled': True, 'ceph_clients_libvirt_enabled': True, 'ceph_clients_output_dir': str(tmp_path / 'out'),
             'ceph_clients_users': [{'name': 'client.backup', 'caps': {'mon': 'profile rbd', 'osd': 'profile rbd pool=backup'}}]}
    rc, out = run(tmp_path, test_ceph.PLAY.format(role='ceph_clients'), extra, inventory=test_ceph.site(), tags=['validate'])
    assert_passed_unchanged(rc, out, 'ceph_clients', ['Ceph clients | validate input'])


def test_kolla_host_accepts(tmp_path):
    extra = dict(test_kolla.BASE, kolla_host_hosts_group='all', kolla_host_install_packages=False)
    rc, out = run(tmp_path, ROLE_PLAY.format(role='kolla_host'), extra, tags=['validate'])
    assert_passed_unchanged(rc, out, 'kolla_host', ['Validate | API network, host addresses and registry'])


def test_kolla_deploy_accepts(tmp_path):
    rc, out = run(tmp_path, ROLE_PLAY.format(role='kolla_deploy'), dict(test_kolla.BASE), tags=['validate'])
    assert_passed_unchanged(rc, out, 'kolla_deploy', ['Validate | the plan has no problems'])


def test_kubernetes_plan_accepts(tmp_path):
    """The validation play of playbooks/kubernetes/deploy.yml alone, for an HA cluster."""
    inventory = test_kubernetes.inventory(['kcp1', 'kcp2', 'kcp3'], ['kw1'], {'vip': '10.93.11.250'})
    play = ('- name: Plan and check the cluster\n  hosts: k8s_control_plane:k8s_workers\n  gather_facts: false\n  tasks:\n'
            '    - name: Plan\n      ansible.builtin.include_role:\n        name: strata.cloud.kubernetes_node\n        tasks_from: plan.yml\n')
    rc, out = run(tmp_path, play, inventory=inventory, check=True)
    assert_passed_unchanged(rc, out, 'kubernetes_node', [''])
    assert len(re.findall(r'^(?:kcp[123]|kw1)\s+:\s+ok=', out, re.M)) == 4, out[-2000:]


def test_proxmox_host_accepts(tmp_path):
    rc, out = run(tmp_path, ROLE_PLAY.format(role='proxmox_host'), dict(test_proxmox.HOST_BASE), tags=['validate'])
    assert_passed_unchanged(rc, out, 'proxmox_host', ['Validate | input'])


def test_proxmox_cluster_accepts(tmp_path):
    extra = dict(test_proxmox.CLUSTER_BASE, proxmox_cluster_link1_network='ring1')
    rc, out = run(tmp_path, ROLE_PLAY.format(role='proxmox_cluster'), extra, tags=['validate'])
    assert_passed_unchanged(rc, out, 'proxmox_cluster', ['Validate | input'])
