"""Graded tests for lab 7: dropout, DropConnect and friends.

Expected values come from small examples worked out by hand here, from
numerical gradients of the penalties, from properties with statistical
bands (binomial counts of dropped units and weights, sample standard
deviations of initial weights, the mean of many DropConnect passes), and
from Keras itself, run by the grader through `lab.references`
(references.py), never in the student's process:
keras.layers.BatchNormalization for batch normalization and its numerical
gradients, keras.callbacks.EarlyStopping for early stopping. Nothing comes
from the solution.

Random results are seeded, so a submission always gets the same grade; the
bands (4 to 5 standard deviations) are there so that any correct
implementation passes whatever random numbers it draws.
"""

import numpy as np

from autograder.graded import expect_close, expect_equal, expect_raises, expect_true, graded
from autograder.textbook import gradient

FORBID = {
    "keras.layers.Dropout": "DropConnect drops weights, not outputs: draw the mask on the kernel yourself "
                            "(keras.random.uniform with the layer's SeedGenerator)",
    **dict.fromkeys(("keras.random.dropout", "keras.src.backend.random.dropout", "tensorflow.nn.dropout",
                     "tensorflow.nn.experimental.stateless_dropout"),
                    "dropout masks and rescales in one call: draw the mask on the kernel yourself with "
                    "keras.random.uniform"),
    "custom_layers.DropConnectDense": "the course's finished layer is not yours to hand in: write your own",
}
# Weights away from 0 with mixed signs: a dropped weight (0) can never be mistaken for a kept one.
WEIGHTS = (np.random.default_rng(7).choice([-1.0, 1.0], size=(40, 25))
           * np.random.default_rng(8).uniform(0.5, 1.5, size=(40, 25)))
RATE = 0.4


def binomial_band(n, p, sigmas=5.0):
    """The range of counts k ~ Binomial(n, p) within `sigmas` standard deviations of the mean."""
    mean, std = n * p, np.sqrt(n * p * (1 - p))
    return mean - sigmas * std, mean + sigmas * std


def expect_dropped_share(dropped, total, rate, what, hint, called=None):
    """The number of dropped entries is a plausible Binomial(total, rate) count."""
    low, high = binomial_band(total, rate)
    expect_true(low <= dropped <= high, f"about {rate:g} of the {total} {what} dropped: between {low:.0f} and "
                f"{high:.0f} (5 standard deviations)", f"{dropped} dropped ({dropped / total:.3f} of them)",
                hint=hint, called=called)


def expect_kept_scaled(got, full, rate, hint, called=None, rtol=1e-12):
    """Each entry of `got` is 0 (dropped) or full / (1 - rate) (kept and rescaled); returns how many are 0."""
    got = np.asarray(got, dtype=float)
    expect_equal(got.shape, full.shape, called=called, hint="the output has the shape of the input")
    scaled = full / (1 - rate)
    kept = got != 0
    wrong = kept & ~np.isclose(got, scaled, rtol=rtol, atol=0)
    if wrong.any():
        index = tuple(int(i) for i in np.argwhere(wrong)[0])
        expect_true(False, f"every entry 0 (dropped) or its full value / (1 - rate), {1 / (1 - rate):g} times "
                    "it (kept)", f"{int(wrong.sum())} of {got.size} entries are neither; at index {index}: "
                    f"{float(got[index])!r}, where the full value is {float(full[index])!r}, so 0 or "
                    f"{float(scaled[index])!r}", hint=hint, called=called)
    return int(np.sum(~kept))


# dropout ---------------------------------------------------------------------------

@graded(points=1)
def dropout_identity_at_inference(lab):
    "dropout returns x unchanged at inference (training=False) and at rate 0"
    x = np.linspace(-2, 3, 12).reshape(3, 4)
    hint = "outside training, inverted dropout does nothing: the scaling happened while training"
    expect_close(lab.dropout(x, 0.5, False, 0), x, rtol=0, hint=hint)
    expect_close(lab.dropout(x, 0.5, False), x, rtol=0, hint=hint + "; no rng is needed then")
    expect_close(lab.dropout(x, 0.0, True, 0), x, rtol=0, hint="rate 0 drops nothing and scales by 1 / (1 - 0) = 1")


@graded(points=2)
def dropout_inverted_scaling(lab):
    "dropout while training zeroes about `rate` of the units and scales the others by 1 / (1 - rate)"
    x = np.random.default_rng(3).uniform(0.5, 2.0, size=(100, 50))
    out = lab.dropout(x, 0.3, True, 1)
    dropped = expect_kept_scaled(out, x, 0.3, "inverted dropout scales the kept units by 1 / (1 - rate)",
                                 called="dropout(x of shape (100, 50), 0.3, True, 1)")
    expect_dropped_share(dropped, x.size, 0.3, "units", "drop each unit with probability rate (keep it with 1 - rate)")


