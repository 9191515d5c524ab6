# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one OpenStack client of the collection: one openstacksdk Connection, one token per task.

Authentication comes from a named cloud of ``clouds.yaml`` (``cloud``) or an ``auth`` dictionary
(never logged). Every API call goes through :meth:`OpenStackClient.call`, which counts calls and
turns openstacksdk exceptions into :class:`OpenStackApiError` - the seam tests replace.
"""

from __future__ import annotations

import threading
import traceback

from ansible_collections.strata.cloud.plugins.module_utils.openstack.errors import OpenStackApiError, OpenStackError

OPENSTACKSDK_IMPORT_ERROR = None
try:
    import openstack
    import openstack.exceptions
    HAS_OPENSTACKSDK = True
except ImportError:
    HAS_OPENSTACKSDK = False
    OPENSTACKSDK_IMPORT_ERROR = traceback.format_exc()

OPENSTACKSDK_LIB = 'openstacksdk'


def openstack_auth_argument_spec():
    """Connection options of every strata.cloud.openstack_* module (documented in doc_fragments/openstack.py)."""
    return dict(
        cloud=dict(type='raw'),
        auth=dict(type='dict', no_log=True),
        auth_type=dict(type='str'),
        region_name=dict(type='str'),
        interface=dict(type='str', default='public', choices=['admin', 'internal', 'public']),
        validate_certs=dict(type='bool', aliases=['verify']),
        ca_cert=dict(type='str', aliases=['cacert']),
        api_timeout=dict(type='int'),
    )


class OpenStackClient:
    """One authenticated openstacksdk Connection (the token is requested on the first call)."""

    def __init__(self, conn):
        self.conn = conn
        self.requests = 0
        self._lock = threading.Lock()

    @classmethod
    def from_params(cls, params):
        if not HAS_OPENSTACKSDK:
            raise OpenStackError('openstacksdk is not installed on the host that runs the module')
        cloud = params.get('cloud')
        kwargs = {k: params[k] for k in ('auth', 'auth_type', 'region_name', 'interface', 'api_timeout') if params.get(k) is not None}
        if params.get('validate_certs') is not None:
            kwargs['verify'] = params['validate_certs']
        if params.get('ca_cert'):
            kwargs['cacert'] = params['ca_cert']
        try:
            if isinstance(cloud, dict):
                kwargs.update(cloud)
                conn = openstack.connect(**kwargs)
            else:
                conn = openstack.connect(cloud=cloud, **kwargs)
        except openstack.exceptions.SDKException as exc:
            raise OpenStackApiError('connect to cloud %s' % (cloud if isinstance(cloud, str) else '(auth)'), exc)
        return cls(conn)

    def call(self, what, fn, *args, **kwargs):
        """``fn(*args, **kwargs)``; a list when ``fn`` returns a generator (so the request happens here). Thread-safe."""
        with self._lock:
            self.requests += 1
        try:
            result = fn(*args, **kwargs)
            if hasattr(result, '__next__'):
                result = list(result)
            return result
        except openstack.exceptions.SDKException as exc:
            raise OpenStackApiError(what, exc)

    @property
    def current_project_id(self):
        return self.call('authenticate', lambda: self.conn.current_project_id)
