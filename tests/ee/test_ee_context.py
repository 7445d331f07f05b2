"""execution-environment.yml through `ansible-builder create` (offline: no registry, no image): the context it
writes has a Containerfile on the declared base image, ansible-core in requirements.txt's range and
ansible-runner, the controller requirements (jmespath, netaddr) and the collection tarball `make dist` builds;
the build's own galaxy install and introspection steps, run here from that context, install the collection
and find its requirements. Broken definitions are caught, each with the line that names what is wrong."""

import copy

import pytest
import yaml
from packaging.requirements import Requirement

import ee_context


@pytest.fixture(scope='module')
def tarball(tmp_path_factory):
    return ee_context.build_tarball(tmp_path_factory.mktemp('dist'))


@pytest.fixture(scope='module')
def definition():
    return yaml.safe_load(ee_context.EE_FILE.read_text())


def test_context_of_the_execution_environment(tmp_path, tarball, definition):
    assert definition['version'] == 3
    proc, context = ee_context.create(ee_context.stage(tmp_path / 'src', definition, tarball))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ee_context.context_problems(context, tmp_path) == []

    containerfile = (context / 'Containerfile').read_text()
    args = ee_context.containerfile_args(containerfile)
    assert args['EE_BASE_IMAGE'] == definition['images']['base_image']['name']
    refs = dict((req.name, req) for req in map(Requirement, args['ANSIBLE_INSTALL_REFS'].split()))
    supported = ee_context.controller_requirements()['ansible-core'].specifier
    assert refs['ansible-core'].specifier == supported
    assert refs['ansible-runner'].specifier
    assert 'ansible-galaxy collection install' in containerfile

    python = ee_context.read_requirements(context / '_build' / 'requirements.txt')
    assert {'jmespath', 'netaddr'} <= set(python), sorted(python)
    collections = yaml.safe_load((context / '_build' / 'requirements.yml').read_text())['collections']
    assert collections == [{'name': 'collections/%s' % tarball.name, 'type': 'file'}]
    assert (context / '_build' / 'collections' / tarball.name).read_bytes() == tarball.read_bytes()
    # what the build's galaxy stage installed here, from the context alone
    manifest = tmp_path / 'installed' / 'ansible_collections' / 'gocompat' / 'baseline' / 'MANIFEST.json'
    assert manifest.is_file()
    # the builder stage's pip requirements: the collection declares jmespath and netaddr itself
    introspected = (tmp_path / 'introspected.txt').read_text().splitlines()
    declared = dict((req.name, req.specifier) for req in (Requirement(line.split('#', 1)[0].strip())
                                                          for line in introspected
                                                          if line.endswith('# from collection gocompat.baseline')))
    wanted = ee_context.controller_requirements()
    for name in ('jmespath', 'netaddr'):
        assert declared.get(name) == wanted[name].specifier, introspected


def _without_netaddr(ee):
    ee['dependencies']['python'] = ['jmespath>=1.0,<2']


def _old_core(ee):
    ee['dependencies']['ansible_core']['package_pip'] = 'ansible-core>=2.15,<2.22'


def _galaxy_version_behind(ee):
    ee['dependencies']['galaxy'] = {'collections': [{'name': 'gocompat.baseline', 'version': '0.0.9'}]}
    del ee['additional_build_files']


BROKEN = [
    ('netaddr dropped', _without_netaddr, True, 'netaddr (requirements.txt) is missing from _build/requirements.txt'),
    ('ansible-core below the range', _old_core, True, 'ansible-core: the image installs ansible-core'),
    ('collection from a Galaxy server at an old version', _galaxy_version_behind, True,
     "gocompat.baseline is required at version '0.0.9'"),
    ('make dist not run', lambda ee: None, False, 'is not in the build context: run make dist first'),
]


@pytest.mark.parametrize('change, with_tarball, problem', [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_a_broken_definition_is_caught(tmp_path, tarball, definition, change, with_tarball, problem):
    broken = copy.deepcopy(definition)
    change(broken)
    proc, context = ee_context.create(ee_context.stage(tmp_path / 'src', broken, tarball if with_tarball else None))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    problems = ee_context.context_problems(context, tmp_path)
    assert len(problems) == 1 and problem in problems[0], problems


def test_a_definition_ansible_builder_rejects_fails_create(tmp_path, definition):
    broken = copy.deepcopy(definition)
    broken['dependencies']['python_requirements'] = broken['dependencies'].pop('python')
    proc = ee_context.create(ee_context.stage(tmp_path / 'src', broken))[0]
    assert proc.returncode != 0
    assert 'python_requirements' in proc.stdout + proc.stderr
