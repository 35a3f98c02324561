/* SPDX-License-Identifier: MIT */
/* A rank's part of a network: objects, gids, bound arrays; the structure
 * as text, parsed back and compared. */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ns_mpi_net_new(ns_mpi_net **out, MPI_Comm comm, const char *name)
{
	ns_mpi_net *net;
	if (!out)
		return nsm_err(NS_EINVAL, "ns_mpi_net_new: no out-parameter given");
	if (comm == MPI_COMM_NULL)
		return nsm_err(NS_EINVAL, "ns_mpi_net_new: MPI_COMM_NULL given");
	if (!(net = calloc(1, sizeof *net)) || !(net->name = strdup(name ? name : ""))) {
		free(net);
		return nsm_err(NS_ENOMEM, "network: out of memory");
	}
	net->comm = comm;
	MPI_Comm_rank(comm, &net->rank);
	MPI_Comm_size(comm, &net->size);
	*out = net;
	return NS_OK;
}

static void attrs_free(struct nsm_attr *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(a[i].name);
	free(a);
}

void ns_mpi_net_free(ns_mpi_net *net)
{
	if (!net)
		return;
	for (size_t i = 0; i < net->n_objs; i++) {
		struct nsm_obj *o = &net->objs[i];
		free(o->name);
		free(o->type);
		free(o->pre);
		free(o->post);
		free(o->target);
		free(o->order);
		attrs_free(o->attrs, o->n_attrs);
	}
	free(net->objs);
	attrs_free(net->net_attrs, net->n_net_attrs);
	free(net->name);
	free(net);
}

void ns_mpi_net_set_time(ns_mpi_net *net, double t_ms, uint64_t step)
{
	net->t = t_ms;
	net->step = step;
}

void ns_mpi_net_time(const ns_mpi_net *net, double *t_ms, uint64_t *step)
{
	if (t_ms)
		*t_ms = net->t;
	if (step)
		*step = net->step;
}

void ns_mpi_net_set_dt(ns_mpi_net *net, double dt_ms)
{
	net->dt = dt_ms;
}

double ns_mpi_net_dt(const ns_mpi_net *net)
{
	return net->dt;
}

/* Names as network.h says; types and targets: no control characters. */
static int name_check(const char *what, const char *name, int may_be_empty)
{
	size_t n = name ? strlen(name) : 0;
	if ((!may_be_empty && n == 0) || n > 255)
		return nsm_err(NS_EINVAL, "%s name '%s': must be 1 to 255 bytes", what,
			       name ? name : "");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f ||
		    (!may_be_empty && name[i] == '/'))
			return nsm_err(NS_EINVAL,
				       "%s name '%s': '/' and control characters are not allowed",
				       what, name);
	return NS_OK;
}

struct nsm_obj *nsm_obj_find(const ns_mpi_net *net, const char *name)
{
	for (size_t i = 0; i < net->n_objs; i++)
		if (strcmp(net->objs[i].name, name) == 0)
			return &net->objs[i];
	return NULL;
}

