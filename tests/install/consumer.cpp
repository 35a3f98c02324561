/* SPDX-License-Identifier: MIT */
// A C++ program built against the installed nsnap, as NEST's or ANNarchy's
// generated code would use it: a network over the program's own arrays
// (bound), a snapshot, a restore into the changed arrays, the version opened
// as a network (zero-copy attribute data) and as a version (a chunk's view).
#include <nsnap/nsnap.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

bool ok(int rc, const char *what)
{
	if (rc == NS_OK)
		return true;
	std::fprintf(stderr, "consumer_cxx: %s: %s\n", what, ns_error_last()->message);
	return false;
}

bool fail(const char *what)
{
	std::fprintf(stderr, "consumer_cxx: %s\n", what);
	return false;
}

bool run(const char *path)
{
	ns_store_opts so = NS_STORE_OPTS_INIT;
	so.flags = NS_STORE_CREATE;
	ns_store *store = nullptr;
	if (!ok(ns_store_open(&store, path, &so), "opening the store"))
		return false;

	const std::size_t n = 1000;
	std::vector<double> v(n);
	std::vector<std::int32_t> pre, post;
	for (std::size_t i = 0; i < n; i++) {
		v[i] = -65.0 + 0.001 * static_cast<double>(i);
		pre.push_back(static_cast<std::int32_t>(i));
		post.push_back(static_cast<std::int32_t>((i * 7) % n));
	}
	std::vector<float> w(n, 0.5f);
	double tau = 10.0;

	ns_network *net = nullptr;
	ns_object *pop = nullptr, *proj = nullptr;
	bool good = ok(ns_network_new(&net, "cxx"), "network") &&
		    ok(ns_population_add(&pop, net, "E", n, nullptr, 0, "iaf_psc_alpha"),
		       "population") &&
		    ok(ns_attr_add(nullptr, pop, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, v.data(),
				   0), "v") &&
		    ok(ns_attr_add(nullptr, pop, "tau", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, &tau,
				   0), "tau") &&
		    ok(ns_projection_add(&proj, net, "EE", "E", "E", "exc", "static_synapse"),
		       "projection") &&
		    ok(ns_projection_set_synapses(proj, pre.data(), post.data(), n, 0),
		       "synapses") &&
		    ok(ns_attr_add(nullptr, proj, "w", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F32, w.data(),
				   0), "w");
	ns_network_set_time(net, 100.0, 1000);

	std::uint64_t version = 0;
	ns_snapshot_opts sn = NS_SNAPSHOT_OPTS_INIT;
	sn.message = "from C++";
	good = good && ok(ns_snapshot(&version, store, net, &sn), "snapshot");

	// Change the simulator's arrays, then restore them from the version.
	const std::vector<double> saved = v;
	for (double &x : v)
		x = 0;
	w.assign(n, 2.0f);
	tau = 20;
	ns_restore_opts ro = NS_RESTORE_OPTS_INIT;
	ns_restore_report *report = nullptr;
	good = good && ok(ns_restore(&report, store, "HEAD", net, &ro), "restore");
	if (good && (v != saved || w != std::vector<float>(n, 0.5f) || tau != 10.0))
		good = fail("the restore did not bring the arrays back");
	if (good && report->version != version)
		good = fail("the restore report names another version");
	ns_restore_report_free(report);

	// The version as a read-only network: its data straight from the map.
	ns_network *opened = nullptr;
	if (good && ok(ns_network_open(&opened, store, "1"), "opening version 1")) {
		ns_object *e = ns_network_object_find(opened, "E");
		ns_attr *a = e ? ns_object_attr_find(e, "v") : nullptr;
		void *data = nullptr;
		if (!a)
			good = fail("version 1 has no E.v");
		else if (!ok(ns_attr_data(&data, a), "E.v's data"))
			good = false;
		else if (std::memcmp(data, saved.data(), n * sizeof(double)) != 0)
			good = fail("E.v of version 1 differs from what was saved");
		ns_network_free(opened);
	} else {
		good = false;
	}

	// The version's arrays: one of them, viewed in place, is E.v's bytes.
	ns_version *ver = nullptr;
	if (good && ok(ns_version_open(&ver, store, "HEAD"), "opening HEAD")) {
		bool found = false;
		for (std::uint64_t i = 0; i < ns_version_get_info(ver)->n_arrays && !found; i++) {
			ns_array_info info;
			ns_view view;
			if (!ok(ns_version_array_at(&info, ver, i), "an array") ||
			    info.nbytes != n * sizeof(double))
				continue;
			if (ok(ns_version_view(&view, ver, i, 0, NS_READ_VERIFY), "a view") &&
			    view.size == info.nbytes &&
			    std::memcmp(view.data, saved.data(), view.size) == 0)
				found = true;
		}
		if (!found)
			good = fail("no array of HEAD views as E.v");
		ns_version_close(ver);
	} else {
		good = false;
	}

	if (good)
		std::printf("nsnap %s from C++: version %llu saved, restored, viewed\n",
			    NSNAP_VERSION_STRING, static_cast<unsigned long long>(version));
	ns_network_free(net);
	ns_store_close(store);
	return good;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc != 2) {
		std::fprintf(stderr, "usage: consumer_cxx STORE\n");
		return 2;
	}
	return run(argv[1]) ? 0 : 1;
}
