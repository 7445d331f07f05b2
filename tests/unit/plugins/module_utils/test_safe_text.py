# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

import json

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils import safe_text
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import is_clean, quote


@pytest.mark.parametrize('text, quoted', [
    ('kernel.pid_max = 1', 'kernel.pid_max = 1'),
    (b'a\xffb', 'a\\xffb'),
    ('a\udcffb', 'a\\xffb'),
    ('nul\x00 and newline\n', 'nul\\x00 and newline\\x0a'),
    ('tab\tstays', 'tab\tstays'),
    ('grüße', 'grüße'),
    (None, ''),
])
def test_quote_escapes_what_json_or_a_terminal_cannot_carry(text, quoted):
    assert quote(text) == quoted
    json.dumps(quote(text)).encode('utf-8')


def test_quote_bounds_the_size_of_8_mib_of_nul_bytes():
    quoted = quote(b'\x00' * (8 << 20), 80)
    assert len(quoted) <= 80 and quoted.endswith('...')


def test_is_clean():
    assert is_clean('a = 1') and not is_clean('a\udc80') and not is_clean('a\nb')


@pytest.mark.parametrize('text,decimal', [('0', True), ('4194304', True), ('', False), ('²', False), ('١٢', False),
                                          ('-1', False), (' 1', False), ('1\n', False), ('1.0', False)])
def test_is_decimal_takes_only_what_int_reads_as_a_plain_number(text, decimal):
    assert safe_text.is_decimal(text) is decimal
    if decimal:
        assert int(text) >= 0
