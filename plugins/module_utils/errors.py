# -*- coding: utf-8 -*-
# Copyright: strata.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's own exception.

Code below a module's ``main()`` raises a subclass of :class:`StrataError`; only ``main()`` turns
it into ``fail_json`` (``msg`` is ``str(error)``, ``error.details`` become extra result keys).
"""

from __future__ import annotations


class StrataError(Exception):
    """Base class of every error raised by strata.cloud code; ``details`` go into the module result."""

    def __init__(self, msg, **details):
        super().__init__(msg)
        self.details = details
