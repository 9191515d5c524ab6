"""Checks of a host converged by strata.cloud.lvm (scenario lvm)."""

import json


def lvm_report(host, command, options):
    out = host.check_output('%s --reportformat json --units b --nosuffix -o %s' % (command, options))
    report = json.loads(out)['report'][0]
    return report[next(iter(report))]


def test_volume_group_grew_to_two_disks(host):
    pvs = {pv['pv_name']: pv['vg_name'] for pv in lvm_report(host, 'pvs', 'pv_name,vg_name')}
    assert pvs.get('/dev/vdb') == 'data'
    assert pvs.get('/dev/vdc') == 'data'
    assert '/dev/vdd' not in pvs


def test_thin_pool_and_thin_volumes(host):
    lvs = {lv['lv_name']: lv for lv in lvm_report(host, 'lvs', 'lv_name,vg_name,lv_size,pool_lv,segtype')}
    assert lvs['pool0']['segtype'] == 'thin-pool'
    assert int(lvs['pool0']['lv_size']) == 1024 ** 3
    for name in ('thin1', 'thin2'):
        assert lvs[name]['segtype'] == 'thin' and lvs[name]['pool_lv'] == 'pool0'
        assert int(lvs[name]['lv_size']) == 768 * 1024 ** 2
    assert lvs['lin1']['segtype'] == 'linear' and int(lvs['lin1']['lv_size']) == 512 * 1024 ** 2
    assert int(lvs['lin2']['lv_size']) == 1024 ** 3


def test_file_systems_mounted_and_writable(host):
    for path, fstype in (('/srv/thin1', 'ext4'), ('/srv/lin1', 'xfs')):
        mount = host.mount_point(path)
        assert mount.exists and mount.filesystem == fstype
        host.check_output('sh -c "echo strata > %s/probe && sync && cat %s/probe"' % (path, path))
        assert host.file(path + '/probe').content_string == 'strata\n'
    fstab = host.file('/etc/fstab').content_string
    assert '/dev/data/thin1 /srv/thin1 ext4' in fstab


def test_disk_with_data_untouched(host):
    assert host.check_output('blkid -p -o value -s TYPE /dev/vdd').strip() == 'ext4'
    expected = host.file('/root/precious.sha256').content_string.strip()
    host.check_output('mkdir -p /mnt/check && mount -o ro /dev/vdd /mnt/check')
    try:
        actual = host.check_output('sha256sum /mnt/check/precious.bin').split()[0]
    finally:
        host.run('umount /mnt/check')
    assert actual == expected


def test_volumes_survive_reactivation(host):
    out = host.check_output('lvs --noheadings -o lv_active data/thin2')
    assert out.strip() == 'active'
