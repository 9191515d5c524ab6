# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one waiter of the libvirt modules: poll until a TCP service sends its banner.

Time is measured with a monotonic clock (never by counting iterations) and the poll interval backs
off. Three outcomes: success (returns the seconds waited), failure (``check()`` raised
:class:`WaitFailedError`, e.g. the VM stopped) and timeout (:class:`WaitTimeoutError`).
"""

from __future__ import annotations

import socket
import time

from ansible_collections.strata.cloud.plugins.module_utils.libvirt.errors import WaitTimeoutError

SSH_BANNER = b'SSH-'


def probe_banner(host, port, timeout, banner=SSH_BANNER):
    """``(True, None)`` if ``host:port`` accepts a connection and its first bytes are ``banner``.

    QEMU's user-mode port forwards accept connections even while nothing listens in the guest
    (and then close them), so an accepted connection alone proves nothing.
    """
    try:
        conn = socket.create_connection((host, port), timeout=timeout)
    except (OSError, socket.timeout) as exc:
        return False, 'connect: %s' % exc
    try:
        conn.settimeout(timeout)
        data = b''
        while len(data) < len(banner):
            chunk = conn.recv(256)
            if not chunk:
                break
            data += chunk
        if data.startswith(banner):
            return True, None
        return False, 'unexpected banner %r' % data[:64] if data else 'connection closed without a banner'
    except (OSError, socket.timeout) as exc:
        return False, 'read: %s' % exc
    finally:
        conn.close()


def wait_for_banner(host, port, timeout, check=None, banner=SSH_BANNER, what='SSH',
                    clock=time.monotonic, sleep=time.sleep, probe=probe_banner,
                    initial_delay=1.0, max_delay=5.0, probe_timeout=5.0):
    """Wait until ``host:port`` sends ``banner``; returns the seconds waited.

    ``check()`` is called before each attempt and may raise to abort (the VM is not running any
    more). Raises :class:`WaitTimeoutError` after ``timeout`` seconds, with the last probe error.
    """
    start = clock()
    deadline = start + timeout
    delay = initial_delay
    attempts = 0
    last_error = None
    while True:
        if check is not None:
            check()
        remaining = deadline - clock()
        attempts += 1
        ok, last_error = probe(host, port, max(0.5, min(probe_timeout, remaining)), banner)
        if ok:
            return round(clock() - start, 1)
        remaining = deadline - clock()
        if remaining <= 0:
            raise WaitTimeoutError(
                'timed out after %ss waiting for %s on %s:%s (%d attempt%s, last: %s)'
                % (timeout, what, host, port, attempts, '' if attempts == 1 else 's', last_error),
                elapsed=round(clock() - start, 1), attempts=attempts)
        sleep(min(delay, remaining))
        delay = min(delay * 2, max_delay)


def poll(predicate, timeout, clock=time.monotonic, sleep=time.sleep, initial_delay=0.5, max_delay=3.0):
    """Call ``predicate()`` until it is true or ``timeout`` seconds passed; returns its last result."""
    deadline = clock() + timeout
    delay = initial_delay
    while True:
        result = predicate()
        remaining = deadline - clock()
        if result or remaining <= 0:
            return result
        sleep(min(delay, remaining))
        delay = min(delay * 2, max_delay)
