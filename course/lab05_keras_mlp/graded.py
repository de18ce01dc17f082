"""Graded tests for lab 5: the slides' multilayer perceptron in Keras.

The student's models are judged as data: a probe describes each layer
(class, units, activation, initializer, dropout rate) and the compiled
optimizer and loss, and the tests here compare that with the slides' five
rules. Data are judged by their properties (one-hot rows, standardized
columns, pixels that come back as the integers 0..16 when the
standardization is undone) and training by what Keras itself reports.
A trained model comes back as its config and weights and is scored in the
trusted reference process (references.py), on digits the student's
process never received nor can read: a split drawn by a secret key per
grading (autograder/heldout.py). Expected values come from the slides and from
NumPy here, never from the solution.
"""

import math
import numbers

import numpy as np

from autograder import course, heldout
from autograder.graded import (
    expect_close,
    expect_equal,
    expect_raises,
    expect_true,
    fail,
    graded,
    model_summary,
)

UNIFORM = 0.05
DIGITS_TRAIN, DIGITS_TEST, DIGITS_PIXELS = 1437, 360, 64
# On a secret split: the solution's settings score 0.956 to 0.981 over 20 keys, so 0.93 holds for every key.
TARGET_ACCURACY, MAX_EPOCHS = 0.93, 50
SETTINGS_KEYS = {"learning_rate", "epochs", "batch_size", "hidden_units"}
FOLDED = {"Activation": None, "ReLU": "relu", "Softmax": "softmax"}  # activation layers after a Dense


def expected_layers(hidden_units=(32, 64), num_classes=10, rate=0.5):
    layers = []
    for units in hidden_units:
        layers += [{"class": "Dense", "units": units, "activation": "relu"}, {"class": "Dropout", "rate": rate}]
    return layers + [{"class": "Dense", "units": num_classes, "activation": "softmax"}]


def fold_activations(layers):
    """Keras 1 style Dense + Activation('relu') pairs read as one Dense(..., activation='relu')."""
    folded = []
    for layer in layers:
        after_linear_dense = folded and folded[-1]["class"] == "Dense" and folded[-1]["activation"] == "linear"
        if layer["class"] in FOLDED and after_linear_dense:
            folded[-1] = dict(folded[-1], activation=FOLDED[layer["class"]] or layer["activation"])
        else:
            folded.append(layer)
    return folded


def show_layer(layer):
    if layer["class"] == "Dense":
        return f"Dense({layer['units']}, activation={layer['activation']!r})"
    if layer["class"] == "Dropout":
        return f"Dropout(rate={layer['rate']:g})"
    return layer["class"]


def expect_layers(summary, expected, called):
    """The model's layers, Activation layers folded in, are `expected`, one by one."""
    got = fold_activations(summary["layers"])
    everything = ", ".join(map(show_layer, got))
    hint = ("each hidden layer is Dense(units, activation='relu') followed by Dropout(rate); "
            "the last is Dense(num_classes, activation='softmax')")
    for number, (have, want) in enumerate(zip(got, expected), start=1):
        if show_layer(have) != show_layer(want):
            fail(f"layer {number} to be {show_layer(want)}", f"layer {number} is {show_layer(have)} "
                 f"(all layers: {everything})", hint=hint, called=called)
    if len(got) != len(expected):
        fail(f"{len(expected)} layers: {', '.join(map(show_layer, expected))}",
             f"{len(got)} layers: {everything}", hint=hint, called=called)


# the model ---------------------------------------------------------------------------

@graded(points=3)
def mlp_layers(lab):
    "build_mlp() follows the slides: Dense(32, relu), Dropout(0.5), Dense(64, relu), Dropout(0.5), Dense(10, softmax)"
    summary = model_summary(lab, lab.probes.build_mlp(), called="build_mlp()")
    expect_layers(summary, expected_layers(), called="build_mlp()")


