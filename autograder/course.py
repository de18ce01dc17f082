"""Where the course's pieces live, and how graded tests are found."""

import ast
import hashlib
import hmac
import importlib.util
import json
import os
import re
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from autograder.sandbox.runtime import wire

ROOT = Path(__file__).resolve().parent.parent
# What a person writes for a lab lives in one folder, COURSE/<lab>/ (see `lab_folder`); `build` writes
# the student versions from it, to LABS and notebooks/.
COURSE = ROOT / "course"
LABS = ROOT / "labs"
NOTEBOOKS = ROOT / "notebooks"  # notebooks/labs (the student's) and notebooks/solutions, by `build`
# References that answer no exercise, so the student bundle computes them itself where it has no
# golden value (a description of the student's own model): functions of this grader module.
PUBLIC_REFERENCES_FILE = ROOT / "autograder" / "keras_models.py"
PUBLIC_REFERENCES = ("model_summary",)
# A lab's module name: "lab", two digits, "_", a topic. The one pattern for its files.
LAB_GLOB = "lab[0-9][0-9]_*"
LAB_FILE = re.compile(r"^lab\d\d_\w+\.(py|ipynb)$")
# Packages a student's lab may import besides the installed ones: labkit, the checks and figure
# saving every lab shares and the base of lab 6's Keras optimizers (shipped with the labs), and
# custom_layers, the finished Keras components, built on labkit (shipped to students only when
# the instructor asks; the lab's classes are generated from them, see build.py).
LABKIT = ROOT / "labkit"
CUSTOM_LAYERS = ROOT / "custom_layers"
PACKAGES = (LABKIT, CUSTOM_LAYERS)
# Everything that decides a grade: the engine and what the course grades by.
GRADING_FILES = (ROOT / "autograder", COURSE, *PACKAGES)
# This installation's own secret, made on first use and never in the repository or a student bundle: it
# keys which digits are held out (`heldout_key`). Graders that must agree (a cluster's workers, the
# Gradescope export) carry the same file.
HELDOUT_SECRET = ROOT / ".heldout-secret"


@dataclass(frozen=True)
class GradedTest:
    """One graded test of one lab, as found in its `graded_file`."""

    lab: str
    number: str  # shown to students: the same in every bundle (hidden tests are numbered apart)
    name: str
    points: float
    hidden: bool
    timeout: float | None
    forbid: dict
    function: object
    withhold: tuple = ()  # packages whose files the test's child cannot read (see `graded.graded`)

    @property
    def id(self):
        """The test's identity: its function's name, stable across bundles and renumbering."""
        return self.function.__name__


def lab_folder(lab, course=COURSE):
    """course/<lab>/: everything of `lab` a person writes (its solution, graded tests, probes, ...)."""
    return Path(course) / lab


def solution_file(lab, course=COURSE):
    """The instructor's solution of `lab`, the source `build` makes its student files from."""
    return lab_folder(lab, course) / "solution.py"


def graded_file(lab, course=COURSE):
    """The graded tests of `lab` (run in the grader, they hold the expected values)."""
    return lab_folder(lab, course) / "graded.py"


def golden_file(lab, course=COURSE):
    """The golden values `release` records for `lab`'s public tests (only in a student bundle)."""
    return lab_folder(lab, course) / "golden.json"


def student_file(lab):
    """labs/<lab>.py, the student version `build` writes from `solution_file(lab)`."""
    return LABS / f"{lab}.py"


def notebook_file(lab, solution=False, folder=NOTEBOOKS):
    """The student notebook of `lab` that `build` writes (or, with `solution`, the executed solution one)."""
    return Path(folder) / ("solutions" if solution else "labs") / f"{lab}.ipynb"


def _if_there(path):
    return path if path.exists() else None


def probes_file(lab):
    """The helpers `lab`'s graded tests run in the student's process, or None when it needs none."""
    return _if_there(lab_folder(lab) / "probes.py")


def references_file(lab):
    """The trusted references of `lab`'s graded tests (run where no student code runs), or None."""
    return _if_there(lab_folder(lab) / "references.py")


def mutants_file(lab):
    """`lab`'s plausible mistakes, each of which must lose points, or None."""
    return _if_there(lab_folder(lab) / "mutants.py")


def grader_files(lab):
    """The files of `lab` a grader reads besides its student version: graded tests, probes, references."""
    return [path for path in (graded_file(lab), probes_file(lab), references_file(lab)) if path is not None]


def course_labs(course=COURSE):
    """The labs that have a folder in `course`, in course order."""
    return [folder.name for folder in sorted(Path(course).glob(LAB_GLOB)) if folder.is_dir()]


def lab_names():
    """The labs that have graded tests, in course order."""
    return [lab for lab in course_labs() if graded_file(lab).exists()]


def solution_files(course=COURSE):
    """lab -> its solution file, for every lab that has one, in course order."""
    return {lab: solution_file(lab, course) for lab in course_labs(course) if solution_file(lab, course).exists()}


def has_solutions(course=COURSE):
    """Whether the course folder holds the instructor's solutions (a student bundle's does not)."""
    return bool(solution_files(course))


