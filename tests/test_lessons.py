"""Every lab's lesson names the slide figures and phrases it corrects (issue 13's errata).

A student works with the slides open beside the lab: wherever the two
disagree, the lesson (module docstring, Markdown cells or hints of the
student's version in labs/) must quote what the slide says and give what is
right. Each row of LESSONS lists, for one lab, the slide's wrong figure or
phrase and the right one, as the lesson must spell them. A lab's helper adds
its row; line breaks and comment markers do not matter.
"""

import re

import pytest
from helpers import ROOT

LESSONS = {
    "lab01_gradient_descent": (
        # deck 000: the OR-gate update starts from w2 = 1; rounded intermediates; X called the input
        '"from w2 = 1"', "1.0033155", "0.303316",
        "0.048059", "0.0480579", "-0.06631", "-0.066317", "truncated: -0.066317 rounds to -0.06632", "-0.0663185",
        'calls X the "input"',
        # deck 000: F(X) called the "output based on X"
        '"output based on X"', "it is the cost being minimised",
        # deck 004: the brain's neuron count
        '"nearly 10 billion neurons"', "about 86 billion",
        # deck 004, appendix A: dE/dW1 and dE/dW2 printed rounded, the update using 0.028
        "dE/dW1 as 0.01 (it is 0.0093)", "dE/dW2 as 0.03", "0.2 - 0.01 * 0.028 = 0.19972", "0.027828",
        # deck 002: "moving down toward the gradient"
        '"down toward the gradient"', "It moves against it",
        # deck 003: the cross-entropy's lost minus
        "y ln(y_hat) - (1 - y) ln(1 - y_hat), without the leading minus",
        # deck 004: GD for large data sets; convex losses; MSE robust to outliers
        '"well suited for large datasets', "That is SGD's strength",
        '"should be convex"', '"robust to outliers"', "the least robust to outliers",
    ),
    "lab02_backpropagation": (
        # deck 001: the ordering bug after one update, the 10,000-update figures, net_h1 with w3
        "0.291027924", "0.291027774",
        "0.0000351085", "after 9,999 updates", "0.015912196", "0.984065734", "3.50848e-05",
        "0.015913620", "0.984064274",
        "net_h1 = w1 * i1 + w3 * i2 + b1", "0.3825, not 0.3775",
        # deck 003: hidden-weight updates without their minus
        "w11 <- w11 - alpha * x1 w1 a1 (1 - a1)(y - y_hat)", "gradient ascent",
        # deck 004: the training algorithm's ordering, the multi-class gradient's sign
        '"MLPs Training Algorithm"', "updates the output layer weights (step 3)",
        "x_i (y_true - y_pred)", "x_i (y_pred - y_true)",
        # deck 004, appendix B: the 2-2-1 network
        "dout/dnet is given as 0.23", "0.865 * 0.135 = 0.1168",
        "dh2_in/dW3 and dh2_in/dW4 are given as 0.62 and 0.2", "the inputs 0.1 and 0.3",
        "W5 is updated with dnet/dW5 = 0.618", "dE/dW5 = 0.0602",
        "0.2 - 0.01 * 0.003 is printed as 0.1997", "it is 0.19997",
        # deck 004, appendix B: W3's update with dE/dW2; h1's factor labelled h2's; sigma(0.48) labelled h2_in
        "the W3 update is written W3 - eta * dE/dW2", "dE/dW3",
        "the factor labelled dh2out/dh2in = 0.236", "is h1's", "sigmoid'(0.48) = 0.2361", "sigmoid'(0.022) = 0.2500",
        "labelled dh_out/dh2_in", "0.48 is h1_in",
        # issue 13 part 3: one bar for a correct gradient; the weight layout against Keras and lab 7
        "below 1e-7", "a kernel of shape (n_in, n_out)", "W_keras = W.T",
    ),
    "lab03_activations": (
        # deck 004: the activation table's ranges
        "softplus", "(0, inf), not (0, 1)", "(-inf, inf), not (-1, 1)", "(-alpha, inf), not [0, inf)",
        # deck 003: the step's overlapping cases; small inputs and the sigmoid's gradient
        "0 if x > 0 and 1 if x >= 0",
        '"small input values give very small gradients"', "s'(0) = 1/4 is the largest",
        # deck 003: the sigmoid's range closed
        '"output is in range [0,1]"', "The range is open, (0, 1)",
    ),
    "lab04_logic_gates": (
        # deck 003: the step function's overlapping cases, on a bullet slide (not a table)
        "0 if x > 0; 1 if x >= 0", "deck 003", "the bullet slide on the step function",
        '"one of the simplest activation functions"', "it is not a table",
    ),
    "lab05_keras_mlp": (
        # deck 001's Keras code: input_dim on the second layer, "ReLU in the input layer", the real settings
        "input_dim=data_dim", "input layer", "batch_size=128", "nb_epoch=50", "optimizer='sgd'",
        "from keras.optimizers import SGD", "0.21", "np.random.random((1000, 10))",
    ),
    "lab06_optimizers": (
        # deck 004: RMSprop's "stop learning too early" is AdaGrad's flaw; GD vs SGD on large data
        "can stop learning too early", "AdaGrad", "lr / sqrt(t)", "GD is well suited for large datasets",
        "should read SGD", "_get_variable_index", "beta_1", "beta1",
        # deck 004: Adam's name; batch GD's guaranteed global optimum
        '"Adaptive Movement Estimation"', "It is Adaptive Moment Estimation",
        '"guaranteed convergence to global optimum"', "only for a convex loss and a small enough step",
    ),
    "lab07_regularization": (
        # deck 004: zero init, the dropout mask's draw, L1/L2 counted twice, batch norm's date, weight layout
        "breaks the symmetry", "fails to", "10%", "92%", "for each epoch", "at each iteration",
        "count the penalty's gradient twice", "0.96", "0.98", "GoogLeNet", "it came after", "(n_in, n_out)",
        "lab 2", "A @ W.T",
        # zero init's 10% against 92% needs the softmax + cross-entropy output; a sigmoid with squared error: 51%
        "hold with a softmax + cross-entropy output", "sigmoid output and squared error", "only 51%",
        # deck 003: batch norm's "mean 0, std 1" without gamma and beta
        '"to have a mean of 0 and a standard deviation of 1"', "gamma * x_hat + beta", "its std |gamma|",
    ),
    "lab09_training_deep_networks": (
        # deck 004: overfitting defined the wrong way round; underfitting needs both errors high
        '"Overfitting: our training data does much worse than our held out portion of data"', "That is backwards",
        "much *better* on its training data than on held-out data",
        '"Underfitting: our training data performs similarly to our held out data"',
        "they are underfitting only if both errors are high",
        # deck 004: variance as "our ability to match the spread of our data"
        '"our ability to match the spread of our data"', "the model's sensitivity to the training sample",
    ),
}
COMMENT = re.compile(r"^[ \t]*# ?", re.MULTILINE)


def normalized(text):
    """Text with Markdown-cell comment markers dropped and every run of whitespace one space."""
    return " ".join(COMMENT.sub("", text).split())


@pytest.fixture(scope="module")
def lessons():
    return {lab: normalized((ROOT / "labs" / f"{lab}.py").read_text()) for lab in LESSONS}


@pytest.mark.parametrize(("lab", "phrase"), [(lab, phrase) for lab, phrases in LESSONS.items() for phrase in phrases])
def test_lesson_names_the_slide_figure(lessons, lab, phrase):
    assert normalized(phrase) in lessons[lab], f"labs/{lab}.py should say {phrase!r} (issue 13's errata)"
