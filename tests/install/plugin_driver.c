/* SPDX-License-Identifier: MIT */
/*
 * Drives the out-of-tree example plugin examples/nest_conn through an
 * installed nsnap: snapshot a small network, export it to a .conn file,
 * check the file's lines, import it back and check the connections,
 * weights and delays are the same; then a plain NEST dump, a bad file and
 * an export that fails.
 * Usage: plugin_driver WORK_DIR (with NSNAP_PLUGIN_PATH set).
 */
#define _POSIX_C_SOURCE 200809L /* dirent */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nsnap/nsnap.h>

static int failures;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "plugin_driver:%d: ", __LINE__);   \
			fprintf(stderr, __VA_ARGS__);                      \
			fprintf(stderr, "\n");                             \
			failures++;                                        \
		}                                                          \
	} while (0)

/* An nsnap call that must succeed; on failure, say why and stop. */
#define OK(call)                                                                   \
	do {                                                                       \
		int rc_ = (call);                                                  \
		if (rc_ != NS_OK) {                                                \
			fprintf(stderr, "plugin_driver:%d: %s: %d: %s\n", __LINE__, \
				#call, rc_, ns_error_last()->message);             \
			exit(1);                                                   \
		}                                                                  \
	} while (0)

/* The expected export of version 1: E gets node ids 1..4, I 5..7; synapses
 * sorted by post, then pre, as the store keeps them. */
static const char expected_conn[] =
	"# source target weight delay\n"
	"# nsnap projection EI E I 4 3\n"
	"1 5 0.5 1.5\n"
	"3 5 0.33333333333333331 0.10000000000000001\n"
	"2 6 -4 1\n"
	"4 6 1e-300 2\n"
	"1 7 25000000000 0.25\n"
	"4 7 0.10000000000000001 3\n"
	"# source target weight delay\n"
	"# nsnap projection IE I E 3 4\n"
	"5 2 0.25 2\n"
	"7 4 -1.5 2\n";

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (s = malloc((size_t)n + 1)) != NULL) {
		if (fread(s, 1, (size_t)n, f) != (size_t)n) {
			free(s);
			s = NULL;
		} else {
			s[n] = '\0';
		}
	}
	fclose(f);
	return s;
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "plugin_driver: cannot write %s\n", path);
		exit(1);
	}
}

/* The values of @p attr, one per synapse of @p proj, as f64 (malloc'ed). */
static double *per_synapse(ns_object *proj, ns_attr *attr)
{
	const int32_t *pre, *post;
	ns_attr_info ai;
	uint64_t n = ns_projection_synapses(proj), i;
	double *all, *out;

	ns_attr_get_info(&ai, attr);
	all = malloc((ai.count + 1) * sizeof *all);
	out = malloc((n + 1) * sizeof *out);
	if (!all || !out)
		exit(1);
	OK(ns_attr_read(all, NS_DTYPE_F64, attr));
	ns_projection_connectivity(&pre, &post, proj);
	for (i = 0; i < n; i++)
		out[i] = all[ai.scope == NS_GLOBAL ? 0 : ai.scope == NS_LOCAL ? i : (uint64_t)post[i]];
	free(all);
	return out;
}

static ns_attr *find_either(ns_object *obj, const char *a, const char *b)
{
	ns_attr *attr = ns_object_attr_find(obj, a);
	return attr ? attr : ns_object_attr_find(obj, b);
}

/* Every object of @p a is in @p b with the same size, populations, synapses,
 * weights and delays (b's named weight/delay, local f64). */
