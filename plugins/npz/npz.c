/* SPDX-License-Identifier: MIT */
/* The npz format: ANNarchy's save('x.npz') files, written by
 * np.savez_compressed(filename, allow_pickle=True, **data): a zip of one
 * .npy member per key of the network dict (or of one object's dict, from
 * Population.save()). Dict values are 0-d object arrays whose payload is a
 * pickle, read by the pickle plugin's safe reader; numbers are plain .npy.
 * The members become one root dict (key -> value, a 0-d object array's
 * value its object) that the pickle plugin's ANNarchy layout imports, so
 * both formats read the same way. With numpy 1.x ANNarchy's
 * allow_pickle=True is a member of its own, 'allow_pickle.npy': skipped.
 *
 * The zip goes through libzip. Its hazards are refused with the file and
 * member named, before anything is built: encrypted members, names that
 * start with '/' or hold a '..' part, duplicate names, members that are
 * not .npy, a total inflated size beyond NPZ_RATIO times the file's size
 * or the limit (`-o limit=MiB`, default 4096), a member longer than it
 * declares, a bad CRC. zip64 is read as libzip reads it. What the import
 * holds (each member while it is read, the values, the network) is charged
 * to the pickle plugin's budget (pickle.h) of the file's size, which
 * `-o max-memory=SIZE` replaces.
 *
 * Export writes what ANNarchy's load() reads: 'time_step' and 'net_id' as
 * 0-d int64 .npy, each object, 'obj_names' and nsnap's own entry 'nsnap'
 * as 0-d object arrays holding the pickle plugin's protocol 4 pickle of
 * the same dict it writes in a .data file; deflated (level 6, as
 * savez_compressed) unless `-o level=N` says otherwise (0: stored, as
 * np.savez). */
#include "npz.h"

#include <zip.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deflate cannot inflate beyond 1032 times its input: a larger claim is
 * not deflate's. */
#define NPZ_RATIO 1100u
#define NPZ_LIMIT_MIB 4096u

int npz_keep(npz_ctx *c, pk_reader *r, char *s)
{
	if (r) {
		if (c->nreaders == c->rcap) {
			size_t cap = c->rcap ? c->rcap * 2 : 16;
			pk_reader **p = host->realloc(c->readers, cap * sizeof *p);
			if (!p)
				return host->error(NS_ENOMEM, "out of memory");
			c->readers = p;
			c->rcap = cap;
		}
		c->readers[c->nreaders++] = r;
	}
	if (s) {
		if (c->nstrs == c->scap) {
			size_t cap = c->scap ? c->scap * 2 : 16;
			char **p = host->realloc(c->strs, cap * sizeof *p);
			if (!p) {
				host->free(s);
				return host->error(NS_ENOMEM, "out of memory");
			}
			c->strs = p;
			c->scap = cap;
		}
		c->strs[c->nstrs++] = s;
	}
	return NS_OK;
}

static void ctx_free(npz_ctx *c)
{
	for (size_t i = 0; i < c->nreaders; i++)
		pk_reader_free(c->readers[i]);
	for (size_t i = 0; i < c->nstrs; i++)
		host->free(c->strs[i]);
	host->free(c->readers);
	host->free(c->strs);
	pk_reader_free(c->pool);
}

