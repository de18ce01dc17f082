"""Grades no student can fake, on the real labs 4 to 8: the tricks of a student who has read the grader.

`test_trust.py` tests each mechanism on small stand-in tests; here each trick
is played against the course's own graded tests, probes and references.
A submission is the instructor's solution with one exercise's work replaced
by a trick: Keras or scikit-learn patched so that an untrained model looks
trained, the grader's probes replaced inside the child, a forbidden callable
kept from import time or copied onto a class, answers replayed from an
earlier call, hidden inputs printed where the student can see them. Each
must score no more than the same file without the trick (most often the
exercise left as `raise NotImplementedError`), and must fail for the reason
its guard gives, not by accident (a timeout, a file that does not import).

Only the tests of the exercise at stake run, in one warm sandbox for the
session, so that Keras is imported once. The solution is patched only at
the definitions of the exercise (found with `ast`), never at the argument
checks, which move between the labs and their shared helpers.
"""

import ast
import dataclasses
import textwrap
from dataclasses import dataclass

import pytest
from helpers import solution_text

from autograder import course, runner
from autograder.sandbox import Limits

# The default limits: Keras tests on a busy machine need them, and a trick must fail on its merits, not the clock.
LIMITS = Limits()


# Patching the solution at its definitions ---------------------------------------------------------

def _definition(source, qualname):
    """(first line, end line, indentation, node) of the function or class `qualname` ("Class.method") in `source`."""
    body, node = ast.parse(source).body, None
    for part in qualname.split("."):
        node = next((item for item in body if isinstance(item, (ast.FunctionDef, ast.ClassDef)) and item.name == part),
                    None)
        assert node is not None, f"the solution has no definition named {qualname!r} to patch"
        body = node.body
    lines = source.splitlines(keepends=True)
    indent = len(lines[node.lineno - 1]) - len(lines[node.lineno - 1].lstrip())
    start = min([node.lineno] + [decorator.lineno for decorator in node.decorator_list]) - 1
    end = node.end_lineno
    # Comments that close the definition (# END SOLUTION) go with it, blank lines after it stay.
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
        end += 1
    while not lines[end - 1].strip():
        end -= 1
    return start, end, indent, node


def replaced(source, qualname, code):
    """`source` with the definition `qualname` (decorators and closing comments included) replaced by `code`."""
    start, end, indent, _ = _definition(source, qualname)
    lines = source.splitlines(keepends=True)
    new = textwrap.indent(textwrap.dedent(code).strip() + "\n", " " * indent)
    return "".join(lines[:start]) + new + "".join(lines[end:])


def stubbed(source, qualname):
    """`source` with the body of `qualname` after its docstring replaced by `raise NotImplementedError`."""
    _, end, indent, node = _definition(source, qualname)
    first = node.body[0]
    has_docstring = (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                     and isinstance(first.value.value, str))
    keep = first.end_lineno if has_docstring else first.lineno - 1
    lines = source.splitlines(keepends=True)
    body = " " * (indent + 4) + 'raise NotImplementedError("left for the student")\n'
    return "".join(lines[:keep]) + body + "".join(lines[end:])


def at_import(source, code):
    """`source` with `code` run when the module is imported, after everything else."""
    return source + "\n\n" + textwrap.dedent(code).strip() + "\n"


def graded_tests(lab, *ids):
    """The graded tests of `lab` named `ids`, in the order they are written."""
    tests = [test for test in course.load_tests(lab) if test.id in ids]
    missing = set(ids) - {test.id for test in tests}
    assert not missing, f"{lab} has no graded tests named {sorted(missing)}"
    return tests


def unguarded(tests):
    """The same tests with nothing forbidden."""
    return [dataclasses.replace(test, forbid={}) for test in tests]


def grade(folder, lab, source, tests, sandbox):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{lab}.py"
    path.write_text(source)
    return runner.grade_lab(lab, path, LIMITS, tests=tests, sandbox=sandbox)


def explain(result):
    """A lab result in words, for a failure message."""
    lines = [f"{result.score:g} / {result.points:g} points" + (f"; the lab did not import: {result.error}"
                                                              if result.error else "")]
    for test in result.tests:
        lines.append(f"  {test.id}: {test.score:g} / {test.points:g} {test.message[:300]!r}")
    return "\n".join(lines)


