# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline stand-in for the get-pip script that ansible-test downloads.

``ansible-test ... --venv`` creates each virtual environment without pip and then runs
``get-pip.py`` from ``ci-files.testing.ansible.com``, a host that may be unreachable. It looks
for a cached copy first, at ``~/.ansible/test/cache/get_pip_<version>.py`` (dots in the version
replaced by underscores); ``tools/gates`` installs this file there.

What it does, with the arguments get-pip.py takes (pip options, requirement specifiers,
``--no-setuptools`` and ``--no-wheel``):

1. installs the pip wheel bundled with Python (``ensurepip``, no network; before Python 3.12 it
   also brings setuptools, removed again at the end when ``--no-setuptools`` was given);
2. restores ``os.environ``: ensurepip drops every ``PIP_*`` variable and sets
   ``PIP_CONFIG_FILE=/dev/null``, which would hide ``/etc/pip.conf`` (and a CA bundle or
   index configured there) from the next step;
3. upgrades to the pip version ansible-test asked for, from the configured index.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

# get-pip.py options that are not pip options.
_GET_PIP_ONLY = frozenset(("--no-setuptools", "--no-wheel"))


def _version_from_name(path):
    """Return the pip version encoded in a cache file name such as get_pip_25_2.py, or None."""
    match = re.match(r"^get_pip_(\d+(?:_\d+)*)\.py$", os.path.basename(path))
    return match.group(1).replace("_", ".") if match else None


def _names_pip(arg):
    """Return True if a command line argument is a requirement specifier for pip itself."""
    return re.match(r"^pip(?:\s*[=<>!~].*)?$", arg, re.IGNORECASE) is not None


def main(argv):
    """Bootstrap pip into the running interpreter's environment and return an exit code."""
    args = [arg for arg in argv if arg not in _GET_PIP_ONLY]
    if not any(_names_pip(arg) for arg in args):
        version = _version_from_name(__file__)
        args.append("pip==%s" % version if version else "pip")

    try:
        import ensurepip  # pylint: disable=import-outside-toplevel
    except ImportError:
        sys.stderr.write(
            "get-pip stand-in: this Python has no ensurepip module "
            "(on Debian and Ubuntu install python3-venv, or use a python.org/pyenv build)\n"
        )
        return 1

    saved = dict(os.environ)
    try:
        ensurepip.bootstrap(upgrade=True)
    finally:
        os.environ.clear()
        os.environ.update(saved)

    command = [sys.executable, "-m", "pip", "install", "--upgrade"] + args
    result = subprocess.call(command)
    if result == 0 and "--no-setuptools" in argv and sys.version_info < (3, 12):
        # ensurepip before Python 3.12 also installs setuptools, which get-pip would have left out.
        result = subprocess.call([sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", "setuptools"])
    return result


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