@graded(points=1)
def mlp_shapes(lab):
    "build_mlp() takes 100 inputs and outputs 10 class probabilities that sum to 1"
    summary = model_summary(lab, lab.probes.build_mlp(), called="build_mlp()")
    expect_equal(summary["input_shape"], (None, 100), called="build_mlp()",
                 hint="start the model with keras.Input(shape=(input_dim,))")
    x = np.random.default_rng(0).random((5, 100))
    probabilities = lab.probes.build_mlp_outputs(x)
    called = "build_mlp()(x) for 5 random inputs, dropout off"
    expect_equal(np.shape(probabilities), (5, 10), called=called)
    expect_close(np.sum(probabilities, axis=1), np.ones(5), rtol=1e-5, called=called,
                 hint="the output layer's softmax makes each row a probability distribution")


@graded(points=2)
def mlp_uniform_initializer(lab):
    "every Dense layer of build_mlp() has a RandomUniform(-0.05, 0.05) kernel initializer (Keras 1's 'uniform')"
    summary = model_summary(lab, lab.probes.build_mlp(), called="build_mlp()")
    dense = [layer for layer in summary["layers"] if layer["class"] == "Dense"]
    expect_true(dense, "Dense layers", "none", called="build_mlp()")
    hint = ("the slides' init='uniform' is keras.initializers.RandomUniform(minval=-0.05, maxval=0.05); "
            "without it Keras uses GlorotUniform")
    for number, layer in enumerate(dense, start=1):
        initializer = layer["kernel_initializer"]
        found = f"{initializer['class']}({initializer['config']})"
        expect_equal(initializer["class"], "RandomUniform", hint=hint, called=f"build_mlp(), Dense layer {number}")
        limits = [initializer["config"].get("minval"), initializer["config"].get("maxval")]
        expect_true(all(isinstance(v, numbers.Real) for v in limits) and np.allclose(limits, [-UNIFORM, UNIFORM]),
                    "RandomUniform(minval=-0.05, maxval=0.05)", found, hint=hint,
                    called=f"build_mlp(), Dense layer {number}")


@graded(points=1)
def mlp_initial_weights(lab):
    "the initial weights of build_mlp() are spread uniformly over [-0.05, 0.05] and the biases are 0"
    weights = lab.probes.build_mlp_weights()
    # U(-a, a) has standard deviation a / sqrt(3) = 0.0289.
    for number, (kernel, bias) in enumerate(weights, start=1):
        called = f"build_mlp(), Dense layer {number}'s initial weights"
        expect_true(np.abs(kernel).max() <= UNIFORM, "every weight in [-0.05, 0.05]",
                    f"weights up to {np.abs(kernel).max():.4f} in size", called=called,
                    hint="the slides' uniform initialization draws from [-0.05, 0.05]")
        expect_close(kernel.std(), UNIFORM / math.sqrt(3), rtol=0.15, called=called,
                     hint="uniform over the whole of [-0.05, 0.05] has a standard deviation of 0.05 / sqrt(3)")
        expect_close(bias, np.zeros_like(bias), atol=0, called=called,
                     hint="only the weights are drawn at random; biases start at 0 (Keras's default)")


@graded(points=2)
def mlp_arguments(lab):
    "build_mlp follows its arguments: 64 inputs, hidden layers (16, 8, 4), dropout 0.25, 3 classes"
    kwargs = dict(input_dim=64, num_classes=3, hidden_units=(16, 8, 4), dropout_rate=0.25)
    called = "build_mlp(input_dim=64, num_classes=3, hidden_units=(16, 8, 4), dropout_rate=0.25)"
    summary = model_summary(lab, lab.probes.build_mlp(**kwargs), called=called)
    expect_equal(summary["input_shape"], (None, 64), called=called)
    expect_layers(summary, expected_layers((16, 8, 4), 3, 0.25), called=called)


@graded(points=1)
def mlp_seeded(lab):
    "build_mlp is reproducible: the same seed gives the same initial weights, another seed others"
    first, again, other = (lab.probes.build_mlp_weights(seed=seed) for seed in (1, 1, 2))
    expect_true(all(np.array_equal(a[0], b[0]) for a, b in zip(first, again)),
                "the same weights twice with seed=1", "different weights", called="build_mlp(seed=1), twice",
                hint="pass the seed to each RandomUniform initializer")
    expect_true(not np.array_equal(first[0][0], other[0][0]), "other weights with seed=2",
                "the same weights as with seed=1", called="build_mlp(seed=2)",
                hint="the initializers must use the seed argument")


