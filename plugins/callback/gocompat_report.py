# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: gocompat_report
type: aggregate
short_description: Writes the compliance report of a run as JSON, JUnit XML and HTML
version_added: 0.2.0
description:
  - Collects the C(findings) of every task result of every host (ok, changed and failed results, loop items,
    check mode too), the hosts that were unreachable and the tasks that failed, and writes at the end of the
    run a JSON report (hosts x controls with evidence, summary counts, run metadata), a JUnit XML file (one
    testcase per host x control) and a self-contained HTML page (hosts x controls matrix, what failed and
    why, what was fixed, what needs a reboot or a WSL restart, what was waived).
  - Per host and control the latest finding wins; the task that produced it is kept as evidence.
  - A callback cannot be enabled from inside a playbook. Enable it with
    C(callbacks_enabled = gocompat.baseline.gocompat_report) in the C([defaults]) section of C(ansible.cfg),
    or C(ANSIBLE_CALLBACKS_ENABLED=gocompat.baseline.gocompat_report) in the environment of the run.
  - Options given as variables are read from extra vars (C(-e)) and play vars at the start of each play;
    inventory variables are not seen.
requirements:
  - Enabled through C(callbacks_enabled) or C(ANSIBLE_CALLBACKS_ENABLED).
options:
  output_dir:
    description:
      - Directory the report files are written to (created when missing). Files are
        C(gocompat-report.json), C(gocompat-report.xml), C(gocompat-report.html) and C(gocompat-report.md),
        replaced atomically.
      - A relative path in C(ansible.cfg) is relative to the directory of that file; otherwise to the current
        working directory.
    type: path
    default: gocompat-report
    ini:
      - section: callback_gocompat_report
        key: output_dir
    env:
      - name: GOCOMPAT_REPORT_DIR
    vars:
      - name: gocompat_report_dir
  formats:
    description:
      - Which files to write, out of C(json), C(junit), C(html) and C(markdown) (C(gocompat-report.md), a short
        summary for CI job pages). An unknown name is a warning.
    type: list
    elements: str
    default: [json, junit, html]
    ini:
      - section: callback_gocompat_report
        key: formats
    env:
      - name: GOCOMPAT_REPORT_FORMATS
    vars:
      - name: gocompat_report_formats
  waivers_file:
    description:
      - YAML or JSON file with a list of waivers (or a mapping with a C(waivers) list). Each waiver is
        C({control, hosts, reason}); C(control) and C(hosts) entries are shell-style patterns, C(hosts) is
        optional (every host). A waived C(fail) or C(error) finding is reported as C(waived) with the reason,
        never as C(pass).
      - A file that cannot be read or is malformed is reported as a run error (the report is then not
        compliant), with the file and line.
    type: path
    ini:
      - section: callback_gocompat_report
        key: waivers_file
    env:
      - name: GOCOMPAT_REPORT_WAIVERS
    vars:
      - name: gocompat_report_waivers_file
  waivers:
    description:
      - Waivers given as a variable, in the same form as O(waivers_file); both lists are used. The audit
        playbook reads the same variable, so the report and the playbook's verdict agree.
    type: list
    elements: dict
    vars:
      - name: gocompat_waivers
author:
  - gocompat.baseline contributors (@gocompat)
