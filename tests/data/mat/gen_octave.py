#!/usr/bin/python3
"""octave7.mat: the network of gen.py as Octave 7's `save -v7` writes it,
built byte by byte (Octave is not needed) after Octave's ls-mat5.cc:

- each variable compressed (miCOMPRESSED) on its own;
- struct field names 64 bytes each;
- a char row as UTF-16 (dims 1 x code units), a char matrix as UTF-8;
- doubles that hold whole numbers in the smallest integer type that
  holds them (Octave's get_save_type), others as doubles;
- element sizes as Octave's save_mat5_element_length() computes them: it
  counts a char matrix of 3 or 4 characters (short names, such as
  obj_names.projections = ['EI'; 'IE']) as 12 bytes where 8 follow (a
  small data element), so the sizes of such an array and of every element
  around it are 4 bytes larger than what follows.

scipy.io.loadmat and Octave read such files (they read nested elements one
after the other, not by their sizes). Run with Debian's /usr/bin/python3;
it checks that scipy reads the values it wrote.
"""
import os
import struct
import sys
import zlib

import numpy as np
import scipy.io

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'pickle'))
import gen as pickle_gen  # noqa: E402  (the tests' network)

MI = {'int8': 1, 'uint8': 2, 'int16': 3, 'uint16': 4, 'int32': 5, 'uint32': 6,
      'single': 7, 'double': 9, 'int64': 12, 'uint64': 13, 'matrix': 14,
      'compressed': 15, 'utf8': 16, 'utf16': 17}
CLASS = {'cell': 1, 'struct': 2, 'char': 4, 'double': 6, 'single': 7, 'int8': 8,
         'uint8': 9, 'int16': 10, 'uint16': 11, 'int32': 12, 'uint32': 13, 'int64': 14,
         'uint64': 15}


def pad(n):
    return 4 if 0 < n <= 4 else (n + 7) // 8 * 8


def tag(t, n):
    if 0 < n <= 4:
        return struct.pack('<I', n << 16 | t)
    return struct.pack('<II', t, n)


def data_element(t, raw):
    return tag(t, len(raw)) + raw + b'\0' * (pad(len(raw)) - len(raw))


class Char:
    """A char array: one row (a str) or a matrix (a list of str, padded)."""

    def __init__(self, rows):
        self.rows = rows


class Cell:
    def __init__(self, items):
        self.items = items  # a 1 x n cell