@graded(points=1)
def mlp_rejects_bad_arguments(lab):
    "build_mlp rejects a dropout rate of 1, no hidden layers and 0 inputs with ValueError"
    expect_raises(ValueError, lab.probes.build_mlp, dropout_rate=1.0, mentions="dropout_rate",
                  hint="a dropout rate is in [0, 1): at 1 every unit would be dropped")
    expect_raises(ValueError, lab.probes.build_mlp, hidden_units=(), mentions="hidden_units")
    expect_raises(ValueError, lab.probes.build_mlp, input_dim=0, mentions="input_dim")


# compiling -----------------------------------------------------------------------------

@graded(points=2)
def mlp_compiled(lab):
    "compile_mlp uses plain SGD with the learning rate given, categorical cross-entropy and accuracy"
    for kwargs, rate in (({}, 0.01), ({"learning_rate": 0.1}, 0.1)):
        called = f"compile_mlp(build_mlp(){''.join(f', {k}={v!r}' for k, v in kwargs.items())})"
        summary = model_summary(lab, lab.probes.compile_mlp(**kwargs), called=called)["compile"]
        expect_true(summary["compiled"], "a compiled model", "the model was not compiled", called=called,
                    hint="call model.compile(...) on the model you are given")
        expect_equal(summary["optimizer"], "SGD", called=called,
                     hint="the slides' rule: stochastic gradient descent, keras.optimizers.SGD")
        expect_close(summary["learning_rate"], rate, rtol=1e-6, called=called,
                     hint="keras.optimizers.SGD(learning_rate=learning_rate); the default is the slides' 0.01")
        expect_true(summary["momentum"] == 0 and not summary["nesterov"], "plain SGD (momentum 0)",
                    f"momentum {summary['momentum']}, nesterov {summary['nesterov']}", called=called,
                    hint="momentum comes in lab 6; here SGD takes plain gradient steps")
        expect_true(summary["loss"] in ("categorical_crossentropy", "CategoricalCrossentropy")
                    and not summary["from_logits"], "categorical cross-entropy on probabilities",
                    f"loss {summary['loss']!r}" + (" with from_logits=True" if summary["from_logits"] else ""),
                    called=called, hint="loss='categorical_crossentropy': the labels are one-hot rows")
        expect_true(any(name in ("accuracy", "acc", "categorical_accuracy", "CategoricalAccuracy")
                        for name in summary["metrics"]), "the accuracy metric", f"metrics {summary['metrics']}",
                    called=called, hint="metrics=['accuracy']")


@graded(points=1)
def compile_rejects_bad_learning_rate(lab):
    "compile_mlp rejects a learning rate of 0 or below with ValueError"
    expect_raises(ValueError, lab.probes.compile_mlp, learning_rate=0.0, mentions="learning_rate")
    expect_raises(ValueError, lab.probes.compile_mlp, learning_rate=-0.1, mentions="learning_rate")


# data ------------------------------------------------------------------------------------

def expect_one_hot(y, n, num_classes, called, what="labels"):
    hint = ("one row per example with a single 1 in the column of its class: the slides' random floats "
            "are not class labels, and categorical cross-entropy needs these rows")
    expect_equal(np.shape(y), (n, num_classes), called=called, hint=hint)
    y = np.asarray(y)
    ok = bool(np.all((y == 0) | (y == 1)) and np.all(y.sum(axis=1) == 1))
    expect_true(ok, f"{what} that are one-hot rows (0s and a single 1)", f"rows such as {y[0].tolist()}",
                called=called, hint=hint)


