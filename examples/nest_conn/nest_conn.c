/* SPDX-License-Identifier: MIT */
/*
 * nest_conn: a third-party nsnap format plugin for NEST's connection dump,
 * the table of `nest.GetConnections().get(("source", "target", "weight",
 * "delay"))` written as text:
 *
 *     # source target weight delay
 *     # nsnap projection EI E I 4 3
 *     1 5 0.5 1.5
 *
 * One block per projection: the column header, an optional line that keeps
 * the projection's and populations' names and sizes, then one synapse per
 * line with NEST's 1-based global node ids. See README.md for the mapping
 * between node ids and nsnap's indices.
 *
 * It includes only <nsnap/plugin.h> and calls nsnap only through the host
 * table it gets in init(): it links nothing from nsnap. One file, longer
 * than nsnap's own, on purpose: an example a lab copies whole.
 */
#include <errno.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nsnap/plugin.h>

#define COLUMNS_LINE "# source target weight delay"
#define MAX_LINE (1u << 20) /* longer lines are not this format */
#define BAD_NAME "not a valid name (1 to 255 bytes, no '/' nor control characters)"
/* Quote at most this much of a bad field in a message. */
#define QUOTE(len) (int)((len) > 40 ? 40 : (len))

static const ns_host *H;

static const char *path_of(const ns_plugin_args *args)
{
	return args && args->path ? args->path : "(stream)";
}

/* ------------------------------------------------------------ numbers */

/* %.17g and strtod follow LC_NUMERIC; the file always uses '.'. */
static char decimal_point(void)
{
	const char *dp = localeconv()->decimal_point;
	return dp && dp[0] ? dp[0] : '.';
}

static void format_double(char *buf, size_t size, double v)
{
	char dp = decimal_point();

	snprintf(buf, size, "%.17g", v);
	if (dp != '.') {
		char *p = strchr(buf, dp);
		if (p)
			*p = '.';
	}
}

/* Parse all of [s, s+len) as a double; 0 on success. */
static int parse_double(double *out, const char *s, size_t len)
{
	char tmp[64], *end;
	char dp = decimal_point();
	double v;

	if (len == 0 || len >= sizeof tmp)
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (dp != '.') {
		char *p = strchr(tmp, '.');
		if (p)
			*p = dp;
	}
	errno = 0;
	v = strtod(tmp, &end);
	/* Underflow to a subnormal is fine; overflow is not. */
	if (end != tmp + len || (errno == ERANGE && (v > 1 || v < -1)))
		return -1;
	*out = v;
	return 0;
}

/* Parse all of [s, s+len) as a decimal number up to @p max; 0 on success. */
static int parse_u64(uint64_t *out, const char *s, size_t len, uint64_t max)
{
	uint64_t v = 0;
	size_t i = 0;

	if (len > 0 && s[0] == '+')
		i = 1;
	if (i == len)
		return -1;
	for (; i < len; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9 || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* ------------------------------------------------------------- names */

/* Names may hold spaces (anything but '/' and control characters); in the
 * file, bytes up to ' ', '%' and DEL are written %XX. */
static int name_needs_escape(unsigned char c)
{
	return c <= ' ' || c == '%' || c == 0x7f;
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode [s, s+len) into @p out (at least len + 1 bytes); 0 on success. */
static int name_decode(char *out, const char *s, size_t len)
{
	size_t i, j = 0;

	for (i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] != '%') {
			out[j++] = s[i];
			continue;
		}
		if (i + 2 >= len)
			return -1;
		hi = hex_value(s[i + 1]);
		lo = hex_value(s[i + 2]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			return -1;
		out[j++] = (char)(hi * 16 + lo);
		i += 2;
	}
	out[j] = '\0';
	return 0;
}

/* -------------------------------------------------------------- output */

typedef struct writer {
	ns_ostream *out;
	size_t len;
	char buf[1 << 16];
} writer;

static int writer_flush(writer *w)
{
	int rc = NS_OK;

	if (w->len)
		rc = H->write(w->out, w->buf, w->len);
	w->len = 0;
	return rc;
}

static int writer_put(writer *w, const char *s, size_t n)
{
	while (n) {
		size_t k = sizeof w->buf - w->len;
		int rc;

		if (k > n)
			k = n;
		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		n -= k;
		if (w->len == sizeof w->buf && (rc = writer_flush(w)) != NS_OK)
			return rc;
	}
	return NS_OK;
}

static int writer_puts(writer *w, const char *s)
{
	return writer_put(w, s, strlen(s));
}

static int writer_name(writer *w, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = NS_OK;

	for (; *name && rc == NS_OK; name++) {
		unsigned char c = (unsigned char)*name;
		if (name_needs_escape(c)) {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };
			rc = writer_put(w, e, 3);
		} else {
			rc = writer_put(w, name, 1);
		}
	}
	return rc;
}

/* -------------------------------------------------------------- export */

/* Populations get NEST ids in the order projections first name them, pre
 * before post: the first gets 1..n, the next n+1.., as nest.Create() does. */
typedef struct id_base {
	const ns_object *pop;
	int64_t first;
} id_base;

static int64_t id_base_of(id_base *bases, size_t *n, int64_t *next, const ns_object *pop,
			  uint64_t size)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (bases[i].pop == pop)
			return bases[i].first;
	bases[*n].pop = pop;
	bases[*n].first = *next;
	*next += (int64_t)size;
	return bases[(*n)++].first;
}