@graded(points=1)
def dropout_seeded(lab):
    "dropout is reproducible: the same seed gives the same mask, another seed or the next call of a Generator another"
    x = np.ones((20, 10))
    first, again, other = (lab.dropout(x, 0.5, True, seed) for seed in (4, 4, 5))
    expect_close(again, first, rtol=0, hint="an int seed s means np.random.default_rng(s): the same mask every time")
    expect_true(not np.array_equal(other, first), "another mask for seed 5", "the mask of seed 4",
                hint="draw the mask from the rng you were given")
    calls = lab.probes.with_generator("dropout", 4, 2, x, 0.5, True)
    called = "g = np.random.default_rng(4); dropout(x, 0.5, True, rng=g) twice"
    expect_true(not np.array_equal(calls[0], calls[1]), "two different masks from two calls with one Generator",
                "the same mask twice", called=called, hint="use the Generator itself: do not reseed it")
    expect_close(calls[0], first, rtol=0, called=called,
                 hint="a Generator is used as it is, an int seed s as np.random.default_rng(s)")


@graded(points=1)
def dropout_rejects_bad_arguments(lab):
    "dropout rejects a rate outside [0, 1) and, while training, an rng that is neither a Generator nor a seed"
    expect_raises(ValueError, lab.dropout, [1.0, 2.0], 1.0, True, 0, mentions="rate",
                  hint="rate 1 would drop everything and divide by 0")
    expect_raises(ValueError, lab.dropout, [1.0, 2.0], -0.1, True, 0, mentions="rate")
    expect_raises(ValueError, lab.dropout, [1.0, 2.0], 0.5, True, "seed", mentions="rng",
                  hint="use _as_generator(rng), which checks it")


# DropConnect in NumPy -------------------------------------------------------------

@graded(points=1)
def dropconnect_inference_is_dense(lab):
    "dropconnect at inference is the dense layer x @ W + b, for a batch and for one example"
    rng = np.random.default_rng(2)
    x, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    hint = "at inference DropConnect uses the full weights: x @ W + b"
    expect_close(lab.dropconnect(x, W, b, 0.5, False, 0), x @ W + b, rtol=1e-12, hint=hint)
    expect_close(lab.dropconnect(x[0], W, b, 0.5, False), x[0] @ W + b, rtol=1e-12, hint=hint + ", shape (n_out,)")


@graded(points=2)
def dropconnect_drops_weights(lab):
    """dropconnect drops single weights with one mask per call: seen through an identity input and a row of ones

    With x = the identity (40 rows), row i of the output is row i of the masked
    weights, so the mask is visible: about `rate` of the weights are 0, the
    others W / (1 - rate), and no row or column is dropped whole (that would be
    a mask on the inputs or on the outputs). With one more input row of ones,
    its output must be the sum of the identity rows' outputs: the same masked
    weights serve the whole batch. Dropout on the outputs fails this check,
    since it zeroes that row's outputs independently of the others.
    """
    x = np.vstack([np.eye(40), np.ones(40)])
    out = np.asarray(lab.dropconnect(x, WEIGHTS, np.zeros(25), RATE, True, 11))
    called = f"dropconnect(np.vstack([np.eye(40), np.ones(40)]), W of shape (40, 25), zeros(25), {RATE}, True, 11)"
    expect_equal(out.shape, (41, 25), called=called, hint="the output has one row per row of x")
    masked = out[:40]
    dropped = expect_kept_scaled(masked, WEIGHTS, RATE, "keep each weight with probability 1 - rate, scaled",
                                 called=called)
    expect_dropped_share(dropped, WEIGHTS.size, RATE, "weights", "drop each weight with probability rate",
                         called=called)
    whole = [f"row {i}" for i in range(40) if not masked[i].any()] + [f"column {j}" for j in range(25)
                                                                     if not masked[:, j].any()]
    expect_true(not whole, "no input's or output's weights all dropped at once (each weight has its own coin)",
                ", ".join(whole) + " dropped whole", called=called,
                hint="DropConnect masks single weights: the mask has W's shape, not x's or the output's")
    expect_close(out[40], masked.sum(axis=0), rtol=1e-9, atol=1e-12, called=called,
                 hint="one mask per call on the weights: x @ (W * mask) + b, not a mask on x @ W + b")