static int dict_add(npz_ctx *c, pv *d, const char *key, size_t klen, pv *v)
{
	pv *k = pk_pv_new(c->pool, PV_STR);
	if (!k || !(k->s = host->alloc(klen + 1)))
		return host->error(NS_ENOMEM, "out of memory");
	memcpy(k->s, key, klen);
	k->s[klen] = '\0';
	k->n = klen;
	if (d->len + 2 > d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		pv **p = host->realloc(d->items, cap * sizeof *p);
		if (!p)
			return host->error(NS_ENOMEM, "out of memory");
		d->items = p;
		d->cap = cap;
	}
	d->items[d->len++] = k;
	d->items[d->len++] = v;
	if (v->depth + 1 > d->depth)
		d->depth = v->depth + 1;
	return NS_OK;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A member name that could escape a folder it is extracted into. */
static int unsafe_name(const char *s)
{
	if (s[0] == '/' || s[0] == '\\')
		return 1;
	for (const char *p = s; (p = strstr(p, "..")); p += 2)
		if ((p == s || p[-1] == '/' || p[-1] == '\\') &&
		    (p[2] == '\0' || p[2] == '/' || p[2] == '\\'))
			return 1;
	return 0;
}

static uint64_t import_limit(const ns_plugin_args *args)
{
	const char *o = args ? host->option(args, "limit") : NULL;
	char *end;
	unsigned long long mib;
	if (!o)
		return (uint64_t)NPZ_LIMIT_MIB << 20;
	mib = strtoull(o, &end, 10);
	if (!*o || *end || mib == 0 || mib > (1ull << 40))
		return 0;
	return (uint64_t)mib << 20;
}

/* Check every member's name, flags and size before reading any. */
static int check_members(zip_t *za, zip_int64_t n, const char *path, size_t file_size,
			 uint64_t limit)
{
	const char **names = NULL;
	uint64_t total = 0;
	int rc = NS_OK;
	if (n > 0 && !(names = host->alloc((size_t)n * sizeof *names)))
		return host->error(NS_ENOMEM, "out of memory");
	for (zip_int64_t i = 0; i < n; i++) {
		zip_stat_t st;
		size_t len;
		if (zip_stat_index(za, (zip_uint64_t)i, 0, &st) < 0 || !(st.valid & ZIP_STAT_NAME)) {
			rc = host->error(NS_EFORMAT, "file '%s': member %lld: %s", path,
					 (long long)i, zip_strerror(za));
			goto done;
		}
		names[i] = st.name;
		len = strlen(st.name);
		if (unsafe_name(st.name)) {
			rc = host->error(NS_EFORMAT, "file '%s': member '%s': a name that starts "
					 "with '/' or holds '..' (it could escape the folder it "
					 "is extracted into)", path, st.name);
			goto done;
		}
		if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
		    st.encryption_method != ZIP_EM_NONE) {
			rc = host->error(NS_EUNSUPPORTED, "file '%s': member '%s': encrypted "
					 "(NumPy's .npz is not)", path, st.name);
			goto done;
		}
		if (len < 4 || strcmp(st.name + len - 4, ".npy") != 0) {
			rc = host->error(NS_EFORMAT, "file '%s': member '%s': not a .npy array: "
					 "a zip archive that is not NumPy's .npz", path, st.name);
			goto done;
		}
		if (!(st.valid & ZIP_STAT_SIZE)) {
			rc = host->error(NS_EFORMAT, "file '%s': member '%s': no size", path,
					 st.name);
			goto done;
		}
		total += st.size;
		if (st.size > limit || total > limit ||
		    total > (uint64_t)file_size * NPZ_RATIO + 4096) {
			rc = host->error(NS_EFORMAT, "file '%s': member '%s': the members inflate "
					 "to %llu bytes or more, from a file of %zu bytes (at "
					 "most %u times the file and %llu MiB are read; a zip "
					 "bomb? -o limit=MiB raises the limit)", path, st.name,
					 (unsigned long long)total, file_size, NPZ_RATIO,
					 (unsigned long long)(limit >> 20));
			goto done;
		}
	}
	if (n > 1) {
		qsort(names, (size_t)n, sizeof *names, name_cmp);
		for (zip_int64_t i = 1; i < n; i++)
			if (strcmp(names[i - 1], names[i]) == 0) {
				rc = host->error(NS_EFORMAT, "file '%s': member '%s' is in the "
						 "archive twice", path, names[i]);
				goto done;
			}
	}
done:
	host->free(names);
	return rc;
}

/* Member @i, all of it, into *@out (its declared size, which it must
 * have exactly). */