/* The values of attribute @p names[0] (or its alias names[1]) of @p proj,
 * one per synapse, into a new array. */
static int synapse_values(double **out, const ns_object *proj, const ns_object_info *pi,
			  uint64_t n_post, const char *const names[2], const char *path)
{
	const int32_t *pre, *post;
	ns_attr_info ai;
	ns_attr *a = H->object_attr_find(proj, names[0]);
	double *vals = NULL, *all = NULL;
	uint64_t i, n = pi->size;
	int rc;

	if (!a)
		a = H->object_attr_find(proj, names[1]);
	if (!a)
		return H->error(NS_EUNSUPPORTED,
				"%s: projection '%s' has no attribute '%s' (or '%s'): the NEST "
				"connection format needs a %s for every synapse",
				path, pi->name, names[0], names[1], names[0]);
	H->attr_get_info(&ai, a);
	if (ai.count > SIZE_MAX / sizeof(double) || n > SIZE_MAX / sizeof(double))
		return H->error(NS_ENOMEM, "%s: projection '%s': too many synapses", path,
				pi->name);
	all = H->alloc((ai.count ? ai.count : 1) * sizeof(double));
	vals = H->alloc((n ? n : 1) * sizeof(double));
	if (!all || !vals) {
		rc = H->error(NS_ENOMEM, "%s: projection '%s': out of memory", path, pi->name);
		goto done;
	}
	if ((rc = H->attr_read(all, NS_DTYPE_F64, a)) != NS_OK)
		goto done;
	H->projection_connectivity(&pre, &post, proj);
	for (i = 0; i < n; i++) {
		uint64_t k = ai.scope == NS_GLOBAL ? 0 : ai.scope == NS_LOCAL ? i : (uint64_t)post[i];
		if (k >= ai.count) {
			rc = H->error(NS_ECORRUPT,
				      "%s: projection '%s': attribute '%s' has %llu values for %llu "
				      "synapses (%llu post neurons)",
				      path, pi->name, ai.name, (unsigned long long)ai.count,
				      (unsigned long long)n, (unsigned long long)n_post);
			goto done;
		}
		vals[i] = all[k];
	}
	*out = vals;
	vals = NULL;
	rc = NS_OK;
done:
	H->free(all);
	H->free(vals);
	return rc;
}

