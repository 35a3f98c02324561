/* SPDX-License-Identifier: MIT */
/* Helpers shared by the format tests (pickle.c, mat.c, text.c): running Python, importing a file, and the expectations on
 * the network that tests/data/pickle/gen.py writes (tests/data/mat/gen.py
 * saves the same one). */
#ifndef NSNAP_TESTS_FORMAT_UTIL_H
#define NSNAP_TESTS_FORMAT_UTIL_H

#include <nsnap/nsnap.h>

#include <stddef.h>
#include <stdint.h>

/* Import @path into @s with the default options; the version goes to @v. */
int import_file(uint64_t *v, ns_plugins *ps, ns_store *s, const char *path);

/* Run the Python program @prog with the arguments @args; system()'s status. */
int python(const char *prog, const char *args);

/* Attribute @obj.@name of @net: its kind, scope, type and values. */
void expect_attr(ns_network *net, const char *obj, const char *name, ns_attr_kind kind,
		 ns_scope scope, ns_dtype dtype, const double *want, size_t n);

/* Projection @name of @net has the @n synapses @pre -> @post, in order. */
void expect_synapses(ns_network *net, const char *name, const int32_t *pre,
		     const int32_t *post, uint64_t n);

/* gen.py's population "E": 2x3 neurons and its six attributes. */
void expect_population_e(ns_network *net);

/* Import @path with @ps (freed) into a new store: it holds gen.py's
 * population "E", alone. */
void expect_population_file(ns_plugins *ps, const char *path);

/* gen.py's projection "EI" from "E" to "I": synapses and attributes. */
void expect_projection_ei(ns_network *net);

/* Everything gen.py's network() holds, in version @rev of @s. */
void expect_network(ns_store *s, const char *rev);

/* Snapshot into @s a network of every element type and scope, with a
 * name, time, dt, dictionary and types: populations of 1-D, 2-D and 3-D
 * geometry and one of one neuron, a rectangular and a ragged projection
 * (a post neuron without synapses) and one of one synapse; arrays of any
 * length: network-wide ones (i64 past 2^53, f64 with a NaN payload, -0
 * and a subnormal, f32 named like a keyword of the text format) and
 * attributes of scope array on a population and on projections (one
 * empty). */
void build_all_types(ns_store *s);

/* Versions @a and @b of @s have the same network-wide arrays and
 * attributes of scope array: names, kinds, types, counts and bits. */
void expect_arrays_identical(ns_store *s, const char *a, const char *b);

/* Export the newest version of @s to @path (format @options), import it
 * back, and check that `nsnap diff` finds the two versions equal (time
 * and dt included) and that names and kinds came back. */
void expect_round_trip_equal(ns_plugins *ps, ns_store *s, const char *path,
			     const char *const *options);

#endif
