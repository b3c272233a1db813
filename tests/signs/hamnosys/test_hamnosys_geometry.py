"""Direction vectors in the signer's frame (+x left, +y up, +z forward) and the palm rule."""

import math

import pytest

from signspark.signs.hamnosys import geometry


def close(a, b, tol=1e-9):
    return all(abs(x - y) < tol for x, y in zip(a, b))


def test_direction_vectors():
    assert geometry.direction_vector("l") == (1.0, 0.0, 0.0)
    assert geometry.direction_vector("u") == (0.0, 1.0, 0.0)
    assert geometry.direction_vector("o") == (0.0, 0.0, 1.0)
    s = 1 / math.sqrt(2)
    assert close(geometry.direction_vector("dr"), (-s, -s, 0.0))
    assert close(geometry.direction_vector("uol"), (1 / math.sqrt(3),) * 3)
    with pytest.raises(ValueError, match="opposite"):
        geometry.direction_vector("ud")
    with pytest.raises(ValueError, match="letters"):
        geometry.direction_vector("x")


@pytest.mark.parametrize("finger, palm, normal", [
    ("o", "d", (0, -1, 0)),   # fingers forward: palm codes are true directions
    ("u", "d", (0, 0, 1)),    # fingers up, "palm down" faces forward
    ("u", "l", (1, 0, 0)),
    ("l", "d", (0, -1, 0)),
    ("d", "d", (0, 0, -1)),   # fingers down, "palm down" faces the body
    ("i", "l", (-1, 0, 0)),   # fingers back at the body: turned about the up axis
])
def test_palm_normal(finger, palm, normal):
    n = geometry.palm_normal(geometry.direction_vector(finger), palm)
    assert close(n, normal, 1e-6)


def test_palm_normal_is_perpendicular_to_the_fingers():
    for finger in ("uo", "dl", "ir", "ol"):
        f = geometry.direction_vector(finger)
        for palm in ("u", "ur", "r", "dr", "d", "dl", "l", "ul"):
            n = geometry.palm_normal(f, palm)
            assert abs(geometry.dot(n, f)) < 1e-9
            assert abs(geometry.dot(n, n) - 1) < 1e-9


@pytest.mark.parametrize("axis", ["o", "i", "u", "d", "l", "ul", "do"])
def test_circle_basis_is_right_handed(axis):
    v = geometry.direction_vector(axis)
    a, b = geometry.circle_basis(v)
    assert abs(geometry.dot(a, b)) < 1e-9 and abs(geometry.dot(a, v)) < 1e-9
    assert close(geometry.cross(a, b), v)