static int export_projection(writer *w, const ns_network *net, const ns_object *proj,
			     id_base *bases, size_t *n_bases, int64_t *next_id, const char *path)
{
	static const char *const weight_names[2] = { "weight", "w" };
	static const char *const delay_names[2] = { "delay", "delays" };
	ns_object_info pi, prei, posti;
	const ns_object *pre_pop, *post_pop;
	const int32_t *pre, *post;
	double *weight = NULL, *delay = NULL;
	int64_t pre_first, post_first;
	char line[160], ws[40], ds[40];
	uint64_t i;
	int rc;

	H->object_get_info(&pi, proj);
	pre_pop = H->network_object_find(net, pi.pre);
	post_pop = H->network_object_find(net, pi.post);
	/* An export that selects projections without their populations. */
	if (!pre_pop || !post_pop)
		return H->error(NS_EUNSUPPORTED,
				"%s: projection '%s': population '%s' is not exported, and node "
				"ids need its size: select it too",
				path, pi.name, pre_pop ? pi.post : pi.pre);
	H->object_get_info(&prei, pre_pop);
	H->object_get_info(&posti, post_pop);
	pre_first = id_base_of(bases, n_bases, next_id, pre_pop, prei.size);
	post_first = id_base_of(bases, n_bases, next_id, post_pop, posti.size);

	if ((rc = synapse_values(&weight, proj, &pi, posti.size, weight_names, path)) != NS_OK ||
	    (rc = synapse_values(&delay, proj, &pi, posti.size, delay_names, path)) != NS_OK)
		goto done;

	if ((rc = writer_puts(w, COLUMNS_LINE "\n# nsnap projection ")) != NS_OK ||
	    (rc = writer_name(w, pi.name)) != NS_OK || (rc = writer_puts(w, " ")) != NS_OK ||
	    (rc = writer_name(w, pi.pre)) != NS_OK || (rc = writer_puts(w, " ")) != NS_OK ||
	    (rc = writer_name(w, pi.post)) != NS_OK)
		goto done;
	snprintf(line, sizeof line, " %llu %llu\n", (unsigned long long)prei.size,
		 (unsigned long long)posti.size);
	if ((rc = writer_puts(w, line)) != NS_OK)
		goto done;

	H->projection_connectivity(&pre, &post, proj);
	for (i = 0; i < pi.size; i++) {
		format_double(ws, sizeof ws, weight[i]);
		format_double(ds, sizeof ds, delay[i]);
		snprintf(line, sizeof line, "%lld %lld %s %s\n",
			 (long long)(pre_first + pre[i]), (long long)(post_first + post[i]), ws, ds);
		if ((rc = writer_puts(w, line)) != NS_OK)
			goto done;
	}
done:
	H->free(weight);
	H->free(delay);
	return rc;
}

static int conn_export(ns_ostream *out, const ns_network *net, const ns_plugin_args *args)
{
	const char *path = path_of(args);
	size_t i, n = H->network_object_count(net), n_bases = 0;
	id_base *bases = NULL;
	int64_t next_id = 1;
	writer *w;
	int rc = NS_OK;

	w = H->alloc(sizeof *w);
	/* Each projection names at most two populations. */
	bases = H->alloc((2 * n + 1) * sizeof *bases);
	if (!w || !bases) {
		rc = H->error(NS_ENOMEM, "%s: out of memory", path);
		goto done;
	}
	w->out = out;
	w->len = 0;
	for (i = 0; i < n && rc == NS_OK; i++) {
		const ns_object *obj = H->network_object_at(net, i);
		ns_object_info info;

		H->object_get_info(&info, obj);
		if (info.kind == NS_PROJECTION)
			rc = export_projection(w, net, obj, bases, &n_bases, &next_id, path);
	}
	if (rc == NS_OK)
		rc = writer_flush(w);
done:
	H->free(w);
	H->free(bases);
	return rc;
}

/* --------------------------------------------------------------- input */

typedef struct reader {
	ns_istream *in;
	const char *path;
	size_t pos, len;
	int eof;
	unsigned long lineno;
	char *line;      /* the current line, NUL-terminated, without its end */
	size_t line_len, line_cap;
	char buf[1 << 16];
} reader;