@graded(points=1)
def dropconnect_seeded(lab):
    "dropconnect is reproducible: the same seed gives the same mask, another seed or the next call of a Generator another"
    x, W, b = np.eye(40), WEIGHTS, np.zeros(25)
    first, again, other = (lab.dropconnect(x, W, b, RATE, True, seed) for seed in (4, 4, 5))
    called = f"dropconnect(np.eye(40), W of shape (40, 25), zeros(25), {RATE}, True, seed)"
    expect_close(again, first, rtol=0, called=called.replace("seed)", "4) twice"),
                 hint="an int seed s means np.random.default_rng(s): the same mask every time")
    expect_true(not np.array_equal(other, first), "another mask for seed 5", "the mask of seed 4",
                called=called.replace("seed)", "5)"), hint="draw the mask from the rng you were given")
    calls = lab.probes.with_generator("dropconnect", 4, 2, x, W, b, RATE, True)
    called = "g = np.random.default_rng(4); dropconnect(np.eye(40), W, zeros(25), 0.4, True, rng=g) twice"
    expect_true(not np.array_equal(calls[0], calls[1]), "two different masks from two calls with one Generator",
                "the same mask twice", called=called, hint="use the Generator itself: do not reseed it")
    expect_close(calls[0], first, rtol=0, called=called,
                 hint="a Generator is used as it is, an int seed s as np.random.default_rng(s)")


@graded(points=1)
def dropconnect_rejects_bad_arguments(lab):
    "dropconnect rejects W that is not 2-D, x and b that do not match W, and a rate outside [0, 1)"
    W = np.ones((3, 2))
    expect_raises(ValueError, lab.dropconnect, np.ones(3), np.ones(3), np.zeros(2), 0.5, False, mentions="W")
    expect_raises(ValueError, lab.dropconnect, np.ones((4, 2)), W, np.zeros(2), 0.5, False, mentions="x",
                  hint="x's last axis must have n_in = W.shape[0] entries")
    expect_raises(ValueError, lab.dropconnect, np.ones(3), W, np.zeros(3), 0.5, False, mentions="b",
                  hint="b has one entry per output: shape (n_out,)")
    expect_raises(ValueError, lab.dropconnect, np.ones(3), W, np.zeros(2), 1.0, True, 0, mentions="rate")


# penalties --------------------------------------------------------------------------

W_SMALL = np.array([[1.0, -2.0], [0.0, 0.5]])


@graded(points=1)
def l1_by_hand(lab):
    "l1_penalty([[1, -2], [0, 0.5]], 0.1) = 0.1 * 3.5 = 0.35; l1_gradient = 0.1 * sign(W), 0 where W is 0"
    expect_close(lab.l1_penalty(W_SMALL, 0.1), 0.35, rtol=1e-12, hint="lam * sum(|W|)")
    expect_close(lab.l1_gradient(W_SMALL, 0.1), 0.1 * np.array([[1.0, -1.0], [0.0, 1.0]]), rtol=1e-12,
                 hint="the derivative of lam |w| is lam * sign(w) (np.sign gives 0 at 0)")


@graded(points=1)
def l2_by_hand(lab):
    "l2_penalty([[1, -2], [0, 0.5]], 0.1) = 0.1 * 5.25 = 0.525, the slides' lam * sum(W**2)"
    expect_close(lab.l2_penalty(W_SMALL, 0.1), 0.525, rtol=1e-12, hint="lam * sum(W**2), without a 1/2")


@graded(points=2)
def penalty_gradients_numerical(lab):
    "l2_gradient and l1_gradient match numerical gradients of lam * sum(W**2) and lam * sum(|W|)"
    W = np.random.default_rng(5).normal(size=(3, 4))
    expect_close(lab.l2_gradient(W, 0.3), gradient(lambda v: 0.3 * np.sum(v ** 2), W), rtol=1e-6,
                 hint="the derivative of lam * w**2 is 2 * lam * w")
    expect_close(lab.l1_gradient(W, 0.3), gradient(lambda v: 0.3 * np.sum(np.abs(v)), W), rtol=1e-6,
                 hint="the derivative of lam * |w| is lam * sign(w)")


@graded(points=1)
def penalties_reject_negative_lam(lab):
    "the penalties and their gradients reject a negative lam with ValueError"
    for name in ("l1_penalty", "l1_gradient", "l2_penalty", "l2_gradient"):
        expect_raises(ValueError, getattr(lab, name), W_SMALL, -0.1, mentions="lam",
                      hint="a negative strength would reward large weights")


