/* SPDX-License-Identifier: MIT */
/* ANNarchy's switches (populations=False, projections=False), a selection
 * by name, and one object saved alone. */
#include "engine_util.h"

#include <stdlib.h>
#include <string.h>

static int is_population(const char *object)
{
	return strcmp(object, "E") == 0 || strcmp(object, "I") == 0;
}

/* Check each attribute of et_attrs: restored from @src when @restored()
 * says so, else as in @mine. */
static void assert_restored_where(const et_state *src, const et_state *mine,
				  const et_state *got, int (*restored)(const char *object))
{
	for (size_t k = 0; k < et_n_attrs; k++) {
		const et_attr_def *a = &et_attrs[k];
		if (restored(a->object))
			cr_assert(et_attr_equal(src, got, a), "%s.%s was not restored", a->object,
				  a->name);
		else
			cr_assert(et_attr_equal(mine, got, a), "%s.%s was written", a->object,
				  a->name);
	}
}

/* Restore a seed-1 version (all objects) into a seed-2 network with
 * @sel, and check the objects @restored() names. */
static void restore_selected(ns_select sel, int (*restored)(const char *object))
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net src = et_net_new(1, 0), dst = et_net_new(2, 0);
	et_state *mine = et_state_new(2);
	ns_restore_opts o = NS_RESTORE_OPTS_INIT;
	ns_restore_report *r = NULL;
	o.select = sel;
	et_snapshot(s, src.net);
	NT_OK(ns_restore(&r, s, "HEAD", dst.net, &o));
	assert_restored_where(src.st, mine, dst.st, restored);
	ns_restore_report_free(r);
	free(mine);
	et_net_free(&src);
	et_net_free(&dst);
	ns_store_close(s);
}

static int only_populations(const char *object) { return is_population(object); }
static int only_projections(const char *object) { return !is_population(object); }
static int only_e(const char *object) { return strcmp(object, "E") == 0; }
static int only_ee(const char *object) { return strcmp(object, "EE") == 0; }

/* The names of the objects of revision @rev of @s, in a sorted string
 * ("E,I,"). */
static char *opened_objects(ns_store *s, const char *rev)
{
	ns_network *opened = NULL;
	static char buf[256];
	const char *names[16];
	size_t n;
	NT_OK(ns_network_open(&opened, s, rev));
	n = ns_network_object_count(opened);
	cr_assert_leq(n, 16);
	for (size_t i = 0; i < n; i++) {
		ns_object_info info;
		ns_object_get_info(&info, ns_network_object_at(opened, i));
		names[i] = info.name;
	}
	for (size_t i = 1; i < n; i++) /* insertion sort */
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			const char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	buf[0] = 0;
	for (size_t i = 0; i < n; i++) {
		strcat(buf, names[i]);
		strcat(buf, ",");
	}
	ns_network_free(opened);
	return buf;
}

Test(engine_select, a_snapshot_without_projections_holds_only_populations)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net src = et_net_new(1, 0);
	ns_select sel = { 0, 1, NULL };
	et_snapshot_select(s, src.net, sel);
	cr_assert_str_eq(opened_objects(s, "HEAD"), "E,I,");
	et_net_free(&src);
	ns_store_close(s);
}

Test(engine_select, a_snapshot_of_only_e_holds_only_e)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net src = et_net_new(1, 0);
	static const char *const only[] = { "E", NULL };
	ns_select sel = { 0, 0, only };
	et_snapshot_select(s, src.net, sel);
	cr_assert_str_eq(opened_objects(s, "HEAD"), "E,");
	et_net_free(&src);
	ns_store_close(s);
}

Test(engine_select, a_restore_without_populations_leaves_populations_untouched)
{
	ns_select sel = { 1, 0, NULL };
	restore_selected(sel, only_projections);
}

Test(engine_select, a_restore_without_projections_leaves_projections_untouched)
{
	ns_select sel = { 0, 1, NULL };
	restore_selected(sel, only_populations);
}

Test(engine_select, a_restore_of_only_e_restores_only_e)
{
	static const char *const only[] = { "E", NULL };
	ns_select sel = { 0, 0, only };
	restore_selected(sel, only_e);
}

Test(engine_select, a_selected_name_the_network_lacks_fails_the_snapshot)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net src = et_net_new(1, 0);
	static const char *const only[] = { "E", "Z", NULL };
	ns_snapshot_opts o = NS_SNAPSHOT_OPTS_INIT;
	o.select.only = only;
	NT_FAILS(NS_ENOTFOUND, ns_snapshot(NULL, s, src.net, &o));
	ET_MESSAGE_NAMES("Z");
	cr_assert_eq(nt_stats(s).versions, 0);
	et_net_free(&src);
	ns_store_close(s);
}

Test(engine_select, a_selected_name_in_neither_fails_the_restore_and_writes_nothing)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net src = et_net_new(1, 0), dst = et_net_new(2, 0);
	et_state *mine = et_state_new(2);
	static const char *const only[] = { "E", "Z", NULL };
	ns_restore_opts o = NS_RESTORE_OPTS_INIT;
	ns_restore_report *r = NULL;
	o.select.only = only;
	et_snapshot(s, src.net);
	NT_FAILS(NS_ENOTFOUND, ns_restore(&r, s, "HEAD", dst.net, &o));
	ET_MESSAGE_NAMES("Z");
	cr_assert_null(r);
	cr_assert(memcmp(mine, dst.st, sizeof *mine) == 0, "a failed restore wrote arrays");
	free(mine);
	et_net_free(&src);
	et_net_free(&dst);
	ns_store_close(s);
}

Test(engine_select, one_projection_saved_alone_restores_into_the_full_network)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net src = et_net_new(1, 0), dst = et_net_new(2, 0);
	et_state *mine = et_state_new(2);
	static const char *const only[] = { "EE", NULL };
	ns_select sel = { 0, 0, only };
	ns_restore_report *r;
	et_snapshot_select(s, src.net, sel);
	r = et_restore(s, "HEAD", dst.net);
	assert_restored_where(src.st, mine, dst.st, only_ee);
	cr_assert_not_null(et_report_find(r, "EE", "w"));
	cr_assert_eq(et_report_find(r, "EE", "w")->status, NS_RESTORED);
	ns_restore_report_free(r);
	free(mine);
	et_net_free(&src);
	et_net_free(&dst);
	ns_store_close(s);
}