struct nsm_attr *nsm_attr_find(const struct nsm_obj *obj, const char *name)
{
	for (size_t i = 0; i < obj->n_attrs; i++)
		if (strcmp(obj->attrs[i].name, name) == 0)
			return &obj->attrs[i];
	return NULL;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

/* A new object at the end of net->objs, its strings set. */
static int obj_push(struct nsm_obj **out, ns_mpi_net *net, ns_object_kind kind,
		    const char *name, const char *type)
{
	struct nsm_obj *objs, *o;
	int rc;
	if ((rc = name_check(kind == NS_POPULATION ? "population" : "projection", name, 0)) < 0 ||
	    (rc = name_check("type", type, 1)) < 0)
		return rc;
	if (nsm_obj_find(net, name))
		return nsm_err(NS_EEXISTS, "network '%s': an object called '%s' exists already",
			       net->name, name);
	if (!(objs = realloc(net->objs, (net->n_objs + 1) * sizeof *objs)))
		return nsm_err(NS_ENOMEM, "network: out of memory");
	net->objs = objs;
	o = &objs[net->n_objs];
	memset(o, 0, sizeof *o);
	o->kind = kind;
	if (!(o->name = strdup(name)) || !(o->type = dup_or_empty(type))) {
		free(o->name);
		return nsm_err(NS_ENOMEM, "network: out of memory");
	}
	net->n_objs++;
	*out = o;
	return NS_OK;
}

int ns_mpi_population_add(ns_mpi_net *net, const char *name, uint64_t size,
			  const char *neuron_type, const int64_t *gids, uint64_t n_local)
{
	struct nsm_obj *o;
	int rc;
	if (!gids && n_local)
		return nsm_err(NS_EINVAL, "population '%s': no gids given for %" PRIu64 " neurons",
			       name ? name : "", n_local);
	if ((rc = obj_push(&o, net, NS_POPULATION, name, neuron_type)) < 0)
		return rc;
	o->size = size;
	o->gids = gids;
	o->n_local = n_local;
	return NS_OK;
}

int ns_mpi_projection_add(ns_mpi_net *net, const char *name, const char *pre, const char *post,
			  const char *target, const char *synapse_type, const int64_t *pre_gids,
			  const int64_t *post_gids, uint64_t n_local)
{
	struct nsm_obj *o, *p;
	int rc;
	if ((!pre_gids || !post_gids) && n_local)
		return nsm_err(NS_EINVAL, "projection '%s': no gids given for %" PRIu64 " synapses",
			       name ? name : "", n_local);
	if ((rc = name_check("target", target, 1)) < 0)
		return rc;
	for (int k = 0; k < 2; k++) {
		const char *pop = k ? post : pre;
		p = pop ? nsm_obj_find(net, pop) : NULL;
		if (!p || p->kind != NS_POPULATION)
			return nsm_err(NS_ENOTFOUND, "projection '%s': no population '%s'",
				       name ? name : "", pop ? pop : "");
	}
	if ((rc = obj_push(&o, net, NS_PROJECTION, name, synapse_type)) < 0)
		return rc;
	o->pre_gids = pre_gids;
	o->post_gids = post_gids;
	o->n_local = n_local;
	if (!(o->pre = strdup(pre)) || !(o->post = strdup(post)) ||
	    !(o->target = dup_or_empty(target)))
		return nsm_err(NS_ENOMEM, "network: out of memory");
	return NS_OK;
}

static int attr_push(struct nsm_attr **list, size_t *n, const char *owner, const char *name,
		     ns_attr_kind kind, ns_scope scope, ns_dtype dtype, uint64_t count, void *data)
{
	struct nsm_attr *a;
	int rc;
	if ((rc = name_check("attribute", name, 0)) < 0)
		return rc;
	if (ns_dtype_size(dtype) == 0)
		return nsm_err(NS_EINVAL, "%s: attribute '%s': unknown element type %d", owner, name,
			       (int)dtype);
	if (kind != NS_PARAMETER && kind != NS_VARIABLE)
		return nsm_err(NS_EINVAL, "%s: attribute '%s': unknown kind %d", owner, name,
			       (int)kind);
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*list)[i].name, name) == 0)
			return nsm_err(NS_EEXISTS, "%s: attribute '%s' exists already", owner, name);
	if (!(a = realloc(*list, (*n + 1) * sizeof *a)))
		return nsm_err(NS_ENOMEM, "network: out of memory");
	*list = a;
	a = &a[*n];
	if (!(a->name = strdup(name)))
		return nsm_err(NS_ENOMEM, "network: out of memory");
	a->kind = kind;
	a->scope = scope;
	a->dtype = dtype;
	a->count = count;
	a->data = data;
	(*n)++;
	return NS_OK;
}

uint64_t nsm_attr_count(const ns_mpi_net *net, const struct nsm_obj *obj,
			const struct nsm_attr *a)
{
	const struct nsm_obj *post;
	if (!obj)
		return a->count;
	switch (a->scope) {
	case NS_GLOBAL: return 1;
	case NS_LOCAL: return obj->n_local;
	case NS_SEMIGLOBAL:
		post = nsm_obj_find(net, obj->post);
		return post ? post->n_local : 0;
	default: return a->count;
	}
}