/* The next line into r->line: 1, 0 at the end, or an error code. */
static int reader_next(reader *r)
{
	int got = 0;

	r->line_len = 0;
	for (;;) {
		char *nl;
		size_t take;

		if (r->pos == r->len) {
			ptrdiff_t k;

			if (r->eof)
				break;
			k = H->read(r->in, r->buf, sizeof r->buf);
			if (k < 0)
				return (int)k;
			if (k == 0) {
				r->eof = 1;
				break;
			}
			r->pos = 0;
			r->len = (size_t)k;
		}
		got = 1;
		nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
		take = (nl ? (size_t)(nl - r->buf) : r->len) - r->pos;
		if (r->line_len + take + 1 > r->line_cap) {
			size_t cap = r->line_cap ? r->line_cap : 256;
			char *p;

			while (cap < r->line_len + take + 1)
				cap *= 2;
			if (cap > MAX_LINE)
				return H->error(NS_EFORMAT, "%s:%lu: line longer than %u bytes",
						r->path, r->lineno + 1, MAX_LINE);
			if (!(p = H->realloc(r->line, cap)))
				return H->error(NS_ENOMEM, "%s: out of memory", r->path);
			r->line = p;
			r->line_cap = cap;
		}
		memcpy(r->line + r->line_len, r->buf + r->pos, take);
		r->line_len += take;
		r->pos += take;
		if (nl) {
			r->pos++;
			break;
		}
	}
	if (!got)
		return 0;
	r->lineno++;
	if (r->line_len && r->line[r->line_len - 1] == '\r')
		r->line_len--;
	r->line[r->line_len] = '\0';
	if (memchr(r->line, '\0', r->line_len))
		return H->error(NS_EFORMAT, "%s:%lu:%zu: a NUL byte: not a NEST connection file",
				r->path, r->lineno,
				(size_t)((char *)memchr(r->line, '\0', r->line_len) - r->line) + 1);
	return 1;
}

/* Fields of a line, split at blanks; columns are 1-based byte positions. */
#define MAX_FIELDS 8
typedef struct fields {
	size_t n;
	const char *s[MAX_FIELDS];
	size_t len[MAX_FIELDS];
	size_t col[MAX_FIELDS];
	size_t end_col; /* just past the line: where a missing field is */
} fields;

static void split(fields *f, const char *line, size_t len, size_t from)
{
	size_t i = from;

	f->n = 0;
	while (i < len) {
		size_t start;

		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		if (f->n < MAX_FIELDS) {
			f->s[f->n] = line + start;
			f->len[f->n] = i - start;
			f->col[f->n] = start + 1;
		}
		f->n++;
	}
	f->end_col = len + 1;
}

static int field_is(const fields *f, size_t i, const char *word)
{
	return f->len[i] == strlen(word) && memcmp(f->s[i], word, f->len[i]) == 0;
}

/* One population as this import knows it: its object and first NEST id. */
typedef struct known_pop {
	ns_object *obj;
	int64_t first;
	uint64_t size;
} known_pop;

/* A block: a column header line, its synapses, and maybe names. */
typedef struct block {
	unsigned long header_line;
	int named;
	char *name, *pre, *post;   /* named blocks */
	size_t pre_pop, post_pop;  /* indices into importer.pops */
	int64_t *src, *tgt;        /* NEST ids as read */
	double *weight, *delay;
	uint64_t n, cap;
	int64_t min_src, max_src, min_tgt, max_tgt;
} block;

typedef struct importer {
	reader *r;
	ns_network *net;
	known_pop *pops;
	size_t n_pops, cap_pops;
	int64_t next_id;      /* for populations of named blocks */
	unsigned long blocks; /* blocks seen, to name unnamed ones */
	block b;
	int in_block;
} importer;

static void block_clear(block *b)
{
	H->free(b->name);
	H->free(b->pre);
	H->free(b->post);
	H->free(b->src);
	H->free(b->tgt);
	H->free(b->weight);
	H->free(b->delay);
	memset(b, 0, sizeof *b);
}

static known_pop *known_find(importer *im, const char *name, size_t *index)
{
	size_t i;

	for (i = 0; i < im->n_pops; i++) {
		ns_object_info info;

		H->object_get_info(&info, im->pops[i].obj);
		if (strcmp(info.name, name) == 0) {
			*index = i;
			return &im->pops[i];
		}
	}
	return NULL;
}

/* The population @p name of @p size (its index in im->pops): an earlier
 * one, or a new one whose ids start at @p first (or, for @p first 0, at the
 * next free id). Messages point at @p line, @p col. */
