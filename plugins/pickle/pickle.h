/* SPDX-License-Identifier: MIT */
/* The pickle plugin's private interface: a safe pickle reader that builds
 * a tree of values (reader.c), ANNarchy's dicts mapped to a network
 * (annarchy.c) and the writer (writer.c). */
#ifndef NSNAP_PLUGIN_PICKLE_H
#define NSNAP_PLUGIN_PICKLE_H

#include <nsnap/plugin.h>

#include "budget.h"
#include "number.h"

#include <stddef.h>
#include <stdint.h>

extern const ns_host *host;

typedef enum pv_type {
	PV_NONE, PV_BOOL, PV_INT, PV_FLOAT, PV_STR, PV_BYTES, PV_TUPLE, PV_LIST,
	PV_DICT, PV_GLOBAL, PV_DTYPE, PV_ARRAY, PV_MARK, PV_BIGINT,
} pv_type;

/* The only callables a file may name. */
typedef enum pv_global {
	PG_RECONSTRUCT, PG_FROMBUFFER, PG_SCALAR, PG_DTYPE, PG_NDARRAY, PG_ODICT,
	PG_ENCODE, PG_BYTEARRAY,
} pv_global;

/* One value. Containers hold borrowed pointers: every value belongs to the
 * reader's pool and is freed with it, so shared (memoised) and cyclic
 * values need no reference counts; None, the bools and small ints are
 * shared, which values never change. A value is 48 bytes (a file of
 * numbers in lists makes one per number): fields that no type uses
 * together share their place. */
typedef struct pv {
	unsigned char t;       /* a pv_type */
	char kind, order;      /* PV_DTYPE: kind 'f' 'i' 'u' 'b' 'O', byte order '<' '>' '|';
				* PV_ARRAY: kind 'l' for a packed list (pk_list_unpack()) */
	unsigned char ndim;    /* PV_ARRAY: dimensions (up to 8) */
	unsigned char ready;   /* PV_ARRAY: state set (BUILD, _frombuffer) */
	unsigned char borrowed : 1; /* s is another value's */
	unsigned char memoized : 1; /* the memo holds it */
	unsigned short depth;  /* containers: nesting below this one */
	union {
		int64_t i;         /* PV_BOOL, PV_INT; PV_GLOBAL: a pv_global */
		double f;          /* PV_FLOAT; PV_BIGINT: about its value */
		unsigned itemsize; /* PV_DTYPE */
		struct pv *dtype;  /* PV_ARRAY: element type */
	};
	union {
		char *s;           /* PV_STR (NUL-terminated), PV_BYTES, numeric PV_ARRAY data
				    * (C order, native byte order) */
		struct pv **items; /* tuple, list, object array; dict: key, value pairs */
	};
	union {
		size_t n;          /* bytes of s */
		size_t len;        /* items used (dict: pairs * 2) */
	};
	union {
		size_t cap;        /* items allocated */
		uint64_t count;    /* PV_ARRAY: elements (an object array's: len) */
	};
	uint64_t *shape;       /* PV_ARRAY: its ndim extents */
} pv;

typedef struct pk_reader pk_reader;

/* Read the pickle @p data (@p n bytes) into *@p root; values live until
 * pk_reader_free(). Errors name @p path and the byte offset. Memory is
 * charged to @p budget. */
int pk_read(pk_reader **out, pv **root, const unsigned char *data, size_t n,
	    const char *path, nsp_budget *budget);
/* The same from stream @p in, read as far as the pickle's STOP and a few
 * bytes beyond it (more is refused unread). */
int pk_read_stream(pk_reader **out, pv **root, ns_istream *in, const char *path,
		   nsp_budget *budget);
void pk_reader_free(pk_reader *r);
/* A reader that reads nothing: a pool for values built by hand (the npz
 * plugin's root dict), freed with pk_reader_free(). */
int pk_reader_new(pk_reader **out, const char *path, nsp_budget *budget);

/* The reader's machine, for numpy.c: record an error naming the file and
 * the opcode's offset; allocate (charged to the budget; pk_oom() then
 * says which limit it met); make a value (owned by the reader); push one. */
int pk_fail(pk_reader *r, int code, const char *fmt, ...);
int pk_oom(pk_reader *r);
void *pk_alloc(pk_reader *r, size_t size);
pv *pk_pv_new(pk_reader *r, pv_type t);
int pk_push(pk_reader *r, pv *v);
int pk_push_int(pk_reader *r, pv_type t, int64_t i);
int pk_push_bytes(pk_reader *r, pv_type t, const unsigned char *b, size_t len);

/* numpy.c: GLOBAL against the allow-list (@module and @name of @mlen and
 * @nlen bytes, which may hold NULs), REDUCE and BUILD. */
int pk_resolve_global(pk_reader *r, const char *module, size_t mlen, const char *name,
		      size_t nlen);
int pk_reduce(pk_reader *r, const pv *f, const pv *args);
int pk_build(pk_reader *r, pv *obj, const pv *state);
/* Give array @a (dtype set) the shape @shape of @ndim extents and its
 * element count. */
