"""Bad input to strata.cloud.kolla_host and kolla_deploy fails before anything changes, naming the variable."""

from __future__ import annotations

import pytest

from test_bad_input import ROLE_PLAY, assert_failed_unchanged, run

NETWORKS = {'api': {'cidr': '10.98.0.0/24'}, 'public': {'cidr': '192.0.2.0/24'}}
# This machine plays every OpenStack host; its address on the API network is 10.98.0.11.
BASE = {
    'strata_networks': NETWORKS,
    'strata_interfaces': {'api': {'device': 'lo', 'address': '10.98.0.11'}},
    'kolla_deploy_venv': '/nonexistent/kolla-ansible',
    'kolla_deploy_config_dir': '/nonexistent/kolla',
    'kolla_deploy_groups': {'control': 'all', 'network': 'all', 'compute': 'all', 'monitoring': 'all'},
    'kolla_deploy_services': ['keystone', 'glance'],
    'kolla_deploy_internal_vip': '10.98.0.250',
}

DEPLOY_CASES = {
    'API network not in strata_networks': ({'kolla_deploy_api_network': 'mgmt'},
                                           ["kolla_deploy_api_network: 'mgmt' is not a network of strata_networks (defined: api, public)"]),
    'VIP outside the API network': ({'kolla_deploy_internal_vip': '10.99.0.250'},
                                    ['kolla_deploy_internal_vip: 10.99.0.250 is outside the api network 10.98.0.0/24']),
    'VIP equal to a host address': ({'kolla_deploy_internal_vip': '10.98.0.11'},
                                    ['kolla_deploy_internal_vip: 10.98.0.11 is the address of host localhost']),
    'VIP missing': ({'kolla_deploy_internal_vip': ''}, ['kolla_deploy_internal_vip: missing']),
    'unknown container engine': ({'kolla_deploy_container_engine': 'lxc'},
                                 ["kolla_deploy_container_engine: 'lxc' is not supported; use one of docker, podman"]),
    'service without its dependency': ({'kolla_deploy_services': ['keystone', 'glance', 'placement', 'nova']},
                                       ['kolla_deploy_services: nova needs neutron; add neutron to the list or remove nova']),
    'unknown service': ({'kolla_deploy_services': ['keystone', 'swift']}, ["kolla_deploy_services: unknown service 'swift'"]),
    'external network without the device': ({'kolla_deploy_external_network': 'public', 'kolla_deploy_external_vip': '192.0.2.250'},
                                            ['hostvars[localhost].strata_interfaces.public.device: missing']),
    'test images without consent': ({'kolla_deploy_registry': 'quay.io'},
                                    ['kolla_deploy_registry: quay.io/openstack.kolla holds test images only']),
    'pull without a registry': ({'kolla_deploy_actions': ['prechecks', 'pull']},
                                ['kolla_deploy_actions: pull pull(s) images, but kolla_deploy_registry is empty']),
    'unknown action': ({'kolla_deploy_actions': ['bootstrap-servers']}, ['kolla_deploy_actions: bootstrap-servers not supported']),
}

HOST_CASES = {
    'API network not in strata_networks': ({'kolla_host_api_network': 'mgmt'},
                                           ['kolla_host_api_network: "mgmt" is not a network of strata_networks (defined: api, public)']),
    'host without an API address': ({'strata_interfaces': {'api': {'device': 'lo'}}},
                                    ['hostvars[localhost].strata_interfaces.api.address: missing']),
    'unknown container engine': ({'kolla_host_container_engine': 'lxc'}, ['kolla_host_container_engine', 'lxc']),
    'CA without a registry': ({'kolla_host_registry_ca': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'},
                              ['kolla_host_registry_ca: set but kolla_host_registry is empty']),
    'registry with a scheme': ({'kolla_host_registry': 'https://registry.lab'},
                               ['kolla_host_registry: "https://registry.lab" is not a registry host[:port]']),
    # kolla_host_install_packages is false in these cases: the host must already have the packages.
    'packages missing, installing off': ({'kolla_host_packages': {'docker': ['sudo', 'strata-no-such-package'], 'podman': []}},
                                         ['localhost lacks strata-no-such-package', 'kolla_host_install_packages: true']),
}


@pytest.mark.parametrize('case', sorted(DEPLOY_CASES))
def test_kolla_deploy_rejects(tmp_path, case):
    extra, expected = DEPLOY_CASES[case]
    rc, out = run(tmp_path, ROLE_PLAY.format(role='kolla_deploy'), dict(BASE, **extra))
    assert_failed_unchanged(rc, out, expected)


@pytest.mark.parametrize('case', sorted(HOST_CASES))
def test_kolla_host_rejects(tmp_path, case):
    extra, expected = HOST_CASES[case]
    rc, out = run(tmp_path, ROLE_PLAY.format(role='kolla_host'),
                  dict(BASE, kolla_host_hosts_group='all', kolla_host_install_packages=False, **extra))
    assert_failed_unchanged(rc, out, expected)
