"""Checks of the Ceph cluster converged by strata.cloud.ceph_cluster and ceph_clients (scenario ceph).

Each test runs on the three hosts of the inventory's storage group (all three are monitors with
the admin key), so the cluster is seen from each of them. ceph-4, the storage host added on day 2,
has its own checks in test_ceph_added_host.py.
"""

import json
import os
import stat

testinfra_hosts = ['ansible://storage']

OUTPUT = os.path.expanduser('~/.cache/strata-cloud/lab/molecule-ceph/ceph-clients')


def ceph(host, *args):
    return json.loads(host.check_output('ceph --format json ' + ' '.join(args)))


def test_health_ok(host):
    assert ceph(host, 'health')['status'] == 'HEALTH_OK'


def test_three_monitors_in_quorum_with_msgr2(host):
    status = ceph(host, 'quorum_status')
    assert sorted(status['quorum_names']) == ['ceph-1', 'ceph-2', 'ceph-3']
    for mon in status['monmap']['mons']:
        types = [a['type'] for a in mon['public_addrs']['addrvec']]
        assert types == ['v2', 'v1'], mon
        assert mon['public_addrs']['addrvec'][0]['addr'].startswith('10.91.1.'), mon


def test_one_active_manager_two_standbys(host):
    mgr = ceph(host, 'mgr', 'stat')
    assert mgr['available'] is True
    assert mgr['active_name'] in ('ceph-1', 'ceph-2', 'ceph-3')
    assert len(ceph(host, 'mgr', 'dump')['standbys']) == 2


def test_five_osds_up_in_on_lvm(host):
    """One OSD per host from the first run, ceph-1's second disk and ceph-4's disk added on day 2."""
    stat_ = ceph(host, 'osd', 'stat')
    assert stat_['num_osds'] == 5 and stat_['num_up_osds'] == 5 and stat_['num_in_osds'] == 5
    local = json.loads(host.check_output('ceph-volume lvm list --format json'))
    devices = sorted(osd[0]['devices'][0] for osd in local.values())
    if host.check_output('hostname -s').strip() == 'ceph-1':
        assert devices == ['/dev/vdb', '/dev/vdc']
    else:
        assert devices == ['/dev/vdb']
    fsid = host.check_output('ceph fsid').strip()
    for osd in local.values():
        assert osd[0]['tags']['ceph.cluster_fsid'] == fsid


def test_daemons_enabled_for_boot(host):
    name = host.check_output('hostname -s').strip()
    for unit in ('ceph-mon@%s' % name, 'ceph-mgr@%s' % name, 'ceph-mds@%s' % name, 'ceph.target'):
        assert host.service(unit).is_enabled, unit
        if unit != 'ceph.target':
            assert host.service(unit).is_running, unit


def test_central_config_from_the_role(host):
    assert host.check_output('ceph config get mon auth_allow_insecure_global_id_reclaim').strip() == 'false'
    assert host.check_output('ceph config get osd osd_memory_target').strip() == '939524096'


def test_conf_has_networks_from_the_inventory(host):
    conf = host.file('/etc/ceph/ceph.conf').content_string
    assert 'public_network = 10.91.1.0/24' in conf
    assert '[v2:10.91.1.11:3300,v1:10.91.1.11:6789]' in conf


def test_admin_keyring_private(host):
    keyring = host.file('/etc/ceph/ceph.client.admin.keyring')
    assert keyring.mode == 0o600 and keyring.user == 'root'


def test_pools_replicated_autoscaled(host):
    pools = {p['pool_name']: p for p in ceph(host, 'osd', 'pool', 'ls', 'detail')}
    for name in ('rbd', 'images', 'volumes', 'vms', 'backups', 'libvirt', 'proxmox', 'kubernetes'):
        assert pools[name]['size'] == 3 and pools[name]['min_size'] == 2, name
        assert pools[name]['pg_autoscale_mode'] == 'on', name
        assert 'rbd' in pools[name]['application_metadata'], name
    assert 'cephfs' in pools['cephfs_data']['application_metadata']


def test_cephfs_has_an_active_mds(host):
    fs = ceph(host, 'fs', 'ls')
    assert [f['name'] for f in fs] == ['cephfs']
    mds = ceph(host, 'mds', 'stat')
    states = [info['state'] for info in mds['fsmap']['filesystems'][0]['mdsmap']['info'].values()]
    assert 'up:active' in states


def test_client_caps_work(host):
    """The glance user may list its pool and not write to another one."""
    host.check_output('ceph auth get client.glance -o /root/glance.keyring')
    try:
        host.check_output('rbd --id glance --keyring /root/glance.keyring ls images')
        denied = host.run('rbd --id glance --keyring /root/glance.keyring create --size 1M volumes/forbidden')
        assert denied.rc != 0
    finally:
        host.run('rm -f /root/glance.keyring')