int ns_mpi_attr_add(ns_mpi_net *net, const char *object, const char *name, ns_attr_kind kind,
		    ns_scope scope, ns_dtype dtype, void *data)
{
	struct nsm_obj *o = object ? nsm_obj_find(net, object) : NULL;
	char owner[300];
	struct nsm_attr probe = { 0 };
	if (!o)
		return nsm_err(NS_ENOTFOUND, "network '%s': no object '%s'", net->name,
			       object ? object : "");
	snprintf(owner, sizeof owner, "%s '%s'", ns_object_kind_name(o->kind), o->name);
	if (scope != NS_GLOBAL && scope != NS_LOCAL && scope != NS_SEMIGLOBAL)
		return nsm_err(NS_EINVAL,
			       "%s: attribute '%s': scope %s is not for a distributed object "
			       "(network-wide arrays are: ns_mpi_net_attr_add())",
			       owner, name ? name : "", ns_scope_name(scope));
	if (scope == NS_SEMIGLOBAL && o->kind != NS_PROJECTION)
		return nsm_err(NS_EINVAL, "%s: attribute '%s': semiglobal is for projections",
			       owner, name ? name : "");
	probe.scope = scope;
	if (!data && nsm_attr_count(net, o, &probe))
		return nsm_err(NS_EINVAL, "%s: attribute '%s': no data given", owner,
			       name ? name : "");
	return attr_push(&o->attrs, &o->n_attrs, owner, name, kind, scope, dtype, 0, data);
}

int ns_mpi_net_attr_add(ns_mpi_net *net, const char *name, ns_attr_kind kind, ns_dtype dtype,
			uint64_t count, void *data)
{
	char owner[300];
	snprintf(owner, sizeof owner, "network '%s'", net->name);
	if (!data && count)
		return nsm_err(NS_EINVAL, "%s: array '%s': no data given", owner, name ? name : "");
	return attr_push(&net->net_attrs, &net->n_net_attrs, owner, name, kind, NS_ARRAY, dtype,
			 count, data);
}

int nsm_check_local(const ns_mpi_net *net)
{
	for (size_t i = 0; i < net->n_objs; i++) {
		const struct nsm_obj *o = &net->objs[i], *pre, *post;
		if (o->kind == NS_POPULATION) {
			for (uint64_t k = 0; k < o->n_local; k++)
				if (o->gids[k] < 0 || (uint64_t)o->gids[k] >= o->size)
					return nsm_err(NS_EINVAL,
						       "population '%s': gid %" PRId64
						       " (entry %" PRIu64 ") is outside 0..%" PRIu64,
						       o->name, o->gids[k], k, o->size - 1);
			continue;
		}
		pre = nsm_obj_find(net, o->pre);
		post = nsm_obj_find(net, o->post);
		for (uint64_t k = 0; k < o->n_local; k++) {
			if (o->pre_gids[k] < 0 || (uint64_t)o->pre_gids[k] >= pre->size)
				return nsm_err(NS_EINVAL,
					       "projection '%s': synapse %" PRIu64 ": pre gid %" PRId64
					       " is outside population '%s' (%" PRIu64 " neurons)",
					       o->name, k, o->pre_gids[k], pre->name, pre->size);
			if (o->post_gids[k] < 0 || (uint64_t)o->post_gids[k] >= post->size)
				return nsm_err(NS_EINVAL,
					       "projection '%s': synapse %" PRIu64 ": post gid %" PRId64
					       " is outside population '%s' (%" PRIu64 " neurons)",
					       o->name, k, o->post_gids[k], post->name, post->size);
		}
	}
	return NS_OK;
}

/* ------------------------------------------------------------ structure */

struct buf {
	char *p;
	size_t len, cap;
	int failed;
};

static void put(struct buf *b, const char *fmt, ...) NSM_PRINTF(2, 3);
static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (b->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = 1;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap * 2 + (size_t)n + 256;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
}

static void put_attr(struct buf *b, const char *tag, const struct nsm_attr *a)
{
	put(b, "%s\t%d\t%d\t%d\t%" PRIu64 "\t%s\n", tag, (int)a->kind, (int)a->scope,
	    (int)a->dtype, a->scope == NS_ARRAY ? a->count : 0, a->name);
}