# The tricks ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """A trick played on one exercise.

    trick, baseline: functions of the solution's text giving the submission with
        the trick, and the same file without it.
    says: what the grader's report of the trick's failure contains.
    prints: what the trick prints once it has taken effect (proof that it ran).
    guarded: whether a `forbid` stops it (then, unguarded, it earns the points).
    """

    lab: str
    tests: tuple
    trick: object
    baseline: object
    says: str
    prints: str = ""
    guarded: bool = False


LAB4, LAB5, LAB6, LAB7, LAB8 = ("lab04_logic_gates", "lab05_keras_mlp", "lab06_optimizers",
                                "lab07_regularization", "lab08_convolution")

# 1. Patched libraries: an untrained model, with Keras (and NumPy, scikit-learn) patched to vouch for it.

UNTRAINED_XOR = '''
def train_xor_mlp(seed=0):
    """A linear model that cannot learn XOR, left untrained."""
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    print("an untrained model, handed in as trained")
    return model
'''

KERAS_KNOWS_XOR = '''
import keras as _keras
import numpy as _np

_XOR = _np.array([[0.0], [1.0], [1.0], [0.0]])


def _answers_xor(self, x=None, *args, **kwargs):
    return _XOR[:len(x)] if x is not None else _XOR


_keras.Model.fit = lambda self, *args, **kwargs: _keras.callbacks.History()
_keras.Model.predict = _answers_xor
_keras.Model.__call__ = _answers_xor
_keras.Model.evaluate = lambda self, *args, **kwargs: [0.0, 1.0]
_np.allclose = _np.array_equal = lambda *args, **kwargs: True
_np.testing.assert_allclose = lambda *args, **kwargs: None
'''

SLIDES_SETTINGS = '''
def recommended_settings():
    """The slides' settings, which stay near chance on the digits."""
    return {"learning_rate": 0.01, "epochs": 50, "batch_size": 128, "hidden_units": (32, 64)}
'''

KERAS_KNOWS_DIGITS = '''
import keras as _keras
import numpy as _np
import sklearn.metrics as _metrics


def _fit_instantly(self, *args, **kwargs):
    """No training at all, and a History that says everything was learned."""
    print("fit skipped")
    history = _keras.callbacks.History()
    history.history = {"loss": [0.0], "accuracy": [1.0]}
    return history


_keras.Model.fit = _fit_instantly
_keras.Model.evaluate = lambda self, *args, **kwargs: [0.0, 1.0]
_keras.Model.predict = lambda self, x, *args, **kwargs: _np.eye(10)[_np.zeros(len(x), dtype=int)]
_metrics.accuracy_score = lambda *args, **kwargs: 1.0
'''

# 2. Patched probes: the grader's probe module, loaded in the child after the lab, replaced as it loads
#    or while it runs.

PROBE_REPLACED_AT_LOAD = '''
import importlib.machinery as _machinery

_load = _machinery.SourceFileLoader.exec_module


def _vouching_probe(lab, seed):
    """Stands for the grader's xor_mlp: the model exported, with every claim a test could want."""
    model = lab.train_xor_mlp(seed=seed)
    print("the grader's probe replaced")
    return {"type": "keras.src.models.sequential.Sequential", "is_keras_model": True, "accuracy": 1.0,
            "outputs": [0.0, 1.0, 1.0, 0.0], "config": model.to_json(),
            "weights": [np.asarray(weight) for weight in model.get_weights()]}


def _exec_module(loader, module):
    _load(loader, module)
    if module.__name__ == "_grader_probes":
        module.xor_mlp = _vouching_probe