static int population_get(size_t *out, importer *im, const char *name, uint64_t size,
			  int64_t first, unsigned long line, size_t col)
{
	size_t index = 0;
	known_pop *k = known_find(im, name, &index);
	ns_object *obj;
	int rc;

	if (k) {
		if (k->size != size)
			return H->error(NS_EFORMAT,
					"%s:%lu:%zu: population '%s' has %llu neurons here but %llu "
					"in an earlier block",
					im->r->path, line, col, name,
					(unsigned long long)size, (unsigned long long)k->size);
		*out = index;
		return NS_OK;
	}
	if (size > (uint64_t)INT32_MAX + 1 || (first == 0 && size > (uint64_t)(INT64_MAX / 2)))
		return H->error(NS_EFORMAT, "%s:%lu:%zu: population '%s': %llu neurons are too many",
				im->r->path, line, col, name, (unsigned long long)size);
	if (im->n_pops == im->cap_pops) {
		size_t cap = im->cap_pops ? 2 * im->cap_pops : 8;
		known_pop *p = H->realloc(im->pops, cap * sizeof *p);

		if (!p)
			return H->error(NS_ENOMEM, "%s: out of memory", im->r->path);
		im->pops = p;
		im->cap_pops = cap;
	}
	/* A name the network refuses is a fault of the file. */
	if ((rc = H->population_add(&obj, im->net, name, size, NULL, 0, NULL)) != NS_OK)
		return H->error(rc == NS_ENOMEM ? rc : NS_EFORMAT,
				"%s:%lu:%zu: population '%s': %s", im->r->path, line, col, name,
				rc == NS_EEXISTS ? "the name is taken by a projection" : BAD_NAME);
	k = &im->pops[im->n_pops++];
	k->obj = obj;
	k->size = size;
	if (first) {
		k->first = first;
	} else {
		k->first = im->next_id;
		im->next_id += (int64_t)size;
	}
	*out = im->n_pops - 1;
	return NS_OK;
}

static int name_field(char **out, importer *im, const fields *f, size_t i, const char *what)
{
	char *s = H->alloc(f->len[i] + 1);

	if (!s)
		return H->error(NS_ENOMEM, "%s: out of memory", im->r->path);
	if (name_decode(s, f->s[i], f->len[i]) != 0 || s[0] == '\0') {
		H->free(s);
		return H->error(NS_EFORMAT, "%s:%lu:%zu: bad %s name (a '%%' not followed by two "
				"hex digits, or %%00)",
				im->r->path, im->r->lineno, f->col[i], what);
	}
	*out = s;
	return NS_OK;
}

/* "# nsnap projection NAME PRE POST N_PRE N_POST" */
static int parse_names(importer *im, const fields *f)
{
	static const char *const what[] = { "", "", "projection", "pre population",
					    "post population", "n_pre", "n_post" };
	block *b = &im->b;
	uint64_t n_pre, n_post;
	size_t i;
	int rc;

	if (!im->in_block || b->named || b->n)
		return H->error(NS_EFORMAT,
				"%s:%lu:%zu: '# nsnap projection' must come right after the "
				"line '" COLUMNS_LINE "'",
				im->r->path, im->r->lineno, f->col[0]);
	if (f->n != 7) {
		size_t col = f->n > 7 ? f->col[7] : f->end_col;
		return H->error(NS_EFORMAT,
				"%s:%lu:%zu: %s; expected '# nsnap projection NAME PRE POST "
				"N_PRE N_POST'",
				im->r->path, im->r->lineno, col,
				f->n > 7 ? "too many fields" : "missing fields");
	}
	for (i = 5; i < 7; i++) {
		uint64_t *v = i == 5 ? &n_pre : &n_post;
		if (parse_u64(v, f->s[i], f->len[i], (uint64_t)INT32_MAX + 1) != 0)
			return H->error(NS_EFORMAT,
					"%s:%lu:%zu: %s: expected a number of neurons up to 2^31, "
					"not '%.*s'",
					im->r->path, im->r->lineno, f->col[i], what[i], QUOTE(f->len[i]),
					f->s[i]);
	}
	if ((rc = name_field(&b->name, im, f, 2, what[2])) != NS_OK ||
	    (rc = name_field(&b->pre, im, f, 3, what[3])) != NS_OK ||
	    (rc = name_field(&b->post, im, f, 4, what[4])) != NS_OK)
		return rc;
	if ((rc = population_get(&b->pre_pop, im, b->pre, n_pre, 0, im->r->lineno,
				 f->col[3])) != NS_OK ||
	    (rc = population_get(&b->post_pop, im, b->post, n_post, 0, im->r->lineno,
				 f->col[4])) != NS_OK)
		return rc;
	b->named = 1;
	return NS_OK;
}

