# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.storage.ceph_config import config_changes, same_value

WANTED = {'mon': {'auth_allow_insecure_global_id_reclaim': 'false', 'mon_clock_drift_allowed': 2},
          'osd': {'osd_memory_target': '939524096'}}
# What Ceph 16.2 (Pacific) shows after those three "ceph config set" commands.
PACIFIC_DUMP = [
    {'section': 'global', 'name': 'public_network', 'value': '10.91.1.0/24', 'level': 'advanced'},
    {'section': 'mon', 'name': 'auth_allow_insecure_global_id_reclaim', 'value': 'false', 'level': 'advanced'},
    {'section': 'mon', 'name': 'mon_clock_drift_allowed', 'value': '2.000000', 'level': 'advanced'},
    {'section': 'osd', 'name': 'osd_memory_target', 'value': '939524096', 'level': 'basic'},
]


def test_a_converged_cluster_needs_nothing():
    assert config_changes(WANTED, PACIFIC_DUMP) == []


def test_an_empty_cluster_gets_every_option_as_text():
    assert config_changes(WANTED, []) == [
        {'section': 'mon', 'name': 'auth_allow_insecure_global_id_reclaim', 'value': 'false'},
        {'section': 'mon', 'name': 'mon_clock_drift_allowed', 'value': '2'},
        {'section': 'osd', 'name': 'osd_memory_target', 'value': '939524096'},
    ]


def test_only_what_differs_is_set_and_sections_are_kept_apart():
    dump = PACIFIC_DUMP + [{'section': 'osd', 'name': 'mon_clock_drift_allowed', 'value': '5'}]
    wanted = dict(WANTED, mon={'auth_allow_insecure_global_id_reclaim': True, 'mon_clock_drift_allowed': 0.5})
    assert config_changes(wanted, dump) == [
        {'section': 'mon', 'name': 'auth_allow_insecure_global_id_reclaim', 'value': 'true'},
        {'section': 'mon', 'name': 'mon_clock_drift_allowed', 'value': '0.5'},
    ]


@pytest.mark.parametrize('wanted, current, same', [
    (True, 'true', True), (False, 'false', True), ('on', 'true', True), (True, 'false', False),
    (2, '2.000000', True), ('1G', '1073741824', True), ('896Mi', '939524096', True), ('4G', '1G', False),
    ('10.91.1.0/24', '10.91.1.0/24', True), ('10.91.1.0/24', '10.91.2.0/24', False), ('', '0', False),
])
def test_values_are_compared_as_ceph_reads_them(wanted, current, same):
    assert same_value(wanted, current) is same


def test_a_section_that_is_not_a_mapping_is_named():
    with pytest.raises(ValueError, match='section osd'):
        config_changes({'osd': ['osd_memory_target']}, [])