int nsm_structure_write(char **out, size_t *len, const ns_mpi_net *net)
{
	struct buf b = { malloc(256), 0, 256, 0 };
	if (!b.p)
		return nsm_err(NS_ENOMEM, "network: out of memory");
	put(&b, "nsnap-mpi\t%d\nN\t%s\n", NSM_FORMAT, net->name);
	for (size_t i = 0; i < net->n_objs; i++) {
		const struct nsm_obj *o = &net->objs[i];
		if (o->kind == NS_POPULATION)
			put(&b, "P\t%" PRIu64 "\t%s\t%s\n", o->size, o->type, o->name);
		else
			put(&b, "J\t%s\t%s\t%s\t%s\t%s\n", o->pre, o->post, o->target, o->type,
			    o->name);
		for (size_t k = 0; k < o->n_attrs; k++)
			put_attr(&b, "A", &o->attrs[k]);
	}
	for (size_t k = 0; k < net->n_net_attrs; k++)
		put_attr(&b, "W", &net->net_attrs[k]);
	if (b.failed) {
		free(b.p);
		return nsm_err(NS_ENOMEM, "network: out of memory");
	}
	*out = b.p;
	*len = b.len;
	return NS_OK;
}

/* Split @line (NUL-terminated) at tabs into at most @max fields. */
static size_t fields(char **f, size_t max, char *line)
{
	size_t n = 0;
	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == '\t') {
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}

static int parse_u64(uint64_t *out, const char *s)
{
	char *end;
	if (!*s || *s == '-')
		return -1;
	*out = strtoull(s, &end, 10);
	return *end ? -1 : 0;
}

int nsm_structure_parse(ns_mpi_net **out, const char *text, size_t len, const char *what)
{
	ns_mpi_net *net = NULL;
	char *copy = malloc(len + 1), *line, *next;
	int rc = NS_OK, lineno = 0;
	if (!copy || !(net = calloc(1, sizeof *net)) || !(net->name = strdup(""))) {
		rc = nsm_err(NS_ENOMEM, "%s: out of memory", what);
		goto done;
	}
	net->comm = MPI_COMM_NULL;
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (line = copy; line && *line; line = next) {
		char *f[8];
		size_t n;
		uint64_t u[4];
		struct nsm_obj *o;
		lineno++;
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		n = fields(f, 8, line);
#define BAD() do { rc = nsm_err(NS_ECORRUPT, "%s: bad structure record at line %d", what, lineno); goto done; } while (0)
		if (lineno == 1) {
			if (n != 2 || strcmp(f[0], "nsnap-mpi") || parse_u64(&u[0], f[1]))
				BAD();
			if (u[0] > NSM_FORMAT) {
				rc = nsm_err(NS_EVERSION, "%s: written by a newer nsnap (format %" PRIu64
					     ", this one reads up to %d)", what, u[0], NSM_FORMAT);
				goto done;
			}
		} else if (strcmp(f[0], "N") == 0 && n == 2) {
			free(net->name);
			if (!(net->name = strdup(f[1])))
				BAD();
		} else if (strcmp(f[0], "P") == 0 && n == 4) {
			if (parse_u64(&u[0], f[1]) || (rc = obj_push(&o, net, NS_POPULATION, f[3], f[2])) < 0)
				BAD();
			o->size = u[0];
		} else if (strcmp(f[0], "J") == 0 && n == 6) {
			if ((rc = obj_push(&o, net, NS_PROJECTION, f[5], f[4])) < 0)
				BAD();
			if (!(o->pre = strdup(f[1])) || !(o->post = strdup(f[2])) ||
			    !(o->target = strdup(f[3])))
				BAD();
		} else if ((strcmp(f[0], "A") == 0 || strcmp(f[0], "W") == 0) && n == 6) {
			int own = f[0][0] == 'A';
			for (int k = 0; k < 4; k++)
				if (parse_u64(&u[k], f[1 + k]))
					BAD();
			if (own && !net->n_objs)
				BAD();
			o = own ? &net->objs[net->n_objs - 1] : NULL;
			if ((rc = attr_push(own ? &o->attrs : &net->net_attrs,
					    own ? &o->n_attrs : &net->n_net_attrs, what, f[5],
					    (ns_attr_kind)u[0], (ns_scope)u[1], (ns_dtype)u[2], u[3],
					    NULL)) < 0)
				BAD();
		} else {
			BAD();
		}
#undef BAD
	}
	if (lineno == 0)
		rc = nsm_err(NS_ECORRUPT, "%s: empty structure record", what);
done:
	free(copy);
	if (rc < 0) {
		ns_mpi_net_free(net);
		return rc;
	}
	*out = net;
	return NS_OK;
}