static int read_member(unsigned char **out, size_t *len, zip_t *za, zip_uint64_t i,
		       const char *path, nsp_budget *budget)
{
	char lim[192];
	zip_stat_t st;
	zip_file_t *zf;
	unsigned char *buf, extra;
	size_t got = 0;
	zip_int64_t k;
	int rc = NS_OK;

	if (zip_stat_index(za, i, 0, &st) < 0)
		return host->error(NS_EFORMAT, "file '%s': %s", path, zip_strerror(za));
	/* charged while it is read, and given back after */
	if (nsp_charge(budget, st.size) < 0)
		return host->error(NS_ENOMEM, "file '%s': member '%s': %llu bytes, beyond %s",
				   path, st.name, (unsigned long long)st.size,
				   nsp_budget_text(lim, budget));
	if (!(zf = zip_fopen_index(za, i, 0)))
		return host->error(NS_EFORMAT, "file '%s': member '%s': %s", path, st.name,
				   zip_strerror(za));
	if (!(buf = host->alloc((size_t)st.size + 1))) {
		zip_fclose(zf);
		return host->error(NS_ENOMEM, "out of memory");
	}
	while (got < st.size && (k = zip_fread(zf, buf + got, st.size - got)) > 0)
		got += (size_t)k;
	/* one byte more must be the end, where libzip checks the CRC */
	if (got == st.size && (k = zip_fread(zf, &extra, 1)) > 0) {
		rc = host->error(NS_EFORMAT, "file '%s': member '%s': larger than the %llu "
				 "bytes it declares", path, st.name,
				 (unsigned long long)st.size);
	} else if (k < 0) {
		zip_error_t *e = zip_file_get_error(zf);
		rc = host->error(NS_EFORMAT, "file '%s': member '%s': %s%s", path, st.name,
				 zip_error_code_zip(e) == ZIP_ER_CRC ? "a bad CRC: " : "",
				 zip_error_strerror(e));
	} else if (got != st.size) {
		rc = host->error(NS_EFORMAT, "file '%s': member '%s': %zu bytes of the %llu it "
				 "declares", path, st.name, got, (unsigned long long)st.size);
	}
	zip_fclose(zf);
	if (rc < 0) {
		host->free(buf);
		return rc;
	}
	*out = buf;
	*len = got;
	return NS_OK;
}

/* The 1-D name lists of an object saved alone: np.savez makes an empty
 * list a float array of 0 items; the layout wants a list. */
static int fix_lists(npz_ctx *c, pv *root)
{
	static const char *const keys[] = { "attributes", "parameters", "variables" };
	for (size_t i = 0; i + 1 < root->len; i += 2)
		for (size_t k = 0; k < 3; k++) {
			pv *v = root->items[i + 1];
			if (strcmp(root->items[i]->s, keys[k]) == 0 && v->t == PV_ARRAY &&
			    v->dtype->kind != 'O' && v->count == 0) {
				pv *l = pk_pv_new(c->pool, PV_LIST);
				if (!l)
					return host->error(NS_ENOMEM, "out of memory");
				root->items[i + 1] = l;
			}
		}
	return NS_OK;
}

