"""requirements-lock.txt pins requirements.txt exactly for the Gradescope image, which installs it.

The lock is made by tools/lock_requirements.py for CPython 3.12 on x86_64
Linux (Gradescope's Ubuntu 24.04 base image); these checks read the files
only, without the network.
"""

import zipfile

import pytest
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from autograder import course
from autograder.operations import gradescope

TARGET_PYTHON = (3, 12)  # the Python of Gradescope's Ubuntu 24.04 base image (README)
# Environment markers as they evaluate on that image (python3 there is 3.12.3).
TARGET = {
    "python_version": "3.12",
    "python_full_version": "3.12.3",
    "implementation_name": "cpython",
    "implementation_version": "3.12.3",
    "platform_python_implementation": "CPython",
    "platform_machine": "x86_64",
    "platform_system": "Linux",
    "sys_platform": "linux",
    "os_name": "posix",
}
LOCK = course.ROOT / "requirements-lock.txt"
RERUN = "rerun tools/lock_requirements.py"
GPU_BUILDS = {"tensorflow", "tensorflow-gpu"}  # on x86_64, requirements.txt asks for tensorflow-cpu


def _lines(path):
    """The requirement lines of a requirements file: no blanks, comments or pip options."""
    for line in path.read_text().splitlines():
        line = line.split(" #")[0].strip()
        if line and not line.startswith(("#", "-")):
            yield line


def _applies(requirement):
    return requirement.marker is None or requirement.marker.evaluate(TARGET)


REQUIREMENTS = [req for req in map(Requirement, _lines(course.ROOT / "requirements.txt")) if _applies(req)]


@pytest.fixture(scope="module")
def pins():
    """{canonical name: Version} of the lock; the lines are checked by the first test."""
    pinned = {}
    for line in _lines(LOCK):
        requirement = Requirement(line)
        (spec,) = requirement.specifier
        pinned[canonicalize_name(requirement.name)] = Version(spec.version)
    return pinned


def test_every_line_of_the_lock_is_an_exact_pin():
    bad, seen = [], set()
    for line in _lines(LOCK):
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            bad.append(f"{line!r} is not a requirement")
            continue
        specs = list(requirement.specifier)
        if len(specs) != 1 or specs[0].operator != "==" or "*" in specs[0].version:
            bad.append(f"{line!r} is not name==version")
        elif requirement.marker or requirement.extras or requirement.url:
            bad.append(f"{line!r} carries markers, extras or a URL: the lock is for one platform")
        elif canonicalize_name(requirement.name) in seen:
            bad.append(f"{requirement.name} is pinned twice")
        seen.add(canonicalize_name(requirement.name))
    assert not bad, "requirements-lock.txt must hold only exact pins:\n" + "\n".join(bad)
    assert len(seen) > len(REQUIREMENTS), "the lock must pin the transitive dependencies too"


@pytest.mark.parametrize("requirement", REQUIREMENTS, ids=lambda req: req.name)
def test_the_lock_satisfies_each_requirement_on_the_target(pins, requirement):
    name = canonicalize_name(requirement.name)
    assert name in pins, f"requirements.txt asks for {requirement} but the lock does not pin {name}: {RERUN}"
    assert requirement.specifier.contains(pins[name], prereleases=True), (
        f"the lock pins {name}=={pins[name]}, outside requirements.txt's {requirement}: {RERUN}"
    )


def test_the_lock_holds_cpu_builds_only(pins):
    gpu = sorted(
        name for name in pins
        if name.startswith("nvidia-") or "cuda" in name or "tensorrt" in name or name in GPU_BUILDS
    )
    assert not gpu, f"the Gradescope image runs on the CPU, but the lock pins GPU builds: {gpu}"
    assert "tensorflow-cpu" in pins, "the lock must pin TensorFlow's CPU build, tensorflow-cpu"


def test_the_lock_header_names_the_target_python_and_platform():
    header = " ".join(line for line in LOCK.read_text().splitlines() if line.startswith("#"))
    python = "CPython {}.{}".format(*TARGET_PYTHON)
    assert python in header and "x86_64" in header, f"the lock's header must say it is for {python} on x86_64: {header}"
    assert "tools/lock_requirements.py" in header, "the lock's header must name the script that makes it"


def test_the_archive_ships_the_lock_and_setup_installs_exactly_it(tmp_path):
    archive = gradescope.export(tmp_path / "autograder.zip")
    with zipfile.ZipFile(archive) as zipped:
        shipped = zipped.read("requirements-lock.txt")
        setup = zipped.read("setup.sh").decode()
    assert shipped == LOCK.read_bytes(), "the archive must carry the repository's lock"
    installs = [line for line in setup.splitlines() if "pip install" in line]
    assert len(installs) == 1, f"setup.sh must install once, from the lock; it has: {installs}"
    assert "--no-deps" in installs[0] and "-r /autograder/source/requirements-lock.txt" in installs[0], (
        f"setup.sh must install the lock without resolving anything anew, got: {installs[0]}"
    )
    assert "pip check" in setup, "setup.sh must check that the installed pins are consistent"
    assert "sys.version_info[:2] != {}".format(TARGET_PYTHON) in setup, (
        "setup.sh must stop when the image's Python is not the lock's"
    )