# early stopping ---------------------------------------------------------------------

LOSSES = [1.0, 0.8, 0.9, 0.85, 0.7, 0.75, 0.76, 0.77]


@graded(points=2)
def early_stopping_counts_like_keras(lab):
    "early_stopping_epoch counts as Keras's EarlyStopping: stop `patience` epochs after the best, unless a new best comes first"
    cases = [(LOSSES, 2, (3, 1)), (LOSSES, 3, (7, 4)), (LOSSES, 4, (7, 4)), (LOSSES, 1, (2, 1)),
             ([3.0, 2.0, 1.0], 1, (2, 2)), ([5.0], 3, (0, 0))]
    for losses, patience, expected in cases:
        expect_equal(tuple(lab.early_stopping_epoch(losses, patience)), expected,
                     hint="after each epoch: a strictly lower loss is a new best and resets the count; "
                          "otherwise count one more; stop when the count reaches patience (0-based epochs)")


@graded(points=1)
def early_stopping_ties_and_patience_zero(lab):
    "early_stopping_epoch: a tie with the best is not an improvement; patience 0 stops at the first epoch without one"
    hint = "a new best must be strictly lower (min_delta = 0); Keras stops once the count reaches patience"
    expect_equal(tuple(lab.early_stopping_epoch([1.0, 0.5, 0.5, 0.5, 0.4], 2)), (3, 1), hint=hint)
    expect_equal(tuple(lab.early_stopping_epoch([1.0, 0.5, 0.6, 0.4], 0)), (2, 1), hint=hint)


@graded(points=1, hidden=True)
def early_stopping_random_histories(lab):
    "early_stopping_epoch agrees with Keras's counting on 60 random loss histories with ties"
    rng = np.random.default_rng(12)
    sequences = [np.round(rng.uniform(0, 1, rng.integers(1, 15)), 1).tolist() for _ in range(60)]
    patiences = rng.integers(0, 5, 60).tolist()
    got = lab.probes.early_stopping_many(sequences, patiences)
    expected = lab.references.early_stopping_many(sequences, patiences)
    for losses, patience, result, wanted in zip(sequences, patiences, got, expected):
        expect_equal(tuple(result), tuple(wanted),
                     called=f"early_stopping_epoch({losses}, {patience})",
                     hint="count exactly as keras.callbacks.EarlyStopping(patience=patience, min_delta=0)")


@graded(points=1)
def early_stopping_rejects_bad_arguments(lab):
    "early_stopping_epoch rejects a negative patience and an empty history with ValueError"
    expect_raises(ValueError, lab.early_stopping_epoch, LOSSES, -1, mentions="patience")
    expect_raises(ValueError, lab.early_stopping_epoch, [], 2, mentions="val_losses")


# batch normalization ----------------------------------------------------------------

BN_X = np.random.default_rng(21).normal(3.0, 2.0, size=(6, 4))
BN_GAMMA, BN_BETA = np.array([1.0, 2.0, 0.5, -1.0]), np.array([0.0, -1.0, 0.3, 2.0])
BN_DY = np.random.default_rng(22).normal(size=(6, 4))


@graded(points=2)
def batch_norm_forward_standardizes(lab):
    "batch_norm_forward standardizes each column over the batch with the eps given, then scales by gamma and shifts by beta"
    y, _, _, _ = lab.probes.batch_norm_round_trip(BN_X, np.ones(4), np.zeros(4), BN_DY)
    called = "batch_norm_forward(x of shape (6, 4), gamma=ones(4), beta=zeros(4))"
    expect_close(np.mean(y, axis=0), np.zeros(4), atol=1e-12, called=called,
                 hint="subtract each column's mean over the batch (axis 0)")
    expect_close(np.var(y, axis=0), BN_X.var(axis=0) / (BN_X.var(axis=0) + 1e-5), rtol=1e-9, called=called,
                 hint="divide by sqrt(var + eps), with the biased variance x.var(axis=0)")
    y, _, _, _ = lab.probes.batch_norm_round_trip(BN_X, BN_GAMMA, BN_BETA, BN_DY)
    expect_close(y, lab.references.batch_norm(BN_X, BN_GAMMA, BN_BETA), rtol=1e-10, atol=1e-12,
                 called="batch_norm_forward(x, gamma, beta) with x of shape (6, 4); expected: "
                        "keras.layers.BatchNormalization(epsilon=1e-5) in training mode, with these gamma and beta",
                 hint="y = gamma * x_hat + beta")
    y, _, _, _ = lab.probes.batch_norm_round_trip(BN_X, BN_GAMMA, BN_BETA, BN_DY, eps=0.5)
    expect_close(y, lab.references.batch_norm(BN_X, BN_GAMMA, BN_BETA, eps=0.5), rtol=1e-10, atol=1e-12,
                 called="batch_norm_forward(x, gamma, beta, eps=0.5); expected: "
                        "keras.layers.BatchNormalization(epsilon=0.5) in training mode",
                 hint="divide by sqrt(var + eps) with the eps argument, not a fixed 1e-5")