def dims_of(v):
    if isinstance(v, dict):
        return (1, 1)
    if isinstance(v, Cell):
        return (1, len(v.items))
    if isinstance(v, Char):
        if isinstance(v.rows, str):
            return (1, len(v.rows.encode('utf-16-le')) // 2) if v.rows else (0, 0)
        width = max(len(r) for r in v.rows)
        return (len(v.rows), width)
    a = np.asarray(v)
    return (1, a.size) if a.ndim <= 1 else a.shape


def save_type(a):
    """Octave's choice for a double array: the smallest integer type that
    holds its values when they are all whole numbers."""
    if a.size == 0 or not np.all(np.isfinite(a)) or not np.all(a == np.round(a)):
        return 'double', '<f8'
    lo, hi = a.min(), a.max()
    for name, code, ok in (('uint8', '<u1', hi < 256 and lo > -1),
                           ('uint16', '<u2', hi < 65536 and lo > -1),
                           ('uint32', '<u4', hi < 4294967295 and lo > -1),
                           ('int8', '<i1', hi < 128 and lo >= -128),
                           ('int16', '<i2', hi < 32768 and lo >= -32768),
                           ('int32', '<i4', hi <= 2147483647 and lo >= -2147483647)):
        if ok:
            return name, code
    return 'double', '<f8'


def element_length(v, name):
    """save_mat5_element_length(), with its count of short char matrices."""
    ret = 32
    if len(name) > 4:
        ret += pad(len(name))
    ret += pad(4 * len(dims_of(v)))
    if isinstance(v, Char):
        ret += 8
        if isinstance(v.rows, str):
            n = len(v.rows.encode('utf-16-le')) // 2 * 2
            if n // 2 > 2:
                ret += pad(n)
        else:
            n = dims_of(v)[0] * dims_of(v)[1]
            if n > 2:
                ret += pad(n)  # 4 for 3 or 4 chars: written as 8, not 12
    elif isinstance(v, Cell):
        for x in v.items:
            ret += 8 + element_length(x, '')
    elif isinstance(v, dict):
        ret += 16 + len(v) * 64
        for x in v.values():
            ret += 8 + element_length(x, '')
    else:
        a = np.asarray(v)
        if a.dtype == np.float64:
            n = a.size * np.dtype(save_type(a)[1]).itemsize
            ret += pad((4 if n <= 4 else 8) + n) if a.size else 8
        else:
            n = a.size * a.dtype.itemsize
            ret += 8 + (pad(n) if n > 4 else 0)
    return ret


def element(v, name=''):
    """One miMATRIX element, its size as Octave declares it."""
    dims = dims_of(v)
    flags = 0
    if isinstance(v, Char):
        cls = 'char'
    elif isinstance(v, Cell):
        cls = 'cell'
    elif isinstance(v, dict):
        cls = 'struct'
    else:
        a = np.asarray(v)
        if a.dtype == np.bool_:
            cls, flags = 'uint8', 0x0200
        else:
            cls = {np.float64: 'double', np.float32: 'single', np.int64: 'int64',
                   np.int32: 'int32'}[a.dtype.type]
    body = struct.pack('<II', MI['uint32'], 8) + struct.pack('<II', flags | CLASS[cls], 1)
    raw = b''.join(struct.pack('<i', d) for d in dims)
    body += data_element(MI['int32'], raw)
    nm = name.encode()
    body += tag(MI['int8'], len(nm)) + nm + b'\0' * (pad(len(nm)) - len(nm) if nm else 0)
    if isinstance(v, Char):
        if isinstance(v.rows, str):
            body += data_element(MI['utf16'], v.rows.encode('utf-16-le'))
        else:
            m = [r.ljust(dims[1]) for r in v.rows]
            body += data_element(MI['utf8'],
                                 ''.join(m[i][j] for j in range(dims[1])
                                         for i in range(dims[0])).encode())
    elif isinstance(v, Cell):
        for x in v.items:
            body += element(x)
    elif isinstance(v, dict):
        body += data_element(MI['int32'], struct.pack('<i', 64))
        body += data_element(MI['int8'], b''.join(k.encode().ljust(64, b'\0') for k in v))
        for x in v.values():
            body += element(x)
    else:
        a = np.asarray(v)
        if a.ndim == 0:
            a = a.reshape(1)
        flat = a.flatten(order='F')
        if a.dtype == np.float64:
            t, code = save_type(flat)
            body += data_element(MI[t], flat.astype(code).tobytes())
        else:
            t = 'uint8' if a.dtype == np.bool_ else cls
            body += data_element(MI[t], flat.astype(a.dtype.newbyteorder('<')).tobytes())
    return struct.pack('<II', MI['matrix'], element_length(v, name)) + body


def octave_value(v):
    """The network's values as Octave holds them after loading ANNarchy's
    .mat file."""
    if isinstance(v, dict):
        return {k: octave_value(x) for k, x in v.items()}
    if isinstance(v, str):
        return Char(v)
    if isinstance(v, (list, tuple)) and v and all(isinstance(x, str) for x in v):
        return Char(list(v)) if len(v) > 1 else Char(v[0])
    if isinstance(v, (list, tuple)) and not v:
        return np.zeros((0, 0))
    if isinstance(v, tuple) or (isinstance(v, list) and all(isinstance(x, int) for x in v)):
        return np.array(v, dtype=np.int64)
    if isinstance(v, int):
        return np.array(v, dtype=np.int64)
    if isinstance(v, float):
        return np.array(v)
    if isinstance(v, np.ndarray) and v.dtype == object:
        return Cell([np.array(x, dtype=np.int64 if all(isinstance(y, int) for y in x)
                              else np.float64) for x in v])
    if isinstance(v, list) and all(isinstance(x, float) for x in v):
        return np.array(v)
    if isinstance(v, list):  # ragged lists of floats
        return Cell([np.array(x, dtype=np.float64) for x in v])
    return v


def main():
    net = pickle_gen.network()
    for k in ('w', 'delays'):
        net['EI'][k] = pickle_gen.obj_array(net['EI'][k])
    text = b'MATLAB 5.0 MAT-file, written by Octave 7.3.0, 2023-01-01 00:00:00 UTC'
    out = text.ljust(116, b' ') + b'\0' * 8 + struct.pack('<H', 0x0100) + b'IM'
    for name, v in net.items():
        z = zlib.compress(element(octave_value(v), name))
        out += struct.pack('<II', MI['compressed'], len(z)) + z
    path = os.path.join(HERE, 'octave7.mat')
    with open(path, 'wb') as f:
        f.write(out)
    m = scipy.io.loadmat(path)
    assert [s.rstrip() for s in m['obj_names']['projections'][0, 0]] == ['EI', 'IE']
    assert m['time_step'][0, 0] == 1234 and m['E']['size'][0, 0][0, 0] == 6
    assert np.array_equal(m['E']['v'][0, 0], net['E']['v'])
    assert m['EI']['pre_ranks'][0, 0][0, 2].tolist() == [[3, 4, 5]]
    return 0


if __name__ == '__main__':
    sys.exit(main())