static int attrs_compare(const struct nsm_attr *a, size_t na, const char *an,
			 const struct nsm_attr *b, size_t nb, const char *bn, const char *owner,
			 int code)
{
	for (size_t i = 0; i < na; i++) {
		const struct nsm_attr *x = &a[i], *y = NULL;
		for (size_t k = 0; k < nb && !y; k++)
			if (strcmp(b[k].name, x->name) == 0)
				y = &b[k];
		if (!y)
			return nsm_err(code, "%s: attribute '%s' is in %s, not in %s", owner,
				       x->name, an, bn);
		if (x->kind != y->kind || x->scope != y->scope)
			return nsm_err(code, "%s: attribute '%s' is a %s %s in %s, a %s %s in %s",
				       owner, x->name, ns_scope_name(x->scope),
				       ns_attr_kind_name(x->kind), an, ns_scope_name(y->scope),
				       ns_attr_kind_name(y->kind), bn);
		if (x->dtype != y->dtype)
			return nsm_err(code, "%s: attribute '%s' is %s in %s, %s in %s", owner,
				       x->name, ns_dtype_name(x->dtype), an,
				       ns_dtype_name(y->dtype), bn);
		if (x->scope == NS_ARRAY && x->count != y->count)
			return nsm_err(code,
				       "%s: attribute '%s' has %" PRIu64 " values in %s, %" PRIu64
				       " in %s", owner, x->name, x->count, an, y->count, bn);
	}
	for (size_t k = 0; k < nb; k++) {
		size_t i;
		for (i = 0; i < na && strcmp(a[i].name, b[k].name); i++)
			;
		if (i == na)
			return nsm_err(code, "%s: attribute '%s' is in %s, not in %s", owner,
				       b[k].name, bn, an);
	}
	return NS_OK;
}

int nsm_structure_compare(const ns_mpi_net *a, const char *an, const ns_mpi_net *b,
			  const char *bn, int code)
{
	char owner[300];
	int rc;
	for (size_t i = 0; i < a->n_objs; i++) {
		const struct nsm_obj *x = &a->objs[i], *y = nsm_obj_find(b, x->name);
		const char *kind = ns_object_kind_name(x->kind);
		snprintf(owner, sizeof owner, "%s '%s'", kind, x->name);
		if (!y)
			return nsm_err(code, "%s is in %s, not in %s", owner, an, bn);
		if (x->kind != y->kind)
			return nsm_err(code, "'%s' is a %s in %s, a %s in %s", x->name, kind, an,
				       ns_object_kind_name(y->kind), bn);
		if (x->kind == NS_POPULATION && x->size != y->size)
			return nsm_err(code, "%s has %" PRIu64 " neurons in %s, %" PRIu64 " in %s",
				       owner, x->size, an, y->size, bn);
		if (strcmp(x->type, y->type))
			return nsm_err(code, "%s is of type '%s' in %s, '%s' in %s", owner, x->type,
				       an, y->type, bn);
		if (x->kind == NS_PROJECTION &&
		    (strcmp(x->pre, y->pre) || strcmp(x->post, y->post) ||
		     strcmp(x->target, y->target)))
			return nsm_err(code, "%s goes %s -> %s (%s) in %s, %s -> %s (%s) in %s", owner,
				       x->pre, x->post, x->target, an, y->pre, y->post, y->target, bn);
		if ((rc = attrs_compare(x->attrs, x->n_attrs, an, y->attrs, y->n_attrs, bn, owner,
					code)) < 0)
			return rc;
	}
	for (size_t k = 0; k < b->n_objs; k++)
		if (!nsm_obj_find(a, b->objs[k].name))
			return nsm_err(code, "%s '%s' is in %s, not in %s",
				       ns_object_kind_name(b->objs[k].kind), b->objs[k].name, bn, an);
	snprintf(owner, sizeof owner, "network");
	return attrs_compare(a->net_attrs, a->n_net_attrs, an, b->net_attrs, b->n_net_attrs, bn,
			     owner, code);
}
