/* SPDX-License-Identifier: MIT */
/* Import of the text format (see text_write.c for the layout). Strict: a
 * file must be what the writer writes, give or take blank and '#' comment
 * lines between sections; every error names the file, line and column. */
#include "text_lex.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- objects */

static int is_section_start(tx_in *r)
{
	return tx_keyword_is(r, "population") || tx_keyword_is(r, "projection") ||
	       tx_keyword_is(r, "end");
}

/* Whether the bare word [at, e) is @word. */
static int word_is(const char *at, const char *e, const char *word)
{
	return strlen(word) == (size_t)(e - at) && memcmp(at, word, (size_t)(e - at)) == 0;
}

/* "parameter" or "variable" at the cursor. */
static int parse_kind(tx_in *r, ns_attr_kind *kind)
{
	const char *at, *e = tx_bare(r, &at);
	if (word_is(at, e, host->attr_kind_name(NS_PARAMETER)))
		*kind = NS_PARAMETER;
	else if (word_is(at, e, host->attr_kind_name(NS_VARIABLE)))
		*kind = NS_VARIABLE;
	else
		return ERR(r, at, "expected 'parameter' or 'variable'");
	r->p = e;
	return NS_OK;
}

/* The count of values of an array at the cursor, which the rest of the
 * file must have room for (a line each), so that a hostile count is an
 * error, not a huge allocation. */
static int parse_count(tx_in *r, uint64_t *count)
{
	const char *at;
	int rc;
	tx_skip_space(r);
	at = r->p;
	if ((rc = tx_parse_u64(r, count, "a count of values")) < 0)
		return rc;
	if (*count > tx_bytes_left(r) / 2)
		return ERR(r, at, "%llu values cannot fit in the rest of the file",
			   (unsigned long long)*count);
	return NS_OK;
}

/* The @count lines after the current one, one value of @dtype each, into
 * @data: the values of @what ("array", "attribute") @name of @owner
 * ("network", "population 'E'"). */
static int read_values(tx_in *r, const char *owner, const char *what, const char *name,
		       ns_dtype dtype, void *data, uint64_t count)
{
	int rc;
	for (uint64_t i = 0; i < count; i++) {
		if (!tx_next_line(r, &rc)) {
			if (rc < 0)
				return rc;
			return ERR(r, r->bol,
				   "%s: %s '%s': %llu values expected, found %llu "
				   "(file truncated?)",
				   owner, what, name, (unsigned long long)count, (unsigned long long)i);
		}
		if (tx_is_blank(r) || is_section_start(r) || tx_keyword_is(r, "values") ||
		    tx_keyword_is(r, "array") || tx_keyword_is(r, "table") ||
		    tx_keyword_is(r, "attribute"))
			return ERR(r, r->bol, "%s: %s '%s': %llu values expected, found %llu",
				   owner, what, name, (unsigned long long)count, (unsigned long long)i);
		r->p = r->bol;
		tx_skip_space(r);
		if ((rc = tx_parse_value(r, dtype, data, i)) < 0 || (rc = tx_end_of_line(r)) < 0)
			return rc;
	}
	return NS_OK;
}

/* Declarations, then globals, then the values of arrays. Leaves the first
 * line after them current (*more 0 at the end of the file). */
