#!/usr/bin/python3
"""Golden files of the npz plugin's tests, as ANNarchy's save('x.npz')
writes them: np.savez_compressed(filename, allow_pickle=True, **data) of
the dicts tests/data/pickle/gen.py makes (the same network). Run with
Debian's /usr/bin/python3 (numpy 1.x makes allow_pickle a member).

    net.npz          the whole network, savez_compressed (deflated)
    net_stored.npz   the same, np.savez (stored)
    pop.npz          population E alone (Population.save('p.npz')): str
                     and tuple members, v in Fortran order
    pop_be.npz       population E with big-endian arrays
    proj.npz         projection IE alone (rectangular; no variables)
    evil.npz         an object member whose pickle calls os.system
    notnpy.zip       a zip holding a text file
    dup.npz          the member 'E.npy' twice
    dotdot.npz       a member '../E.npy'
    encrypted.npz    net.npz with the encryption flag set on a member
    badcrc.npz       net.npz with a wrong CRC of member 'E.npy'
    bomb.npz         net_stored.npz declaring a member 10^9 bytes large
    short.npz        net_stored.npz declaring member 'E.npy' 8 bytes
                     shorter than it is
"""
import io
import os
import pickle
import struct
import sys
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'pickle'))
import gen as pk  # noqa: E402


def path(name):
    return os.path.join(HERE, name)


def fixed_times(name):
    """zipfile stamps members with the time now: 1980-01-01 instead, patched
    into numpy's own bytes (its zip64 extras kept), so that running this
    again gives the same files."""
    data = bytearray(open(path(name), 'rb').read())
    for sig, at in ((b'PK\x03\x04', 10), (b'PK\x01\x02', 12)):
        i = data.find(sig)
        while i >= 0:
            struct.pack_into('<HH', data, i + at, 0, (1980 - 1980) << 9 | 1 << 5 | 1)
            i = data.find(sig, i + 4)
    open(path(name), 'wb').write(bytes(data))


def savez(name, compressed, data):
    fn = np.savez_compressed if compressed else np.savez
    fn(path(name), allow_pickle=True, **data)
    fixed_times(name)


def big_endian(pop):
    pop = dict(pop)
    for k in ('v', 'r', 'spike_count', 'thr'):
        pop[k] = pop[k].astype(pop[k].dtype.newbyteorder('>'))
    return pop


def npy(value):
    b = io.BytesIO()
    np.save(b, value, allow_pickle=True)
    return b.getvalue()


def write_zip(name, members):
    with zipfile.ZipFile(path(name), 'w', zipfile.ZIP_DEFLATED) as z:
        for mname, data in members:
            info = zipfile.ZipInfo(mname, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def patch(src, name, member, fn):
    """Copy @src to @name, with fn(header bytes, is_central) applied to the
    local and central headers of @member."""
    data = bytearray(open(path(src), 'rb').read())
    m = member.encode()
    for sig, off_name, central in ((b'PK\x03\x04', 30, False), (b'PK\x01\x02', 46, True)):
        i = data.find(sig)
        while i >= 0:
            nlen = struct.unpack_from('<H', data, i + (28 if central else 26))[0]
            if data[i + off_name:i + off_name + nlen] == m:
                fn(data, i, central)
            i = data.find(sig, i + 4)
    open(path(name), 'wb').write(bytes(data))


def main():
    savez('net.npz', True, pk.network())
    savez('net_stored.npz', False, pk.network())
    savez('pop.npz', True, pk.population_e())
    savez('pop_be.npz', True, big_endian(pk.population_e()))
    savez('proj.npz', True, pk.projection_ie())
    evil = np.empty((), dtype=object)
    evil[()] = pk.Evil()
    write_zip('evil.npz', [('E.npy', npy(evil))])
    write_zip('notnpy.zip', [('readme.txt', b'not an array\n')])
    e = npy(np.array(pk.population_e(), dtype=object))
    with zipfile.ZipFile(path('dup.npz'), 'w') as z:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            z.writestr(zipfile.ZipInfo('E.npy', (1980, 1, 1, 0, 0, 0)), e)
            z.writestr(zipfile.ZipInfo('E.npy', (1980, 1, 1, 0, 0, 0)), e)
    write_zip('dotdot.npz', [('../E.npy', e)])

    def encrypt(d, i, central):
        flags = i + (8 if central else 6)
        struct.pack_into('<H', d, flags, struct.unpack_from('<H', d, flags)[0] | 1)
    patch('net.npz', 'encrypted.npz', 'E.npy', encrypt)

    def bad_crc(d, i, central):
        crc = i + (16 if central else 14)
        struct.pack_into('<I', d, crc, struct.unpack_from('<I', d, crc)[0] ^ 0x5a5a5a5a)
    patch('net.npz', 'badcrc.npz', 'E.npy', bad_crc)

    def size_of(d, i, central, delta=None, value=None):
        usize = i + (24 if central else 22)
        old = struct.unpack_from('<I', d, usize)[0]
        if old == 0xffffffff:
            raise SystemExit('zip64 sizes: patch the extra field instead')
        struct.pack_into('<I', d, usize, value if value is not None else old + delta)
    patch('net_stored.npz', 'bomb.npz', 'E.npy',
          lambda d, i, c: size_of(d, i, c, value=10**9))
    patch('net_stored.npz', 'short.npz', 'E.npy',
          lambda d, i, c: size_of(d, i, c, delta=-8))
    return 0


if __name__ == '__main__':
    sys.exit(main())