@graded(points=3)
def batch_norm_backward_numerical(lab):
    "batch_norm_backward's dx, dgamma and dbeta match numerical gradients of sum(dy * y)"
    _, dx, dgamma, dbeta = lab.probes.batch_norm_round_trip(BN_X, BN_GAMMA, BN_BETA, BN_DY)
    called = "y, cache = batch_norm_forward(x, gamma, beta); batch_norm_backward(dy, cache), x and dy of shape (6, 4)"
    numerical_dx, numerical_dgamma, numerical_dbeta = lab.references.batch_norm_numerical_gradients(
        BN_X, BN_GAMMA, BN_BETA, BN_DY)
    expect_close(dbeta, numerical_dbeta, rtol=1e-6, called=called, hint="beta is added to every row of y")
    expect_close(dgamma, numerical_dgamma, rtol=1e-6, called=called, hint="gamma multiplies x_hat in every row of y")
    expect_close(dx, numerical_dx, rtol=1e-5, atol=1e-8, called=called,
                 hint="x reaches x_hat directly and through the batch mean and the batch variance, which "
                      "depend on every row: dx sums three terms; check each against a numerical gradient")


@graded(points=1)
def batch_norm_rejects_bad_arguments(lab):
    "batch_norm_forward rejects an x that is not a 2-D batch and a gamma that does not match it, with ValueError"
    expect_raises(ValueError, lab.batch_norm_forward, np.ones(4), np.ones(4), np.zeros(4), mentions="x")
    expect_raises(ValueError, lab.batch_norm_forward, np.ones((3, 4)), np.ones(3), np.zeros(4), mentions="gamma",
                  hint="gamma has one entry per column of x")


# initialization ---------------------------------------------------------------------

def expect_gaussian(W, shape, std, rule, called):
    """W has the shape, a mean of about 0, its std within 3% of `std`, and a Gaussian's 68% within one std."""
    W = np.asarray(W, dtype=float)
    expect_equal(W.shape, shape, called=called, hint="weights of shape (n_in, n_out)")
    limit = 5 * std / np.sqrt(W.size)
    expect_true(abs(W.mean()) < limit, f"a mean of about 0 (within {limit:.2g})", f"{W.mean():.4g}", called=called,
                hint="draw from a normal distribution centred at 0")
    expect_close(W.std(), std, rtol=0.03, called=called, hint=f"the weights' standard deviation is {rule}")
    within = np.mean(np.abs(W) <= std)
    expect_true(abs(within - 0.6827) < 0.015, "about 68.3% of the weights within one std of 0 (a Gaussian)",
                f"{within:.1%}", called=called, hint="use rng.normal, not a uniform distribution")


@graded(points=1)
def zeros_init_values(lab):
    "zeros_init gives zeros of shape (n_in, n_out) and rejects n_in = 0 with ValueError"
    expect_close(lab.zeros_init(3, 5, 0), np.zeros((3, 5)), rtol=0, hint="np.zeros((n_in, n_out))")
    expect_raises(ValueError, lab.zeros_init, 0, 5, 0, mentions="n_in")


@graded(points=1)
def random_normal_init_std(lab):
    "random_normal_init draws N(0, 0.01**2) weights by default, N(0, std**2) with std given"
    expect_gaussian(lab.random_normal_init(200, 100, 1), (200, 100), 0.01, "0.01 by default",
                    "random_normal_init(200, 100, 1)")
    expect_gaussian(lab.random_normal_init(200, 100, 2, std=0.5), (200, 100), 0.5, "the std argument, here 0.5",
                    "random_normal_init(200, 100, 2, std=0.5)")


@graded(points=2)
def xavier_init_std(lab):
    "xavier_init's weights have std sqrt(2 / (n_in + n_out)), for a wide and a narrow layer"
    for n_in, n_out in ((500, 300), (50, 400)):
        expect_gaussian(lab.xavier_init(n_in, n_out, 3), (n_in, n_out), np.sqrt(2 / (n_in + n_out)),
                        "sqrt(2 / (n_in + n_out)): both fans", f"xavier_init({n_in}, {n_out}, 3)")