static int read_attributes(tx_in *r, ns_object *obj, int is_proj, uint64_t local_rows,
			   uint64_t semi_rows, int *more)
{
	const char *what = is_proj ? "projection" : "population";
	ns_object_info oi;
	char owner[300];
	int rc;
	host->object_get_info(&oi, obj);
	snprintf(owner, sizeof owner, "%s '%s'", what, oi.name);
	r->n_decl = 0;
	while ((*more = tx_next_content(r, &rc)) && tx_keyword_is(r, "attribute")) {
		tx_decl *d;
		ns_attr *attr;
		const char *at, *e;
		ns_attr_kind kind;
		int scope = -1;
		r->p = r->bol;
		if ((rc = tx_expect_word(r, "attribute")) < 0 ||
		    (rc = tx_name(r, 0, NULL, "an attribute name")) < 0)
			return rc;
		if ((rc = parse_kind(r, &kind)) < 0)
			return rc;
		e = tx_bare(r, &at);
		for (int s = NS_GLOBAL; s <= NS_ARRAY; s++)
			if (word_is(at, e, host->scope_name((ns_scope)s)))
				scope = s;
		if (scope < 0 || (scope == NS_SEMIGLOBAL && !is_proj))
			return ERR(r, at,
				   is_proj ? "expected 'global', 'local', 'semiglobal' or 'array'"
					   : "expected 'global', 'local' or 'array'");
		if (scope == NS_ARRAY && r->version < 2)
			return ERR(r, at,
				   "scope 'array' is version 2 of the text format; the "
				   "header says version %u",
				   r->version);
		if ((scope == NS_LOCAL && local_rows > tx_bytes_left(r) / (is_proj ? 4 : 2)) ||
		    (scope == NS_SEMIGLOBAL && semi_rows > tx_bytes_left(r) / 2))
			return ERR(
				r, at, "%llu table lines cannot fit in the rest of the file",
				(unsigned long long)(scope == NS_LOCAL ? local_rows : semi_rows));
		r->p = e;
		if ((rc = tx_name(r, 1, NULL, "an element type")) < 0)
			return rc;
		if (r->n_decl == r->decl_cap) {
			size_t cap = r->decl_cap ? r->decl_cap * 2 : 16;
			tx_decl *p = host->realloc(r->decl, cap * sizeof *p);
			if (!p)
				return host->error(NS_ENOMEM, "out of memory");
			r->decl = p;
			r->decl_cap = cap;
		}
		d = &r->decl[r->n_decl];
		d->scope = (ns_scope)scope;
		d->count = 0;
		if (!(d->dtype = tx_dtype_of(r->slot[1])))
			return ERR(r, e + 1, "unknown element type '%s'", r->slot[1]);
		if ((scope == NS_ARRAY && (rc = parse_count(r, &d->count)) < 0) ||
		    (rc = tx_end_of_line(r)) < 0)
			return rc;
		if (scope == NS_ARRAY)
			rc = host->attr_add_array(&attr, obj, r->slot[0], kind, d->dtype, d->count,
						  NULL, 0);
		else
			rc = host->attr_add(&attr, obj, r->slot[0], kind, d->scope, d->dtype, NULL,
					    0);
		if (rc < 0)
			return tx_host_fail(r, r->bol, rc);
		if ((rc = host->attr_data(&d->data, attr)) < 0)
			return tx_host_fail(r, r->bol, rc);
		{
			ns_attr_info info;
			host->attr_get_info(&info, attr);
			d->name = info.name;
		}
		r->n_decl++;
	}
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < r->n_decl; i++) {
		tx_decl *d = &r->decl[i];
		if (d->scope != NS_GLOBAL)
			continue;
		if (!*more)
			return ERR(r, r->bol,
				   "unexpected end of file: expected the value of "
				   "global attribute '%s'",
				   d->name);
		r->p = r->bol;
		if ((rc = tx_name(r, 0, NULL, "a global attribute's name")) < 0)
			return rc;
		if (strcmp(r->slot[0], d->name) != 0)
			return ERR(r, r->bol, "expected the value of global attribute '%s'",
				   d->name);
		if ((rc = tx_expect_word(r, "=")) < 0 ||
		    (rc = tx_parse_value(r, d->dtype, d->data, 0)) < 0 ||
		    (rc = tx_end_of_line(r)) < 0)
			return rc;
		*more = tx_next_content(r, &rc);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < r->n_decl; i++) {
		tx_decl *d = &r->decl[i];
		if (d->scope != NS_ARRAY)
			continue;
		if (!*more || !tx_keyword_is(r, "values"))
			return ERR(r, r->bol, "%s: expected the values of array attribute '%s'%s",
				   owner, d->name,
				   *more ? "" : " (unexpected end of file)");
		r->p = r->bol;
		if ((rc = tx_expect_word(r, "values")) < 0 ||
		    (rc = tx_name(r, 0, NULL, "an attribute name")) < 0)
			return rc;
		if (strcmp(r->slot[0], d->name) != 0)
			return ERR(r, r->bol, "%s: expected the values of array attribute '%s'",
				   owner, d->name);
		if ((rc = tx_end_of_line(r)) < 0 ||
		    (rc = read_values(r, owner, "attribute", d->name, d->dtype, d->data, d->count)) < 0)
			return rc;
		*more = tx_next_content(r, &rc);
		if (rc < 0)
			return rc;
	}
	return NS_OK;
}

