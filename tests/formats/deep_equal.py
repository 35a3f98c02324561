# SPDX-License-Identifier: MIT
"""same(a, b, path): two values Python unpickled or numpy loaded are equal
in type, shape, dtype and every value, recursively; an AssertionError names
the path where they differ. Shared by the format tests' Python checks."""
import numpy as np


def same(a, b, path):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray), path
        assert a.shape == b.shape and a.dtype == b.dtype, (path, a.shape, b.shape,
                                                           a.dtype, b.dtype)
        if a.dtype == object:
            for x, y in zip(a.reshape(-1), b.reshape(-1)):
                same(x, y, path)
        else:
            assert np.array_equal(a, b), (path, a, b)
    elif isinstance(a, dict):
        assert type(b) is dict and set(a) == set(b), (path, set(a) ^ set(b))
        for k in a:
            same(a[k], b[k], path + '.' + k)
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), (path, a, b)
        for x, y in zip(a, b):
            same(x, y, path)
    else:
        assert type(a) is type(b) and a == b, (path, a, b)
