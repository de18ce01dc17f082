"""The textbook formulas tests and references judge with, each checked by an independent route."""

import numpy as np
import pytest

from autograder import textbook

A = np.array([[2.0, -1.0, 0.5], [0.0, 3.0, 1.0]])


def test_sigmoid_has_its_closed_form_values_and_symmetry():
    z = np.linspace(-30, 30, 13)
    assert textbook.sigmoid(0.0) == 0.5
    assert textbook.sigmoid(np.log(3.0)) == pytest.approx(0.75, rel=1e-15)
    np.testing.assert_allclose(textbook.sigmoid(z) + textbook.sigmoid(-z), 1.0, rtol=1e-15)


def test_gradient_of_a_quadratic_form_is_its_closed_form():
    # f(x) = x^T Q x has gradient (Q + Q^T) x; central differences are exact on a quadratic up to rounding.
    q = np.array([[1.0, 2.0], [0.5, -3.0]])
    x = np.array([0.3, -1.2])
    np.testing.assert_allclose(textbook.gradient(lambda v: v @ q @ v, x), (q + q.T) @ x, rtol=1e-8)


def test_gradient_works_on_any_shape_and_leaves_its_argument_alone():
    x = np.arange(6.0).reshape(2, 3)
    kept = x.copy()
    np.testing.assert_allclose(textbook.gradient(lambda v: np.sum(v ** 3), x), 3 * x ** 2, rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(x, kept)


def test_central_differences_restores_the_array_it_moves():
    p = np.array([0.1, 0.2, 0.3])
    kept = p.copy()
    grad = textbook.central_differences(lambda: np.sum(np.sin(p)), p)
    np.testing.assert_allclose(grad, np.cos(kept), rtol=1e-8)
    np.testing.assert_array_equal(p, kept)


def test_derivative_is_elementwise():
    x = np.array([-2.0, 0.5, 3.0])
    np.testing.assert_allclose(textbook.derivative(np.exp, x), np.exp(x), rtol=1e-8)


def test_jacobian_of_a_linear_map_is_its_matrix():
    np.testing.assert_allclose(textbook.jacobian(lambda z: A @ z, np.array([1.0, -2.0, 0.5])), A, rtol=1e-8)