static int npz_import(ns_network **out, ns_istream *in, const ns_plugin_args *args)
{
	const char *path = args && args->path ? args->path : "(stream)";
	npz_ctx c = { 0 };
	void *buf = NULL;
	size_t n = 0;
	zip_error_t ze;
	zip_source_t *src = NULL;
	zip_t *za = NULL;
	zip_int64_t members;
	uint64_t limit = import_limit(args);
	pv *root;
	int rc;

	zip_error_init(&ze);
	if (!limit) {
		rc = host->error(NS_EINVAL, "file '%s': option limit=%s: not a count of MiB",
				 path, host->option(args, "limit"));
		goto done;
	}
	if ((rc = host->read_all(&buf, &n, in)) < 0 ||
	    (rc = nsp_budget_init(&c.budget, args, n, path)) < 0 ||
	    (rc = pk_reader_new(&c.pool, path, &c.budget)) < 0)
		goto done;
	if (!(src = zip_source_buffer_create(buf, n, 0, &ze))) {
		rc = host->error(NS_ENOMEM, "file '%s': %s", path, zip_error_strerror(&ze));
		goto done;
	}
	if (!(za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze))) {
		if (zip_error_code_zip(&ze) == ZIP_ER_EXISTS)
			rc = host->error(NS_EFORMAT, "file '%s': two members of the archive have "
					 "the same name", path);
		else
			rc = host->error(NS_EFORMAT, "file '%s': not a zip archive that can be "
					 "read: %s", path, zip_error_strerror(&ze));
		goto done;
	}
	src = NULL; /* the archive's now */
	members = zip_get_num_entries(za, 0);
	if ((rc = check_members(za, members, path, n, limit)) < 0)
		goto done;
	if (!(root = pk_pv_new(c.pool, PV_DICT))) {
		rc = host->error(NS_ENOMEM, "out of memory");
		goto done;
	}
	for (zip_int64_t i = 0; i < members; i++) {
		const char *name = zip_get_name(za, (zip_uint64_t)i, 0);
		npz_member m = { path, name };
		unsigned char *data = NULL; /* set on success (gcc cannot tell) */
		size_t len = 0;
		pv *v;
		if ((rc = read_member(&data, &len, za, (zip_uint64_t)i, path, &c.budget)) < 0)
			goto done;
		rc = npy_value(&c, &v, data, len, &m);
		host->free(data);
		c.budget.used -= len;
		if (rc < 0)
			goto done;
		/* numpy 1.x makes ANNarchy's allow_pickle=True a member */
		if (strcmp(name, "allow_pickle.npy") == 0 && v->t == PV_ARRAY &&
		    v->dtype->kind == 'b' && v->count == 1)
			continue;
		if ((rc = dict_add(&c, root, name, strlen(name) - 4, v)) < 0)
			goto done;
	}
	if (!pv_dict_get(root, "obj_names") && !pv_dict_get(root, "time_step") &&
	    (rc = fix_lists(&c, root)) < 0)
		goto done;
	rc = pk_import_root(out, root, args, &c.budget);
done:
	if (za)
		zip_discard(za);
	zip_source_free(src);
	zip_error_fini(&ze);
	ctx_free(&c);
	host->free(buf);
	return rc;
}

/* ------------------------------------------------------------------ export */

typedef struct npz_buf {
	unsigned char *p;
	size_t n, cap;
} npz_buf;

static int buf_put(void *ctx, const void *data, size_t n)
{
	npz_buf *b = ctx;
	if (b->cap - b->n < n) {
		size_t cap = b->cap ? b->cap : 4096;
		unsigned char *p;
		while (cap - b->n < n)
			cap *= 2;
		if (!(p = host->realloc(b->p, cap)))
			return host->error(NS_ENOMEM, "out of memory");
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, data, n);
	b->n += n;
	return NS_OK;
}

typedef struct npz_out {
	zip_t *za;
	const char *path;
	int level;
	npz_buf *bufs; /* the members' bytes, which libzip reads at zip_close() */
	size_t nbufs, cap;
} npz_out;

/* A new member buffer, kept until the end of the export. */
static npz_buf *new_buf(npz_out *o)
{
	if (o->nbufs == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 16;
		npz_buf *p = host->realloc(o->bufs, cap * sizeof *p);
		if (!p)
			return NULL;
		o->bufs = p;
		o->cap = cap;
	}
	memset(&o->bufs[o->nbufs], 0, sizeof *o->bufs);
	return &o->bufs[o->nbufs++];
}