@graded(points=2)
def he_init_std(lab):
    "he_init's weights have std sqrt(2 / n_in), for a wide and a narrow layer"
    for n_in, n_out in ((500, 300), (50, 400)):
        expect_gaussian(lab.he_init(n_in, n_out, 4), (n_in, n_out), np.sqrt(2 / n_in),
                        "sqrt(2 / n_in): the fan-in only", f"he_init({n_in}, {n_out}, 4)")


@graded(points=1)
def initializers_seeded(lab):
    "the initializers are reproducible: same seed, same weights; another seed, other weights; a Generator works"
    for name in ("random_normal_init", "xavier_init", "he_init"):
        first, again, other = (getattr(lab, name)(20, 10, seed) for seed in (6, 6, 7))
        expect_close(again, first, rtol=0, called=f"{name}(20, 10, 6) twice",
                     hint="an int seed s means np.random.default_rng(s)")
        expect_true(not np.allclose(other, first), "other weights for another seed", "the same weights",
                    called=f"{name}(20, 10, 7)", hint="draw from the rng you were given")
        from_generator, = lab.probes.with_generator(name, 6, 1, 20, 10)
        expect_close(from_generator, first, rtol=0, called=f"{name}(20, 10, rng=np.random.default_rng(6))",
                     hint="accept a Generator as well as a seed (_as_generator)")


# clipping and normalization ---------------------------------------------------------

@graded(points=1)
def clip_by_norm_values(lab):
    "clip_by_norm rescales [3, 4] to norm 1 as [0.6, 0.8], leaves short gradients alone, and takes the norm over all entries"
    expect_close(lab.clip_by_norm([3.0, 4.0], 1.0), [0.6, 0.8], rtol=1e-12, hint="g * max_norm / ||g|| when too long")
    expect_close(lab.clip_by_norm([3.0, 4.0], 10.0), [3.0, 4.0], rtol=1e-12, hint="a short gradient is left as it is")
    expect_close(lab.clip_by_norm([[3.0, 0.0], [0.0, 4.0]], 2.5), [[1.5, 0.0], [0.0, 2.0]], rtol=1e-12,
                 hint="the norm of a matrix here is over all its entries: sqrt(sum(g**2)) = 5")
    expect_raises(ValueError, lab.clip_by_norm, [3.0, 4.0], 0.0, mentions="max_norm")


@graded(points=1)
def clip_by_value_values(lab):
    "clip_by_value caps every entry to [-limit, limit]: [-5, 0.5, 3] with limit 1 gives [-1, 0.5, 1]"
    expect_close(lab.clip_by_value([-5.0, 0.5, 3.0], 1.0), [-1.0, 0.5, 1.0], rtol=1e-12,
                 hint="np.clip(g, -limit, limit)")
    expect_raises(ValueError, lab.clip_by_value, [1.0], -1.0, mentions="limit")


@graded(points=1)
def zscore_by_hand(lab):
    "zscore_normalize: column [1, 2, 3] becomes [-1.2247, 0, 1.2247]; a constant column becomes 0"
    X = np.array([[1.0, 10.0], [2.0, 10.0], [3.0, 10.0]])
    spread = np.sqrt(2 / 3)  # the population std of 1, 2, 3
    expect_close(lab.zscore_normalize(X), [[-1 / spread, 0.0], [0.0, 0.0], [1 / spread, 0.0]], rtol=1e-12, atol=1e-15,
                 hint="per column (axis 0): (X - mean) / std with the population std; a zero std must not divide")


@graded(points=1)
def minmax_by_hand(lab):
    "minmax_normalize: column [1, 3, 2] becomes [0, 1, 0.5]; a constant column becomes 0"
    X = np.array([[1.0, 5.0], [3.0, 5.0], [2.0, 5.0]])
    expect_close(lab.minmax_normalize(X), [[0.0, 0.0], [1.0, 0.0], [0.5, 0.0]], rtol=1e-12, atol=1e-15,
                 hint="per column: (X - min) / (max - min); a zero range must not divide")


@graded(points=1)
def l2_normalize_rows(lab):
    "l2_normalize divides each row by its norm: [3, 4] becomes [0.6, 0.8]; a row of zeros stays zero; empty input raises"
    expect_close(lab.l2_normalize([[3.0, 4.0], [0.0, 0.0]]), [[0.6, 0.8], [0.0, 0.0]], rtol=1e-12,
                 hint="row by row: X / ||X|| over the last axis; a zero row must not divide")
    expect_close(lab.l2_normalize([1.0, 1.0]), [np.sqrt(0.5), np.sqrt(0.5)], rtol=1e-12, hint="one vector works too")
    expect_raises(ValueError, lab.l2_normalize, np.zeros((0, 3)), mentions="X")


