"""Build contexts of execution-environment.yml with `ansible-builder create` (offline: no image, no registry),
and what is wrong with one.

  build_tarball(out_dir)            the collection tarball, as `make dist` builds it
  stage(workdir, definition, tarball=None)
                                    a directory laid out like the checkout for ansible-builder: the definition,
                                    the files it names (requirements.txt) and the tarball at .build/dist/
  create(workdir)                   `ansible-builder create` into workdir/context -> (CompletedProcess, context)
  context_problems(context, work)   one line per problem of a context: the Containerfile, ansible-core and
                                    ansible-runner, the controller requirements, the collection; and what the
                                    build's galaxy and introspection steps do with it, run here offline
"""

import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import yaml
from packaging.requirements import InvalidRequirement, Requirement

from harness.paths import ROOT

EE_FILE = ROOT / 'execution-environment.yml'
DIST = Path('.build') / 'dist'   # where `make dist` writes the tarball, relative to the checkout
BIN = Path(sys.executable).parent


def tool(name):
    path = BIN / name
    if not path.exists():
        raise AssertionError('%s is missing next to %s: pip install -r requirements-dev.txt' % (name, sys.executable))
    return str(path)


def galaxy_meta():
    meta = yaml.safe_load((ROOT / 'galaxy.yml').read_text())
    return meta['namespace'], meta['name'], str(meta['version'])


def read_requirements(path):
    """{name: Requirement} of a pip requirements file (comments, options and includes left out)."""
    found = {}
    for line in Path(path).read_text().splitlines():
        line = line.split(' #', 1)[0].strip()
        if not line or line.startswith(('#', '-')):
            continue
        req = Requirement(line)
        found[req.name.lower()] = req
    return found


def controller_requirements():
    """The checkout's requirements.txt: the one list of the controller's Python requirements."""
    return read_requirements(ROOT / 'requirements.txt')