static int add_member(npz_out *o, const char *key, const npz_buf *b)
{
	size_t len = strlen(key);
	char *name;
	zip_source_t *zs;
	zip_int64_t idx;
	int rc = NS_OK;
	if (!(name = host->alloc(len + 5)))
		return host->error(NS_ENOMEM, "out of memory");
	memcpy(name, key, len);
	memcpy(name + len, ".npy", 5);
	if (!(zs = zip_source_buffer(o->za, b->p ? b->p : (const void *)"", b->n, 0))) {
		rc = host->error(NS_ENOMEM, "file '%s': %s", o->path, zip_strerror(o->za));
		goto done;
	}
	if ((idx = zip_file_add(o->za, name, zs, ZIP_FL_ENC_UTF_8)) < 0) {
		zip_source_free(zs);
		rc = host->error(NS_EFORMAT, "file '%s': member '%s': %s", o->path, name,
				 zip_strerror(o->za));
		goto done;
	}
	/* a fixed time (numpy's is 1980-01-01 too): the same version gives the same bytes */
	if (zip_set_file_compression(o->za, (zip_uint64_t)idx,
				     o->level ? ZIP_CM_DEFLATE : ZIP_CM_STORE,
				     (zip_uint32_t)o->level) < 0 ||
	    zip_file_set_mtime(o->za, (zip_uint64_t)idx, 315576000, 0) < 0)
		rc = host->error(NS_EFORMAT, "file '%s': member '%s': %s", o->path, name,
				 zip_strerror(o->za));
done:
	host->free(name);
	return rc;
}

/* A 0-d int64 member. */
static int add_int(npz_out *o, const char *key, int64_t x)
{
	unsigned char head[128], le[8];
	size_t hl;
	npz_buf *b = new_buf(o);
	int rc;
	if (!b)
		return host->error(NS_ENOMEM, "out of memory");
	for (int k = 0; k < 8; k++)
		le[k] = (unsigned char)((uint64_t)x >> (8 * k));
	if ((rc = npy_header(head, sizeof head, &hl, "<i8", NULL, 0)) < 0 ||
	    (rc = buf_put(b, head, hl)) < 0 || (rc = buf_put(b, le, 8)) < 0)
		return rc;
	return add_member(o, key, b);
}

/* A 0-d object member holding the pickle of entry @which. */
static int add_entry(npz_out *o, const char *key, const ns_network *net, pk_entry which,
		     ns_object *obj)
{
	unsigned char head[128];
	size_t hl;
	npz_buf *b = new_buf(o);
	int rc;
	if (!b)
		return host->error(NS_ENOMEM, "out of memory");
	if ((rc = npy_header(head, sizeof head, &hl, "|O", NULL, 0)) < 0 ||
	    (rc = buf_put(b, head, hl)) < 0 ||
	    (rc = pk_export_entry(buf_put, b, net, which, obj)) < 0)
		return rc;
	return add_member(o, key, b);
}

static int export_level(int *level, const ns_plugin_args *args, const char *path)
{
	const char *s = args ? host->option(args, "level") : NULL;
	char *end;
	long l;
	*level = 6; /* zlib's default, as np.savez_compressed */
	if (!s)
		return NS_OK;
	l = strtol(s, &end, 10);
	if (!*s || *end || l < 0 || l > 9)
		return host->error(NS_EINVAL, "file '%s': option level=%s: not a deflate level "
				   "from 0 (stored, as np.savez) to 9", path, s);
	*level = (int)l;
	return NS_OK;
}