@graded(points=1)
def functions_leave_inputs_untouched(lab):
    "dropout, dropconnect, batch norm, clipping and the normalizations return new arrays and leave the caller's as they were"
    x = np.array([[3.0, -4.0, 0.5], [1.0, 2.0, -6.0]])
    W, b, gamma, beta = np.full((3, 2), 0.5), np.array([0.1, -0.2]), np.array([2.0, 1.0, 0.5]), np.zeros(3)
    calls = {"dropout": (x, 0.5, True, 0), "dropconnect": (x, W, b, 0.5, True, 0),
             "batch_norm_forward": (x, gamma, beta), "clip_by_norm": (x, 1.0), "clip_by_value": (x, 1.0),
             "zscore_normalize": (x,), "minmax_normalize": (x,), "l2_normalize": (x,)}
    for name, args in calls.items():
        after = lab.probes.inputs_after(name, *args)
        for index, (value, given) in enumerate(zip(after, args)):
            if isinstance(given, np.ndarray):
                expect_close(value, given, rtol=0, called=f"{name}(...) on arrays; then its argument {index + 1}",
                             hint="compute into a new array (g * scale, X - mean), not in place (g *= scale): "
                                  "the caller may still need the original")


# DropConnectDense in Keras ----------------------------------------------------------

def dense(x, kernel, bias):
    """The Dense layer's output, from float32-rounded weights."""
    return x @ np.float32(kernel).astype(float) + np.float32(bias).astype(float)


@graded(points=2, timeout=120, forbid=FORBID)
def dropconnect_dense_inference(lab):
    "DropConnectDense at inference is Dense with the same weights, deterministic; at rate 0 it is Dense while training too"
    rng = np.random.default_rng(31)
    kernel, bias, x = rng.normal(size=(6, 4)), rng.normal(size=4), rng.normal(size=(5, 6))
    got = lab.probes.dropconnect_dense(kernel, bias, x, 2, units=4, rate=0.5, seed=1)
    called = "DropConnectDense(4, rate=0.5, seed=1) with set_weights([kernel, bias]), called with training=False"
    for output in got["inference"]:
        expect_close(output, dense(x, kernel, bias), rtol=1e-5, atol=1e-6, called=called,
                     hint="with training=False use the full kernel, nothing dropped: inputs @ kernel + bias")
    got = lab.probes.dropconnect_dense(kernel, bias, x, 2, units=4, rate=0.0, seed=1, activation="relu")
    for output in got["training"]:
        expect_close(output, np.maximum(dense(x, kernel, bias), 0), rtol=1e-5, atol=1e-6,
                     called="DropConnectDense(4, rate=0.0, activation='relu'), training=True",
                     hint="rate 0 drops nothing: the layer is exactly Dense (apply the activation too)")


@graded(points=3, timeout=120, forbid=FORBID)
def dropconnect_dense_drops_weights(lab):
    """DropConnectDense while training drops single weights at the rate, scales the kept ones, never whole units

    Fed the identity (40 inputs, bias 0), the output is the masked kernel
    itself: over 4 training calls about `rate` of its entries are 0, the
    others kernel / (1 - rate), and no row or column is dropped whole. Fed a
    row of ones, each output sums 40 masked weights: it is exactly 0 only if
    all 40 are dropped (probability rate**40), while dropout on the layer's
    output (a per-unit mask) would zero about `rate` of the outputs. That is
    how this test tells DropConnect from Dropout applied after the layer.
    """
    identity = lab.probes.dropconnect_dense(WEIGHTS, np.zeros(25), np.eye(40), 4, 0, units=25, rate=RATE, seed=2)
    called = (f"DropConnectDense(25, rate={RATE}, seed=2) holding a (40, 25) kernel, bias 0, on np.eye(40), "
              "training=True")
    masks = np.array(identity["training"])
    dropped = sum(expect_kept_scaled(mask, np.float32(WEIGHTS).astype(float), RATE, "keep each weight with "
                                     "probability 1 - rate and scale it by 1 / (1 - rate)", called=called, rtol=1e-5)
                  for mask in masks)
    expect_dropped_share(dropped, masks.size, RATE, "weights (4 calls)", "drop each weight with probability rate",
                         called=called)
    whole = sum(int(np.sum(~mask.any(axis=1))) + int(np.sum(~mask.any(axis=0))) for mask in masks)
    expect_true(whole == 0, "no row or column of the masked kernel dropped whole",
                f"{whole} rows or columns all zero", called=called,
                hint="each weight gets its own random keep/drop: the mask has the kernel's shape")
    ones = lab.probes.dropconnect_dense(WEIGHTS, np.zeros(25), np.ones((1, 40)), 40, 0, units=25, rate=RATE, seed=3)
    zeros = int(np.sum(np.array(ones["training"]) == 0))
    expect_true(zeros <= 10, "almost no output exactly 0 over 40 calls on a row of ones (each sums 40 masked weights)",
                f"{zeros} of the 1000 outputs exactly 0", called=called.replace("np.eye(40)", "np.ones((1, 40))"),
                hint="drop weights inside the matrix product, not outputs after it: Dropout on the output zeroes "
                     "whole units")