def test_degraded_read_and_recovery(host):
    """side_effect powered ceph-3 off and on; ceph-1 recorded what it saw."""
    if host.check_output('hostname -s').strip() != 'ceph-1':
        return
    files = {}
    for name in ('check1.sha256', 'degraded-read.sha256', 'check2.sha256', 'recovered-read1.sha256',
                 'recovered-read2.sha256', 'degraded-health.json', 'degraded-osd-stat.json', 'recovered-health.json'):
        files[name] = host.file('/var/lib/strata-test/' + name).content_string.strip()
    assert len(files['check1.sha256']) == 64
    assert files['degraded-read.sha256'] == files['check1.sha256']
    assert files['recovered-read1.sha256'] == files['check1.sha256']
    assert files['recovered-read2.sha256'] == files['check2.sha256']
    degraded = json.loads(files['degraded-health.json'])
    assert degraded['status'] == 'HEALTH_WARN'
    assert json.loads(files['degraded-osd-stat.json'])['num_up_osds'] == 2
    assert json.loads(files['recovered-health.json'])['status'] == 'HEALTH_OK'


def test_day2_disk_added_then_replaced(host):
    """side_effect's day 2: an OSD disk added by inventory, then that OSD purged, its disk wiped
    and a new OSD made on it by the next run; HEALTH_OK after each step."""
    if host.check_output('hostname -s').strip() != 'ceph-1':
        return

    def read(name):
        return json.loads(host.file('/var/lib/strata-test/' + name).content_string)

    added, replaced = read('day2-added-vdc.json'), read('day2-replaced-vdc.json')
    for step in ('added', 'replaced'):
        assert read('day2-%s-health.json' % step)['status'] == 'HEALTH_OK', step
        osd_stat = read('day2-%s-osd-stat.json' % step)
        assert osd_stat['num_osds'] == 4 and osd_stat['num_up_osds'] == 4, (step, osd_stat)
    assert len(added) == 1 and len(replaced) == 1
    purged = read('day2-replaced.json')
    (added_id, added_lv), = added.items()
    (new_id, new_lv), = replaced.items()
    assert int(added_id) == purged['id']
    assert added_lv[0]['tags']['ceph.osd_fsid'] == purged['osd_fsid']
    # A new OSD (new fsid) on the same disk, up in the map.
    assert new_lv[0]['tags']['ceph.osd_fsid'] != purged['osd_fsid']
    assert new_lv[0]['devices'] == ['/dev/vdc']
    up = ceph(host, 'osd', 'dump')['osds']
    assert [o['up'] for o in up if o['osd'] == int(new_id)] == [1]


def test_day2_storage_host_added(host):
    """Day 2's last step: ceph-4 joined the storage group, the re-run made one OSD on it, and the
    cluster was HEALTH_OK with five OSDs up before verify ran."""
    if host.check_output('hostname -s').strip() != 'ceph-1':
        return

    def read(name):
        return json.loads(host.file('/var/lib/strata-test/' + name).content_string)

    assert read('day2-host-added-health.json')['status'] == 'HEALTH_OK'
    osd_stat = read('day2-host-added-osd-stat.json')
    assert osd_stat['num_osds'] == 5 and osd_stat['num_up_osds'] == 5, osd_stat
    nodes = read('day2-host-added-tree.json')['nodes']
    by_id = {n['id']: n for n in nodes}
    hosts = {n['name']: n for n in nodes if n['type'] == 'host'}
    assert sorted(hosts) == ['ceph-1', 'ceph-2', 'ceph-3', 'ceph-4']
    added = [by_id[i] for i in hosts['ceph-4']['children']]
    assert len(added) == 1 and added[0]['status'] == 'up', added
    # The monitors stayed as they were: ceph-4 holds storage only.
    assert 'ceph-4' not in ceph(host, 'quorum_status')['quorum_names']


def test_client_files_on_the_controller():
    """Keyrings for Kolla, libvirt, Proxmox and ceph-csi: 0600, in the layout each consumer reads."""
    secrets = [
        'keyrings/ceph.client.glance.keyring',
        'openstack/config/glance/ceph.client.glance.keyring',
        'openstack/config/cinder/cinder-volume/ceph.client.cinder.keyring',
        'openstack/config/cinder/cinder-backup/ceph.client.cinder.keyring',
        'openstack/config/cinder/cinder-backup/ceph.client.cinder-backup.keyring',
        'openstack/config/nova/ceph.client.nova.keyring',
        'openstack/config/nova/ceph.client.cinder.keyring',
        'libvirt/secret.key',
        'proxmox/priv/ceph/ceph-rbd.keyring',
        'kubernetes/csi-rbd-secret.yaml',
    ]
    for rel in secrets:
        mode = stat.S_IMODE(os.stat(os.path.join(OUTPUT, rel)).st_mode)
        assert mode == 0o600, (rel, oct(mode))
    with open(os.path.join(OUTPUT, 'openstack/config/nova/ceph.client.nova.keyring')) as f:
        assert f.read().startswith('[client.nova]\n\tkey = AQ')
    for rel in ('openstack/config/glance/ceph.conf', 'openstack/config/cinder/ceph.conf', 'openstack/config/nova/ceph.conf'):
        with open(os.path.join(OUTPUT, rel)) as f:
            conf = f.read()
        assert 'mon_host = 10.91.1.11,10.91.1.12,10.91.1.13' in conf
        assert '\n\t' not in conf
    with open(os.path.join(OUTPUT, 'kubernetes/ceph-csi-config.yaml')) as f:
        assert '"monitors": ["10.91.1.11:6789", "10.91.1.12:6789", "10.91.1.13:6789"]' in f.read()
    with open(os.path.join(OUTPUT, 'proxmox/storage.cfg')) as f:
        assert 'rbd: ceph-rbd\n' in f.read()