static int npz_export(ns_ostream *out, const ns_network *net, const ns_plugin_args *args)
{
	static const char *const reserved[] = { "time_step", "net_id", "obj_names", "nsnap",
						"allow_pickle", NULL };
	npz_out o = { NULL, args && args->path ? args->path : "(stream)", 6, NULL, 0, 0 };
	size_t n = host->network_object_count(net);
	zip_error_t ze;
	zip_source_t *src = NULL;
	zip_stat_t st;
	unsigned char *bytes = NULL;
	uint64_t step = 0;
	int rc, opened = 0;

	zip_error_init(&ze);
	if ((rc = export_level(&o.level, args, o.path)) < 0 ||
	    (rc = pk_check_names(net, reserved, o.path)) < 0)
		goto done;
	for (size_t i = 0; i < n; i++) {
		ns_object_info oi;
		host->object_get_info(&oi, host->network_object_at(net, i));
		if (unsafe_name(oi.name)) {
			rc = host->error(NS_EINVAL, "file '%s': '%s' cannot name a member of a "
					 "zip archive (it starts with '/' or holds '..'); "
					 "rename it", o.path, oi.name);
			goto done;
		}
	}
	if (!(src = zip_source_buffer_create(NULL, 0, 0, &ze))) {
		rc = host->error(NS_ENOMEM, "file '%s': %s", o.path, zip_error_strerror(&ze));
		goto done;
	}
	zip_source_keep(src); /* it outlives the archive, to be read after zip_close() */
	if (!(o.za = zip_open_from_source(src, ZIP_TRUNCATE, &ze))) {
		rc = host->error(NS_EFORMAT, "file '%s': %s", o.path, zip_error_strerror(&ze));
		goto done;
	}
	host->network_time(net, NULL, &step);
	if ((rc = add_int(&o, "time_step", (int64_t)step)) < 0 ||
	    (rc = add_int(&o, "net_id", 0)) < 0)
		goto done;
	for (size_t i = 0; i < n; i++) {
		ns_object *obj = host->network_object_at(net, i);
		ns_object_info oi;
		host->object_get_info(&oi, obj);
		if ((rc = add_entry(&o, oi.name, net, PK_ENTRY_OBJECT, obj)) < 0)
			goto done;
	}
	if ((rc = add_entry(&o, "obj_names", net, PK_ENTRY_OBJ_NAMES, NULL)) < 0 ||
	    (rc = add_entry(&o, "nsnap", net, PK_ENTRY_NSNAP, NULL)) < 0)
		goto done;
	if (zip_close(o.za) < 0) {
		rc = host->error(NS_EIO, "file '%s': %s", o.path, zip_strerror(o.za));
		goto done;
	}
	o.za = NULL;
	if (zip_source_stat(src, &st) < 0 || zip_source_open(src) < 0) {
		rc = host->error(NS_EIO, "file '%s': %s", o.path,
				 zip_error_strerror(zip_source_error(src)));
		goto done;
	}
	opened = 1;
	if (!(bytes = host->alloc((size_t)st.size + 1))) {
		rc = host->error(NS_ENOMEM, "out of memory");
		goto done;
	}
	if (zip_source_read(src, bytes, st.size) != (zip_int64_t)st.size) {
		rc = host->error(NS_EIO, "file '%s': %s", o.path,
				 zip_error_strerror(zip_source_error(src)));
		goto done;
	}
	if ((rc = host->write(out, bytes, (size_t)st.size)) < 0)
		goto done;
	if (args && args->verbose)
		host->log(NS_LOG_INFO, "file '%s': %zu objects written", o.path, n);
done:
	if (opened)
		zip_source_close(src);
	if (o.za)
		zip_discard(o.za);
	zip_source_free(src);
	zip_error_fini(&ze);
	for (size_t i = 0; i < o.nbufs; i++)
		host->free(o.bufs[i].p);
	host->free(o.bufs);
	host->free(bytes);
	return rc;
}

/* ------------------------------------------------------------------ plugin */

/* A zip's local header, or the end record of an empty archive (np.savez
 * of nothing). Zips that are not .npz are refused by the import, which
 * names the member that is not .npy. */
static int npz_probe(const unsigned char *head, size_t n)
{
	if (n >= 4 && head[0] == 'P' && head[1] == 'K' &&
	    ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6)))
		return 32;
	return 0;
}

static int npz_init(const ns_host *h)
{
	host = h;
	return NS_OK;
}

static const ns_format_ops npz_ops = {
	.import_network = npz_import,
	.export_network = npz_export,
};

static const char *const npz_extensions[] = { ".npz", NULL };
static const char *const npz_options[] = { "level", "limit", "max-memory", NULL };

static const ns_plugin npz_plugin = {
	.abi_version = NS_PLUGIN_ABI_VERSION,
	.struct_size = sizeof(ns_plugin),
	.kind = NS_PLUGIN_FORMAT,
	.name = "npz",
	.description = "NumPy's .npz as ANNarchy's save('x.npz') writes it "
		       "(np.savez_compressed); object members read safely (no code runs)",
	.extensions = npz_extensions,
	.probe = npz_probe,
	.init = npz_init,
	.format = &npz_ops,
	.options = npz_options,
};

NS_PLUGIN_EXPORT const ns_plugin *nsnap_plugin_entry(void)
{
	return &npz_plugin;
}
