"""Checks of a host converged by strata.cloud.kvm_host (scenario kvm_host)."""

import json
import time

VIRSH = 'virsh -c qemu:///system '


def test_libvirtd_answers(host):
    out = host.check_output(VIRSH + 'version')
    assert 'Running hypervisor: QEMU' in out


def test_daemon_config_rendered(host):
    conf = host.file('/etc/libvirt/libvirtd.conf')
    assert conf.exists
    assert 'unix_sock_group = "libvirt"' in conf.content_string
    assert host.service('libvirtd').is_running


def test_default_pool_active_autostart(host):
    info = host.check_output(VIRSH + 'pool-info default')
    assert 'State:          running' in info
    assert 'Autostart:      yes' in info
    assert host.file('/var/lib/libvirt/images').is_directory


def test_isolated_network_has_no_address(host):
    xml = host.check_output(VIRSH + 'net-dumpxml isolated0')
    assert '<ip' not in xml
    assert 'yes' in host.check_output(VIRSH + 'net-info isolated0 | grep -i active')


def test_nat_network_gateway(host):
    info = host.check_output(VIRSH + 'net-dumpxml nat0')
    assert "address='10.123.0.1'" in info
    assert "<forward mode='nat'" in info


def test_user_in_libvirt_group(host):
    assert 'libvirt' in host.user('debian').groups


def test_accel_probe_result_recorded(host):
    data = json.loads(host.file('/var/lib/strata/accel.json').content_string)
    assert data['accel'] in ('kvm', 'tcg')
    assert data['reason']
    # One cached result per probe key: the latest is among them.
    assert {'accel': data['accel'], 'reason': data['reason']} in [
        {'accel': e['accel'], 'reason': e['reason']} for e in data['entries'].values()]


def test_nested_guest_running_and_executing(host):
    assert host.check_output(VIRSH + 'domstate nested1').strip() == 'running'

    def cpu_time():
        stats = host.check_output(VIRSH + 'domstats --cpu-total nested1')
        for line in stats.splitlines():
            if line.strip().startswith('cpu.time='):
                return int(line.split('=', 1)[1])
        raise AssertionError('no cpu.time in domstats: %s' % stats)

    first = cpu_time()
    time.sleep(3)
    assert cpu_time() > first, 'the nested guest does not execute'


def test_nested_guest_disk_in_pool(host):
    vols = host.check_output(VIRSH + 'vol-list default')
    assert 'nested1-root.qcow2' in vols