static void compare(ns_network *a, ns_network *b)
{
	size_t i, n = ns_network_object_count(a);

	CHECK(ns_network_object_count(b) == n, "imported network has %zu objects, not %zu",
	      ns_network_object_count(b), n);
	for (i = 0; i < n; i++) {
		ns_object *oa = ns_network_object_at(a, i), *ob;
		ns_object_info ia, ib;

		ns_object_get_info(&ia, oa);
		ob = ns_network_object_find(b, ia.name);
		CHECK(ob != NULL, "'%s' is missing after import", ia.name);
		if (!ob)
			continue;
		ns_object_get_info(&ib, ob);
		CHECK(ia.kind == ib.kind && ia.size == ib.size, "'%s': kind or size differs",
		      ia.name);
		if (ia.kind != NS_PROJECTION || ia.kind != ib.kind || ia.size != ib.size)
			continue;
		CHECK(strcmp(ia.pre, ib.pre) == 0 && strcmp(ia.post, ib.post) == 0,
		      "'%s': %s -> %s became %s -> %s", ia.name, ia.pre, ia.post, ib.pre, ib.post);
		{
			const int32_t *pa, *qa, *pb, *qb;
			const char *names[2][2] = { { "weight", "w" }, { "delay", "delays" } };
			uint64_t k;
			int j;

			ns_projection_connectivity(&pa, &qa, oa);
			ns_projection_connectivity(&pb, &qb, ob);
			CHECK(memcmp(pa, pb, ia.size * sizeof *pa) == 0 &&
				      memcmp(qa, qb, ia.size * sizeof *qa) == 0,
			      "'%s': connectivity differs", ia.name);
			for (j = 0; j < 2; j++) {
				ns_attr *xa = find_either(oa, names[j][0], names[j][1]);
				ns_attr *xb = ns_object_attr_find(ob, names[j][0]);
				ns_attr_info ai;
				double *va, *vb;

				CHECK(xa && xb, "'%s': no %s", ia.name, names[j][0]);
				if (!xa || !xb)
					continue;
				ns_attr_get_info(&ai, xb);
				CHECK(ai.dtype == NS_DTYPE_F64 && ai.scope == NS_LOCAL &&
					      ai.kind == NS_VARIABLE,
				      "'%s': imported %s is not a local f64 variable", ia.name,
				      names[j][0]);
				va = per_synapse(oa, xa);
				vb = per_synapse(ob, xb);
				for (k = 0; k < ia.size; k++)
					CHECK(memcmp(&va[k], &vb[k], sizeof va[k]) == 0,
					      "'%s': %s[%llu] = %.17g, imported %.17g", ia.name,
					      names[j][0], (unsigned long long)k, va[k], vb[k]);
				free(va);
				free(vb);
			}
		}
	}
}