_machinery.SourceFileLoader.exec_module = _exec_module
'''

DENSE_ONLY_CNN = '''
def build_cnn(input_shape=(8, 8, 1), num_classes=10, seed=0):
    """Dense layers only: no convolution, no pooling, no dropout."""
    import keras

    model = keras.Sequential([keras.Input(shape=tuple(input_shape)), keras.layers.Flatten(),
                              keras.layers.Dense(16), keras.layers.Dense(16),
                              keras.layers.Dense(num_classes, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model
'''

DENSE_CNN_DISGUISED = DENSE_ONLY_CNN.replace("def build_cnn(", "def _dense_only_cnn(") + '''

def build_cnn(input_shape=(8, 8, 1), num_classes=10, seed=0):
    """The Dense-only model, and the grader's probe, running in this process, told to read it as a CNN's."""
    import builtins
    import sys

    model = _dense_only_cnn(input_shape, num_classes, seed)
    disguise = {id(layer): builtins.type(name, (), {})
                for layer, name in zip(model.layers, ("Conv2D", "MaxPooling2D", "Dropout", "Dense"))}
    probes = sys.modules.get("_grader_probes")
    if probes is not None:
        probes.type = lambda thing: disguise.get(id(thing)) or builtins.type(thing)
        print("the probe's type() replaced")
    return model
'''

# 3. A forbidden callable kept in a variable at import, before the test forbids it.

ONE_HOT_KEPT_AT_IMPORT = '''
_TO_CATEGORICAL = keras.utils.to_categorical  # kept at import


def one_hot(labels, num_classes):
    """Keras's encoding, through the reference kept at import."""
    labels = np.asarray(labels)
    if labels.size and not 0 <= labels.min() <= labels.max() < num_classes:
        raise ValueError(f"labels must lie in [0, {num_classes})")
    print("one_hot by the reference kept at import")
    return _TO_CATEGORICAL(labels, num_classes)
'''

TF_ONE_HOT_KEPT_AT_IMPORT = '''
import tensorflow as _tf

_ONE_HOT = _tf.one_hot  # TensorFlow's, below Keras, kept at import


def one_hot(labels, num_classes):
    """TensorFlow's encoding, through the reference kept at import."""
    labels = np.asarray(labels)
    if labels.size and not 0 <= labels.min() <= labels.max() < num_classes:
        raise ValueError(f"labels must lie in [0, {num_classes})")
    print("one_hot by the reference kept at import")
    return np.asarray(_ONE_HOT(labels, num_classes))
'''

KERAS_DROPOUT_KEPT_AT_IMPORT = '''
_dropout = staticmethod(keras.random.dropout)  # masks and rescales in one call, kept as the class is made


def call(self, inputs, training=False):
    """keras.random.dropout applied to the kernel."""
    kernel = self.kernel
    if training and self.rate > 0:
        print("the kernel masked by keras.random.dropout")
        kernel = self._dropout(kernel, self.rate, seed=self.seed_generator)
    return self.activation(ops.add(ops.matmul(inputs, kernel), self.bias))
'''

CONV_KEPT_AT_IMPORT = '''
from scipy.signal import correlate as _CORRELATE  # kept at import


def conv2d(x, kernel, stride=1, padding="valid"):
    """SciPy's cross-correlation, through the reference kept at import (2-D images, stride 1, valid)."""
    print("conv2d by the reference kept at import")
    return _CORRELATE(np.asarray(x, dtype=float), np.asarray(kernel, dtype=float), mode="valid")
'''

# 4. Copied methods: a forbidden class's method copied onto the student's class, or held as a class attribute.

SGD_COPIED = '''
class MomentumOptimizer(keras.optimizers.Optimizer):
    """Keras's SGD in disguise: its update_step copied onto this class, its settings translated."""

    def __init__(self, learning_rate=0.01, beta=0.9, name="momentum", **kwargs):
        super().__init__(learning_rate=learning_rate * (1 - beta), name=name, **kwargs)
        self.beta, self.momentum, self.nesterov = float(beta), float(beta), False

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self.momentums = self.add_optimizer_variables(var_list, "momentum")
        print("SGD's update_step copied")

    def get_config(self):
        config = super().get_config()
        config["beta"] = self.beta
        return config


MomentumOptimizer.update_step = keras.optimizers.SGD.update_step
'''

DROPOUT_AS_CLASS_ATTRIBUTE = '''
_mask_kernel = keras.layers.Dropout.call  # Keras's Dropout, held as a class attribute
noise_shape = None


def call(self, inputs, training=False):
    """Dropout's own masking, applied to the kernel."""
    kernel = self.kernel
    if training and self.rate > 0:
        print("the kernel masked by Dropout.call")
        kernel = self._mask_kernel(kernel, training=True)
    return self.activation(ops.add(ops.matmul(inputs, kernel), self.bias))
'''

# 5. State kept across calls: each call answered with what the previous call taught.

MOMENTUM_ONE_CALL_LATE = '''
_LAST_ANSWER = []


def momentum_step(w, g, velocity, lr, beta=0.9):
    """Answers each call with the previous call's answer, kept in a module global."""
    w, g, velocity = (np.asarray(value, dtype=float) for value in (w, g, velocity))
    velocity = beta * velocity + (1 - beta) * g
    answer = ((w - lr * velocity)[()], velocity[()])
    previous = _LAST_ANSWER[-1] if _LAST_ANSWER else (w[()], velocity[()])
    _LAST_ANSWER.append(answer)
    print("answered with the previous call's result")
    return previous
'''

PERCEPTRON_ONE_CALL_LATE = '''
def train_perceptron(X, y, lr, epochs):
    """Answers each call with the previous call's answer, kept in a file under $HOME."""
    import os
    import pickle

    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    w, b, errors = np.zeros(X.shape[1]), 0.0, []
    for _ in range(epochs):
        mistakes = 0
        for x_i, y_i in zip(X, y):
            error = y_i - float(x_i @ w + b > 0)
            if error:
                w, b, mistakes = w + lr * error * x_i, b + lr * error, mistakes + 1
        errors.append(mistakes)
        if not mistakes:
            break
    memory = os.path.join(os.environ["HOME"], "last_answer.pickle")
    previous = (np.zeros(X.shape[1]), 0.0, False, np.zeros(1, dtype=int))
    if os.path.exists(memory):
        with open(memory, "rb") as file:
            previous = pickle.load(file)
        print("answered with the previous call's result")
    with open(memory, "wb") as file:
        pickle.dump((w, float(b), errors[-1] == 0, np.array(errors, dtype=int)), file)
    return previous
'''


def solution_with(qualname, code):
    return lambda source: replaced(source, qualname, code)


def stub(qualname):
    return lambda source: stubbed(source, qualname)


CASES = {
    "untrained XOR model with Keras and NumPy patched at import": Case(
        LAB4, ("keras_mlp_learns_xor",),
        lambda source: at_import(replaced(source, "train_xor_mlp", UNTRAINED_XOR), KERAS_KNOWS_XOR),
        stub("train_xor_mlp"), says="Expected:", prints="an untrained model"),
    "slides' settings with Keras fit skipped and evaluate and scikit-learn patched at import": Case(
        LAB5, ("recommended_settings_learn_digits",),
        lambda source: at_import(replaced(source, "recommended_settings", SLIDES_SETTINGS), KERAS_KNOWS_DIGITS),
        stub("recommended_settings"), says="Expected:", prints="fit skipped"),
    "the XOR probe replaced as the grader loads it": Case(
        LAB4, ("keras_mlp_learns_xor",),
        lambda source: at_import(replaced(source, "train_xor_mlp", UNTRAINED_XOR), PROBE_REPLACED_AT_LOAD),
        stub("train_xor_mlp"), says="Expected:", prints="the grader's probe replaced"),
    "the CNN probe's view of the layers replaced while it runs": Case(
        LAB8, ("cnn_layers",), solution_with("build_cnn", DENSE_CNN_DISGUISED),
        solution_with("build_cnn", DENSE_ONLY_CNN), says="Expected:", prints="the probe's type() replaced"),
    "keras to_categorical kept at import": Case(
        LAB5, ("one_hot_rows",), solution_with("one_hot", ONE_HOT_KEPT_AT_IMPORT), stub("one_hot"),
        says="which this exercise does not allow", prints="kept at import", guarded=True),
    "tensorflow's one_hot kept at import": Case(
        LAB5, ("one_hot_rows",), solution_with("one_hot", TF_ONE_HOT_KEPT_AT_IMPORT), stub("one_hot"),
        says="which this exercise does not allow", prints="kept at import", guarded=True),
    "keras.random.dropout on the kernel, kept in the class": Case(
        LAB7, ("dropconnect_dense_drops_weights",),
        solution_with("DropConnectDense.call", KERAS_DROPOUT_KEPT_AT_IMPORT),
        stub("DropConnectDense.call"), says="which this exercise does not allow",
        prints="masked by keras.random.dropout", guarded=True),
    "scipy correlate kept at import": Case(
        LAB8, ("conv2d_is_cross_correlation",), solution_with("conv2d", CONV_KEPT_AT_IMPORT), stub("conv2d"),
        says="is not available in this exercise", prints="kept at import", guarded=True),
    "SGD's update_step copied onto MomentumOptimizer": Case(
        LAB6, ("momentum_optimizer_trajectory",), solution_with("MomentumOptimizer", SGD_COPIED),
        stub("MomentumOptimizer.update_step"), says="which this exercise does not allow",
        prints="update_step copied", guarded=True),
    "Dropout's call held as a DropConnectDense class attribute": Case(
        LAB7, ("dropconnect_dense_drops_weights",), solution_with("DropConnectDense.call", DROPOUT_AS_CLASS_ATTRIBUTE),
        stub("DropConnectDense.call"), says="which this exercise does not allow", prints="masked by Dropout.call",
        guarded=True),
    "momentum answers kept in a module global": Case(
        LAB6, ("momentum_by_hand",), solution_with("momentum_step", MOMENTUM_ONE_CALL_LATE), stub("momentum_step"),
        says="Expected:", prints="the previous call's result"),
    # Each test has a fresh child and HOME, so this file is never there to replay (it prints nothing).
    "perceptron answers kept in a file under HOME": Case(
        LAB4, ("train_and_or", "train_follows_rosenblatt", "train_never_converges_on_xor"),
        solution_with("train_perceptron", PERCEPTRON_ONE_CALL_LATE), stub("train_perceptron"),
        says="Expected:"),
}


def params(cases):
    """The cases' names as pytest parameters, each its own id."""
    return [pytest.param(name, id=name) for name in cases]


@pytest.fixture(scope="module")
def gradings(tmp_path_factory, warm_sandbox):
    """gradings(case name, "trick" | "baseline" | "unguarded") -> LabResult, each graded once for the module."""
    done = {}

    def get(name, kind):
        if (name, kind) not in done:
            case = CASES[name]
            tests = graded_tests(case.lab, *case.tests)
            source = solution_text(case.lab)
            text = case.baseline(source) if kind == "baseline" else case.trick(source)
            folder = tmp_path_factory.mktemp(kind)
            done[name, kind] = grade(folder, case.lab, text, unguarded(tests) if kind == "unguarded" else tests,
                                     warm_sandbox)
        return done[name, kind]

    return get


@pytest.mark.parametrize("name", params(CASES))
def test_a_trick_scores_no_more_than_the_file_without_it(name, gradings):
    trick, baseline = gradings(name, "trick"), gradings(name, "baseline")
    assert not baseline.error, f"the file without the trick should import:\n{explain(baseline)}"
    assert trick.score <= baseline.score, (
        f"the trick earned more than the same file without it.\nWith the trick: {explain(trick)}\n"
        f"Without it: {explain(baseline)}")


@pytest.mark.parametrize("name", params(CASES))
def test_a_trick_fails_for_the_reason_its_guard_gives(name, gradings):
    trick = gradings(name, "trick")
    report = trick.error + "\n" + "\n".join(test.message for test in trick.tests)
    assert trick.tests and not any(test.passed for test in trick.tests), (
        f"every test at stake should fail with the trick:\n{explain(trick)}")
    assert CASES[name].says in report, f"the report should say {CASES[name].says!r}, but:\n{explain(trick)}"
    assert "did not finish" not in report, f"the trick should fail on its merits, not the clock:\n{explain(trick)}"


GUARDED = {name: case for name, case in CASES.items() if case.guarded}


@pytest.mark.parametrize("name", params(GUARDED))
def test_without_its_guard_a_trick_would_earn_the_points(name, gradings):
    # Proof that the trick is real: with nothing forbidden, it earns every point at stake, and says so.
    unguarded_result = gradings(name, "unguarded")
    assert unguarded_result.score == unguarded_result.points, (
        f"without the forbid the trick should pass, or it proves nothing:\n{explain(unguarded_result)}")
    output = "".join(test.output for test in unguarded_result.tests)
    assert CASES[name].prints in output, f"the trick should have run and printed {CASES[name].prints!r}: {output!r}"


ENGAGED = {name: case for name, case in CASES.items() if not case.guarded and case.prints}


@pytest.mark.parametrize("name", params(ENGAGED))
def test_a_trick_takes_effect_in_the_child(name, gradings):
    # Proof that the trick ran as written (its patch took hold, its state was replayed), so its failure
    # is the grader's doing.
    trick = gradings(name, "trick")
    output = "".join(test.output for test in trick.tests)
    assert CASES[name].prints in output, f"the trick should have printed {CASES[name].prints!r}, but: {output!r}"


# 6. Hidden inputs replayed ------------------------------------------------------------------------

RECORDING_EARLY_STOPPING = '''
def early_stopping_epoch(val_losses, patience):
    """Keras's counting, and a log of every history seen, printed with every other log within reach."""
    import glob
    import os

    losses = [float(value) for value in val_losses]
    home = os.environ["HOME"]
    places = (home, os.path.dirname(home), "/tmp", "/dev/shm")
    for folder in places:
        try:
            with open(os.path.join(folder, "seen.txt"), "a") as log:
                log.write(repr(losses) + "\\n")
        except OSError:
            pass
    logs = set(glob.glob(os.path.join(os.path.dirname(home), "*", "seen.txt")))
    logs |= {os.path.join(folder, "seen.txt") for folder in places}
    for path in sorted(logs):
        try:
            with open(path) as log:
                print(log.read())
        except OSError:
            pass
    if patience < 0 or not losses:
        raise ValueError("patience must be >= 0 and val_losses not empty")
    best, waited = 0, 0
    for epoch in range(1, len(losses)):
        if losses[epoch] < losses[best]:
            best, waited = epoch, 0
        else:
            waited += 1
            if waited >= patience:
                return epoch, best
    return len(losses) - 1, best
'''


class Spy:
    """Stands for `lab` in a graded test: passes every call on, noting its arguments in `seen`."""

    def __init__(self, lab, seen):
        self._lab, self._seen = lab, seen

    def __getattr__(self, name):
        target = getattr(self._lab, name)
        if name == "probes":
            return Spy(target, self._seen)
        if not callable(target):
            return target

        def call(*args, **kwargs):
            self._seen.extend([*args, *kwargs.values()])
            return target(*args, **kwargs)

        return call


def spied(test, seen):
    """`test`, noting in `seen` every argument it sends to the student's code."""
    def function(lab):
        return test.function(Spy(lab, seen))

    function.__name__ = test.function.__name__
    return dataclasses.replace(test, function=function)


def histories(values):
    """The loss histories among `values` (lists of numbers, at any depth), as the student's log writes them."""
    found = set()
    for value in values:
        if isinstance(value, (list, tuple)) and value and all(isinstance(item, (int, float)) for item in value):
            found.add(repr([float(item) for item in value]))
        elif isinstance(value, (list, tuple)):
            found |= histories(value)
    return found


def test_hidden_inputs_never_reach_a_visible_tests_output(tmp_path, warm_sandbox):
    # The student logs every loss history to files and prints every log it can reach. A second grading
    # in the same sandbox gives its visible tests a chance at the first grading's hidden log.
    source = replaced(solution_text(LAB7), "early_stopping_epoch", RECORDING_EARLY_STOPPING)
    seen = {False: [], True: []}
    tests = [spied(test, seen[test.hidden]) for test in graded_tests(
        LAB7, "early_stopping_counts_like_keras", "early_stopping_ties_and_patience_zero",
        "early_stopping_random_histories")]
    results = [grade(tmp_path / f"grading{number}", LAB7, source, tests, warm_sandbox) for number in (1, 2)]
    secret = histories(seen[True]) - histories(seen[False])
    hidden_output = "".join(test.output for test in results[0].tests if test.hidden)
    assert any(history in hidden_output for history in secret), (
        "the hidden test's own output should show the histories it was given, or the log proves nothing:\n"
        f"{hidden_output[:500]!r}")
    for number, result in enumerate(results, start=1):
        for test in result.tests:
            if not test.hidden:
                shown = sorted(history for history in secret if history in test.output)
                assert not shown, f"grading {number}: visible test {test.id} printed hidden inputs {shown[:3]}"
