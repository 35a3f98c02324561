/* SPDX-License-Identifier: MIT */
#include "roundtrip.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *format;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void fail(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "fuzz roundtrip %s: ", format);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* " [not UTF-8]" for a string that is not valid UTF-8, else "": which
 * formats cannot keep, named in reports so that they can be told apart. */
static const char *utf8_note(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		unsigned n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2
			   : (*p & 0xf8) == 0xf0 ? 3 : 4;
		if (n == 4 || (n == 1 && *p < 0xc2))
			return " [not UTF-8]";
		for (p++; n > 0; n--, p++)
			if ((*p & 0xc0) != 0x80)
				return " [not UTF-8]";
	}
	return "";
}

/* What the diff found: each object and attribute that is not the same. */
static void print_diff(const ns_diff *d)
{
	int others = d->n_meta > 0;
	for (size_t i = 0; i < d->n_meta; i++)
		fprintf(stderr, "  dictionary '%s'%s: %s: %s%s -> %s%s\n", d->meta[i].key,
			utf8_note(d->meta[i].key), ns_change_name(d->meta[i].change),
			d->meta[i].value_a ? d->meta[i].value_a : "-", utf8_note(d->meta[i].value_a),
			d->meta[i].value_b ? d->meta[i].value_b : "-", utf8_note(d->meta[i].value_b));
	for (size_t i = 0; i < d->n_objects; i++) {
		const ns_diff_object *o = &d->objects[i];
		if (o->change == NS_SAME)
			continue;
		others = 1;
		fprintf(stderr, "  %s '%s'%s: %s (size %llu -> %llu; synapses -%llu +%llu; %s%s)\n",
			ns_object_kind_name(o->kind), o->name, utf8_note(o->name),
			ns_change_name(o->change), (unsigned long long)o->size_a,
			(unsigned long long)o->size_b, (unsigned long long)o->syn_removed,
			(unsigned long long)o->syn_added, o->detail ? o->detail : "",
			utf8_note(o->detail));
		for (size_t k = 0; k < o->n_attrs; k++) {
			const ns_diff_attr *a = &o->attrs[k];
			if (a->change != NS_SAME)
				fprintf(stderr, "    '%s'%s: %s: %s %s x%llu -> %s %s x%llu, %llu of %llu "
					"changed, max |d| %.17g\n", a->name, utf8_note(a->name),
					ns_change_name(a->change), ns_scope_name(a->scope_a),
					ns_dtype_name(a->dtype_a), (unsigned long long)a->count_a,
					ns_scope_name(a->scope_b), ns_dtype_name(a->dtype_b),
					(unsigned long long)a->count_b,
					(unsigned long long)a->changed,
					(unsigned long long)a->compared, a->max_abs);
		}
	}
	fprintf(stderr, "  %s: time %.17g -> %.17g ms, dt %.17g -> %.17g ms\n",
		others ? "clock" : "only the clock differs", d->t_a, d->t_b, d->dt_a, d->dt_b);
}

static void same_kinds(const ns_object *x, const ns_object *y, const char *name)
{
	size_t n = x ? ns_object_attr_count(x) : 0;
	for (size_t i = 0; i < n; i++) {
		ns_attr_info a, b;
		ns_attr *other;
		ns_attr_get_info(&a, ns_object_attr_at(x, i));
		if (!(other = ns_object_attr_find(y, a.name)))
			continue; /* the diff reported it */
		ns_attr_get_info(&b, other);
		if (a.kind != b.kind)
			fail("'%s': attribute '%s' is a %s, then a %s", name, a.name,
			     ns_attr_kind_name(a.kind), ns_attr_kind_name(b.kind));
	}
}

/* What the diff leaves out: the network's name and each attribute's kind. */
static void same_names_and_kinds(ns_store *store, const char *ra, const char *rb)
{
	ns_network *a = NULL, *b = NULL;
	if (ns_network_open(&a, store, ra) || ns_network_open(&b, store, rb))
		fail("opening versions %s and %s: %s", ra, rb, ns_error_last()->message);
	if (strcmp(ns_network_name(a), ns_network_name(b)) != 0)
		fail("the network's name '%s' became '%s'", ns_network_name(a),
		     ns_network_name(b));
	for (size_t i = 0; i < ns_network_object_count(a); i++) {
		ns_object *x = ns_network_object_at(a, i);
		ns_object_info info;
		ns_object_get_info(&info, x);
		same_kinds(x, ns_network_object_find(b, info.name), info.name);
	}
	for (size_t i = 0; i < ns_network_attr_count(a); i++) {
		ns_attr_info x, y;
		ns_attr *other;
		ns_attr_get_info(&x, ns_network_attr_at(a, i));
		if ((other = ns_network_attr_find(b, x.name))) {
			ns_attr_get_info(&y, other);
			if (x.kind != y.kind)
				fail("network array '%s' is a %s, then a %s", x.name,
				     ns_attr_kind_name(x.kind), ns_attr_kind_name(y.kind));
		}
	}
	ns_network_free(a);
	ns_network_free(b);
}

void fuzz_roundtrip(const uint8_t *data, size_t size, const fuzz_roundtrip_opts *o)
{
	const fuzz_env *e = fuzz_env_get(o->prepare);
	ns_import_opts io = NS_IMPORT_OPTS_INIT;
	ns_export_opts eo = NS_EXPORT_OPTS_INIT;
	ns_diff_opts dopts = NS_DIFF_OPTS_INIT;
	ns_diff *d = NULL;
	char in[4200], out[4200], ra[24], rb[24];
	uint64_t a, b, base = 0;

	format = o->format;
	snprintf(in, sizeof in, "%s/in", e->dir);
	snprintf(out, sizeof out, "%s/out", e->dir);
	if (fuzz_write(in, data, size))
		return;
	io.format = o->format;
	io.onto = o->onto;
	if (ns_import(&a, e->plugins, e->store, in, &io) < 0)
		return;
	snprintf(ra, sizeof ra, "%llu", (unsigned long long)a);
	eo.format = o->format;
	eo.overwrite = 1;
	eo.options = o->export_options;
	if (ns_export(e->plugins, e->store, ra, out, &eo) < 0)
		fail("export of version %s (imported from the input): %s", ra,
		     ns_error_last()->message);
	if (ns_import(&b, e->plugins, e->store, out, &io) < 0)
		fail("import of the export of version %s: %s", ra, ns_error_last()->message);
	snprintf(rb, sizeof rb, "%llu", (unsigned long long)b);
	dopts.verify = 1;
	if (ns_diff_versions(&d, e->store, ra, rb, &dopts) < 0)
		fail("diff of versions %s and %s: %s", ra, rb, ns_error_last()->message);
	if (!d->equal) {
		fprintf(stderr, "fuzz roundtrip %s: versions %s (the input) and %s (its export, "
			"imported) differ:\n", format, ra, rb);
		print_diff(d);
		fail("not the same version after a round trip");
	}
	ns_diff_free(d);
	same_names_and_kinds(e->store, ra, rb);
	/* A parameter file that changes nothing gives the version it applies
	 * onto, which stays. */
	if (o->onto && ns_store_resolve(&base, e->store, o->onto) < 0)
		fail("revision '%s': %s", o->onto, ns_error_last()->message);
	if ((b != base && b != a && ns_version_delete(e->store, b) < 0) ||
	    (a != base && ns_version_delete(e->store, a) < 0))
		fail("deleting versions %s and %s: %s", ra, rb, ns_error_last()->message);
}
