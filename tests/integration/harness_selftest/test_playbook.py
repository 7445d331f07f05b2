"""The playbook runner (tests/harness/playbook.py): the command it builds, and the recap it reads back."""

import sys

from harness import playbook

PLAY = '''---
- name: A small play
  hosts: all
  gather_facts: false
  tasks:
    - name: Change something
      ansible.builtin.command: "true"
      changed_when: true
    - name: Fail when asked to
      ansible.builtin.fail:
        msg: "asked: {{ reason }}"
      when: reason | default('') | length > 0
'''


class Local(object):
    name = 'localhost'

    @staticmethod
    def inventory_line():
        return 'localhost ansible_connection=local ansible_python_interpreter=%s' % sys.executable


def test_recap_counters_and_extra_vars(tmp_path):
    path = tmp_path / 'play.yml'
    path.write_text(PLAY)
    venv = playbook.default_venv()
    ok = playbook.run_playbook(tmp_path, 1, str(path), [Local()], venv)
    assert ok.rc == 0, ok.explain()
    assert ok.recap == {'localhost': {'ok': 1, 'changed': 1, 'unreachable': 0, 'failed': 0, 'skipped': 1,
                                      'rescued': 0, 'ignored': 0}}
    failed = playbook.run_playbook(tmp_path, 2, str(path), [Local()], venv, extra_vars={'reason': 'a test'})
    assert failed.rc == 2 and failed.recap['localhost']['failed'] == 1
    assert 'asked: a test' in failed.stdout
    assert failed.cmd[-2:] == ['-e', '@%s' % (tmp_path / 'vars-2.json')]


def test_check_diff_and_tags_reach_the_command(tmp_path):
    path = tmp_path / 'play.yml'
    path.write_text(PLAY)
    run = playbook.run_playbook(tmp_path, 1, str(path), [Local()], playbook.default_venv(), check=True, diff=True,
                                tags=['a', 'b'])
    assert run.cmd[-4:] == ['--check', '--diff', '--tags', 'a,b']
    assert run.rc == 0 and run.recap == {}, run.explain()  # no task has those tags: no host in the recap
    assert playbook.ansible_core_version(playbook.default_venv()).count('.') >= 2
