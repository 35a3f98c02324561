/* SPDX-License-Identifier: MIT */
/* The npz format (ANNarchy's save('x.npz'), np.savez_compressed): golden
 * files numpy wrote (tests/data/npz/gen.py, the network of
 * tests/data/pickle/gen.py), export read back by numpy, round trips, and
 * zip's hazards. */
#define _GNU_SOURCE
#include "format_util.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA NSNAP_TEST_DATA_DIR "/npz/"
#define PICKLE NSNAP_TEST_DATA_DIR "/pickle/"

static ns_plugins *npz_plugins(void)
{
	ns_plugins *ps = NULL;
	NT_OK(ns_plugins_new(&ps, NULL, NS_PLUGINS_NO_ENV | NS_PLUGINS_NO_DEFAULT));
	NT_OK(ns_plugins_load(ps, NSNAP_TEST_PLUGIN_DIR "/npz.so"));
	NT_OK(ns_plugins_load(ps, NSNAP_TEST_PLUGIN_DIR "/pickle.so"));
	return ps;
}

static unsigned char *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data;
	long len;
	cr_assert_not_null(f, "%s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	data = malloc((size_t)len + 1);
	cr_assert_not_null(data);
	cr_assert_eq(fread(data, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return data;
}

/* @src copied into the test's folder as @name. */
static const char *copy_file(const char *src, const char *name)
{
	size_t n = 0;
	unsigned char *data = read_file(src, &n);
	const char *path = nt_path(name);
	nt_write_file(path, data, n);
	free(data);
	return path;
}

/* Version 1 from @file equals version 2 from the same state as a pickle. */
static void equals_the_pickle(const char *file)
{
	ns_plugins *ps = npz_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_diff *d = NULL;
	uint64_t v = 0;
	NT_OK(import_file(&v, ps, s, file));
	cr_assert_eq(v, 1);
	expect_network(s, "1");
	NT_OK(import_file(&v, ps, s, PICKLE "net_p4.data"));
	NT_OK(ns_diff_versions(&d, s, "1", "2", NULL));
	cr_assert(d->equal, "%s and net_p4.data differ", file);
	ns_diff_free(d);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_npz, a_savez_compressed_network_imports_as_its_pickle_does)
{
	equals_the_pickle(DATA "net.npz");
}

Test(formats_npz, a_savez_network_of_stored_members_imports_as_its_pickle_does)
{
	equals_the_pickle(DATA "net_stored.npz");
}

Test(formats_npz, a_zip_named_data_is_read_as_npz_by_its_first_bytes)
{
	equals_the_pickle(copy_file(DATA "net.npz", "net.data"));
}

Test(formats_npz, a_population_saved_alone_with_str_and_fortran_members_imports)
{
	expect_population_file(npz_plugins(), DATA "pop.npz");
}

Test(formats_npz, big_endian_members_import_as_the_same_values)
{
	expect_population_file(npz_plugins(), DATA "pop_be.npz");
}

Test(formats_npz, a_projection_saved_alone_adds_placeholder_populations)
{
	static const int32_t pre[] = { 0, 1, 2, 3 }, post[] = { 1, 1, 4, 4 };
	static const double w[] = { 0.75 };
	ns_plugins *ps = npz_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_network *net = NULL;
	NT_OK(import_file(NULL, ps, s, DATA "proj.npz"));
	NT_OK(ns_network_open(&net, s, "HEAD"));
	expect_synapses(net, "IE", pre, post, 4);
	expect_attr(net, "IE", "w", NS_PARAMETER, NS_GLOBAL, NS_DTYPE_F64, w, 1);
	cr_assert_not_null(ns_network_object_find(net, "I"));
	ns_network_free(net);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* ------------------------------------------------------------------ export */

/* numpy.load() of the export, each value (an object member's item), is the
 * pickle export of the same version as pickle.load() gives it. */
static const char compare_py[] =
	"import pickle, sys, zipfile\n"
	"import numpy as np\n"
	"sys.path.insert(0, '" NSNAP_TEST_SOURCE_DIR "/formats')\n"
	"from deep_equal import same\n"
	"want = pickle.load(open(sys.argv[1], 'rb'))\n"
	"f = np.load(sys.argv[2], allow_pickle=True)\n"
	"got = {}\n"
	"for k in f.files:\n"
	"    v = f[k]\n"
	"    assert v.shape == (), (k, v.shape)\n"
	"    got[k] = v.item()\n"
	"assert got['time_step'] == 1234 and f['time_step'].dtype == np.int64\n"
	"same(want, got, '')\n"
	"method = int(sys.argv[3])\n"
	"assert all(i.compress_type == method for i in zipfile.ZipFile(sys.argv[2]).infolist())\n";

static void export_in_numpy(const char *const *options, int method)
{
	ns_plugins *ps = npz_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_export_opts eo = NS_EXPORT_OPTS_INIT;
	char args[4096];
	NT_OK(import_file(NULL, ps, s, PICKLE "net_p4.data"));
	NT_OK(ns_export(ps, s, "HEAD", nt_path("x.data"), NULL));
	eo.options = options;
	NT_OK(ns_export(ps, s, "HEAD", nt_path("x.npz"), &eo));
	snprintf(args, sizeof args, "%s %s %d", nt_path("x.data"), nt_path("x.npz"), method);
	cr_assert_eq(python(compare_py, args), 0, "numpy finds x.npz and x.data differ");
	NT_OK(import_file(NULL, ps, s, nt_path("x.npz")));
	expect_network(s, "HEAD");
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_npz, an_export_loads_in_numpy_deflated_with_every_value_equal)
{
	export_in_numpy(NULL, 8);
}

Test(formats_npz, an_export_at_level_0_is_stored_as_np_savez_writes)
{
	static const char *const o[] = { "level=0", NULL };
	export_in_numpy(o, 0);
}

Test(formats_npz, a_bad_level_is_refused_naming_it)
{
	static const char *const o[] = { "level=12", NULL };
	ns_plugins *ps = npz_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_export_opts eo = NS_EXPORT_OPTS_INIT;
	NT_OK(import_file(NULL, ps, s, PICKLE "net_p4.data"));
	eo.options = o;
	NT_FAILS(NS_EINVAL, ns_export(ps, s, "HEAD", nt_path("x.npz"), &eo));
	NT_MESSAGE_HAS("option level=12: not a deflate level");
	cr_assert_null(fopen(nt_path("x.npz"), "rb"));
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_npz, an_export_of_every_type_imports_back_as_an_equal_version)
{
	ns_plugins *ps = npz_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	build_all_types(s);
	expect_round_trip_equal(ps, s, nt_path("all.npz"), NULL);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* ----------------------------------------------------------------- hostile */

static void refused(const char *path, int code, const char *needle)
{
	ns_plugins *ps = npz_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	NT_FAILS(code, import_file(NULL, ps, s, path));
	NT_MESSAGE_HAS(needle);
	NT_MESSAGE_HAS(path);
	cr_assert_eq(nt_stats(s).versions, 0);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_npz, an_object_member_calling_os_system_is_refused_naming_it)
{
	refused(DATA "evil.npz", NS_EFORMAT,
		"member 'E.npy': byte 143: refusing to load global 'posix.system'");
}

Test(formats_npz, a_zip_of_other_files_is_refused_naming_the_member)
{
	refused(DATA "notnpy.zip", NS_EFORMAT,
		"member 'readme.txt': not a .npy array: a zip archive that is not NumPy's .npz");
}

Test(formats_npz, duplicate_member_names_are_refused)
{
	refused(DATA "dup.npz", NS_EFORMAT, "two members of the archive have the same name");
}

Test(formats_npz, a_member_name_with_dot_dot_is_refused)
{
	refused(DATA "dotdot.npz", NS_EFORMAT, "member '../E.npy': a name that starts with");
}

Test(formats_npz, an_encrypted_member_is_refused)
{
	refused(DATA "encrypted.npz", NS_EUNSUPPORTED, "member 'E.npy': encrypted");
}

Test(formats_npz, a_bad_crc_is_refused_naming_the_member)
{
	refused(DATA "badcrc.npz", NS_EFORMAT, "member 'E.npy': a bad CRC");
}

Test(formats_npz, a_member_declaring_a_zip_bomb_size_is_refused_before_inflating)
{
	refused(DATA "bomb.npz", NS_EFORMAT, "member 'E.npy': the members inflate to");
}

Test(formats_npz, a_member_larger_than_it_declares_is_refused)
{
	refused(DATA "short.npz", NS_EFORMAT, "member 'E.npy': larger than the 1040 bytes");
}

Test(formats_npz, a_file_cut_short_is_an_error)
{
	size_t n = 0;
	unsigned char *data = read_file(DATA "net.npz", &n);
	for (size_t cut = 0; cut < n; cut += 97) {
		ns_plugins *ps = npz_plugins();
		ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
		ns_import_opts o = NS_IMPORT_OPTS_INIT;
		o.format = "npz";
		nt_write_file(nt_path("cut.npz"), data, cut);
		cr_assert_lt(ns_import(NULL, ps, s, nt_path("cut.npz"), &o), 0, "cut at %zu", cut);
		cr_assert_eq(nt_stats(s).versions, 0);
		ns_store_close(s);
		ns_plugins_free(ps);
	}
	free(data);
}