/* "table <first...> <columns of @scope>" on the current line. */
static int table_header(tx_in *r, const char *const *first, ns_scope scope, const char *obj)
{
	int rc;
	r->p = r->bol;
	if ((rc = tx_expect_word(r, "table")) < 0)
		return rc;
	for (; *first; first++)
		if ((rc = tx_expect_word(r, *first)) < 0)
			return rc;
	for (size_t i = 0; i < r->n_decl; i++) {
		const char *at;
		if (r->decl[i].scope != scope)
			continue;
		tx_skip_space(r);
		at = r->p;
		if ((rc = tx_name(r, 0, NULL, "a column")) < 0)
			return rc;
		if (strcmp(r->slot[0], r->decl[i].name) != 0)
			return ERR(r, at, "'%s': expected column '%s'", obj, r->decl[i].name);
	}
	return tx_end_of_line(r);
}

/* @rows lines of a table after its header; @pre and @post non-NULL for
 * synapses, else each line starts with its index. */
static int table_rows(tx_in *r, uint64_t rows, ns_scope scope, int32_t *pre, int32_t *post,
		      const char *what, const char *obj)
{
	int rc;
	for (uint64_t i = 0; i < rows; i++) {
		if (!tx_next_line(r, &rc)) {
			if (rc < 0)
				return rc;
			return ERR(r, r->bol,
				   "%s '%s': %llu table lines expected, found %llu "
				   "(file truncated?)",
				   what, obj, (unsigned long long)rows, (unsigned long long)i);
		}
		if (tx_is_blank(r) || is_section_start(r))
			return ERR(r, r->bol, "%s '%s': %llu table lines expected, found %llu",
				   what, obj, (unsigned long long)rows, (unsigned long long)i);
		if (pre) {
			int64_t a, b;
			if ((rc = tx_parse_i64(r, &a, 0, INT32_MAX)) < 0 ||
			    (rc = tx_parse_i64(r, &b, 0, INT32_MAX)) < 0)
				return rc;
			pre[i] = (int32_t)a;
			post[i] = (int32_t)b;
		} else {
			const char *at;
			uint64_t k;
			tx_skip_space(r);
			at = r->p;
			if ((rc = tx_parse_u64(r, &k, "an index")) < 0)
				return rc;
			if (k != i)
				return ERR(r, at, "expected index %llu", (unsigned long long)i);
		}
		for (size_t a = 0; a < r->n_decl; a++) {
			if (r->decl[a].scope != scope)
				continue;
			if (r->p == r->eol || (tx_skip_space(r), r->p == r->eol))
				return ERR(r, r->p, "missing column '%s'", r->decl[a].name);
			if ((rc = tx_parse_value(r, r->decl[a].dtype, r->decl[a].data, i)) < 0)
				return rc;
		}
		if ((rc = tx_end_of_line(r)) < 0)
			return rc;
	}
	return NS_OK;
}

static int count_of(const tx_in *r, ns_scope scope)
{
	int n = 0;
	for (size_t i = 0; i < r->n_decl; i++)
		n += r->decl[i].scope == scope;
	return n;
}

