# SPDX-License-Identifier: MIT
"""nsnap's errors as Python exceptions."""
import pytest

import nsnap

CLASSES = {
    "NotFoundError": (-5, KeyError), "InvalidError": (-3, ValueError),
    "MismatchError": (-13, None), "FormatError": (-14, None),
    "UnsupportedError": (-15, None), "CorruptError": (-9, None),
    "VersionError": (-8, None), "NotStoreError": (-7, None),
    "ReadOnlyError": (-10, None), "BusyError": (-11, None),
    "ExistsError": (-6, FileExistsError), "FullError": (-12, None),
    "PluginError": (-16, None), "IOError_": (-4, OSError),
}


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_one_class_per_error_kind(name):
    cls = getattr(nsnap, name)
    code, extra = CLASSES[name]
    assert issubclass(cls, nsnap.Error) and issubclass(nsnap.Error, Exception)
    assert cls.code == code
    if extra:
        assert issubclass(cls, extra)
    assert cls.__doc__


def test_an_error_carries_the_code_and_nsnaps_message(store):
    with pytest.raises(nsnap.NotFoundError) as e:
        store.resolve("v9")
    assert e.value.code == -5
    assert e.value.args[0] == str(e.value)
    assert str(e.value).startswith("store '") and "'v9'" in str(e.value)
    # KeyError would quote the message: nsnap's is shown as it is.
    assert not str(e.value).startswith('"')


def test_a_malformed_revision_is_an_invalid_error(store):
    with pytest.raises(nsnap.Error) as e:
        store.resolve("main~x")
    assert isinstance(e.value, (nsnap.InvalidError, nsnap.NotFoundError))


def test_every_public_object_has_a_docstring():
    for name in nsnap.__all__:
        obj = getattr(nsnap, name)
        assert obj.__doc__, name
        for m in dir(obj):
            if not m.startswith("_") and callable(getattr(obj, m, None)):
                assert getattr(obj, m).__doc__, f"{name}.{m}"
    assert "snapshot(net" in nsnap.Store.snapshot.__doc__
    assert "restore(rev, net" in nsnap.Store.restore.__doc__
