#!/usr/bin/python3
"""MAT v7.3 files of Python's HDF5 writers, and an Octave HDF5 file
(Debian's /usr/bin/python3 with python3-h5py and python3-hdf5storage;
only needed to write these files again, not to run the tests):

    hdf5storage.mat  the network of gen.py through hdf5storage.savemat()
                     (format 7.3, MATLAB-compatible)
    h5py.mat         population E as MATLAB lays out a struct in v7.3,
                     written with h5py: a 512-byte user block with the MAT
                     header, a group with MATLAB_class 'struct' and one
                     dataset per field, transposed (MATLAB is
                     column-major), and MATLAB_fields naming them. Both writers store MATLAB_class as
                     fixed-length strings padded with NULs (NULLPAD), where
                     MATLAB and matio write them NUL-terminated (NULLTERM).
    octave_hdf5.mat  what Octave's `save -hdf5` writes: an HDF5 file
                     without the MAT header (its signature at byte 0).
"""
import os
import sys

import h5py
import hdf5storage
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'pickle'))
import gen as pickle_gen  # noqa: E402  (the tests' network)

HEADER = b'MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Sun Jan  1 00:00:00 2023 ' \
         b'HDF5 schema 1.00 .'


def userblock(path):
    with open(path, 'r+b') as f:
        f.write(HEADER.ljust(116, b' ') + b'\0' * 8 + b'\x00\x02IM')


def cls(obj, name):
    obj.attrs['MATLAB_class'] = np.bytes_(name)  # NULLPAD, as h5py writes


def dataset(group, name, value, matlab_class):
    a = np.asarray(value)
    a = a.reshape(1, -1) if a.ndim < 2 else a
    d = group.create_dataset(name, data=a.T)  # MATLAB's dims are reversed
    cls(d, matlab_class)
    return d


def char(group, name, s):
    d = dataset(group, name, np.array([ord(c) for c in s], dtype=np.uint16), 'char')
    d.attrs['MATLAB_int_decode'] = np.int32(2)


def h5py_population():
    path = os.path.join(HERE, 'h5py.mat')
    e = pickle_gen.population_e()
    with h5py.File(path, 'w', userblock_size=512) as f:
        g = f.create_group('E')
        cls(g, 'struct')
        char(g, 'name', 'E')
        dataset(g, 'geometry', np.array(e['geometry'], dtype=np.int64), 'int64')
        dataset(g, 'size', np.array([e['size']], dtype=np.int64), 'int64')
        dataset(g, 'tau', np.array([e['tau']]), 'double')
        for k, c in (('v', 'double'), ('r', 'single'), ('spike_count', 'int64'),
                     ('thr', 'int32')):
            dataset(g, k, e[k], c)
        d = dataset(g, 'on', e['on'].astype(np.uint8), 'logical')
        d.attrs['MATLAB_int_decode'] = np.int32(1)
        # the lists as char matrices of one name per row, space-padded
        for k in ('attributes', 'parameters', 'variables'):
            w = max(len(n) for n in e[k])
            m = np.array([[ord(c) for c in n.ljust(w)] for n in e[k]], dtype=np.uint16)
            d = g.create_dataset(k, data=m.T)
            cls(d, 'char')
            d.attrs['MATLAB_int_decode'] = np.int32(2)
        # the field names, as MATLAB lists them: a vlen array of chars each
        names = np.empty(len(g), dtype=object)
        for i, k in enumerate(g):
            names[i] = np.array(list(k), dtype='S1')
        g.attrs.create('MATLAB_fields', names, dtype=h5py.vlen_dtype(np.dtype('S1')))
    userblock(path)


def numpy_values(v):
    """hdf5storage writes a list or tuple as a cell: lists of numbers
    become arrays, lists of names char matrices, as for MATLAB."""
    if isinstance(v, dict):
        return {k: numpy_values(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)) and v and all(isinstance(x, str) for x in v):
        return np.array([list(x.ljust(max(map(len, v)))) for x in v])
    if isinstance(v, (list, tuple)) and not v:
        return np.zeros((0, 0))
    if isinstance(v, (list, tuple)) and all(isinstance(x, (int, float)) for x in v):
        return np.array(v)
    if isinstance(v, np.ndarray) and v.dtype == object:
        out = np.empty(v.shape, dtype=object)
        for i, x in enumerate(v):
            out[i] = np.array(x).reshape(1, -1)
        return out
    return v


def hdf5storage_network():
    net = pickle_gen.network()
    for k in ('w', 'delays'):
        net['EI'][k] = pickle_gen.obj_array(net['EI'][k])
    net = numpy_values(net)
    path = os.path.join(HERE, 'hdf5storage.mat')
    hdf5storage.savemat(path, net, format='7.3', matlab_compatible=True,
                        store_python_metadata=False)


def octave_hdf5():
    path = os.path.join(HERE, 'octave_hdf5.mat')
    with h5py.File(path, 'w') as f:
        g = f.create_group('x')
        g.create_dataset('type', data=np.bytes_('scalar'))
        g.create_dataset('value', data=1.0)


def main():
    hdf5storage_network()
    h5py_population()
    octave_hdf5()
    return 0


if __name__ == '__main__':
    sys.exit(main())
