/* SPDX-License-Identifier: MIT */
/**
 * @file network.h
 * @brief The network model: populations, projections and their attributes.
 *
 * A simulator describes its state as an #ns_network: populations (neurons)
 * and projections (synapses between two populations), each with named
 * attributes. An attribute is a parameter or a variable; global (one value),
 * local (one per neuron or synapse) or semiglobal (one per post-synaptic
 * neuron of a projection); of an element type of #ns_dtype.
 *
 * Arrays are either *bound* — the simulator's own memory, borrowed: nsnap
 * reads it on snapshot, writes it on restore, never frees or reallocates it
 * — or *owned* by nsnap (allocated zeroed when added, freed with the
 * network). A network opened from a version (ns_network_open()) is
 * read-only: its arrays are views into the store's map or copies nsnap owns
 * (see ns_attr_data()).
 *
 * Connectivity is the list of synapses of a projection as (pre index, post
 * index) pairs. The store keeps it sorted by post, then pre (duplicates, or
 * multapses, in their order in the network), which is how a synapse is
 * identified; the simulator's arrays may be in any order.
 *
 * State of the network itself (a random generator's, a clock of the
 * simulator's own) is kept in network-wide arrays, ns_network_attr_add():
 * they are snapshot, restored (with the time), opened and diffed like the
 * attributes of objects.
 *
 * Names of populations, projections and attributes: 1 to 255 bytes, no
 * '/' and no control characters; unique among the network's objects, and
 * among the attributes of an object.
 */
#ifndef NSNAP_NETWORK_H
#define NSNAP_NETWORK_H

#include <nsnap/api.h>

#include <stddef.h>
#include <stdint.h>

#include <nsnap/store.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A network. */
typedef struct ns_network ns_network;
/** A population or a projection of a network; owned by it. */
typedef struct ns_object ns_object;
/** An attribute of an object; owned by it. */
typedef struct ns_attr ns_attr;

/** Kinds of objects. Values are stored: never renumber. */
typedef enum ns_object_kind {
	NS_POPULATION = 0,
	NS_PROJECTION = 1,
	/** The network itself, as the holder of its network-wide arrays
	 *  (ns_network_attr_add()): never among ns_network_object_at()'s
	 *  objects; in a diff, the object whose name is "". */
	NS_NETWORK_ITSELF = 2,
} ns_object_kind;
/** Kinds of attributes. Values are stored: never renumber. */
typedef enum ns_attr_kind { NS_PARAMETER = 0, NS_VARIABLE = 1 } ns_attr_kind;
/** Scopes of attributes. Values are stored: never renumber. */
typedef enum ns_scope {
	NS_GLOBAL = 0,     /**< one value for the whole object */
	NS_LOCAL = 1,      /**< one value per neuron, or per synapse */
	NS_SEMIGLOBAL = 2, /**< projections only: one per post-synaptic neuron */
	/** Any number of values, given when the attribute is added
	 *  (ns_attr_add_array(), ns_network_attr_add()): state whose size
	 *  follows no neuron or synapse, such as the spikes in transit of a
	 *  projection or a random generator's state. A restore needs the same
	 *  count in the version and in the network. */
	NS_ARRAY = 3,
} ns_scope;

/** Flags of the functions that take an array. */
enum {
	/** Copy the data into an array nsnap owns, instead of binding it. */
	NS_ARRAY_COPY = 1u << 0,
};

#define NS_MAX_DIMS 8

/** "population" or "projection"; "?" for an unknown kind. */
NS_API const char *ns_object_kind_name(ns_object_kind kind);
/** "parameter" or "variable"; "?" for an unknown kind. */
NS_API const char *ns_attr_kind_name(ns_attr_kind kind);
/** "global", "local" or "semiglobal"; "?" for an unknown scope. */
NS_API const char *ns_scope_name(ns_scope scope);

/* ---------------------------------------------------------------- network */

/**
 * A new, empty network called @p name (may be NULL for "").
 * @param out  the new network (required)
 * @return NS_OK; NS_EINVAL for a NULL @p out; NS_ENOMEM.
 */
NS_API int ns_network_new(ns_network **out, const char *name);

/** Free a network, its objects and the arrays nsnap owns (never bound
 *  ones). A network from ns_network_open() also closes its version.
 *  Accepts NULL. */
NS_API void ns_network_free(ns_network *net);

/** The network's name. */
NS_API const char *ns_network_name(const ns_network *net);