int main(int argc, char **argv)
{
	/* EI bound out of the store's order (post, then pre). */
	int32_t ei_pre[6] = { 3, 0, 3, 2, 0, 1 }, ei_post[6] = { 1, 0, 2, 0, 2, 1 };
	double ei_w[6] = { 1e-300, 0.5, 0.1, 1.0 / 3, 2.5e10, -4.0 };
	double ei_d[6] = { 2.0, 1.5, 3.0, 0.1, 0.25, 1.0 };
	/* IE as ANNarchy names them: w (f32), one delay for all. */
	int32_t ie_pre[2] = { 0, 2 }, ie_post[2] = { 1, 3 };
	float ie_w[2] = { 0.25f, -1.5f };
	double ie_d = 2.0;
	char store_path[4096], conn_path[4096], plain_path[4096], bad_path[4096];
	ns_store_opts so = NS_STORE_OPTS_INIT;
	ns_snapshot_opts sn = NS_SNAPSHOT_OPTS_INIT;
	ns_export_opts eo = NS_EXPORT_OPTS_INIT;
	ns_import_opts io = NS_IMPORT_OPTS_INIT;
	ns_store *store = NULL;
	ns_plugins *plugins = NULL;
	ns_network *net = NULL, *v1 = NULL, *v2 = NULL, *v3 = NULL;
	ns_object *obj;
	ns_attr *attr;
	ns_plugin_info pinfo;
	uint64_t n1 = 0, n2 = 0, n3 = 0, head = 0;
	size_t i;
	int found = 0, rc;
	char *text;

	if (argc != 2) {
		fprintf(stderr, "usage: plugin_driver WORK_DIR\n");
		return 2;
	}
	snprintf(store_path, sizeof store_path, "%s/driver.nsnap", argv[1]);
	snprintf(conn_path, sizeof conn_path, "%s/x.conn", argv[1]);
	snprintf(plain_path, sizeof plain_path, "%s/nest_dump.txt", argv[1]);
	snprintf(bad_path, sizeof bad_path, "%s/bad.conn", argv[1]);

	/* Only NSNAP_PLUGIN_PATH: the plugin is the one this test built. */
	OK(ns_plugins_new(&plugins, NULL, NS_PLUGINS_NO_DEFAULT));
	for (i = 0; i < ns_plugins_count(plugins); i++) {
		OK(ns_plugins_at(&pinfo, plugins, i));
		if (strcmp(pinfo.name, "nest_conn") == 0)
			found = pinfo.kind == NS_PLUGIN_FORMAT && pinfo.extensions &&
				pinfo.extensions[0] && strcmp(pinfo.extensions[0], ".conn") == 0;
	}
	CHECK(found, "plugin nest_conn (format, .conn) not listed among %zu plugins",
	      ns_plugins_count(plugins));

	so.flags = NS_STORE_CREATE;
	OK(ns_store_open(&store, store_path, &so));

	OK(ns_network_new(&net, "ei"));
	OK(ns_population_add(&obj, net, "E", 4, NULL, 0, "iaf_psc_delta"));
	OK(ns_population_add(&obj, net, "I", 3, NULL, 0, "iaf_psc_delta"));
	OK(ns_projection_add(&obj, net, "EI", "E", "I", "exc", "static_synapse"));
	OK(ns_projection_set_synapses(obj, ei_pre, ei_post, 6, 0));
	OK(ns_attr_add(&attr, obj, "weight", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, ei_w, 0));
	OK(ns_attr_add(&attr, obj, "delay", NS_PARAMETER, NS_LOCAL, NS_DTYPE_F64, ei_d, 0));
	OK(ns_projection_add(&obj, net, "IE", "I", "E", "inh", NULL));
	OK(ns_projection_set_synapses(obj, ie_pre, ie_post, 2, 0));
	OK(ns_attr_add(&attr, obj, "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F32, ie_w, 0));
	OK(ns_attr_add(&attr, obj, "delays", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, &ie_d, 0));
	sn.message = "built";
	OK(ns_snapshot(&n1, store, net, &sn));

	/* Export: the .conn extension chooses the plugin. */
	OK(ns_export(plugins, store, "1", conn_path, &eo));
	text = slurp(conn_path);
	CHECK(text != NULL, "%s was not written", conn_path);
	if (text) {
		CHECK(strcmp(text, expected_conn) == 0, "%s differs; got:\n%s\nexpected:\n%s",
		      conn_path, text, expected_conn);
		free(text);
	}

	/* Import it back: the same synapses, weights and delays. */
	OK(ns_import(&n2, plugins, store, conn_path, &io));
	CHECK(n2 > n1, "import made version %llu after %llu", (unsigned long long)n2,
	      (unsigned long long)n1);
	OK(ns_network_open(&v1, store, "1"));
	{
		char rev[32];
		snprintf(rev, sizeof rev, "%llu", (unsigned long long)n2);
		OK(ns_network_open(&v2, store, rev));
	}
	compare(v1, v2);

	/* A plain NEST dump, under a name no plugin claims and with its header
	 * spaced otherwise: the probe finds it.
	 * Sources 11..13 become pre1, targets 20..21 post1. */
	spit(plain_path, "#source\ttarget weight  delay \n"
			 "11 21 1.5 1\r\n"
			 "\n"
			 "# a comment\n"
			 "13\t20 -2 1.5\n");
	OK(ns_import(&n3, plugins, store, plain_path, &io));
	{
		char rev[32];
		ns_object_info pi;
		const int32_t *pre, *post;
		double w[2] = { 0, 0 }, d[2] = { 0, 0 };
		ns_object *p;

		snprintf(rev, sizeof rev, "%llu", (unsigned long long)n3);
		OK(ns_network_open(&v3, store, rev));
		p = ns_network_object_find(v3, "proj1");
		CHECK(p != NULL, "plain dump: no projection 'proj1'");
		if (p) {
			ns_object_get_info(&pi, p);
			CHECK(pi.size == 2 && strcmp(pi.pre, "pre1") == 0 &&
				      strcmp(pi.post, "post1") == 0,
			      "plain dump: proj1 is %s -> %s with %llu synapses", pi.pre, pi.post,
			      (unsigned long long)pi.size);
			ns_object_get_info(&pi, ns_network_object_find(v3, "pre1"));
			CHECK(pi.size == 3, "plain dump: pre1 has %llu neurons, not 3",
			      (unsigned long long)pi.size);
			ns_object_get_info(&pi, ns_network_object_find(v3, "post1"));
			CHECK(pi.size == 2, "plain dump: post1 has %llu neurons, not 2",
			      (unsigned long long)pi.size);
			ns_projection_connectivity(&pre, &post, p);
			OK(ns_attr_read(w, NS_DTYPE_F64, ns_object_attr_find(p, "weight")));
			OK(ns_attr_read(d, NS_DTYPE_F64, ns_object_attr_find(p, "delay")));
			CHECK(pre[0] == 2 && post[0] == 0 && w[0] == -2 && d[0] == 1.5 &&
				      pre[1] == 0 && post[1] == 1 && w[1] == 1.5 && d[1] == 1,
			      "plain dump: synapses (%d,%d,%g,%g) (%d,%d,%g,%g)", pre[0], post[0],
			      w[0], d[0], pre[1], post[1], w[1], d[1]);
		}
	}

	/* A bad file: an error naming the line and column, and no version. */
	spit(bad_path, "# source target weight delay\n"
		       "# nsnap projection P A B 2 2\n"
		       "1 3 0.5 1\n"
		       "2 x 0.5 1\n");
	rc = ns_import(NULL, plugins, store, bad_path, &io);
	CHECK(rc == NS_EFORMAT, "bad file: %d, not NS_EFORMAT (%s)", rc,
	      ns_error_last()->message);
	CHECK(strstr(ns_error_last()->message, "bad.conn:4:3: target") != NULL,
	      "bad file: the message does not name line 4, column 3: %s",
	      ns_error_last()->message);
	OK(ns_store_resolve(&head, store, "HEAD"));
	CHECK(head == n3, "a failed import moved HEAD to %llu", (unsigned long long)head);

	/* A projection without weights cannot be written: the plugin's error
	 * comes back, and no file (nor a temporary one) is left. */
	{
		int32_t pre[1] = { 0 }, post[1] = { 1 };
		double d[1] = { 1.0 };
		ns_network *nw = NULL;
		char path[4096];
		uint64_t n4 = 0;
		DIR *dir;
		struct dirent *e;

		OK(ns_network_new(&nw, "no weights"));
		OK(ns_population_add(&obj, nw, "A", 2, NULL, 0, NULL));
		OK(ns_projection_add(&obj, nw, "AA", "A", "A", NULL, NULL));
		OK(ns_projection_set_synapses(obj, pre, post, 1, 0));
		OK(ns_attr_add(&attr, obj, "delay", NS_PARAMETER, NS_LOCAL, NS_DTYPE_F64, d, 0));
		OK(ns_snapshot(&n4, store, nw, &sn));
		snprintf(path, sizeof path, "%s/none.conn", argv[1]);
		rc = ns_export(plugins, store, "HEAD", path, &eo);
		CHECK(rc == NS_EUNSUPPORTED, "export without weights: %d, not NS_EUNSUPPORTED (%s)",
		      rc, ns_error_last()->message);
		CHECK(strstr(ns_error_last()->message, "'AA' has no attribute 'weight'") != NULL,
		      "export without weights: the message does not name the cause: %s",
		      ns_error_last()->message);
		if ((dir = opendir(argv[1])) != NULL) {
			while ((e = readdir(dir)) != NULL)
				CHECK(strstr(e->d_name, "none") == NULL,
				      "a failed export left '%s' behind", e->d_name);
			closedir(dir);
		}
		ns_network_free(nw);
	}

	ns_network_free(v3);
	ns_network_free(v2);
	ns_network_free(v1);
	ns_network_free(net);
	ns_store_close(store);
	ns_plugins_free(plugins);
	if (failures) {
		fprintf(stderr, "plugin_driver: %d checks failed\n", failures);
		return 1;
	}
	printf("plugin_driver: export, file lines, import round trip, plain dump, bad file, "
	       "failed export: ok\n");
	return 0;
}
