# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one Proxmox VE API client of the collection, used by every module and the inventory plugin.

Authentication happens once per client (an API token needs no login at all). Every call goes
through :meth:`ProxmoxClient.request`, the seam tests replace or point at a simulator.
"""

from __future__ import annotations

import time
import traceback

from ansible.module_utils.basic import env_fallback

from ansible_collections.strata.cloud.plugins.module_utils.proxmox.errors import (
    ProxmoxApiError,
    ProxmoxConnectionError,
    ProxmoxError,
)

PROXMOXER_IMPORT_ERROR = None
try:
    import proxmoxer
    import requests
    HAS_PROXMOXER = True
except ImportError:
    HAS_PROXMOXER = False
    PROXMOXER_IMPORT_ERROR = traceback.format_exc()

PROXMOXER_LIB = 'proxmoxer (and requests)'
# Option name -> environment variables, shared with the inventory plugin's documentation.
ENV = {
    'api_host': ['PROXMOX_HOST'],
    'api_port': ['PROXMOX_PORT'],
    'api_user': ['PROXMOX_USER'],
    'api_password': ['PROXMOX_PASSWORD'],
    'api_token_id': ['PROXMOX_TOKEN_ID'],
    'api_token_secret': ['PROXMOX_TOKEN_SECRET'],
    'validate_certs': ['PROXMOX_VALIDATE_CERTS'],
    'ca_path': ['PROXMOX_CA_PATH'],
}


def proxmox_auth_argument_spec():
    """Connection options of every strata.cloud.proxmox_* module (documented in doc_fragments/proxmox.py)."""
    def opt(name, kind, **kwargs):
        return dict(type=kind, fallback=(env_fallback, ENV[name]), **kwargs)
    return dict(
        api_host=opt('api_host', 'str', required=True),
        api_port=opt('api_port', 'int', default=8006),
        api_user=opt('api_user', 'str', required=True),
        api_password=opt('api_password', 'str', no_log=True),
        api_token_id=opt('api_token_id', 'str'),
        api_token_secret=opt('api_token_secret', 'str', no_log=True),
        validate_certs=opt('validate_certs', 'bool', default=True),
        ca_path=opt('ca_path', 'path'),
        api_timeout=dict(type='int', default=30),
    )


AUTH_REQUIRED_ONE_OF = [('api_password', 'api_token_id')]
AUTH_REQUIRED_TOGETHER = [('api_token_id', 'api_token_secret')]


def _wire(value):
    """PVE takes booleans only as 0/1 and lists as comma-separated strings."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (list, tuple)):
        return ','.join(str(v) for v in value)
    return value


class ProxmoxClient:
    """A session against one Proxmox VE API endpoint."""

    def __init__(self, host, user, port=8006, password=None, token_id=None, token_secret=None,
                 validate_certs=True, ca_path=None, timeout=30, retries=2, retry_delay=0.5):
        if token_id is None and password is None:
            raise ProxmoxError('api_password or api_token_id/api_token_secret is required')
        self.host = host
        self.port = port
        self.user = user
        self._password = password
        self._token_id = token_id
        self._token_secret = token_secret
        self.verify = (ca_path or True) if validate_certs else False
        self.timeout = timeout
        self.retries = retries
        self.retry_delay = retry_delay
        self.requests = 0
        self._api = None

    @classmethod
    def from_params(cls, params):
        return cls(params['api_host'], params['api_user'], port=params.get('api_port') or 8006,
                   password=params.get('api_password'), token_id=params.get('api_token_id'),
                   token_secret=params.get('api_token_secret'), validate_certs=params.get('validate_certs', True),
                   ca_path=params.get('ca_path'), timeout=params.get('api_timeout') or 30)

    def _connect(self):
        if self._api is not None:
            return self._api
        if not HAS_PROXMOXER:
            raise ProxmoxError('the Python library %s is required' % PROXMOXER_LIB)
        kwargs = dict(port=self.port, user=self.user, verify_ssl=self.verify, timeout=self.timeout)
        if self._token_id is not None:
            token = self._token_id.split('!', 1)[-1]
            kwargs.update(token_name=token, token_value=self._token_secret)
        else:
            kwargs.update(password=self._password)
            self.requests += 1
        try:
            self._api = proxmoxer.ProxmoxAPI(self.host, **kwargs)
        except proxmoxer.AuthenticationError as exc:
            raise ProxmoxError('authentication as %s at %s:%s failed: %s' % (self.user, self.host, self.port, exc))
        except requests.exceptions.RequestException as exc:
            raise ProxmoxConnectionError('cannot reach the Proxmox VE API at %s:%s: %s' % (self.host, self.port, exc))
        return self._api

    def request(self, method, path, /, **params):
        """One API call; ``path`` like ``/nodes/pve1/qemu``. GETs are retried on 5xx and lost connections."""
        params = {k: _wire(v) for k, v in params.items() if v is not None}
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._call(method, path, params)
            except (ProxmoxApiError, ProxmoxConnectionError) as exc:
                status = getattr(exc, 'status', None)
                retriable = method == 'GET' and (status is None or status >= 502 or status == 500 and 'timeout' in str(exc))
                if not retriable or attempt > self.retries:
                    raise
                time.sleep(self.retry_delay * attempt)

    def _call(self, method, path, params):
        api = self._connect()
        self.requests += 1
        resource = api(path.strip('/'))
        try:
            return getattr(resource, method.lower())(**params)
        except proxmoxer.ResourceException as exc:
            errors = exc.errors if isinstance(exc.errors, dict) else None
            raise ProxmoxApiError(method, path, exc.status_code, exc.content, errors)
        except requests.exceptions.RequestException as exc:
            where = '%s:%s' % (self.host, self.port)
            raise ProxmoxConnectionError('%s %s: no answer from %s: %s' % (method, path, where, type(exc).__name__))

    def get(self, path, /, **params):
        return self.request('GET', path, **params)

    def get_full(self, path, /, **params):
        """A GET that returns the whole answer, not only ``data``: some calls add attributes beside it
        (``GET /nodes/{node}/network`` puts the staged, not yet applied changes in ``changes``)."""
        api = self._connect()
        self.requests += 1
        url = '%s/%s' % (api._store['base_url'], path.strip('/'))
        params = {k: _wire(v) for k, v in params.items() if v is not None}
        try:
            resp = api._store['session'].request('GET', url, params=params)
        except requests.exceptions.RequestException as exc:
            raise ProxmoxConnectionError('GET %s: no answer from %s:%s: %s' % (path, self.host, self.port, type(exc).__name__))
        try:
            body = resp.json()
        except ValueError:
            body = {}
        if resp.status_code >= 400:
            errors = body.get('errors') if isinstance(body, dict) and isinstance(body.get('errors'), dict) else None
            raise ProxmoxApiError('GET', path, resp.status_code, resp.reason, errors)
        return body if isinstance(body, dict) else {'data': body}

    def post(self, path, /, **params):
        return self.request('POST', path, **params)

    def put(self, path, /, **params):
        return self.request('PUT', path, **params)

    def delete(self, path, /, **params):
        return self.request('DELETE', path, **params)
