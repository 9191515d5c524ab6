"""Checks of ceph-4, the storage host that day 2 of scenario ceph added to the storage group:
one OSD of the cluster on its data disk, started at boot, and nothing a storage-only host must
not have (no monitor, no manager, no admin key)."""

import json

testinfra_hosts = ['ansible://ceph-4']


def test_one_osd_of_the_cluster_on_the_data_disk(host):
    local = json.loads(host.check_output('ceph-volume lvm list --format json'))
    assert len(local) == 1, local
    (osd_id, volumes), = local.items()
    assert volumes[0]['devices'] == ['/dev/vdb']
    conf = host.file('/etc/ceph/ceph.conf').content_string
    assert 'fsid = %s' % volumes[0]['tags']['ceph.cluster_fsid'] in conf
    unit = host.service('ceph-osd@%s' % osd_id)
    assert unit.is_running and unit.is_enabled


def test_storage_only(host):
    assert not host.file('/etc/ceph/ceph.client.admin.keyring').exists
    assert not host.file('/var/lib/ceph/mon/ceph-ceph-4').exists
    assert not host.file('/var/lib/ceph/mgr/ceph-ceph-4').exists
    assert host.file('/var/lib/ceph/bootstrap-osd/ceph.keyring').mode == 0o600


def test_targets_enabled_for_boot(host):
    for unit in ('ceph.target', 'ceph-osd.target'):
        assert host.service(unit).is_enabled, unit
