/* SPDX-License-Identifier: MIT */
/* A snapshot validates the network before it writes anything. */
#include "engine_util.h"

#include <string.h>

Test(engine_validate, a_pre_index_past_the_pre_population_is_refused)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net n = et_net_new(1, 0);
	n.st->ie_pre[4] = ET_NI; /* I has 3 neurons */
	NT_FAILS(NS_EINVAL, ns_snapshot(NULL, s, n.net, NULL));
	ET_MESSAGE_NAMES("IE");
	NT_MESSAGE_HAS("4"); /* the synapse */
	et_net_free(&n);
	ns_store_close(s);
}

Test(engine_validate, a_post_index_past_the_post_population_is_refused)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net n = et_net_new(1, 0);
	n.st->ee_post[5] = ET_NE;
	NT_FAILS(NS_EINVAL, ns_snapshot(NULL, s, n.net, NULL));
	ET_MESSAGE_NAMES("EE");
	NT_MESSAGE_HAS("5");
	et_net_free(&n);
	ns_store_close(s);
}

Test(engine_validate, a_negative_index_is_refused)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net n = et_net_new(1, 0);
	n.st->ee_pre[2] = -1;
	NT_FAILS(NS_EINVAL, ns_snapshot(NULL, s, n.net, NULL));
	ET_MESSAGE_NAMES("EE");
	NT_MESSAGE_HAS("2");
	et_net_free(&n);
	ns_store_close(s);
}

Test(engine_validate, a_network_that_does_not_validate_commits_nothing)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net n = et_net_new(1, 0);
	uint64_t v = 77;
	et_snapshot(s, n.net);
	n.st->ie_post[0] = ET_NE + 3;
	NT_FAILS(NS_EINVAL, ns_snapshot(&v, s, n.net, NULL));
	cr_assert_eq(v, 77, "*out written on failure");
	cr_assert_eq(nt_stats(s).versions, 1);
	et_net_free(&n);
	ns_store_close(s);
}

Test(engine_validate, a_selected_projection_is_checked_against_unselected_populations)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net n = et_net_new(1, 0);
	static const char *const only[] = { "IE", NULL };
	ns_snapshot_opts o = NS_SNAPSHOT_OPTS_INIT;
	o.select.only = only;
	n.st->ie_pre[1] = ET_NI;
	NT_FAILS(NS_EINVAL, ns_snapshot(NULL, s, n.net, &o));
	ET_MESSAGE_NAMES("IE");
	cr_assert_eq(nt_stats(s).versions, 0);
	et_net_free(&n);
	ns_store_close(s);
}

Test(engine_validate, a_bad_options_version_is_refused)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	et_net n = et_net_new(1, 0);
	ns_snapshot_opts o = NS_SNAPSHOT_OPTS_INIT;
	o.version = 999;
	NT_FAILS(NS_EINVAL, ns_snapshot(NULL, s, n.net, &o));
	cr_assert_eq(nt_stats(s).versions, 0);
	et_net_free(&n);
	ns_store_close(s);
}
