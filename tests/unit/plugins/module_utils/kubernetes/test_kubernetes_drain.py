# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import json

import pytest

from ansible_collections.strata.cloud.plugins.module_utils.kubernetes import drain
from ansible_collections.strata.cloud.plugins.module_utils.kubernetes.cli import Cli
from ansible_collections.strata.cloud.plugins.module_utils.kubernetes.errors import KubernetesError

from ansible_collections.strata.cloud.tests.unit.plugins.module_utils.kubernetes.fake_cli import FakeRunner

DS = {'metadata': {'namespace': 'kube-system', 'name': 'calico-node-x', 'ownerReferences': [{'kind': 'DaemonSet'}]},
      'status': {'phase': 'Running'}}
MIRROR = {'metadata': {'namespace': 'kube-system', 'name': 'kube-apiserver-w1',
                       'annotations': {'kubernetes.io/config.mirror': 'abc'}}, 'status': {'phase': 'Running'}}
DONE = {'metadata': {'namespace': 'jobs', 'name': 'job-1'}, 'status': {'phase': 'Succeeded'}}
APP = {'metadata': {'namespace': 'web', 'name': 'web-1', 'ownerReferences': [{'kind': 'ReplicaSet'}]},
       'status': {'phase': 'Running'}}


class Cluster(object):
    """A node and its pods; cordon/drain/uncordon/delete change them like the API server would."""

    def __init__(self, unschedulable=False, pods=(), drain_fails=False, exists=True):
        self.unschedulable = unschedulable
        self.pods = list(pods)
        self.drain_fails = drain_fails
        self.exists = exists

    def runner(self):
        return FakeRunner([
            (('get', 'node'), lambda a: 0 if self.exists else 1,
             lambda a: json.dumps({'spec': {'unschedulable': True} if self.unschedulable else {}}) if self.exists else '',
             'Error from server (NotFound): nodes "w1" not found'),
            (('get', 'pods'), 0, lambda a: json.dumps({'items': self.pods}), ''),
            (('cordon',), lambda a: self._set(True), 'cordoned', ''),
            (('uncordon',), lambda a: self._set(False), 'uncordoned', ''),
            (('drain',), lambda a: self._drain(), '', 'error when evicting pods/"web-1": Cannot evict (PDB)'),
            (('delete', 'node'), lambda a: self._delete(), 'deleted', ''),
        ])

    def _set(self, value):
        self.unschedulable = value
        return 0

    def _drain(self):
        self.unschedulable = True
        if self.drain_fails:
            return 1
        self.pods = [p for p in self.pods if p is not APP]
        return 0

    def _delete(self):
        self.exists = False
        return 0


def converge(cluster, state, **kwargs):
    fake = cluster.runner()
    changed, result = drain.converge(Cli(fake), 'w1', state, clock=iter(range(100)).__next__, **kwargs)
    return changed, result, fake


def test_drain_then_rerun_is_unchanged():
    cluster = Cluster(pods=[DS, MIRROR, DONE, APP])
    changed, result, fake = converge(cluster, 'drained', timeout=120, grace_period=30)
    assert changed is True and result['actions'] == ['drain'] and result['pods_evicted'] == ['web/web-1']
    argv = fake.ran('drain', 'w1')[0]
    assert '--timeout=120s' in argv and '--ignore-daemonsets' in argv and '--grace-period=30' in argv
    assert '--delete-emptydir-data' in argv
    changed, result, fake = converge(cluster, 'drained')
    assert changed is False and not fake.ran('drain')


def test_cordoned_node_with_only_daemonset_pods_is_drained():
    changed, result, fake = converge(Cluster(unschedulable=True, pods=[DS, MIRROR]), 'drained')
    assert changed is False and result['actions'] == [] and not fake.ran('drain')


def test_check_mode_reports_without_running():
    changed, result, fake = converge(Cluster(pods=[APP]), 'drained', check_mode=True)
    assert changed is True and result['actions'] == ['drain'] and not fake.ran('drain')


def test_drain_failure_names_the_pods_left():
    with pytest.raises(drain.DrainFailed) as info:
        converge(Cluster(pods=[APP], drain_fails=True), 'drained', timeout=60)
    assert 'did not finish within 60s' in str(info.value) and 'Cannot evict' in str(info.value)
    assert info.value.details['pods_left'] == ['web/web-1']


def test_absent_refuses_to_delete_after_a_failed_drain():
    cluster = Cluster(pods=[APP], drain_fails=True)
    with pytest.raises(drain.DrainFailed, match='not deleting the node'):
        converge(cluster, 'absent')
    assert cluster.exists is True


def test_absent_forced_deletes_after_a_failed_drain():
    cluster = Cluster(pods=[APP], drain_fails=True)
    changed, result, fake = converge(cluster, 'absent', force=True)
    assert result['actions'] == ['drain', 'drain-failed-forced', 'delete'] and result['pods_left'] == ['web/web-1']
    assert cluster.exists is False
    changed, result, fake = converge(cluster, 'absent')
    assert changed is False and not fake.ran('delete')


def test_absent_drains_first_then_deletes():
    cluster = Cluster(pods=[APP])
    changed, result, fake = converge(cluster, 'absent')
    assert result['actions'] == ['drain', 'delete']
    names = [c[3] for c in fake.calls if c[0] == 'kubectl']
    assert names.index('drain') < names.index('delete')


def test_cordon_uncordon():
    cluster = Cluster()
    assert converge(cluster, 'cordoned')[1]['actions'] == ['cordon']
    assert converge(cluster, 'cordoned')[0] is False
    assert converge(cluster, 'uncordoned')[1]['actions'] == ['uncordon']
    assert converge(cluster, 'uncordoned')[0] is False


def test_missing_node():
    with pytest.raises(KubernetesError, match='not in the cluster'):
        converge(Cluster(exists=False), 'drained')


def test_bad_state():
    with pytest.raises(KubernetesError, match='state'):
        converge(Cluster(), 'evicted')