/** Set the simulation time: @p t_ms in ms and the step count. */
NS_API void ns_network_set_time(ns_network *net, double t_ms, uint64_t step);
/** The simulation time; either pointer may be NULL. */
NS_API void ns_network_time(const ns_network *net, double *t_ms, uint64_t *step);
/** Set the time step in ms (0 when unknown). */
NS_API void ns_network_set_dt(ns_network *net, double dt_ms);
/** The time step in ms. */
NS_API double ns_network_dt(const ns_network *net);

/**
 * Set an entry of the free "network" dictionary (of JSON parameter files):
 * a number, or a string when @p string is not NULL (then @p number is
 * ignored). A later call with the same key replaces the entry.
 * @return NS_OK; NS_EINVAL for an empty key; NS_ENOMEM.
 */
NS_API int ns_network_set_meta(ns_network *net, const char *key, const char *string, double number);

/** Number of entries of the network dictionary. */
NS_API size_t ns_network_meta_count(const ns_network *net);

/**
 * Entry @p i of the network dictionary: its key, and its string (NULL for a
 * number) or number. Pointers valid until the entry changes. Any of @p key,
 * @p string and @p number may be NULL when not wanted.
 * @return NS_OK; NS_EINVAL when @p i is out of range.
 */
NS_API int ns_network_meta_at(const char **key, const char **string, double *number,
			      const ns_network *net, size_t i);

/* ----------------------------------------------------------------- objects */

/**
 * Add a population of @p size neurons.
 * @param out    the new population, owned by @p net (may be NULL: find it
 *               later with ns_network_object_find())
 * @param shape  its geometry, @p ndim extents whose product is @p size; NULL
 *               (and @p ndim 0) for a flat population of @p size
 * @param neuron_type  e.g. "iaf_psc_delta"; may be NULL
 * @return NS_OK; NS_EEXISTS for a name in use; NS_EINVAL for a bad name or
 *         geometry; NS_EREADONLY for an opened network; NS_ENOMEM.
 */
NS_API int ns_population_add(ns_object **out, ns_network *net, const char *name, uint64_t size,
			     const uint64_t *shape, unsigned ndim, const char *neuron_type);

/**
 * Add a projection from population @p pre to population @p post (which
 * must exist already) onto @p target (e.g. "exc"; may be NULL).
 * @param out  the new projection, owned by @p net (may be NULL)
 * @return NS_OK; NS_EEXISTS; NS_ENOTFOUND for a missing population;
 *         NS_EINVAL; NS_EREADONLY; NS_ENOMEM.
 */
NS_API int ns_projection_add(ns_object **out, ns_network *net, const char *name, const char *pre,
			     const char *post, const char *target, const char *synapse_type);

/**
 * Set the connectivity of a projection: synapse i goes from neuron
 * @p pre[i] of the pre population to neuron @p post[i] of the post
 * population. Bound (borrowed; valid until the network is freed or the
 * connectivity set again) unless @p flags has NS_ARRAY_COPY. Indices are
 * checked against the population sizes at snapshot and restore.
 * @return NS_OK; NS_EINVAL for a population instead of a projection, or
 *         NULL arrays with a non-zero count; NS_EBUSY once local attributes
 *         were added with another synapse count; NS_ENOMEM.
 */
NS_API int ns_projection_set_synapses(ns_object *proj, int32_t *pre, int32_t *post, uint64_t n,
				      unsigned flags);

/** Number of synapses of a projection (0 for a population). */
NS_API uint64_t ns_projection_synapses(const ns_object *proj);

/** The connectivity arrays of a projection (NULL for a population). For an
 *  opened network: valid until it is freed; do not write to them. Either
 *  of @p pre and @p post may be NULL when not wanted. */
NS_API void ns_projection_connectivity(const int32_t **pre, const int32_t **post,
				       const ns_object *proj);

/** Number of objects of the network. */
NS_API size_t ns_network_object_count(const ns_network *net);
/** Object @p i, in the order they were added; NULL when out of range. */
NS_API ns_object *ns_network_object_at(const ns_network *net, size_t i);
/** The object called @p name, or NULL. */
NS_API ns_object *ns_network_object_find(const ns_network *net, const char *name);

/** Description of an object; strings valid while the network lives. */
typedef struct ns_object_info {
	const char *name;
	ns_object_kind kind;
	uint64_t size;          /**< neurons; for a projection, synapses */
	unsigned ndim;          /**< populations: dimensions of the geometry */
	const uint64_t *shape;  /**< populations: ndim extents */
	const char *type;       /**< neuron or synapse type; "" when not given */
	const char *pre, *post; /**< projections: population names */
	const char *target;     /**< projections: "" when not given */
	size_t n_attrs;
} ns_object_info;

/** Fill @p out with the description of @p obj (nothing when @p out is
 *  NULL). */