@graded(points=1, forbid=dict.fromkeys(("keras.utils.to_categorical", "keras.ops.one_hot", "tensorflow.one_hot",
                                         "jax.nn.one_hot", "sklearn.preprocessing.label_binarize",
                                         "sklearn.preprocessing.LabelBinarizer", "sklearn.preprocessing.OneHotEncoder"),
                                        "write the one-hot encoding with NumPy"))
def one_hot_rows(lab):
    "one_hot([2, 0, 1, 2], 3) puts a single 1 in each row, in the column of the label"
    expect_close(lab.one_hot(np.array([2, 0, 1, 2]), 3), np.eye(3)[[2, 0, 1, 2]], rtol=0,
                 hint="row i is all zeros except a 1 in column labels[i]: index the rows of np.eye(num_classes)")
    expect_raises(ValueError, lab.one_hot, np.array([0, 3]), 3, mentions="labels",
                  hint="a label must lie in [0, num_classes)")


@graded(points=1)
def one_hot_refuses_bad_labels(lab):
    "one_hot refuses labels below 0 and labels that are not whole numbers with ValueError naming labels"
    expect_raises(ValueError, lab.one_hot, np.array([0, -1]), 3, mentions="labels",
                  hint="a label must lie in [0, num_classes): indexing with -1 would silently pick the last class")
    expect_raises(ValueError, lab.one_hot, np.array([0.0, 1.7]), 3, mentions="labels",
                  hint="labels are integers: converting 1.7 to an int would silently make it class 1")


@graded(points=2)
def dummy_data_shapes_and_labels(lab):
    "make_dummy_data() gives the slides' shapes, features in [0, 1) and one-hot labels (the slides' bug fixed)"
    (x_train, y_train), (x_test, y_test) = lab.make_dummy_data()
    called = "make_dummy_data()"
    for x, n in ((x_train, 1000), (x_test, 100)):
        expect_equal(np.shape(x), (n, 100), called=called, hint="x has shape (n, data_dim)")
        expect_true(np.min(x) >= 0 and np.max(x) < 1, "features in [0, 1)",
                    f"values from {np.min(x):.3f} to {np.max(x):.3f}", called=called,
                    hint="the slides' features are uniform in [0, 1): rng.random")
    expect_one_hot(y_train, 1000, 10, called)
    expect_one_hot(y_test, 100, 10, called)
    counts = np.asarray(y_train).sum(axis=0)
    # 1000 labels over 10 classes: about 100 each (5 standard deviations either side).
    expect_true(np.all((counts > 50) & (counts < 150)), "every class about 100 times among 1000 labels",
                f"class counts {counts.astype(int).tolist()}", called=called,
                hint="draw the classes uniformly: rng.integers(0, num_classes, size=n)")


@graded(points=1)
def dummy_data_arguments_and_seed(lab):
    "make_dummy_data follows its arguments and its seed: the same seed, the same data"
    called = "make_dummy_data(n_train=7, n_test=3, data_dim=5, num_classes=4, seed=3)"
    (x_train, y_train), (x_test, y_test) = lab.make_dummy_data(7, 3, 5, 4, seed=3)
    expect_equal([np.shape(a) for a in (x_train, y_train, x_test, y_test)], [(7, 5), (7, 4), (3, 5), (3, 4)],
                 called=called)
    expect_one_hot(y_train, 7, 4, called)
    (again, _), _ = lab.make_dummy_data(7, 3, 5, 4, seed=3)
    (other, _), _ = lab.make_dummy_data(7, 3, 5, 4, seed=4)
    expect_true(np.array_equal(again, x_train), "the same data for the same seed", "different data",
                called=called + ", twice", hint="draw everything from np.random.default_rng(seed)")
    expect_true(not np.array_equal(other, x_train), "other data for seed=4", "the same data as seed=3",
                called="make_dummy_data(..., seed=4)", hint="draw everything from np.random.default_rng(seed)")


@graded(points=1)
def dummy_data_rejects_bad_arguments(lab):
    "make_dummy_data rejects 0 training examples and a single class with ValueError"
    expect_raises(ValueError, lab.make_dummy_data, n_train=0, mentions="n_train")
    expect_raises(ValueError, lab.make_dummy_data, num_classes=1, mentions="num_classes")


