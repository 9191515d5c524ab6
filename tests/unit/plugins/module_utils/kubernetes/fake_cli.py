# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stand-in for kubeadm/kubectl/openssl: answers argv by the first rule whose words all appear in order."""

from __future__ import annotations


class FakeRunner(object):
    def __init__(self, rules):
        self.rules = list(rules)   # [(tuple of words, rc, stdout, stderr) or callable]
        self.calls = []

    def __call__(self, argv):
        self.calls.append(list(argv))
        for words, rc, out, err in self.rules:
            if _contains(argv, words):
                return rc(argv) if callable(rc) else rc, out(argv) if callable(out) else out, err
        raise AssertionError('unexpected command %r' % (argv,))

    def ran(self, *words):
        return [c for c in self.calls if _contains(c, words)]


def _contains(argv, words):
    position = 0
    for word in words:
        try:
            position = argv.index(word, position) + 1
        except ValueError:
            return False
    return True
