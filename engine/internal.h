/* SPDX-License-Identifier: MIT */
/* The engine's private definitions, shared by the files of engine/. */
#ifndef NSNAP_ENGINE_INTERNAL_H
#define NSNAP_ENGINE_INTERNAL_H

#include <stdint.h>

#include <nsnap/network.h>
#include <nsnap/snapshot.h>

#include "engine.h"
#include "err.h"
#include "util.h"

#define NS_OBJ_NAME_MAX 255

struct ns_attr {
	char *name;
	ns_attr_kind kind;
	ns_scope scope;
	ns_dtype dtype;
	uint64_t count;
	void *data;         /* bound, owned, or (opened) a view or a copy */
	int bound;          /* the simulator's memory */
	int owned;          /* nsnap frees it */
	uint64_t array;     /* opened: the array's index in the version */
	ns_object *obj;
};

struct ns_object {
	char *name;
	ns_object_kind kind;
	uint64_t size;       /* neurons, or synapses */
	unsigned ndim;
	uint64_t shape[NS_MAX_DIMS];
	char *type, *pre, *post, *target;
	int32_t *syn_pre, *syn_post;
	uint64_t syn_arrays[2]; /* opened: the version's pre and post arrays */
	int syn_owned; /* SYN_PRE_OWNED | SYN_POST_OWNED: nsnap frees them */
	ns_attr **attrs;
	size_t n_attrs, cap_attrs;
	ns_network *net;
};

enum { SYN_PRE_OWNED = 1, SYN_POST_OWNED = 2 };

struct meta_entry {
	char *key, *string;
	double number;
};

struct ns_network {
	char *name;
	double t_ms, dt_ms;
	uint64_t step;
	struct meta_entry *meta;
	size_t n_meta, cap_meta;
	ns_object **objs;
	size_t n_objs, cap_objs;
	ns_object *self;    /* NS_NETWORK_ITSELF: the network-wide arrays; NULL for none */
	ns_version *version; /* opened networks: read-only, arrays from it */
};

/* network.c */
int ns__name_check(const char *what, const char *name);
/* NS_OK when @s (may be NULL) is UTF-8, else NS_EINVAL naming @what's
 * @field ("name", "target", ...) and the first bad byte. */
int ns__text_check(const char *what, const char *field, const char *s);
/* The number of values an attribute of @scope has on @obj. */
uint64_t ns__attr_length(const ns_object *obj, ns_scope scope);
/* Convert @n values from @src (of @from) into @dst (of @to); @what names
 * them in errors. */
int ns__convert_values(void *dst, ns_dtype to, const void *src, ns_dtype from, uint64_t n,
		   const char *what);
/* The object holding @net's network-wide arrays, made on first use. */
int ns__network_self(ns_object **out, ns_network *net);
/* Build an opened network's parts; they bypass the read-only checks. */
int ns__object_new(ns_object **out, ns_network *net, const char *name, ns_object_kind kind);
int ns__attr_new(ns_attr **out, ns_object *obj, const char *name, ns_attr_kind kind,
	     ns_scope scope, ns_dtype dtype, uint64_t count);

/* manifest.c: the network's structure, stored as the version's blob. Array
 * names: "<object>/<attribute>", and "<object>//pre", "<object>//post". */
int ns__manifest_encode(uint8_t **out, size_t *size, const ns_network *net,
		    ns_object *const *objs, size_t n_objs);
int ns__manifest_decode(ns_network *net, const void *data, size_t size);
int ns__array_name(char *buf, size_t size, const ns_object *obj, const char *attr);

/* order.c: the store keeps synapses sorted by post, then pre. */
/* *perm (NULL when already sorted): perm[k] is the network's index of the
 * k-th synapse in the store's order; *hash (0 when sorted) its hash, the
 * seed of content keys. */
int ns__synapse_order(uint32_t **perm, uint64_t *hash, const ns_object *proj);
/* What one pass over a projection's synapses (on every core) tells: the
 * largest indices read as unsigned (a negative one is larger than any
 * size), and whether they are sorted by post, then pre. */
typedef struct ns_synapse_scan {
	uint32_t max_pre, max_post;
	int sorted;
} ns_synapse_scan;
void ns__synapse_scan(ns_synapse_scan *out, const ns_object *proj);
/* The same, or what it gave before when write tracking shows the
 * projection's pre and post unchanged since (for stores that track writes). */
void ns__synapse_scan_tracked(ns_synapse_scan *out, const ns_object *proj);
/* ns__synapse_order() of a projection scanned already. */
int ns__synapse_order_scanned(uint32_t **perm, uint64_t *hash, const ns_object *proj,
			      const ns_synapse_scan *scan);
/* An order is shared (the engine keeps recent ones): release it, not free. */
void ns__synapse_order_release(uint32_t *perm);

/* A content key (see ns_commit_add_fill_keyed()) of an array of @size bytes
 * read through a permutation whose hash is @perm_hash (ns__synapse_order()):
 * snapshot gives it to the store, restore asks whether a version holds what
 * the network's array holds already. Hashing reads memory in order, several
 * times faster than gathering or scattering it through the permutation. */
void ns__content_key(uint8_t *key, const void *data, size_t size, uint64_t perm_hash);

/* Elements of a part of ns__parallel() (common/util.h): a gather of 8-byte
 * ones takes ~0.2 ms. */
#define NS_PARALLEL_GRAIN 32768

/* open.c: ns_network_open(), optionally leaving connectivity unloaded
 * (then syn_pre and syn_post stay NULL; syn_arrays says where it is). */
int ns__network_open(ns_network **out, ns_store *store, const char *rev, int load_synapses);
/* Load an opened projection's connectivity (a view where it can be). */
int ns__object_load_synapses(ns_object *o);

/* Drop the objects @sel does not select (from an opened network, for an
 * export of some of them). */
void ns__network_prune(ns_network *net, const ns_select *sel);

/* select.c */
int ns__selected(const ns_select *sel, const ns_object *obj);
/* Every name of sel->only is in @a or @b (either may be NULL). */
int ns__select_check(const ns_select *sel, const ns_network *a, const ns_network *b);

#endif