'''

import datetime
import os
import socket
import tempfile
import time

from ansible import context
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.callback import CallbackBase
from ansible.release import __version__ as ansible_version

from ansible_collections.gocompat.baseline.plugins.plugin_utils.report_model import Collector
from ansible_collections.gocompat.baseline.plugins.plugin_utils.report_render import FILE_NAMES, RENDERERS
from ansible_collections.gocompat.baseline.plugins.plugin_utils.report_waivers import WaiverError, parse_waivers

_VAR_OPTIONS = ('gocompat_report_dir', 'gocompat_report_formats', 'gocompat_report_waivers_file', 'gocompat_waivers')


def _now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()


def load_waivers_file(path):
    """Waivers from a YAML/JSON file; WaiverError names the file (and line for YAML errors)."""
    import yaml
    try:
        with open(path, 'rb') as handle:
            data = yaml.safe_load(handle)
    except (IOError, OSError) as exc:
        raise WaiverError('%s: cannot read waivers file: %s' % (path, exc.strerror or exc))
    except yaml.YAMLError as exc:
        mark = getattr(exc, 'problem_mark', None)
        where = '%s:%d' % (path, mark.line + 1) if mark is not None else path
        raise WaiverError('%s: malformed waivers file: %s' % (where, getattr(exc, 'problem', None) or exc))
    return parse_waivers(data, path)


def _plain(value):
    """Variable values as plain Python types (tagged/unsafe strings become str)."""
    if isinstance(value, dict):
        return dict((_plain(key), _plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return str.__str__(value)   # an exact str: Ansible's subclasses may return themselves from str()
    return value


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'gocompat.baseline.gocompat_report'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None, options=None):
        self._direct_options = None
        super(CallbackModule, self).__init__(display=display, options=options)
        self._collector = Collector(metadata={
            'started': _now(),
            'controller': socket.gethostname(),
            'ansible_version': ansible_version,
            'check_mode_cli': bool(context.CLIARGS.get('check', False)),
        })
        self._started = time.time()
        self._var_options = {}
        self._waivers_loaded = False

    def set_options(self, task_keys=None, var_options=None, direct=None):
        # Options given directly survive the re-resolution with play variables below.
        if direct is not None:
            self._direct_options = dict(direct)
        super(CallbackModule, self).set_options(task_keys=task_keys, var_options=var_options,
                                                direct=self._direct_options)

    # Options: ini/env are resolved by Ansible; variables are read at each play start (core does not pass them).
    def _play_vars(self, play):
        try:
            manager = play.get_variable_manager()
            wanted = {}
            for source in (play.vars or {}, manager.extra_vars or {}):
                for name in _VAR_OPTIONS:
                    if name in source:
                        wanted[name] = source[name]
            if not wanted:
                return {}
            from ansible.template import Templar
            templar = Templar(loader=play._loader, variables=manager.get_vars(play=play))
            return dict((name, _plain(templar.template(value))) for name, value in wanted.items())
        except Exception as exc:  # a bad variable must not lose the report
            self._collector.add_error('gocompat_report: cannot read report variables: %s' % to_text(exc))
            return {}

    def _load_waivers(self):
        waivers = []
        try:
            waivers.extend(parse_waivers(self.get_option('waivers'), 'gocompat_waivers'))
        except WaiverError as exc:
            self._collector.add_error(to_text(exc))
        path = self.get_option('waivers_file')
        if path:
            try:
                waivers.extend(load_waivers_file(path))
            except WaiverError as exc:
                self._collector.add_error(to_text(exc))
        self._collector.waivers = waivers
        self._waivers_loaded = True

    def v2_playbook_on_start(self, playbook):
        self._collector.start_playbook(getattr(playbook, '_file_name', '') or '')

    def v2_playbook_on_play_start(self, play):
        found = self._play_vars(play)
        if found:
            self._var_options.update(found)
            self.set_options(var_options=self._var_options)
        if not self._waivers_loaded or found:
            self._load_waivers()
        check_mode = bool(context.CLIARGS.get('check', False)) or getattr(play, 'check_mode', None) is True
        self._collector.start_play(play.get_name(), check_mode)

    def _add(self, result, failed=False, ignore_errors=False):
        task = result._task
        self._collector.add_result(result._host.get_name(), task.get_name(), result._result, failed=failed,
                                   ignore_errors=ignore_errors, action=task.action)

    def v2_runner_on_ok(self, result):
        self._add(result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._add(result, failed=True, ignore_errors=ignore_errors)

    def v2_runner_on_unreachable(self, result):
        self._collector.add_unreachable(result._host.get_name(), result._task.get_name(), result._result)

    def v2_runner_on_skipped(self, result):
        self._collector.host(result._host.get_name())

    def v2_playbook_on_stats(self, stats):
        for name in sorted(stats.processed):
            self._collector.host(name)
        self._collector.metadata.update(ended=_now(), duration_s=round(time.time() - self._started, 3))
        report = self._collector.report()
        formats = [to_text(name).strip().lower() for name in (self.get_option('formats') or [])]
        unknown = sorted(set(formats) - set(RENDERERS))
        if unknown:
            self._display.warning('gocompat_report: unknown format(s) %s (use json, junit, html, markdown); not written'
                                  % ', '.join(unknown))
        directory = self.get_option('output_dir')
        written = []
        for name in [name for name in RENDERERS if name in formats]:
            path = os.path.join(directory, FILE_NAMES[name])
            try:
                _write_atomic(path, RENDERERS[name](report))
            except (IOError, OSError) as exc:
                self._display.warning('gocompat_report: cannot write %s: %s' % (path, exc))
                continue
            except Exception as exc:  # one format failing must not cost the others
                self._display.warning('gocompat_report: cannot render %s: %s: %s' % (name, type(exc).__name__, exc))
                continue
            written.append(path)
        for error in report['run']['errors']:
            self._display.warning(error)
        if written:
            self._display.display('gocompat report (%s): %s' % (
                'compliant' if report['summary']['compliant'] else 'not compliant', ', '.join(written)))


def _write_atomic(path, content):
    directory = os.path.dirname(path) or '.'
    if not os.path.isdir(directory):
        os.makedirs(directory)
    handle, temp = tempfile.mkstemp(prefix='.gocompat-report-', dir=directory)
    try:
        with os.fdopen(handle, 'wb') as out:
            out.write(to_bytes(content, errors='surrogate_or_strict'))
        os.chmod(temp, 0o644)
        os.rename(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
