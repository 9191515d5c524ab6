"""Checks of the OpenStack host prepared by strata.cloud.kolla_host and of the service
configuration that "kolla-ansible genconfig" (run by strata.cloud.kolla_deploy) rendered on it."""

import configparser
import os
import re
import stat

import yaml

VIP = '10.97.0.250'
ADDRESS = '10.97.0.11'
LAB = os.path.expanduser('~/.cache/strata-cloud/lab/molecule-kolla')


def ini(host, path):
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.read_string(host.file(path).content_string)
    return parser


def test_docker_running_without_containers(host):
    assert host.service('docker').is_running and host.service('docker').is_enabled
    # No registry in the lab: genconfig starts nothing.
    containers = host.check_output("python3 -c 'import docker; print(len(docker.from_env().containers.list(all=True)))'")
    assert containers.strip() == '0'


def test_docker_daemon_settings(host):
    daemon = yaml.safe_load(host.file('/etc/docker/daemon.json').content_string)
    assert daemon['iptables'] is False and daemon['bridge'] == 'none'


def test_kernel_modules_and_sysctls(host):
    assert host.file('/etc/modules-load.d/kolla.conf').contains('^br_netfilter$')
    assert 'br_netfilter' in host.check_output('cat /proc/modules')
    assert host.sysctl('net.ipv4.ip_forward') == 1
    assert host.sysctl('net.bridge.bridge-nf-call-iptables') == 1


def test_hostname_resolves_to_api_network(host):
    assert host.check_output('getent ahostsv4 kolla-1').split()[0] == ADDRESS


def test_kolla_user_has_passwordless_sudo(host):
    assert host.user('kolla').exists
    assert 'docker' in host.user('kolla').groups
    assert host.run('sudo -u kolla sudo -n true').rc == 0


def test_kolla_user_runs_what_prechecks_call(host):
    # prechecks run "docker --version" and ping the VIPs as the kolla user (no CAP_NET_RAW on Debian 13).
    assert host.run('sudo -u kolla docker --version').rc == 0
    assert host.run('sudo -u kolla ping -c 1 -W 2 127.0.0.1').rc == 0


def test_keystone_conf_points_at_the_vip(host):
    conf = ini(host, '/etc/kolla/keystone/keystone.conf')
    connection = conf.get('database', 'connection')
    assert re.match(r'^mysql\+pymysql://keystone:[^@]+@%s:3306/keystone$' % re.escape(VIP), connection), connection
    assert '%s:11211' % ADDRESS in conf.get('cache', 'memcache_servers')
    # Kolla's transport URLs list the RabbitMQ hosts by their API address (clients fail over
    # between them), not the VIP.
    transport = conf.get('DEFAULT', 'transport_url')
    assert transport.startswith('rabbit://openstack:') and transport.endswith('@%s:5672//' % ADDRESS), transport


def test_glance_and_placement_databases_at_the_vip(host):
    for path, db in (('/etc/kolla/glance-api/glance-api.conf', 'glance'),
                     ('/etc/kolla/placement-api/placement.conf', 'placement')):
        conf = ini(host, path)
        section = 'placement_database' if db == 'placement' else 'database'
        assert conf.get(section, 'connection').endswith('@%s:3306/%s' % (VIP, db)), path


def test_passwords_from_the_deploy_host(host):
    passwords = yaml.safe_load(open(os.path.join(LAB, 'kolla', 'passwords.yml')))
    conf = ini(host, '/etc/kolla/keystone/keystone.conf')
    assert ':%s@' % passwords['keystone_database_password'] in conf.get('database', 'connection')


def test_load_balancer_listens_on_the_vip(host):
    keepalived = host.file('/etc/kolla/keepalived/keepalived.conf').content_string
    assert VIP in keepalived and 'ens21' in keepalived
    keystone = host.file('/etc/kolla/haproxy/services.d/keystone.cfg').content_string
    assert 'bind %s:5000' % VIP in keystone
    assert 'server kolla-1 %s:5000' % ADDRESS in keystone


def test_services_not_enabled_have_no_config(host):
    for name in ('nova-api', 'neutron-server', 'rabbitmq', 'horizon'):
        assert not host.file('/etc/kolla/%s' % name).exists, name


def test_clock_unsynchronised_in_the_lab(host):
    # Why the scenario turns prechecks_enable_host_ntp_checks off: no NTP server is reachable.
    assert 'synchronized: no' in host.check_output('timedatectl status')


def test_deploy_host_files(host):
    cfg = os.path.join(LAB, 'kolla')
    for name in ('passwords.yml',):
        assert stat.S_IMODE(os.stat(os.path.join(cfg, name)).st_mode) == 0o600
    clouds = yaml.safe_load(open(os.path.join(LAB, 'clouds.yaml')))
    assert stat.S_IMODE(os.stat(os.path.join(LAB, 'clouds.yaml')).st_mode) == 0o600
    auth = clouds['clouds']['kolla-admin']['auth']
    assert auth['auth_url'] == 'http://%s:5000' % VIP and auth['username'] == 'admin'
    inventory = open(os.path.join(cfg, 'multinode')).read()
    assert re.search(r'^\[control\]\nkolla-1 .*api_interface=ens21', inventory, re.M)
    for stamp in ('prechecks', 'genconfig'):
        assert os.path.exists(os.path.join(cfg, '.strata-%s.done' % stamp))
