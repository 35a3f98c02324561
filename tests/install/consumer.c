/* SPDX-License-Identifier: MIT */
/* A program outside the tree, built against the installed nsnap. */
#include <stdio.h>

#include <nsnap/nsnap.h>

int main(int argc, char **argv)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	ns_store_stats st;
	double x[3] = { 1, 2, 3 };
	ns_commit *c = NULL;
	uint64_t n = 0;

	o.flags = NS_STORE_CREATE;
	if (argc < 2 || ns_store_open(&s, argv[1], &o) || ns_commit_new(&c, s) ||
	    ns_commit_add(c, "x", NS_DTYPE_F64, x, 3) || ns_commit_finish(&n, c, NULL) ||
	    ns_store_stats_get(&st, s)) {
		fprintf(stderr, "consumer: %s\n", ns_error_last()->message);
		return 1;
	}
	printf("nsnap %s: version %llu, %llu chunk\n", NSNAP_VERSION_STRING,
	       (unsigned long long)n, (unsigned long long)st.chunks);
	ns_store_close(s);
	return 0;
}
