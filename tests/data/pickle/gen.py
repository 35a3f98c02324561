#!/usr/bin/python3
"""Golden files of the pickle plugin's tests, as ANNarchy's save() writes
them (Python's pickle and numpy; run with Debian's /usr/bin/python3):

    net_p{0..5}.data    the whole network, pickle protocols 0 to 5
    net_p5.data.gz      the same, gzip'ed (ANNarchy's .gz, level 9)
    pop_p4.data         population E alone (Population.save())
    proj_p4.data        projection EI alone (Projection.save())
    proj_rows_p4.data   a projection whose attributes' rows are numpy arrays
                        (int32, float32), beside ints as ANNarchy writes them
    old46_p2.data       ANNarchy 4.6: flat arrays, globals as 0-d arrays
    pop_np2_p{4,5}.data population E as numpy 2 writes it (numpy._core.*
                        names), made by renaming in numpy 1's pickle
    hostile_p4.data     a pickle that calls os.system('echo pwned')
    old_p4.data         the network as older ANNarchy versions wrote it,
                        without 'time_step' and 'obj_names'
    no_obj_names_p4.data  the network with 'time_step' but no 'obj_names'
    bad_obj_names_p4.data 'obj_names' lists a population the file lacks

tests/formats/pickle.c checks every value written here.
"""
import gzip
import os
import pickle
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def obj_array(rows):
    a = np.empty(len(rows), dtype=object)
    for i, r in enumerate(rows):
        a[i] = list(r)
    return a


def population_e():
    return {
        'name': 'E', 'geometry': (2, 3), 'size': 6,
        'attributes': ['tau', 'v', 'r', 'spike_count', 'on', 'thr'],
        'parameters': ['tau', 'thr'],
        'variables': ['v', 'r', 'spike_count', 'on'],
        'tau': 10.5,
        # Fortran order: nsnap must flatten in C order.
        'v': np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3) * 0.5 - 1.0),
        'r': np.array([[0.25, 0.5, 0.75], [1.0, 1.25, 1.5]], dtype=np.float32),
        'spike_count': np.array([[1, 2, 3], [4, 5, -6]], dtype=np.int64),
        'on': np.array([[True, False, True], [False, False, True]]),
        'thr': np.array([[7, 8, 9], [10, 11, 12]], dtype=np.int32),
    }


def population_i():
    return {
        'name': 'I', 'geometry': (4,), 'size': 4,
        'attributes': ['tau', 'v'], 'parameters': ['tau'], 'variables': ['v'],
        'tau': 20.0, 'v': np.array([-70.0, -65.0, -60.0, -55.5]),
    }


def projection_ei():
    return {
        'name': 'EI', 'pre': 'E', 'post': 'I', 'target': 'exc',
        'post_ranks': [0, 2, 3],
        'pre_ranks': obj_array([[0, 1], [2], [3, 4, 5]]),
        'attributes': ['eta', 'w', 'trace'], 'parameters': ['eta'],
        'variables': ['w', 'trace'],
        'eta': 0.01,
        'w': [[0.5, 0.25], [0.125], [1.0, 2.0, 3.0]],
        'trace': [1.5, 2.5, 3.5],
        'delays': [[1.0, 2.0], [1.0], [3.0, 1.0, 1.0]],
    }


def arrays_of(rows, dtype):
    a = np.empty(len(rows), dtype=object)
    for i, r in enumerate(rows):
        a[i] = np.array(r, dtype=dtype)
    return a


def projection_rows():
    """EI's synapses; rows that are numpy arrays carry their dtype, which
    lists of Python ints (ANNarchy's way) do not."""
    return {
        'name': 'EI', 'pre': 'E', 'post': 'I', 'target': 'exc',
        'post_ranks': [0, 2, 3],
        'pre_ranks': obj_array([[0, 1], [2], [3, 4, 5]]),
        'attributes': ['count', 'g', 'k', 'n', 'on'], 'parameters': ['k'],
        'variables': ['count', 'g', 'n', 'on'],
        'count': arrays_of([[7, -8], [9], [10, 11, 2**31 - 1]], np.int32),
        'g': arrays_of([[0.5, 0.25], [0.125], [1.0, 2.0, 3.0]], np.float32),
        'k': [[1, 2], [3], [4, 5, -6]],
        'n': [4, 5, 6],
        'on': [True, False, True],
    }


def projection_ie():
    return {
        'name': 'IE', 'pre': 'I', 'post': 'E', 'target': 'inh',
        'post_ranks': [1, 4],
        'pre_ranks': np.array([[0, 1], [2, 3]], dtype=np.int64),
        'attributes': ['w'], 'parameters': ['w'], 'variables': [],
        'w': 0.75, 'delays': 2.0,
    }


def network():
    return {
        'time_step': 1234, 'net_id': 0,
        'E': population_e(), 'I': population_i(),
        'EI': projection_ei(), 'IE': projection_ie(),
        'obj_names': {'populations': ['E', 'I'], 'projections': ['EI', 'IE']},
    }


def old46():
    e = population_e()
    for k in ('v', 'r', 'spike_count', 'on', 'thr'):
        e[k] = np.ascontiguousarray(e[k]).reshape(-1)
    e['tau'] = np.array(10.5)
    return {'time_step': 7, 'net_id': 0, 'E': e,
            'obj_names': {'populations': ['E'], 'projections': []}}


def without(*keys):
    net = network()
    for k in keys:
        del net[k]
    return net


def bad_obj_names():
    net = network()
    net['obj_names']['populations'].append('X')
    return net


def new_files():
    """The files added for files without 'obj_names' (issue 12)."""
    dump('old_p4.data', without('time_step', 'net_id', 'obj_names'), 4)
    dump('no_obj_names_p4.data', without('obj_names'), 4)
    dump('bad_obj_names_p4.data', bad_obj_names(), 4)


class Evil:
    def __reduce__(self):
        return (os.system, ('echo pwned',))


def dump(name, obj, protocol):
    with open(os.path.join(HERE, name), 'wb') as f:
        pickle.dump(obj, f, protocol=protocol)


def numpy2(protocol):
    """numpy 2's module names in a pickle of numpy 1: the frame (optional
    in a pickle) is dropped, so that the names may change length."""
    data = pickle.dumps(population_e(), protocol=protocol)
    assert data[2] == 0x95
    data = data[:2] + data[11:]
    for old in (b'numpy.core.multiarray', b'numpy.core.numeric'):
        new = old.replace(b'numpy.core', b'numpy._core')
        data = data.replace(bytes([0x8c, len(old)]) + old, bytes([0x8c, len(new)]) + new)
    assert b'numpy.core' not in data
    return data


def main():
    for p in range(6):
        dump('net_p%d.data' % p, network(), p)
    with open(os.path.join(HERE, 'net_p5.data.gz'), 'wb') as raw:
        with gzip.GzipFile(fileobj=raw, mode='wb', compresslevel=9, mtime=0) as f:
            pickle.dump(network(), f, protocol=5)
    dump('pop_p4.data', population_e(), 4)
    dump('proj_p4.data', projection_ei(), 4)
    dump('proj_rows_p4.data', projection_rows(), 4)
    dump('old46_p2.data', old46(), 2)
    for p in (4, 5):
        with open(os.path.join(HERE, 'pop_np2_p%d.data' % p), 'wb') as f:
            f.write(numpy2(p))
    dump('hostile_p4.data', Evil(), 4)
    new_files()
    return 0


if __name__ == '__main__':
    sys.exit(main())