static int block_grow(importer *im)
{
	block *b = &im->b;
	uint64_t cap = b->cap ? 2 * b->cap : 1024;
	void *p;

	if (cap > SIZE_MAX / sizeof(double))
		return H->error(NS_ENOMEM, "%s: too many synapses", im->r->path);
#define GROW(field)                                                      \
	do {                                                             \
		if (!(p = H->realloc(b->field, cap * sizeof *b->field))) \
			goto nomem;                                      \
		b->field = p;                                            \
	} while (0)
	GROW(src);
	GROW(tgt);
	GROW(weight);
	GROW(delay);
#undef GROW
	b->cap = cap;
	return NS_OK;
nomem:
	return H->error(NS_ENOMEM, "%s: out of memory", im->r->path);
}

static int parse_synapse(importer *im, const fields *f)
{
	static const char *const col_name[] = { "source", "target", "weight", "delay" };
	block *b = &im->b;
	uint64_t id[2];
	double v[2];
	size_t i;
	int rc;

	if (!im->in_block)
		return H->error(NS_EFORMAT,
				"%s:%lu:%zu: a synapse before the header line '" COLUMNS_LINE "'",
				im->r->path, im->r->lineno, f->col[0]);
	if (f->n != 4) {
		size_t col = f->n > 4 ? f->col[4] : f->end_col;
		return H->error(NS_EFORMAT, "%s:%lu:%zu: %s; expected 'source target weight delay'",
				im->r->path, im->r->lineno, col,
				f->n > 4 ? "too many fields" : "missing fields");
	}
	for (i = 0; i < 2; i++) {
		if (parse_u64(&id[i], f->s[i], f->len[i], INT64_MAX / 2) != 0 || id[i] == 0)
			return H->error(NS_EFORMAT,
					"%s:%lu:%zu: %s: expected a node id (1, 2, ...), not '%.*s'",
					im->r->path, im->r->lineno, f->col[i], col_name[i],
					QUOTE(f->len[i]), f->s[i]);
	}
	for (i = 0; i < 2; i++) {
		if (parse_double(&v[i], f->s[i + 2], f->len[i + 2]) != 0)
			return H->error(NS_EFORMAT, "%s:%lu:%zu: %s: expected a number, not '%.*s'",
					im->r->path, im->r->lineno, f->col[i + 2], col_name[i + 2],
					QUOTE(f->len[i + 2]), f->s[i + 2]);
	}
	if (b->named) {
		const known_pop *pop[2] = { &im->pops[b->pre_pop], &im->pops[b->post_pop] };
		for (i = 0; i < 2; i++) {
			if ((int64_t)id[i] < pop[i]->first ||
			    (int64_t)id[i] >= pop[i]->first + (int64_t)pop[i]->size) {
				ns_object_info info;

				H->object_get_info(&info, pop[i]->obj);
				return H->error(NS_EFORMAT,
						"%s:%lu:%zu: %s %llu is not in population '%s' "
						"(node ids %lld to %lld)",
						im->r->path, im->r->lineno, f->col[i], col_name[i],
						(unsigned long long)id[i], info.name,
						(long long)pop[i]->first,
						(long long)(pop[i]->first + (int64_t)pop[i]->size - 1));
			}
		}
	}
	if (b->n == b->cap && (rc = block_grow(im)) != NS_OK)
		return rc;
	if (b->n == 0) {
		b->min_src = b->max_src = (int64_t)id[0];
		b->min_tgt = b->max_tgt = (int64_t)id[1];
	}
	b->min_src = (int64_t)id[0] < b->min_src ? (int64_t)id[0] : b->min_src;
	b->max_src = (int64_t)id[0] > b->max_src ? (int64_t)id[0] : b->max_src;
	b->min_tgt = (int64_t)id[1] < b->min_tgt ? (int64_t)id[1] : b->min_tgt;
	b->max_tgt = (int64_t)id[1] > b->max_tgt ? (int64_t)id[1] : b->max_tgt;
	b->src[b->n] = (int64_t)id[0];
	b->tgt[b->n] = (int64_t)id[1];
	b->weight[b->n] = v[0];
	b->delay[b->n] = v[1];
	b->n++;
	return NS_OK;
}