def copy_solutions(dest, labs=None):
    """Copy the solutions (of `labs`, default every one) into `dest` as <lab>.py, the flat form a
    submission has; return `dest`."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for lab, path in solution_files().items():
        if labs is None or lab in labs:
            shutil.copyfile(path, dest / f"{lab}.py")
    return dest


def lab_files(folder, suffix=".py"):
    """The lab files directly in `folder`, in course order."""
    return sorted(Path(folder).glob(LAB_GLOB + suffix))


def lab_number(lab):
    """'lab01_gradient_descent' -> 1."""
    return int(lab[3:5])


def load_tests(lab):
    """The graded tests of `lab`, in the order they are written.

    A test's identity is its function name (`GradedTest.id`). Its number is
    "<lab>.<k>" for the k-th visible test and "<lab>.h<k>" for the k-th
    hidden one, so the student bundle, which has no hidden tests, numbers
    every visible test as the full grader does.
    """
    path = graded_file(lab)
    spec = importlib.util.spec_from_file_location(f"graded_{lab}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    found = [value for value in vars(module).values() if callable(value) and hasattr(value, "graded")]
    counts = {False: 0, True: 0}
    tests = []
    for function in found:
        hidden = function.graded["hidden"]
        counts[hidden] += 1
        tests.append(GradedTest(
            lab=lab,
            number=f"{lab_number(lab)}.{'h' if hidden else ''}{counts[hidden]}",
            name=" ".join(function.__doc__.strip().split("\n\n")[0].split()),
            function=function,
            **function.graded,
        ))
    return tests


def number_key(number):
    """A test number's place in number order: "3.2" before "3.10", the visible tests before "3.h1"."""
    lab, _, k = number.partition(".")
    return int(lab), k.startswith("h"), int(k.removeprefix("h"))


KERAS = ("keras", "tensorflow")


def _imports(path, top_only=False):
    """Dotted names of the modules a Python file imports (at module level only, if `top_only`)."""
    return _parsed_imports(str(path), os.stat(path).st_mtime_ns, top_only)


@cache
def _parsed_imports(path, modified, top_only):
    """`_imports`, kept for as long as the file is not changed (a grading asks again for every test)."""
    tree = ast.parse(Path(path).read_text())
    nodes = tree.body if top_only else ast.walk(tree)
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _lab_files(lab):
    """The trusted files that say what a lab imports: its student version, probes and references."""
    return [path for path in (student_file(lab), probes_file(lab), references_file(lab))
            if path is not None and path.exists()]


def uses_keras(lab):
    """Whether grading `lab` needs Keras (its student version, probes or references import it)."""
    return any(name.split(".")[0] in KERAS for path in _lab_files(lab) for name in _imports(path))


def imports_keras_at_top(lab):
    """Whether `lab`'s module cannot even load without Keras."""
    path = student_file(lab)
    return path.exists() and any(name.split(".")[0] in KERAS for name in _imports(path, top_only=True))


def _importable(names):
    """`names` without the course's own packages and what is not installed, sorted."""
    own = {package.name for package in PACKAGES} | {"autograder", "__future__"}
    return tuple(sorted(name for name in names if name.split(".")[0] not in own
                        and importlib.util.find_spec(name.split(".")[0]) is not None))


def preload(labs):
    """The modules a warm Keras worker imports for grading `labs` (none when no lab needs Keras)."""
    if not any(uses_keras(lab) for lab in labs):
        return ()
    return tuple(sorted({name for lab in labs for name in libraries(lab)}))


def libraries(lab):
    """The installed modules `lab`'s trusted files import: what its children must be able to read."""
    return _importable({name for path in _lab_files(lab) for name in _imports(path)})


def plain_preload(labs):
    """The modules the plain worker imports for grading `labs`: what their student versions import
    at the top, Keras and TensorFlow left out (the plain worker serves the tests that forbid them)."""
    names = {name for lab in labs if student_file(lab).exists()
             for name in _imports(student_file(lab), top_only=True)}
    return _importable(name for name in names if name.split(".")[0] not in KERAS)


def reference_key(name, args, kwargs):
    """The key under which a reference call's value is recorded: its name and plain-data arguments."""
    return json.dumps(wire.to_plain({"name": name, "args": list(args), "kwargs": dict(kwargs)}), sort_keys=True)


@cache
def golden_values(lab):
    """reference_key -> value, recorded by `release` for the student bundle (empty where none)."""
    path = golden_file(lab)
    if not path.exists():
        return {}
    return {key: wire.from_plain(value) for key, value in json.loads(path.read_text()).items()}


def heldout_secret():
    """This installation's secret bytes (`HELDOUT_SECRET`), made on first use."""
    try:
        return HELDOUT_SECRET.read_bytes()
    except FileNotFoundError:
        pass
    with tempfile.NamedTemporaryFile(dir=ROOT, prefix=".heldout-", delete=False) as made:
        made.write(secrets.token_bytes(32))
    try:
        os.link(made.name, HELDOUT_SECRET)  # atomic: of two graders starting at once, one file wins
    except FileExistsError:
        pass
    finally:
        os.unlink(made.name)
    return HELDOUT_SECRET.read_bytes()


def heldout_key(name):
    """The 64-bit key of the held-out data of the test `name`: the same on every run of this installation
    (the same submission, the same grade), and unknown to anyone without its secret."""
    digest = hmac.new(heldout_secret(), name.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big")


def fingerprint():
    """A digest of `GRADING_FILES` and the held-out secret as they are here: two machines grade alike when
    theirs agree."""
    digest = hashlib.sha256()
    digest.update(heldout_secret())
    for folder in GRADING_FILES:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(f"{path.relative_to(ROOT)}\0{path.stat().st_size}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()