@graded(points=1)
def digits_shapes_and_labels(lab):
    "load_digits_split() gives 1,437 training and 360 test digits of 64 pixels, labels one-hot, every class in both"
    (x_train, y_train), (x_test, y_test) = lab.load_digits_split()
    _, target = lab.references.digits_raw()
    called = "load_digits_split()"
    expect_equal(np.shape(x_train), (DIGITS_TRAIN, DIGITS_PIXELS), called=called,
                 hint="sklearn.datasets.load_digits().data: 1,797 rows of 64 pixels; test_size=0.2 keeps 360")
    expect_equal(np.shape(x_test), (DIGITS_TEST, DIGITS_PIXELS), called=called)
    expect_one_hot(y_train, DIGITS_TRAIN, 10, called)
    expect_one_hot(y_test, DIGITS_TEST, 10, called)
    counts = np.asarray(y_train).sum(axis=0) + np.asarray(y_test).sum(axis=0)
    expect_equal(counts.astype(int).tolist(), np.bincount(target).tolist(), called=called,
                 hint="together the two splits hold every digit once, with its own label")
    expect_true(np.all(np.asarray(y_test).sum(axis=0) > 0), "every class in the test split",
                f"test class counts {np.asarray(y_test).sum(axis=0).astype(int).tolist()}", called=called)


@graded(points=2)
def digits_standardized_with_training_statistics(lab):
    "load_digits_split() standardizes each pixel with the training split's mean and deviation, for both splits"
    (x_train, _), (x_test, _) = lab.load_digits_split()
    raw, _ = lab.references.digits_raw()
    called = "load_digits_split()"
    x_train, x_test = np.asarray(x_train, dtype=float), np.asarray(x_test, dtype=float)
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    varying = std > 1e-6
    hint = "fit the scaler (StandardScaler().fit) on x_train only, then transform x_train and x_test with it"
    expect_close(mean, np.zeros(DIGITS_PIXELS), atol=1e-4, called=called,
                 hint=hint + ": then every training column has mean 0")
    expect_close(std[varying], np.ones(varying.sum()), atol=1e-3, called=called,
                 hint=hint + ": then every training column that varies has standard deviation 1")
    # One scaler for both splits: a single (mu, sd) per pixel must turn all 1,797 values back into the raw
    # pixels. The full data's mean and variance give that mu and sd.
    x_all = np.concatenate([x_train, x_test])
    for column in np.flatnonzero((raw.std(axis=0) > 0) & (x_all.std(axis=0) > 1e-6)):
        sd = raw[:, column].std() / x_all[:, column].std()
        mu = raw[:, column].mean() - x_all[:, column].mean() * sd
        restored = np.sort(x_all[:, column] * sd + mu)
        if not np.allclose(restored, np.sort(raw[:, column]), atol=1e-3):
            fail(f"pixel {column} of both splits to come back as the raw values 0..16 with one mean and deviation",
                 f"values such as {np.round(restored[-3:], 3).tolist()} (the test split was scaled differently)",
                 hint="transform the test split with the scaler fitted on the training split; "
                      "do not fit a second one on the test split", called=called)


@graded(points=1)
def digits_split_follows_arguments(lab):
    "load_digits_split(test_size=0.25, seed=1) keeps 450 test digits, stratified; another seed splits otherwise"
    (x_train, _), (x_test, y_test) = lab.load_digits_split(test_size=0.25, seed=1)
    _, target = lab.references.digits_raw()
    called = "load_digits_split(test_size=0.25, seed=1)"
    # scikit-learn keeps ceil(test_size * n) examples for testing: ceil(0.25 * 1797) = 450.
    expect_equal((np.shape(x_train)[0], np.shape(x_test)[0]), (1347, 450), called=called,
                 hint="pass test_size on to train_test_split")
    wanted, got = 0.25 * np.bincount(target, minlength=10), np.asarray(y_test).sum(axis=0)
    expect_true(bool(np.all(np.abs(got - wanted) <= 1)),
                "each digit's share of the test split within one image of 25% of its count (a stratified split)",
                f"test counts {got.astype(int).tolist()} against {np.round(wanted, 2).tolist()}", called=called,
                hint="train_test_split(..., stratify=labels) keeps every class's proportion in both splits")
    (_, _), (other, _) = lab.load_digits_split(test_size=0.25, seed=2)
    expect_true(not np.array_equal(np.asarray(other), np.asarray(x_test)), "another split for seed=2",
                "the same test split as with seed=1", called="load_digits_split(test_size=0.25, seed=2)",
                hint="the seed is the split's random_state")


