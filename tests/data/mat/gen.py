#!/usr/bin/python3
"""Golden files of the mat plugin's tests, as ANNarchy's save() writes
them: scipy.io.savemat of ANNarchy's dict (run with Debian's
/usr/bin/python3, numpy and scipy):

    net.mat           the whole network, MAT v5 uncompressed (ANNarchy's way)
    net_z.mat         the same, compressed
    pop.mat           population E alone (Population.save('pop.mat')):
                      its keys are the file's variables
    no_post_ranks.mat a projection struct without 'post_ranks'
    bad_cell.mat      a projection whose 'pre_ranks' cell has 2 rows for
                      3 post ranks
    old.mat           the network without 'time_step' and 'obj_names', as
                      older ANNarchy versions wrote it
    no_obj_names.mat  the network with 'time_step' but no 'obj_names'

gen_octave.py and gen_h5.py write the files of other writers.

The network of tests/data/pickle/gen.py (imported from there); ragged
lists of lists become object arrays (cells), as numpy >= 1.24 needs.
tests/formats/mat.c checks every value written here.
"""
import os
import sys

import scipy.io

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'pickle'))
import gen as pickle_gen  # noqa: E402  (the pickle tests' network)

obj_array = pickle_gen.obj_array
population_e = pickle_gen.population_e


def network():
    net = pickle_gen.network()
    for k in ('w', 'delays'):  # ragged lists: numpy >= 1.24 wants object arrays
        net['EI'][k] = obj_array(net['EI'][k])
    return net


def save(name, data, compress=False):
    scipy.io.savemat(os.path.join(HERE, name), data, do_compression=compress, oned_as='row')


def new_files():
    """The files added for files without 'obj_names' (issue 12)."""
    net = network()
    for k in ('time_step', 'net_id', 'obj_names'):
        del net[k]
    save('old.mat', net)
    net = network()
    del net['obj_names']
    save('no_obj_names.mat', net)


def main():
    save('net.mat', network())
    save('net_z.mat', network(), compress=True)
    save('pop.mat', population_e())
    net = network()
    del net['EI']['post_ranks']
    save('no_post_ranks.mat', net)
    net = network()
    net['EI']['pre_ranks'] = obj_array([[0, 1], [2]])
    save('bad_cell.mat', net)
    new_files()
    return 0


if __name__ == '__main__':
    sys.exit(main())