def build_tarball(out_dir):
    out_dir = Path(out_dir)
    proc = subprocess.run([tool('ansible-galaxy'), 'collection', 'build', '--force', '--output-path', str(out_dir),
                           str(ROOT)], capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    namespace, name, version = galaxy_meta()
    tarball = out_dir / ('%s-%s-%s.tar.gz' % (namespace, name, version))
    assert tarball.is_file(), proc.stdout
    return tarball


def stage(workdir, definition, tarball=None):
    """Write ``definition`` (a dict) as workdir/execution-environment.yml next to copies of the checkout files it
    names by relative path, and the tarball where `make dist` puts it. Returns workdir."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / 'execution-environment.yml').write_text(yaml.safe_dump(definition, sort_keys=False))
    deps = definition.get('dependencies') or {}
    for key in ('python', 'system', 'galaxy'):
        if isinstance(deps.get(key), str) and (ROOT / deps[key]).is_file():
            target = workdir / deps[key]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(str(ROOT / deps[key]), str(target))
    if tarball is not None:
        (workdir / DIST).mkdir(parents=True, exist_ok=True)
        shutil.copy2(str(tarball), str(workdir / DIST / Path(tarball).name))
    return workdir


def create(workdir):
    context = Path(workdir) / 'context'
    proc = subprocess.run([tool('ansible-builder'), 'create', '-f', str(Path(workdir) / 'execution-environment.yml'),
                           '-c', str(context), '--output-filename', 'Containerfile', '-v', '3'],
                          capture_output=True, text=True, check=False, timeout=120)
    return proc, context


def containerfile_args(text):
    """ARG defaults of the Containerfile's global section: {name: value}."""
    args = {}
    for line in text.splitlines():
        if line.startswith('FROM '):
            break
        if line.startswith('ARG ') and '=' in line:
            name, value = line[4:].split('=', 1)
            args[name] = value.strip().strip('"')
    return args


def _same_spec(got, wanted):
    return got is not None and got.specifier == wanted.specifier


def _install_refs_problems(args):
    problems = []
    refs = {}
    for token in args.get('ANSIBLE_INSTALL_REFS', '').split():
        try:
            req = Requirement(token)
        except InvalidRequirement:
            problems.append('ANSIBLE_INSTALL_REFS: %r is no pip requirement' % token)
            continue
        refs[req.name.lower()] = req
    core = controller_requirements()['ansible-core']
    if not _same_spec(refs.get('ansible-core'), core):
        problems.append('ansible-core: the image installs %s, requirements.txt supports %s'
                        % (refs.get('ansible-core', 'nothing'), core))
    runner = read_requirements(ROOT / 'requirements-dev.txt').get('ansible-runner')
    if runner is None:
        problems.append('requirements-dev.txt has no ansible-runner line')
    elif not _same_spec(refs.get('ansible-runner'), runner):
        problems.append('ansible-runner: the image installs %s, the tests run %s'
                        % (refs.get('ansible-runner', 'nothing'), runner))
    return problems


def _python_problems(build):
    path = build / 'requirements.txt'
    if not path.is_file():
        return ['_build/requirements.txt is missing: the image gets none of the controller requirements']
    got = read_requirements(path)
    problems = []
    for name, wanted in sorted(controller_requirements().items()):
        if name == 'ansible-core':
            continue   # installed by ANSIBLE_INSTALL_REFS, checked there
        if name not in got:
            problems.append('%s (requirements.txt) is missing from _build/requirements.txt' % name)
        elif not _same_spec(got[name], wanted):
            problems.append('%s: _build/requirements.txt says %s, requirements.txt %s' % (name, got[name], wanted))
    return problems


def _manifest(tarball):
    with tarfile.open(str(tarball)) as archive:
        return json.load(archive.extractfile('MANIFEST.json'))['collection_info']


def _collection_problems(build):
    namespace, name, version = galaxy_meta()
    fqcn = '%s.%s' % (namespace, name)
    path = build / 'requirements.yml'
    if not path.is_file():
        return ['_build/requirements.yml is missing: the image gets no collection'], None
    entries = (yaml.safe_load(path.read_text()) or {}).get('collections') or []
    for entry in entries:
        entry = entry if isinstance(entry, dict) else {'name': entry}
        if entry.get('type') == 'file':
            tarball = build / entry['name']
            if not tarball.is_file():
                return ['%s (galaxy requirement of type file) is not in the build context: run make dist first'
                        % entry['name']], None
            info = _manifest(tarball)
            got = (info['namespace'], info['name'], info['version'])
            if got != (namespace, name, version):
                return ['%s holds %s.%s %s, galaxy.yml says %s %s'
                        % (entry['name'], got[0], got[1], got[2], fqcn, version)], None
            return [], entry
        if entry.get('name') == fqcn:
            if str(entry.get('version', '')) not in (version, '==' + version):
                return ['%s is required at version %r, galaxy.yml says %s' % (fqcn, entry.get('version'), version)], None
            return [], entry
    return ['_build/requirements.yml does not install %s' % fqcn], None


def _build_steps_problems(build, work):
    """The galaxy stage's install and the builder stage's introspection, run here the way the Containerfile runs
    them (from _build, offline): the collection installs, and its own requirements reach the image."""
    collections = Path(work) / 'installed'
    # as in the image build: no other collection and no ansible.cfg in sight (the test pipeline exports both, and
    # a gocompat.baseline found on ANSIBLE_COLLECTIONS_PATH would count as installed already)
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith('ANSIBLE_'))
    env['ANSIBLE_COLLECTIONS_PATH'] = str(collections)
    proc = subprocess.run([tool('ansible-galaxy'), 'collection', 'install', '--offline', '-r', 'requirements.yml',
                           '--collections-path', str(collections)], cwd=str(build), capture_output=True, text=True,
                          check=False, timeout=300, env=env)
    if proc.returncode != 0:
        return ['the galaxy stage fails: %s' % (proc.stderr.strip() or proc.stdout.strip())]
    out = Path(work) / 'introspected.txt'
    proc = subprocess.run([sys.executable, str(build / 'scripts' / 'introspect.py'), 'introspect',
                           '--user-pip=%s' % (build / 'requirements.txt'), '--write-pip=%s' % out, str(collections)],
                          capture_output=True, text=True, check=False, timeout=120)
    if proc.returncode != 0 or not out.is_file():
        return ['introspect.py fails: %s' % (proc.stderr.strip() or proc.stdout.strip())]
    namespace, name = galaxy_meta()[:2]
    origin = '# from collection %s.%s' % (namespace, name)
    from_collection = set(Requirement(line.split('#', 1)[0].strip()).name.lower()
                          for line in out.read_text().splitlines() if line.endswith(origin))
    wanted = set(controller_requirements()) - {'ansible-core'}
    return ['the installed collection does not declare %s (its requirements.txt)' % name_
            for name_ in sorted(wanted - from_collection)]


def context_problems(context, work):
    """What is wrong with the build context at ``context`` (one line each); ``work`` is a scratch directory."""
    context = Path(context)
    build = context / '_build'
    containerfile = context / 'Containerfile'
    if not containerfile.is_file():
        return ['%s is missing' % containerfile]
    text = containerfile.read_text()
    args = containerfile_args(text)
    problems = []
    if not args.get('EE_BASE_IMAGE'):
        problems.append('the Containerfile names no base image (ARG EE_BASE_IMAGE)')
    if 'FROM $EE_BASE_IMAGE AS base' not in text:
        problems.append('the Containerfile does not build FROM $EE_BASE_IMAGE')
    if '-r requirements.yml' not in text:
        problems.append('the Containerfile installs no collections (no galaxy stage)')
    problems += _install_refs_problems(args)
    problems += _python_problems(build)
    collection_problems, entry = _collection_problems(build)
    problems += collection_problems
    if entry is not None and entry.get('type') == 'file' and not problems:
        problems += _build_steps_problems(build, work)
    return problems
