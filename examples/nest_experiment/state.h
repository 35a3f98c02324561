/* SPDX-License-Identifier: MIT */
/* What nsnap sees of the simulator: its arrays bound to an ns_network (the
 * whole state, for an exact resume), and a network rebuilt from a version
 * the NEST way (V_m, connections and weights only). */
#ifndef NEST_EXPERIMENT_STATE_H
#define NEST_EXPERIMENT_STATE_H

#include <nsnap/nsnap.h>

#include "sim.h"

/* Print "nest_experiment: WHAT: <nsnap's last error>" and return -1. */
int fail_ns(const char *what);

/* A network whose populations E and I, their delay lines E_transit and
 * I_transit, and projections EE, EI, IE and II are bound to the arrays of
 * @p s (borrowed: @p s must outlive the network): every value that
 * determines the simulation's future, and the model's parameters. */
int state_bind(ns_network **out, sim *s);

/* Before a snapshot: give the network the simulator's time. */
void state_set_time(ns_network *net, const sim *s);

/* After ns_restore() wrote into @p s: take the restored time and recompute
 * what derives from the parameters. */
int state_after_restore(sim *s, const ns_network *net);

/* Build a simulator from revision @p rev as NEST's example restores its
 * network: V_m, connectivity and weights from the version, everything else
 * (time 0, no spikes in transit, empty traces, the drive's random streams
 * from @p seed) fresh, with the parameters @p p of the program. */
int state_load_nest_way(sim **out, ns_store *store, const char *rev, const sim_params *p,
			uint64_t seed);

#endif