@graded(points=1)
def digits_rejects_bad_test_size(lab):
    "load_digits_split rejects a test_size outside (0, 1) with ValueError"
    expect_raises(ValueError, lab.load_digits_split, test_size=1.5, mentions="test_size")
    expect_raises(ValueError, lab.load_digits_split, test_size=0, mentions="test_size")


# training --------------------------------------------------------------------------------

def separable_data(seed=0, n_train=120, n_test=40, dim=5, num_classes=3):
    """A linear rule on Gaussian inputs, one-hot labels: ((x_train, y_train), (x_test, y_test))."""
    rng = np.random.default_rng(seed)
    weights = rng.normal(size=(dim, num_classes))

    def split(n):
        x = rng.normal(size=(n, dim)).astype(np.float32)
        return x, np.eye(num_classes, dtype=np.float32)[np.argmax(x @ weights, axis=1)]

    return split(n_train), split(n_test)


def cross_entropy(y, probabilities):
    """Mean categorical cross-entropy, probabilities clipped as Keras clips them."""
    return float(-np.mean(np.sum(y * np.log(np.clip(probabilities, 1e-7, 1 - 1e-7)), axis=1)))


@graded(points=2, timeout=60)
def training_history(lab):
    "train_mlp trains for the epochs and batch size given, validates on the test split and returns the History"
    (x_train, y_train), (x_test, y_test) = separable_data()
    epochs, batch_size = 3, 16
    report = lab.probes.train_mlp(lab.references.softmax_regression(5, 3), x_train, y_train, x_test, y_test, epochs,
                                  batch_size)
    called = "train_mlp(model, data, epochs=3, batch_size=16) with 120 training and 40 test examples"
    expect_true(report["is_history"], "a keras.callbacks.History", f"a {report['type']}", called=called,
                hint="return what model.fit returns")
    history = report["history"]
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        expect_true(key in history, f"history.history[{key!r}]", f"the keys {sorted(history)}", called=called,
                    hint="fit with validation_data=(x_test, y_test) for the val_ curves")
        expect_equal(len(history[key]), epochs, called=called, hint="one value per epoch: epochs=epochs")
    steps = epochs * math.ceil(120 / batch_size)
    expect_equal(report["steps"], steps, called=called,
                 hint=f"{epochs} epochs of ceil(120 / {batch_size}) = {math.ceil(120 / batch_size)} batches: "
                      "pass batch_size to fit")
    trained = report["model"]
    test_outputs, train_outputs = (lab.references.outputs(trained["config"], trained["weights"], x)
                                   for x in (x_test, x_train))
    if "error" in test_outputs:
        fail("the model given to train_mlp, trained", test_outputs["error"], called=called,
             hint="train the model you are given; do not replace it")
    test_loss = cross_entropy(y_test, test_outputs["outputs"])
    train_loss = cross_entropy(y_train, train_outputs["outputs"])
    expect_close(history["val_loss"][-1], test_loss, rtol=1e-4, called=called,
                 hint="the last val_loss is the loss on the test split, data[1]: validation_data=(x_test, y_test)")
    expect_true(not np.isclose(history["val_loss"][-1], train_loss, rtol=1e-4),
                "validation on the test split", "the validation loss equals the training split's", called=called)