/* Make the block's projection (and, unnamed, its populations). */
static int block_finish(importer *im)
{
	block *b = &im->b;
	const char *path = im->r->path;
	int32_t *pre = NULL, *post = NULL;
	ns_object *proj;
	ns_attr *attr;
	char names[3][32];
	uint64_t i;
	int rc;

	if (!im->in_block)
		return NS_OK;
	im->in_block = 0;
	if (!b->named) {
		if (b->n == 0) {
			/* No synapse and no sizes: nothing to build. */
			H->log(NS_LOG_WARNING, "%s:%lu: an empty block without names: skipped", path,
			       b->header_line);
			block_clear(b);
			return NS_OK;
		}
		snprintf(names[0], sizeof names[0], "proj%lu", im->blocks);
		snprintf(names[1], sizeof names[1], "pre%lu", im->blocks);
		snprintf(names[2], sizeof names[2], "post%lu", im->blocks);
		if (b->max_src - b->min_src > INT32_MAX || b->max_tgt - b->min_tgt > INT32_MAX) {
			rc = H->error(NS_EFORMAT,
				      "%s:%lu: the block's node ids span more than 2^31 neurons",
				      path, b->header_line);
			goto done;
		}
		if ((rc = population_get(&b->pre_pop, im, names[1],
					 (uint64_t)(b->max_src - b->min_src + 1), b->min_src,
					 b->header_line, 1)) != NS_OK ||
		    (rc = population_get(&b->post_pop, im, names[2],
					 (uint64_t)(b->max_tgt - b->min_tgt + 1), b->min_tgt,
					 b->header_line, 1)) != NS_OK)
			goto done;
	}
	if ((rc = H->projection_add(&proj, im->net, b->named ? b->name : names[0],
				    b->named ? b->pre : names[1], b->named ? b->post : names[2],
				    NULL, NULL)) != NS_OK) {
		rc = H->error(rc == NS_ENOMEM ? rc : NS_EFORMAT, "%s:%lu: projection '%s': %s", path,
			      b->header_line, b->named ? b->name : names[0],
			      rc == NS_EEXISTS ? "the name is taken by an earlier object" : BAD_NAME);
		goto done;
	}
	pre = H->alloc((b->n ? b->n : 1) * sizeof *pre);
	post = H->alloc((b->n ? b->n : 1) * sizeof *post);
	if (!pre || !post) {
		rc = H->error(NS_ENOMEM, "%s: out of memory", path);
		goto done;
	}
	for (i = 0; i < b->n; i++) {
		pre[i] = (int32_t)(b->src[i] - im->pops[b->pre_pop].first);
		post[i] = (int32_t)(b->tgt[i] - im->pops[b->post_pop].first);
	}
	if ((rc = H->projection_set_synapses(proj, pre, post, b->n, NS_ARRAY_COPY)) != NS_OK ||
	    (rc = H->attr_add(&attr, proj, "weight", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64,
			      b->weight, NS_ARRAY_COPY)) != NS_OK ||
	    (rc = H->attr_add(&attr, proj, "delay", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64,
			      b->delay, NS_ARRAY_COPY)) != NS_OK)
		goto done;
done:
	H->free(pre);
	H->free(post);
	block_clear(b);
	return rc;
}

static int block_start(importer *im)
{
	int rc = block_finish(im);

	if (rc != NS_OK)
		return rc;
	im->in_block = 1;
	im->blocks++;
	im->b.header_line = im->r->lineno;
	return NS_OK;
}

