# SPDX-License-Identifier: MIT
"""nsnap: versioned checkpoints of neural-network simulation state.

A Store is one file of versions; a Network describes a simulation whose
attributes are *bound* numpy arrays (borrowed, never copied): a snapshot
reads them, a restore writes into them after checking everything.

    import numpy as np, nsnap

    net = nsnap.Network("brunel")
    E = net.add_population("E", 1000)
    v = np.zeros(1000)
    E.bind("v", v)
    with nsnap.Store("run.nsnap", create=True) as store:
        first = store.snapshot(net, message="initial", tag="t0")
        v += 1
        store.restore(first, net)          # v is zeros again, in place
        with store.open("t0") as ver:
            print(ver["E"]["v"][:5])       # a read-only view of the store

Errors are nsnap.Error subclasses carrying nsnap's message (the object and
the cause); bad arguments raise TypeError or ValueError before anything is
written. The GIL is released while nsnap works.
"""

from ._nsnap import (  # noqa: F401
    __version__,
    Error,
    NotFoundError,
    InvalidError,
    MismatchError,
    FormatError,
    UnsupportedError,
    CorruptError,
    VersionError,
    NotStoreError,
    ReadOnlyError,
    BusyError,
    ExistsError,
    FullError,
    PluginError,
    IOError_,
    Network,
    NetworkMeta,
    Population,
    Projection,
    Store,
    RestoreReport,
    SnapshotJob,
    Version,
    VersionObject,
    plugins,
)


def _error_str(self):
    # nsnap's message as it is: KeyError (a base of NotFoundError) would
    # otherwise quote it.
    return str(self.args[0]) if len(self.args) == 1 else Exception.__str__(self)


Error.__str__ = _error_str

__all__ = [
    "Error", "NotFoundError", "InvalidError", "MismatchError", "FormatError",
    "UnsupportedError", "CorruptError", "VersionError", "NotStoreError",
    "ReadOnlyError", "BusyError", "ExistsError", "FullError", "PluginError",
    "IOError_", "Network", "NetworkMeta", "Population", "Projection", "Store",
    "RestoreReport", "SnapshotJob", "Version", "VersionObject", "plugins",
]