static int read_population(tx_in *r, ns_network *net, int *more)
{
	static const char *const first[] = {"index", NULL};
	uint64_t size, shape[NS_MAX_DIMS];
	unsigned ndim = 0;
	ns_object *obj;
	const char *s, *e;
	int rc;

	r->p = r->bol;
	if ((rc = tx_expect_word(r, "population")) < 0 ||
	    (rc = tx_name(r, 0, NULL, "a population name")) < 0 ||
	    (rc = tx_expect_word(r, "size")) < 0 || (rc = tx_parse_u64(r, &size, "a size")) < 0 ||
	    (rc = tx_expect_word(r, "geometry")) < 0)
		return rc;
	e = tx_bare(r, &s);
	for (const char *d = s;; d++) {
		const char *x = d;
		char buf[24];
		while (x < e && *x >= '0' && *x <= '9')
			x++;
		if (x == d || x - d >= (ptrdiff_t)sizeof buf || ndim == NS_MAX_DIMS)
			return ERR(r, d, "expected a geometry such as 2x4 (at most %d extents)",
				   NS_MAX_DIMS);
		memcpy(buf, d, (size_t)(x - d));
		buf[x - d] = '\0';
		errno = 0;
		shape[ndim++] = strtoull(buf, NULL, 10);
		if (errno)
			return ERR(r, d, "extent out of range");
		if (x == e)
			break;
		if (*x != 'x')
			return ERR(r, x, "expected a geometry such as 2x4");
		d = x;
	}
	r->p = e;
	if ((rc = tx_expect_word(r, "type")) < 0 ||
	    (rc = tx_name(r, 1, NULL, "a neuron type")) < 0 || (rc = tx_end_of_line(r)) < 0)
		return rc;
	if ((rc = host->population_add(&obj, net, r->slot[0], size, shape, ndim, r->slot[1])) <
	    0)
		return tx_host_fail(r, r->bol, rc);
	{
		ns_object_info oi;
		host->object_get_info(&oi, obj);
		if ((rc = read_attributes(r, obj, 0, size, 0, more)) < 0)
			return rc;
		if (!count_of(r, NS_LOCAL))
			return NS_OK;
		if (!*more || !tx_keyword_is(r, "table"))
			return ERR(r, r->bol, "population '%s': expected its table", oi.name);
		if ((rc = table_header(r, first, NS_LOCAL, oi.name)) < 0 ||
		    (rc = table_rows(r, size, NS_LOCAL, NULL, NULL, "population", oi.name)) < 0)
			return rc;
	}
	*more = tx_next_content(r, &rc);
	return rc;
}

static int read_projection(tx_in *r, ns_network *net, int *more)
{
	static const char *const first_semi[] = {"post", NULL};
	static const char *const first_syn[] = {"pre", "post", NULL};
	static const char *const words[] = {"pre", "post", "target", "type"};
	ns_object *obj, *post_pop;
	ns_object_info oi, pi;
	int32_t *pre = NULL, *post = NULL;
	uint64_t n;
	int rc;

	r->p = r->bol;
	if ((rc = tx_expect_word(r, "projection")) < 0 ||
	    (rc = tx_name(r, 0, NULL, "a projection name")) < 0)
		return rc;
	for (int w = 0; w < 4; w++)
		if ((rc = tx_expect_word(r, words[w])) < 0 ||
		    (rc = tx_name(r, 1 + w, NULL, "a name")) < 0)
			return rc;
	if ((rc = tx_expect_word(r, "synapses")) < 0 ||
	    (rc = tx_parse_u64(r, &n, "a synapse count")) < 0 || (rc = tx_end_of_line(r)) < 0)
		return rc;
	if (n > tx_bytes_left(r) / 4)
		return ERR(r, r->bol, "%llu synapses cannot fit in the rest of the file",
			   (unsigned long long)n);
	if ((rc = host->projection_add(&obj, net, r->slot[0], r->slot[1], r->slot[2], r->slot[3],
					  r->slot[4])) < 0)
		return tx_host_fail(r, r->bol, rc);
	post_pop = host->network_object_find(net, r->slot[2]);
	host->object_get_info(&pi, post_pop);
	host->object_get_info(&oi, obj);
	pre = host->alloc(n * sizeof *pre + 1);
	post = host->alloc(n * sizeof *post + 1);
	if (!pre || !post) {
		rc = host->error(NS_ENOMEM, "out of memory");
		goto done;
	}
	memset(pre, 0, n * sizeof *pre);
	memset(post, 0, n * sizeof *post);
	/* Bound to the arrays being read, so that local attributes can be
	 * added; copied once they are filled. */
	if ((rc = host->projection_set_synapses(obj, pre, post, n, 0)) < 0) {
		rc = tx_host_fail(r, r->bol, rc);
		goto done;
	}
	if ((rc = read_attributes(r, obj, 1, n, pi.size, more)) < 0)
		goto done;
	if (count_of(r, NS_SEMIGLOBAL)) {
		if (!*more || !tx_keyword_is(r, "table")) {
			rc = ERR(r, r->bol,
				 "projection '%s': expected its table of semiglobal "
				 "attributes",
				 oi.name);
			goto done;
		}
		if ((rc = table_header(r, first_semi, NS_SEMIGLOBAL, oi.name)) < 0 ||
		    (rc = table_rows(r, pi.size, NS_SEMIGLOBAL, NULL, NULL, "projection",
				     oi.name)) < 0)
			goto done;
		*more = tx_next_content(r, &rc);
		if (rc < 0)
			goto done;
	}
	if (!*more || !tx_keyword_is(r, "table")) {
		rc = ERR(r, r->bol, "projection '%s': expected its table of synapses", oi.name);
		goto done;
	}
	if ((rc = table_header(r, first_syn, NS_LOCAL, oi.name)) < 0 ||
	    (rc = table_rows(r, n, NS_LOCAL, pre, post, "projection", oi.name)) < 0)
		goto done;
	if ((rc = host->projection_set_synapses(obj, pre, post, n, NS_ARRAY_COPY)) < 0) {
		rc = tx_host_fail(r, r->bol, rc);
		goto done;
	}
	*more = tx_next_content(r, &rc);
done:
	/* On failure the network, bound to them, is freed without reading. */
	host->free(pre);
	host->free(post);
	return rc;
}

