# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Go environment files, pure: validate the settings, render the three files, read back what a
managed file sets, and compare the two per control.

Three consumers, three formats:
- the login shell script (/etc/profile.d, sourced by /etc/profile): sh, values in single quotes;
  GODEBUG is merged into the one the shell already has, PATH directories are moved to the front once;
- environment.d(5) for systemd user managers: ``NAME="value"`` with ``\\``, ``"`` escaped and ``$$``
  for a literal ``$``; PATH is prepended with ``${PATH}``;
- a system manager drop-in: ``DefaultEnvironment="NAME=value"`` with ``\\``, ``"`` escaped and ``%%``
  for a literal ``%``; no PATH (services keep systemd's).

The text rendered here is byte for byte what the role's templates wrote before, so hosts set up by an
earlier release see no change.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from shlex import quote as sh_quote

MANAGED_MARK = '# Managed by gocompat.baseline'
HEADER = MANAGED_MARK + ' (go_env role); local changes are overwritten.\n'

PROFILE, USER_MANAGERS, SERVICES = 'profile', 'environment.d', 'system.conf.d'
CONSUMER_NAMES = {PROFILE: 'login shells', USER_MANAGERS: 'user managers', SERVICES: 'system services'}

# Plain variables in output order, with the option that sets them.
VARIABLES = (('GOTMPDIR', 'gotmpdir'), ('TMPDIR', 'tmpdir'), ('HTTP_PROXY', 'http_proxy'), ('http_proxy', 'http_proxy'),
             ('HTTPS_PROXY', 'https_proxy'), ('https_proxy', 'https_proxy'), ('NO_PROXY', 'no_proxy'),
             ('no_proxy', 'no_proxy'))
VARIABLE_NAMES = tuple(name for name, _option in VARIABLES)
# One control per option: both spellings of a proxy variable are one setting.
OPTION_CONTROLS = (('gotmpdir', 'env.gotmpdir'), ('tmpdir', 'env.tmpdir'), ('http_proxy', 'env.proxy.http'),
                   ('https_proxy', 'env.proxy.https'), ('no_proxy', 'env.proxy.no_proxy'))

_GODEBUG_KEY = re.compile(r'[A-Za-z0-9_.-]+\Z')
_GODEBUG_VALUE = re.compile(r'[^,=\s]+\Z')
CONTROL_CHARS = re.compile(r'[\x00-\x1f\x7f]')
_WHITE_SPACE = re.compile(r'\s')


class InvalidSetting(ValueError):
    """A setting that cannot be written; the message names the option."""


class Settings(object):
    """Validated settings: ``godebug`` [(key, value)], ``path`` [dir], ``options`` {option: text}."""

    def __init__(self, godebug, path, options):
        self.godebug = godebug
        self.path = path
        self.options = options

    @property
    def godebug_text(self):
        return ','.join('%s=%s' % item for item in self.godebug)

    @property
    def variables(self):
        """[(NAME, value)] of the plain variables that are set, in output order."""
        return [(name, self.options[option]) for name, option in VARIABLES if self.options.get(option)]

    @property
    def systemd_variables(self):
        """What systemd gets: GODEBUG (exactly these settings) and the plain variables, never PATH."""
        head = [('GODEBUG', self.godebug_text)] if self.godebug else []
        return head + self.variables


def _text(option, value):
    if not isinstance(value, str):
        raise InvalidSetting('%s must be a string, not %s' % (option, type(value).__name__))
    if CONTROL_CHARS.search(value):
        raise InvalidSetting('%s contains a control character: %r' % (option, value[:80]))
    return value


def _godebug(godebug):
    if not isinstance(godebug, dict):
        raise InvalidSetting('godebug must be a dict of key and value, not %s' % type(godebug).__name__)
    items = []
    for key, value in godebug.items():
        if not isinstance(key, str) or not _GODEBUG_KEY.match(key):
            raise InvalidSetting('godebug key %r: use letters, digits, "_", "." and "-" only' % (key,))
        # booleans first: True is an int in Python, and "True" is not a GODEBUG value
        if isinstance(value, bool) or value is None or not isinstance(value, (str, int, float)):
            raise InvalidSetting('godebug.%s must be a string or a number (write 0 or 1, not true or false), '
                                 'not %s' % (key, 'null' if value is None else type(value).__name__))
        text = str(value)
        if not _GODEBUG_VALUE.match(text):
            raise InvalidSetting('godebug.%s=%r: a value cannot be empty or contain ",", "=" or white space'
                                 % (key, text[:80]))
        items.append((key, text))
    return items


def _directory(option, value):
    value = _text(option, value)
    if not value.startswith('/'):
        raise InvalidSetting('%s: %r is not an absolute path' % (option, value[:200]))
    if ':' in value:
        raise InvalidSetting('%s: %r contains ":", the PATH separator' % (option, value[:200]))
    return value


def _proxy(option, value):
    value = _text(option, value)
    if _WHITE_SPACE.search(value):
        raise InvalidSetting('%s: %r contains white space' % (option, value[:200]))
    return value


def _no_proxy(entries):
    if not isinstance(entries, list):
        raise InvalidSetting('no_proxy must be a list of entries, not %s' % type(entries).__name__)
    kept = []
    for entry in entries:
        entry = _proxy('no_proxy', entry)
        if not entry:
            raise InvalidSetting('no_proxy: an entry is empty')
        if ',' in entry:
            raise InvalidSetting('no_proxy: %r contains ",", the entry separator: give one entry per item'
                                 % entry[:200])
        if entry not in kept:
            kept.append(entry)
    return ','.join(kept)


def validate_settings(godebug, path_prepend, gotmpdir, http_proxy, https_proxy, no_proxy, tmpdir=''):
    """Settings from the module options; raises InvalidSetting naming the option."""
    if not isinstance(path_prepend, list):
        raise InvalidSetting('path_prepend must be a list of directories, not %s' % type(path_prepend).__name__)
    path = [_directory('path_prepend', item) for item in path_prepend]
    options = {
        'gotmpdir': _directory('gotmpdir', gotmpdir) if gotmpdir != '' else '',
        'tmpdir': _directory('tmpdir', tmpdir) if tmpdir != '' else '',
        'http_proxy': _proxy('http_proxy', http_proxy),
        'https_proxy': _proxy('https_proxy', https_proxy),
        'no_proxy': _no_proxy(no_proxy),
    }
    return Settings(_godebug(godebug), path, options)


# --- rendering --------------------------------------------------------------------------------------

_PROFILE_GODEBUG = '''
# GODEBUG: keep the settings already in the environment except the keys set here, then append ours
# (go.env and `go env -w` cannot carry GODEBUG: it must come from the process environment).
__gocompat_rest=${GODEBUG-}
__gocompat_keep=
while [ -n "$__gocompat_rest" ]; do
    __gocompat_item=${__gocompat_rest%%,*}
    case $__gocompat_rest in
        *,*) __gocompat_rest=${__gocompat_rest#*,} ;;
        *) __gocompat_rest= ;;
    esac
    case ${__gocompat_item%%=*} in
        ''CASE_KEYS) ;;
        *) __gocompat_keep=${__gocompat_keep:+$__gocompat_keep,}$__gocompat_item ;;
    esac
done
GODEBUG=${__gocompat_keep:+$__gocompat_keep,}GODEBUG_VALUE
export GODEBUG
unset __gocompat_rest __gocompat_keep __gocompat_item
'''

_PROFILE_PATH = '''
# PATH: each directory once, in front (an existing occurrence moves to the front).
for __gocompat_dir inDIRS; do
    __gocompat_path=:${PATH-}:
    while :; do
        case $__gocompat_path in
            *:"$__gocompat_dir":*)
                __gocompat_path=${__gocompat_path%%:"$__gocompat_dir":*}:${__gocompat_path#*:"$__gocompat_dir":} ;;
            *) break ;;
        esac
    done
    __gocompat_path=${__gocompat_path#:}
    __gocompat_path=${__gocompat_path%:}
    PATH=$__gocompat_dir${__gocompat_path:+:$__gocompat_path}
done
export PATH
unset __gocompat_dir __gocompat_path
'''

_GODEBUG_LINE = 'GODEBUG=${__gocompat_keep:+$__gocompat_keep,}'
_PATH_LINE = re.compile(r'for __gocompat_dir in(.*); do\Z')


def render_profile(settings):
    """The login shell script, or None when there is nothing to set (the file is then removed)."""
    if not (settings.godebug or settings.path or settings.variables):
        return None
    parts = [HEADER, '# Go environment for POSIX login shells (bash -l, sh -l), sourced by /etc/profile; '
             'safe to source twice.\n']
    if settings.godebug:
        keys = ''.join('|' + sh_quote(key) for key, _value in settings.godebug)
        parts.append(_PROFILE_GODEBUG.replace('CASE_KEYS', keys).replace('GODEBUG_VALUE', sh_quote(settings.godebug_text)))
    if settings.path:
        parts.append(_PROFILE_PATH.replace('DIRS', ''.join(' ' + sh_quote(d) for d in reversed(settings.path))))
    if settings.variables:
        parts.append('\n')
        for name, value in settings.variables:
            parts.append('%s=%s\nexport %s\n' % (name, sh_quote(value), name))
    return ''.join(parts)


def _escape_environment_d(value):
    return value.replace('\\', '\\\\').replace('"', '\\"').replace('$', '$$')


def render_environment_d(settings):
    """The environment.d file for user managers, or None when there is nothing to set."""
    if not (settings.path or settings.systemd_variables):
        return None
    parts = [HEADER, '# Go environment for systemd user managers started from now on (environment.d(5)).\n']
    if settings.path:
        parts.append('PATH="%s:${PATH}"\n' % _escape_environment_d(':'.join(settings.path)))
    for name, value in settings.systemd_variables:
        parts.append('%s="%s"\n' % (name, _escape_environment_d(value)))
    return ''.join(parts)


def _escape_systemd(text):
    return text.replace('\\', '\\\\').replace('"', '\\"').replace('%', '%%')


def render_system_conf(settings):
    """The system manager drop-in with DefaultEnvironment=, or None when there is nothing to set."""
    if not settings.systemd_variables:
        return None
    parts = [HEADER, "# Go environment for services of the system manager; PATH stays systemd's own.\n",
             '[Manager]\n']
    for name, value in settings.systemd_variables:
        parts.append('DefaultEnvironment="%s"\n' % _escape_systemd('%s=%s' % (name, value)))
    return ''.join(parts)


RENDERERS = ((PROFILE, render_profile), (USER_MANAGERS, render_environment_d), (SERVICES, render_system_conf))


# --- reading back what a file sets ------------------------------------------------------------------

def is_managed(text):
    return text.startswith(MANAGED_MARK)


def _sh_words(text):
    """Words of a line the renderer wrote: bare, single-quoted and double-quoted parts (sh_quote output)."""
    words, word, i, started = [], [], 0, False
    while i < len(text):
        char = text[i]
        if char in '"\'':
            # sh_quote writes a single quote as '"'"': a double-quoted part holds only that
            end = text.find(char, i + 1)
            if end < 0:
                return None
            word.append(text[i + 1:end])
            i, started = end + 1, True
            continue
        if char in ' \t':
            if started:
                words.append(''.join(word))
                word, started = [], False
        else:
            word.append(char)
            started = True
        i += 1
    if started:
        words.append(''.join(word))
    return words


def _unescape(text, doubled):
    """Undo the environment.d / systemd escaping: backslash escapes, and ``doubled`` ($ or %) twice."""
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == '\\' and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if char == doubled and text[i + 1:i + 2] == doubled:
            i += 1
        out.append(char)
        i += 1
    return ''.join(out)


def _quoted(line, prefix):
    rest = line[len(prefix):]
    if len(rest) >= 2 and rest.startswith('"') and rest.endswith('"'):
        return rest[1:-1]
    return None


def _godebug_items(text):
    """[(key, value)] of a GODEBUG string; the last setting of a key wins, as in Go."""
    found = {}
    for item in text.split(','):
        if '=' in item:
            key, value = item.split('=', 1)
            found.pop(key, None)
            found[key] = value
    return list(found.items())


class FileState(object):
    """What one managed file sets: ``godebug`` [(key, value)] or None when it sets no GODEBUG,
    ``path`` [dir], and ``variables`` {NAME: value}."""

    def __init__(self, godebug=None, path=None, variables=None):
        self.godebug = godebug
        self.path = path or []
        self.variables = variables or {}

    def godebug_value(self, key):
        return dict(self.godebug or []).get(key)

    def option_value(self, option):
        """The value of ``option`` when every variable it sets agrees; '' when none is set; None when
        its spellings disagree (``HTTP_PROXY`` and ``http_proxy`` differ, one of them missing)."""
        values = set(self.variables.get(name, '') for name, opt in VARIABLES if opt == option)
        return values.pop() if len(values) == 1 else None


NOTHING = FileState()


def parse_profile(text):
    godebug, path, variables = None, [], {}
    for line in text.split('\n'):
        if line.startswith(_GODEBUG_LINE):
            words = _sh_words(line[len(_GODEBUG_LINE):])
            if words:
                godebug = _godebug_items(words[0])
            continue
        match = _PATH_LINE.match(line)
        if match:
            path = list(reversed(_sh_words(match.group(1)) or []))
            continue
        name, sep, value = line.partition('=')
        if sep and name in VARIABLE_NAMES:
            words = _sh_words(value)
            if words is not None and len(words) == 1:
                variables[name] = words[0]
            elif value == '':
                variables[name] = ''
    return FileState(godebug, path, variables)


def parse_environment_d(text):
    godebug, path, variables = None, [], {}
    for line in text.split('\n'):
        name, sep, _rest = line.partition('=')
        value = _quoted(line, name + '=') if sep else None
        if value is None:
            continue
        if name == 'PATH':
            if value.endswith(':${PATH}'):
                path = _unescape(value[:-len(':${PATH}')], '$').split(':')
        elif name == 'GODEBUG':
            godebug = _godebug_items(_unescape(value, '$'))
        elif name in VARIABLE_NAMES:
            variables[name] = _unescape(value, '$')
    return FileState(godebug, path, variables)


def parse_system_conf(text):
    godebug, variables = None, {}
    for line in text.split('\n'):
        value = _quoted(line, 'DefaultEnvironment=')
        if value is None:
            continue
        name, sep, setting = _unescape(value, '%').partition('=')
        if not sep:
            continue
        if name == 'GODEBUG':
            godebug = _godebug_items(setting)
        elif name in VARIABLE_NAMES:
            variables[name] = setting
    return FileState(godebug, None, variables)


PARSERS = {PROFILE: parse_profile, USER_MANAGERS: parse_environment_d, SERVICES: parse_system_conf}


def file_state(consumer, text):
    return NOTHING if text is None else PARSERS[consumer](text)


# --- controls -----------------------------------------------------------------------------------------

_USERINFO = re.compile(r'^([A-Za-z][A-Za-z0-9+.-]*://)?([^/@]*)@')


def redact(value):
    """A proxy URL for a finding or a log: the password of ``user:password@`` is hidden."""
    def hide(match):
        user = match.group(2).split(':', 1)
        return '%s%s@' % (match.group(1) or '', user[0] + ':***' if len(user) > 1 else user[0])
    return _USERINFO.sub(hide, value, count=1)


def join_names(consumers):
    names = [CONSUMER_NAMES[c] for c in consumers]
    return names[0] if len(names) == 1 else ', '.join(names[:-1]) + ' and ' + names[-1]


class Control(object):
    """One control across the files it concerns: {consumer: wanted} and {consumer: actual} values."""

    def __init__(self, control, expected, wanted, actual, show=lambda v: v):
        self.control = control
        self.expected = expected
        self.wanted = wanted
        self.actual = actual
        self.show = show

    @property
    def differs(self):
        return any(self.actual.get(c) != w for c, w in self.wanted.items())

    def describe_actual(self, unset='not set'):
        parts = []
        for consumer in self.wanted:
            value = self.actual.get(consumer)
            parts.append('%s: %s' % (CONSUMER_NAMES[consumer],
                                     unset if value in (None, '', []) else
                                     'inconsistent' if value is INCONSISTENT else self.show(value)))
        return '; '.join(parts)


INCONSISTENT = object()


def controls(settings, current, consumers):
    """Every control the wanted ``settings`` and the ``current`` {consumer: FileState} concern, for the
    managed ``consumers``: one per GODEBUG key (wanted or still set by a managed file), PATH, and each
    plain option (wanted or still set)."""
    found = []
    wanted_godebug = dict(settings.godebug)
    godebug_consumers = consumers
    seen = []
    for consumer in consumers:
        for key, _value in current[consumer].godebug or []:
            if key not in wanted_godebug and key not in seen:
                seen.append(key)
    for key in [k for k, _v in settings.godebug] + sorted(seen):
        value = wanted_godebug.get(key)
        expected = ('%s=%s in GODEBUG of %s' % (key, value, join_names(godebug_consumers)) if value is not None
                    else '%s not set in GODEBUG by gocompat.baseline (no longer in godebug)' % key)
        found.append(Control('env.godebug.%s' % key, expected, dict((c, value) for c in godebug_consumers),
                             dict((c, current[c].godebug_value(key)) for c in godebug_consumers),
                             show=lambda v, key=key: '%s=%s' % (key, v)))
    path_consumers = [c for c in consumers if c != SERVICES]
    current_path = dict((c, current[c].path) for c in path_consumers)
    if settings.path or any(current_path.values()):
        expected = ('%s first on PATH of %s' % (':'.join(settings.path), join_names(path_consumers))
                    if settings.path else 'nothing put in front of PATH by gocompat.baseline')
        found.append(Control('env.path', expected, dict((c, settings.path) for c in path_consumers),
                             current_path, show=':'.join))
    for option, control in OPTION_CONTROLS:
        names = [name for name, opt in VARIABLES if opt == option]
        value = settings.options[option]
        actual = {}
        for consumer in consumers:
            got = current[consumer].option_value(option)
            actual[consumer] = INCONSISTENT if got is None else got
        if not value and all(v == '' for v in actual.values()):
            continue
        show = redact if 'proxy' in option else (lambda v: v)
        label = ' and '.join(names)
        expected = ('%s=%s in %s' % (label, show(value), join_names(consumers)) if value
                    else '%s not set by gocompat.baseline' % label)
        found.append(Control(control, expected, dict((c, value) for c in consumers), actual, show=show))
    return found
