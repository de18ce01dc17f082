"""The student bundle holds what a student needs and nothing of the solutions."""

import re
import subprocess
import sys

import pytest
from helpers import solution_text

from autograder import cli, course, errors
from autograder.authoring import build
from autograder.operations import release


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    return release.release(tmp_path_factory.mktemp("bundle") / "release")


def in_bundle(bundle, path):
    """Where the course's `path` would be in `bundle` (the bundle keeps the course's layout)."""
    return bundle / path.relative_to(course.ROOT)


def shipped(bundle, files):
    """The paths among `files` (the course's, None for none) that the bundle holds."""
    return [path for path in files if path is not None and in_bundle(bundle, path).exists()]


def stripped_pairs(text):
    """Consecutive pairs of a text's non-blank lines, stripped."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return set(zip(lines, lines[1:]))


def solution_pairs():
    """Pairs of consecutive solution lines that no student version contains.

    Two lines in a row, not one: a single line (a formula in a hint, a
    `keras.Sequential([`) can stand anywhere for good reasons.
    """
    solutions = [path.read_text() for path in course.solution_files().values()]
    students = set().union(*(stripped_pairs(build.student_version(text)) for text in solutions))
    pairs = set()
    for text in solutions:
        for region in re.findall(r"# BEGIN SOLUTION.*?\n(.*?)# END SOLUTION", text, re.DOTALL):
            pairs |= {pair for pair in stripped_pairs(region) if min(map(len, pair)) >= 20} - students
    return pairs


def bundle_texts(bundle):
    return {path: path.read_text(errors="replace") for path in bundle.rglob("*") if path.is_file()}


def test_no_solution_code_leaks(bundle):
    pairs = solution_pairs()
    assert pairs, "the solutions have solution regions to look for"
    for path, text in bundle_texts(bundle).items():
        # The grader's own source names the markers; nothing else may hold one.
        assert "BEGIN SOLUTION" not in text or "autograder" in path.relative_to(bundle).parts, (
            f"{path} holds a solution marker")
        leaked = pairs & stripped_pairs(text)
        assert not leaked, f"{path} holds solution code: {sorted(leaked)[:2]}"


def test_no_solutions_module_or_notebook(bundle):
    labs = course.lab_names()
    solutions = shipped(bundle, [course.solution_file(lab) for lab in labs]
                        + [course.notebook_file(lab, solution=True) for lab in labs])
    assert not solutions, f"the bundle holds solutions: {solutions}"
    assert not shipped(bundle, map(course.mutants_file, labs)), "mutants are copies of solution code"


def test_no_reference_implementation_and_no_finished_keras_class(bundle):
    assert not shipped(bundle, map(course.references_file, course.lab_names())), "references would answer exercises"
    assert not (bundle / "custom_layers").exists(), "custom_layers holds finished versions of labs 6-7's classes"


def test_the_finished_components_ship_only_when_asked(tmp_path):
    out = release.release(tmp_path / "after-deadline", labs=["lab01_gradient_descent"], with_reference=True)
    assert (out / "custom_layers" / "__init__.py").exists()


def test_release_and_full_grading_name_every_visible_test_alike(bundle):
    listing = ("from autograder import course\n"
               "for lab in course.lab_names():\n"
               "    for test in course.load_tests(lab):\n"
               "        print(lab, test.id, test.number)\n")
    done = subprocess.run([sys.executable, "-c", listing], cwd=bundle, capture_output=True, text=True, check=True)
    released = {tuple(line.split()) for line in done.stdout.splitlines()}
    full = {(lab, test.id, test.number) for lab in course.lab_names() for test in course.load_tests(lab)
            if not test.hidden}
    assert released == full, f"named differently: {sorted(released ^ full)[:4]}"


def test_no_hidden_test(bundle):
    hidden = [test for lab in course.lab_names() for test in course.load_tests(lab) if test.hidden]
    assert hidden, "the course has hidden tests"
    graded = "".join(in_bundle(bundle, course.graded_file(lab)).read_text() for lab in course.lab_names())
    for test in hidden:
        assert test.function.__name__ not in graded, f"hidden test {test.number} ({test.name}) is in the bundle"


def test_public_tests_stay(bundle):
    graded = "".join(in_bundle(bundle, course.graded_file(lab)).read_text() for lab in course.lab_names())
    public = [test for lab in course.lab_names() for test in course.load_tests(lab) if not test.hidden]
    assert all(f"def {test.function.__name__}(" in graded for test in public)


def test_the_bundle_grades_the_student_labs(bundle):
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", "labs/lab01_gradient_descent.py"], cwd=bundle,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^Total: 0 / \d+", done.stdout, re.MULTILINE), done.stdout[-300:]


def test_the_bundle_describes_a_students_own_model(bundle, tmp_path):
    # No golden value can be recorded for a model that differs from the solution's: the bundle
    # describes it itself, with the grader's public keras_models, rather than failing the test.
    lab = "lab08_convolution"
    student = tmp_path / f"{lab}.py"
    student.write_text(solution_text(lab).replace("keras.layers.Conv2D(16, 3,", "keras.layers.Conv2D(8, 3,", 1))
    done = subprocess.run([sys.executable, "-m", "autograder", "grade", str(student), "--test", "cnn_layers"],
                          cwd=bundle, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert re.search(r"^Total: 2 / 2", done.stdout, re.MULTILINE), done.stdout[-1500:]


@pytest.fixture
def two_labs():
    """Two labs, named out of course order."""
    return ["lab03_activations", "lab01_gradient_descent"]


def test_release_prints_a_line_per_lab_as_it_goes(two_labs, tmp_path, capsys):
    assert cli.main(["release", str(tmp_path / "bundle"), "--labs", ",".join(two_labs)]) == errors.OK
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["lab01_gradient_descent: public tests written, golden values recorded (1/2)",
                     "lab03_activations: public tests written, golden values recorded (2/2)",
                     f"wrote the student bundle to {tmp_path / 'bundle'}"], (
        f"release should say what it did for each lab, in course order, then where the bundle is: {lines}")


def test_release_quiet_prints_only_where_the_bundle_is(two_labs, tmp_path, capsys):
    assert cli.main(["release", str(tmp_path / "bundle"), "--labs", ",".join(two_labs), "--quiet"]) == errors.OK
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"wrote the student bundle to {tmp_path / 'bundle'}"], (
        f"--quiet should print only where the bundle was written, as grade --quiet prints only the scores: {lines}")


def test_the_readme_says_what_requirements_jupyter_is_for_and_how_to_install_it(bundle):
    readme = (bundle / "README.md").read_text()
    assert (bundle / "requirements-jupyter.txt").exists(), "the bundle ships requirements-jupyter.txt"
    assert "pip install -r requirements-jupyter.txt" in readme and "notebooks" in readme, (
        f"the bundle's README should say that requirements-jupyter.txt is for the notebooks, with its pip command:\n"
        f"{readme}")


def test_a_non_empty_folder_is_refused(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(release.ReleaseError, match="new or empty"):
        release.release(tmp_path)


def test_hidden_tests_are_cut_cleanly():
    source = '''from autograder.graded import graded


@graded(points=1)
def shown(lab):
    "shown"


@graded(points=2, hidden=True)
def secret(lab):
    "secret"
    x = 1


@graded(points=1, hidden=False)
def also_shown(lab):
    "also shown"
'''
    public = release.public_tests(source)
    assert "secret" not in public and "def shown(" in public and "def also_shown(" in public, public
    compile(public, "public", "exec")