@graded(points=2, timeout=120, forbid=FORBID)
def dropconnect_dense_mean_and_seeds(lab):
    "DropConnectDense's mean output over 300 training passes approaches Dense's; same seed same masks; each call a new mask"
    rng = np.random.default_rng(41)
    kernel, bias, x = rng.normal(size=(8, 5)), rng.normal(size=5), rng.normal(size=(3, 8))
    rate = 0.5
    got = lab.probes.dropconnect_dense(kernel, bias, x, 300, 0, units=5, rate=rate, seed=4)
    outputs = np.array(got["training"])
    called = f"300 calls of DropConnectDense(5, rate={rate}, seed=4)(x, training=True), x of shape (3, 8)"
    expect_true(not np.array_equal(outputs[0], outputs[1]), "a new mask at every training call",
                "the same output twice in a row", called=called,
                hint="draw the mask inside call(), from the layer's SeedGenerator, so each call draws the next one")
    # Each pass: out_j = sum_i x_i w_ij m_ij / (1 - rate); its variance is sum_i (x_i w_ij)**2 rate / (1 - rate).
    spread = np.sqrt((x ** 2) @ (kernel ** 2) * rate / (1 - rate) / len(outputs))
    z = (outputs.mean(axis=0) - dense(x, kernel, bias)) / spread
    expect_true(np.max(np.abs(z)) < 5, "the mean of 300 passes within 5 standard errors of Dense's output",
                f"{np.max(np.abs(z)):.1f} standard errors away", called=called,
                hint="scale the kept weights by 1 / (1 - rate), so that the expected output is Dense's")
    first = lab.probes.dropconnect_dense_first_masks(kernel, bias, x, [9, 9, 10], units=5, rate=rate)
    called = "DropConnectDense(5, rate=0.5, seed=s)(x, training=True) for fresh layers with s = 9, 9, 10"
    expect_close(first[1], first[0], rtol=0, called=called,
                 hint="build the layer's keras.random.SeedGenerator from its seed: same seed, same masks")
    expect_true(not np.array_equal(first[2], first[0]), "another mask for seed 10", "the mask of seed 9",
                called=called, hint="pass the seed argument to keras.random.SeedGenerator")


@graded(points=1, timeout=120, forbid=FORBID)
def dropconnect_dense_config(lab):
    "DropConnectDense lists units, rate, activation and seed in get_config, rebuilds from it, and rejects bad units and rate"
    saved, rebuilt = lab.probes.dropconnect_dense_config(units=7, rate=0.25, activation="tanh", seed=5)
    called = "DropConnectDense(7, rate=0.25, activation='tanh', seed=5).get_config()"
    for key, value in (("units", 7), ("rate", 0.25), ("seed", 5)):
        expect_true(key in saved and saved[key] == value, f"config[{key!r}] == {value!r}",
                    f"{saved.get(key, 'no such key')!r}", called=called,
                    hint="start from super().get_config() and add the constructor's arguments under their names")
    expect_true("tanh" in str(saved.get("activation")), "the tanh activation in the config",
                f"{saved.get('activation')!r}", called=called, hint="keras.activations.serialize(self.activation)")
    expect_equal(rebuilt, saved, called="DropConnectDense.from_config(config).get_config()",
                 hint="from_config(get_config()) must rebuild the same layer")
    expect_raises(ValueError, lab.probes.dropconnect_dense_config, units=3, rate=1.0, mentions="rate",
                  hint="check rate in __init__")
    expect_raises(ValueError, lab.probes.dropconnect_dense_config, units=0, mentions="units",
                  hint="check units in __init__")