@graded(points=1, timeout=60)
def training_seeded(lab):
    "train_mlp is reproducible: the same seed trains the same weights, another seed (another shuffle) others"
    (x_train, y_train), (x_test, y_test) = separable_data(seed=2, n_train=48, n_test=8)
    model = lab.references.softmax_regression(5, 3)

    first, again, other = lab.probes.trained_weights(model, x_train, y_train, x_test, y_test, 1, 8, [3, 3, 4])
    called = "train_mlp(model, data, epochs=1, batch_size=8, seed=s) from the same model, for s = 3, 3 and 4"
    hint = "call keras.utils.set_random_seed(seed) before model.fit: fit shuffles the examples every epoch"
    expect_true(all(np.array_equal(a, b) for a, b in zip(first, again)), "the same weights twice with seed=3",
                "different weights", called=called, hint=hint)
    expect_true(not all(np.allclose(a, b, rtol=0, atol=1e-7) for a, b in zip(first, other)),
                "other weights with seed=4 (the examples in another order)", "the same weights as with seed=3",
                called=called, hint=hint + ", with the seed given")


@graded(points=1)
def training_rejects_bad_arguments(lab):
    "train_mlp rejects 0 epochs and a batch size of 0 with ValueError"
    (x_train, y_train), (x_test, y_test) = separable_data(n_train=8, n_test=4)
    model = lab.references.softmax_regression(5, 3)
    expect_raises(ValueError, lab.probes.train_mlp, model, x_train, y_train, x_test, y_test, 0, 4, mentions="epochs")
    expect_raises(ValueError, lab.probes.train_mlp, model, x_train, y_train, x_test, y_test, 1, 0,
                  mentions="batch_size")


@graded(points=3, timeout=120, withhold=[heldout.DATA_PACKAGE])
def recommended_settings_learn_digits(lab):
    "recommended_settings() keep the five rules and reach 0.93 test accuracy on a secret split of the digits within 50 epochs"
    settings = lab.recommended_settings()
    called = "recommended_settings()"
    hint = ("with the slides' settings (learning rate 0.01, batches of 128, 50 epochs) the loss hardly leaves "
            "ln(10) = 2.30: try a 10 times larger learning rate, or smaller batches for more steps; dropout 0.5 "
            "halves a narrow first layer, so a wider one helps too")
    if not isinstance(settings, dict) or set(settings) != SETTINGS_KEYS:
        fail(f"a dict with the keys {sorted(SETTINGS_KEYS)}", repr(settings), called=called, hint=hint)
    rate, epochs, batch = settings["learning_rate"], settings["epochs"], settings["batch_size"]
    expect_true(isinstance(rate, numbers.Real) and rate > 0, "a learning rate > 0", repr(rate), called=called)
    expect_true(isinstance(epochs, int) and 1 <= epochs <= MAX_EPOCHS, f"epochs from 1 to {MAX_EPOCHS}",
                repr(epochs), called=called, hint="the point is to learn faster, not longer")
    expect_true(isinstance(batch, int) and batch >= 1, "a batch size >= 1", repr(batch), called=called)
    units = settings["hidden_units"]
    expect_true(isinstance(units, (tuple, list)) and units and all(isinstance(u, int) and u >= 1 for u in units),
                "hidden_units, a sequence of positive integers", repr(units), called=called)
    key = course.heldout_key("lab05_keras_mlp.recommended_settings_learn_digits")  # which digits are held out: never known to the student's process
    x_train, y_train = lab.references.digits_training_split(key)
    export = lab.probes.trained_on_digits(settings, x_train, y_train)
    called = (f"build_mlp(64, 10, hidden_units={tuple(units)}), compile_mlp(learning_rate={rate}), fit on 1,437 "
              f"digits for {epochs} epochs in batches of {batch}, accuracy on 360 others")
    score = lab.references.digits_accuracy(export["config"], export["weights"], key)
    if "error" in score:
        fail("a model made of Keras's built-in layers", score["error"], called=called,
             hint="build_mlp's model: Dense and Dropout layers from keras.layers")
    expect_true(score["accuracy"] >= TARGET_ACCURACY, f"test accuracy >= {TARGET_ACCURACY}",
                f"{score['accuracy']:.4f}", called=called, hint=hint)