NS_API void ns_object_get_info(ns_object_info *out, const ns_object *obj);

/* -------------------------------------------------------------- attributes */

/**
 * Add an attribute to @p obj, bound to @p data (the simulator's memory),
 * or with @p data NULL an array nsnap owns, zeroed; with NS_ARRAY_COPY in
 * @p flags, a copy of @p data that nsnap owns.
 *
 * Its length follows from its scope: 1 (global), the population's size or
 * the projection's synapse count (local), the post population's size
 * (semiglobal). Set a projection's synapses before its local attributes.
 * @param out  the new attribute, owned by @p obj (may be NULL)
 * @return NS_OK; NS_EEXISTS for a name in use on @p obj; NS_EINVAL for a
 *         bad name, type or scope (semiglobal on a population);
 *         NS_EREADONLY; NS_ENOMEM.
 */
NS_API int ns_attr_add(ns_attr **out, ns_object *obj, const char *name, ns_attr_kind kind,
		       ns_scope scope, ns_dtype dtype, void *data, unsigned flags);

/** Number of attributes of @p obj. */
NS_API size_t ns_object_attr_count(const ns_object *obj);
/** Attribute @p i of @p obj, in the order added; NULL when out of range. */
NS_API ns_attr *ns_object_attr_at(const ns_object *obj, size_t i);
/** The attribute of @p obj called @p name, or NULL. */
NS_API ns_attr *ns_object_attr_find(const ns_object *obj, const char *name);

/** Description of an attribute; valid while the network lives. */
typedef struct ns_attr_info {
	const char *name;
	ns_attr_kind kind;
	ns_scope scope;
	ns_dtype dtype;
	uint64_t count;  /**< number of values */
	int bound;       /**< the simulator's memory (not nsnap's) */
} ns_attr_info;

/** Fill @p out with the description of @p attr (nothing when @p out is
 *  NULL). */
NS_API void ns_attr_get_info(ns_attr_info *out, const ns_attr *attr);

/**
 * Add an attribute of scope #NS_ARRAY, of @p count values, to @p obj:
 * bound to @p data, or owned as ns_attr_add() says.
 * @param out  the new attribute, owned by @p obj (may be NULL)
 * @return as ns_attr_add().
 */
NS_API int ns_attr_add_array(ns_attr **out, ns_object *obj, const char *name,
			     ns_attr_kind kind, ns_dtype dtype, uint64_t count, void *data,
			     unsigned flags);

/**
 * Add a network-wide array of @p count values (scope #NS_ARRAY) to @p net:
 * state of the network itself, such as a random generator's. Bound to
 * @p data, or owned as ns_attr_add() says. Its name is unique among the
 * network's arrays (object names do not clash with it).
 * @param out  the new attribute, owned by @p net (may be NULL)
 * @return as ns_attr_add().
 */
NS_API int ns_network_attr_add(ns_attr **out, ns_network *net, const char *name,
			       ns_attr_kind kind, ns_dtype dtype, uint64_t count, void *data,
			       unsigned flags);
/** The number of network-wide arrays of @p net. */
NS_API size_t ns_network_attr_count(const ns_network *net);
/** Network-wide array @p i, or NULL. */
NS_API ns_attr *ns_network_attr_at(const ns_network *net, size_t i);
/** The network-wide array called @p name, or NULL. */
NS_API ns_attr *ns_network_attr_find(const ns_network *net, const char *name);

/**
 * The attribute's values as one contiguous array of count elements.
 *
 * For a network the simulator built, its bound or owned array. For an
 * opened network: a zero-copy view into the store's map when the array is
 * one raw chunk that the map holds aligned for its type (chunks of more
 * than about 2 KiB are: LMDB keeps them on pages of their own; smaller ones
 * sit at any even address), otherwise a copy nsnap makes on the first call
 * and owns; read-only either way (valid until the network is freed).
 * @param out  the array (required)
 * @return NS_OK; NS_EINVAL for a NULL @p out; NS_ECORRUPT for damaged
 *         data; NS_ENOMEM.
 */
NS_API int ns_attr_data(void **out, ns_attr *attr);

/**
 * Read the attribute's values into @p buf (at least count elements of
 * @p dtype), converting from its element type: every type converts to every
 * other, as numbers (bool as 0 or 1); integer and bool targets refuse
 * values that are not integral or out of their range.
 * @return NS_OK; NS_EINVAL for an impossible conversion (the message names
 *         the value) or a NULL @p buf (allowed only for no values);
 *         NS_ECORRUPT.
 */
NS_API int ns_attr_read(void *buf, ns_dtype dtype, ns_attr *attr);

#ifdef __cplusplus
}
#endif
#endif