int pk_array_shape(pk_reader *r, pv *a, const uint64_t *shape, unsigned ndim);
/* Fill numeric array @a (dtype, shape and count set) from the raw bytes
 * @raw (PV_BYTES), converting Fortran order and big-endian bytes to C
 * order, little-endian. With @share, @a may keep @raw's bytes (@raw is
 * the reader's, and lives as long). */
int pk_array_fill(pk_reader *r, pv *a, pv *raw, int fortran, int share);

/* Packed lists. APPENDS makes a list of floats (or of ints) a 1-D numpy
 * array of f64 (or i64) in place, kind 'l': 8 bytes a number instead of a
 * value of 48 and a pointer to it, and the values it took go back to the
 * pool. Whatever reads sequences of numbers reads it as it reads a list
 * (and as a numpy array: its items are plain numbers either way); what
 * needs the list's values unpacks it. */
static inline int pk_list_packed(const pv *v)
{
	return v && v->t == PV_ARRAY && v->kind == 'l';
}
/* A packed list as the list it was: one value a number. */
int pk_list_unpack(pk_reader *r, pv *v);

/* Helpers on values. */
pv *pv_dict_get(const pv *d, const char *key);
const char *pv_type_name(const pv *v);

/* number.c: values as numbers (plugins/common/number.h). @v as a number
 * (bool, int, float, or a numpy array of one value): 1, else 0. */
int pk_num_of(const pv *v, nsp_num *out);
/* The same as a double (0 for an integer beyond int64). */
int pk_number(const pv *v, double *out);
/* The element at @p of an array of numpy dtype @dt: 1, else 0. */
int pk_elem_num(const pv *dt, const void *p, nsp_num *out);
/* Whether numpy's dtype @d is nsnap's @t (kind and size; the reader has
 * put the data in native byte order). */
int pk_is_dtype(const pv *d, ns_dtype t);
/* Store @x as element @i of a @t array when it fits exactly; else an
 * error naming file @path and @what ("population 'E': attribute 'v'"). */
int pk_put(void *data, ns_dtype t, size_t i, const nsp_num *x, const char *path,
	   const char *what);

/* nsnap's own entry 'nsnap' of a whole-network file (record.c). Its
 * values point into the reader's tree. */
typedef struct pk_record {
	int present;
	const char *name;        /* the network's, or NULL */
	double t, dt;
	int has_t, has_dt;
	/* checked tables, or NULL */
	const pv *dict, *objects, *attrs, *semiglobal, *arrays;
} pk_record;

/* Check the entry @e (NULL: none) of file @path and take it into @r. */
int pk_record_read(pk_record *r, const pv *e, const char *path);
/* Set the time in ms, dt and dictionary of @net from @r. */
int pk_record_network(const pk_record *r, ns_network *net, const char *path);
/* Add the arrays of @r (its table 'arrays') to @net, whose objects are
 * read. */
int pk_record_arrays(const pk_record *r, ns_network *net, const char *path,
		     nsp_budget *budget);
/* The type of object @obj, or NULL. */
const char *pk_record_type(const pk_record *r, const char *obj);
/* 1 when @r lists object @obj. */
int pk_record_listed(const pk_record *r, const char *obj);
/* The kind, scope and type of attribute @obj.@attr: 1, or 0 when not
 * recorded. */
int pk_record_attr(const pk_record *r, const char *obj, const char *attr, ns_attr_kind *kind,
		   ns_scope *scope, ns_dtype *dtype);
/* The whole array of semiglobal attribute @obj.@attr, or NULL. */
const pv *pk_record_semiglobal(const pk_record *r, const char *obj, const char *attr);

/* Map the unpickled dict @root (a whole network or one object, in
 * ANNarchy's layout) onto a new network, its arrays charged to @budget. */
int pk_import_root(ns_network **out, const pv *root, const ns_plugin_args *args,
		   nsp_budget *budget);

int pk_export(ns_ostream *out, const ns_network *net, const ns_plugin_args *args);

/* Where pk_export_entry() writes: NS_OK or a negative error code. */
typedef int (*pk_sink)(void *ctx, const void *buf, size_t n);
/* Entries of the network dict that pk_export() writes, in its order. */
typedef enum pk_entry { PK_ENTRY_OBJECT, PK_ENTRY_OBJ_NAMES, PK_ENTRY_NSNAP } pk_entry;
/* One value of the network dict pk_export() writes (object @obj, or the
 * dict 'obj_names' or 'nsnap' of @net) as a protocol 4 pickle of its own
 * of a 0-d numpy object array holding it (what np.save() writes for a
 * dict), through @sink. */
int pk_export_entry(pk_sink sink, void *ctx, const ns_network *net, pk_entry which,
		    ns_object *obj);
/* NS_OK when no object of @net has the name of an entry of the file's own
 * (@reserved, NULL-terminated); else an error naming @path. */
int pk_check_names(const ns_network *net, const char *const *reserved, const char *path);

#endif