/* ------------------------------------------------------------------ file */

/* The whole stream, NUL-terminated. */
static int read_all(tx_in *r, ns_istream *in)
{
	void *buf;
	int rc;
	if ((rc = host->read_all(&buf, &r->size, in)) < 0)
		return rc;
	r->buf = buf;
	return NS_OK;
}

static int read_header(tx_in *r, ns_network **net, int *more)
{
	size_t len = strlen(TX_MAGIC);
	uint64_t version, step;
	uint64_t bits;
	double t, dt;
	int rc;

	if (!tx_next_line(r, &rc))
		return rc < 0 ? rc : ERR(r, r->bol, "an empty file, not the text format");
	if ((size_t)(r->eol - r->bol) < len || memcmp(r->bol, TX_MAGIC, len) != 0)
		return ERR(r, r->bol, "expected the header '%s%d'", TX_MAGIC, TX_VERSION);
	r->p = r->bol + len;
	if ((rc = tx_parse_u64(r, &version, "a version")) < 0)
		return rc;
	if (version < TX_VERSION_MIN || version > TX_VERSION)
		return tx_fail(r, r->bol + len, NS_EVERSION,
			       "version %llu of the text format; this "
			       "plugin reads versions %d to %d",
			       (unsigned long long)version, TX_VERSION_MIN, TX_VERSION);
	r->version = (unsigned)version;
	if ((rc = tx_end_of_line(r)) < 0)
		return rc;

	if (!tx_next_content(r, &rc))
		return rc < 0 ? rc : ERR(r, r->bol, "unexpected end of file: expected 'network'");
	if ((rc = tx_expect_word(r, "network")) < 0 ||
	    (rc = tx_name(r, 0, NULL, "a network name")) < 0 || (rc = tx_end_of_line(r)) < 0)
		return rc;
	if ((rc = host->network_new(net, r->slot[0])) < 0)
		return tx_host_fail(r, r->bol, rc);
	if (!tx_next_content(r, &rc))
		return rc < 0 ? rc : ERR(r, r->bol, "unexpected end of file: expected 'time'");
	if ((rc = tx_expect_word(r, "time")) < 0 || (rc = tx_parse_float(r, &bits, 0)) < 0 ||
	    (rc = tx_end_of_line(r)) < 0)
		return rc;
	memcpy(&t, &bits, 8);
	if (!tx_next_content(r, &rc))
		return rc < 0 ? rc : ERR(r, r->bol, "unexpected end of file: expected 'step'");
	if ((rc = tx_expect_word(r, "step")) < 0 ||
	    (rc = tx_parse_u64(r, &step, "a step count")) < 0 || (rc = tx_end_of_line(r)) < 0)
		return rc;
	host->network_set_time(*net, t, step);
	if (!tx_next_content(r, &rc))
		return rc < 0 ? rc : ERR(r, r->bol, "unexpected end of file: expected 'dt'");
	if ((rc = tx_expect_word(r, "dt")) < 0 || (rc = tx_parse_float(r, &bits, 0)) < 0 ||
	    (rc = tx_end_of_line(r)) < 0)
		return rc;
	memcpy(&dt, &bits, 8);
	host->network_set_dt(*net, dt);

	while ((*more = tx_next_content(r, &rc)) && tx_keyword_is(r, "meta")) {
		int quoted;
		r->p = r->bol;
		if ((rc = tx_expect_word(r, "meta")) < 0 ||
		    (rc = tx_name(r, 0, NULL, "a key")) < 0 || (rc = tx_expect_word(r, "=")) < 0)
			return rc;
		tx_skip_space(r);
		if (r->p < r->eol && *r->p == '"') {
			if ((rc = tx_name(r, 1, &quoted, "a string")) < 0 ||
			    (rc = tx_end_of_line(r)) < 0)
				return rc;
			rc = host->network_set_meta(*net, r->slot[0], r->slot[1], 0);
		} else {
			double v;
			if ((rc = tx_parse_float(r, &bits, 0)) < 0 || (rc = tx_end_of_line(r)) < 0)
				return rc;
			memcpy(&v, &bits, 8);
			rc = host->network_set_meta(*net, r->slot[0], NULL, v);
		}
		if (rc < 0)
			return tx_host_fail(r, r->bol, rc);
	}
	while (rc == NS_OK && *more && tx_keyword_is(r, "array")) {
		ns_attr_kind kind;
		ns_dtype dtype;
		uint64_t count;
		ns_attr *attr;
		void *data;
		const char *at;
		r->p = r->bol;
		if (r->version < 2)
			return ERR(r, r->bol,
				   "'array' lines are version 2 of the text format; the header "
				   "says version %u",
				   r->version);
		if ((rc = tx_expect_word(r, "array")) < 0 ||
		    (rc = tx_name(r, 0, NULL, "an array name")) < 0 || (rc = parse_kind(r, &kind)) < 0)
			return rc;
		tx_skip_space(r);
		at = r->p;
		if ((rc = tx_name(r, 1, NULL, "an element type")) < 0)
			return rc;
		if (!(dtype = tx_dtype_of(r->slot[1])))
			return ERR(r, at, "unknown element type '%s'", r->slot[1]);
		if ((rc = parse_count(r, &count)) < 0 || (rc = tx_end_of_line(r)) < 0)
			return rc;
		if ((rc = host->network_attr_add(&attr, *net, r->slot[0], kind, dtype, count, NULL,
						 0)) < 0 ||
		    (rc = host->attr_data(&data, attr)) < 0)
			return tx_host_fail(r, r->bol, rc);
		{
			ns_attr_info info;
			host->attr_get_info(&info, attr);
			if ((rc = read_values(r, "network", "array", info.name, dtype, data, count)) < 0)
				return rc;
		}
		*more = tx_next_content(r, &rc);
	}
	return rc;
}