static int conn_import(ns_network **out, ns_istream *in, const ns_plugin_args *args)
{
	importer im;
	reader *r;
	fields f;
	int rc;

	memset(&im, 0, sizeof im);
	im.next_id = 1;
	if (!(r = H->alloc(sizeof *r)))
		return H->error(NS_ENOMEM, "%s: out of memory", path_of(args));
	memset(r, 0, offsetof(reader, buf));
	r->in = in;
	r->path = path_of(args);
	im.r = r;
	if ((rc = H->network_new(&im.net, NULL)) != NS_OK)
		goto done;

	while ((rc = reader_next(r)) == 1) {
		if (r->line[0] == '#') {
			split(&f, r->line, r->line_len, 1);
			if (f.n == 4 && field_is(&f, 0, "source") && field_is(&f, 1, "target") &&
			    field_is(&f, 2, "weight") && field_is(&f, 3, "delay"))
				rc = block_start(&im);
			else if (f.n >= 2 && field_is(&f, 0, "nsnap") && field_is(&f, 1, "projection"))
				rc = parse_names(&im, &f);
			else
				rc = NS_OK; /* another comment */
		} else {
			split(&f, r->line, r->line_len, 0);
			rc = f.n == 0 ? NS_OK : parse_synapse(&im, &f);
		}
		if (rc != NS_OK)
			goto done;
	}
	if (rc < 0)
		goto done;
	if (im.blocks == 0) {
		rc = H->error(NS_EFORMAT, "%s: no line '" COLUMNS_LINE "': not a NEST connection file",
			      r->path);
		goto done;
	}
	if ((rc = block_finish(&im)) != NS_OK)
		goto done;
	*out = im.net;
	im.net = NULL;
done:
	block_clear(&im.b);
	H->free(im.pops);
	H->network_free(im.net);
	H->free(r->line);
	H->free(r);
	return rc;
}

/* ------------------------------------------------------------- plugin */

/* The first line must be the column header, spaced as the parser accepts
 * it: the host refuses a file whose probe says 0 even under a .conn name. */
static int conn_probe(const unsigned char *head, size_t n)
{
	static const char *const words[] = { "source", "target", "weight", "delay" };
	size_t i = 1, w;

	if (n == 0 || head[0] != '#')
		return 0;
	for (w = 0; w < 4; w++) {
		size_t len = strlen(words[w]);

		while (i < n && (head[i] == ' ' || head[i] == '\t'))
			i++;
		if (n - i < len || memcmp(head + i, words[w], len) != 0)
			return 0;
		i += len;
		if (i < n && head[i] != ' ' && head[i] != '\t' && head[i] != '\r' && head[i] != '\n')
			return 0;
	}
	while (i < n && (head[i] == ' ' || head[i] == '\t'))
		i++;
	if (i < n && head[i] != '\r' && head[i] != '\n')
		return 0;
	return 8 * 22; /* '#' and the four words */
}

static int conn_init(const ns_host *host)
{
	/* Every host function this plugin calls is in ABI 1. */
	if (host->abi_version < 1 ||
	    host->struct_size < offsetof(ns_host, dtype_name) + sizeof host->dtype_name)
		return host->error(NS_EPLUGIN, "nest_conn: host table too small (%zu bytes)",
				   host->struct_size);
	H = host;
	return NS_OK;
}

static void conn_fini(void)
{
	H = NULL;
}

static const char *const conn_extensions[] = { ".conn", NULL };

static const ns_format_ops conn_ops = {
	.import_network = conn_import,
	.export_network = conn_export,
};

static const ns_plugin conn_plugin = {
	.abi_version = NS_PLUGIN_ABI_VERSION,
	.struct_size = sizeof(ns_plugin),
	.kind = NS_PLUGIN_FORMAT,
	.name = "nest_conn",
	.description = "NEST connection dump: source target weight delay (text)",
	.extensions = conn_extensions,
	.flags = 0,
	.probe = conn_probe,
	.init = conn_init,
	.fini = conn_fini,
	.format = &conn_ops,
	.filter = NULL,
};

NS_PLUGIN_EXPORT const ns_plugin *NS_PLUGIN_ENTRY(void);

NS_PLUGIN_EXPORT const ns_plugin *NS_PLUGIN_ENTRY(void)
{
	return &conn_plugin;
}