int tx_import(ns_network **out, ns_istream *in, const ns_plugin_args *args)
{
	tx_in r;
	ns_network *net = NULL;
	int rc, more = 0;

	memset(&r, 0, sizeof r);
	r.path = args && args->path ? args->path : "(stream)";
	if ((rc = read_all(&r, in)) < 0 || (rc = read_header(&r, &net, &more)) < 0)
		goto done;
	for (;;) {
		if (!more) {
			rc = ERR(&r, r.bol,
				 "unexpected end of file: expected 'population', "
				 "'projection' or 'end' (file truncated?)");
			goto done;
		}
		if (tx_keyword_is(&r, "end")) {
			r.p = r.bol;
			if ((rc = tx_expect_word(&r, "end")) < 0 || (rc = tx_end_of_line(&r)) < 0)
				goto done;
			break;
		}
		if (tx_keyword_is(&r, "population"))
			rc = read_population(&r, net, &more);
		else if (tx_keyword_is(&r, "projection"))
			rc = read_projection(&r, net, &more);
		else if (*r.bol >= '0' && *r.bol <= '9')
			rc = ERR(&r, r.bol, "a table line too many (or a table without header)");
		else
			rc = ERR(&r, r.bol, "expected 'population', 'projection' or 'end'");
		if (rc < 0)
			goto done;
	}
	if (tx_next_content(&r, &rc) || rc < 0) {
		if (rc == NS_OK)
			rc = ERR(&r, r.bol, "text after 'end'");
		goto done;
	}
	if (args && args->verbose)
		host->log(NS_LOG_INFO,
			  "file '%s': %zu objects, %zu dictionary entries, %zu network-wide arrays",
			  r.path, host->network_object_count(net), host->network_meta_count(net),
			  host->network_attr_count(net));
	*out = net;
	net = NULL;
done:
	host->network_free(net);
	host->free(r.buf);
	for (int i = 0; i < TX_SLOTS; i++)
		host->free(r.slot[i]);
	host->free(r.decl);
	return rc;
}
