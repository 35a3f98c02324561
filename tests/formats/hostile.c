/* SPDX-License-Identifier: MIT */
/* Hostile pickles: files made to exhaust memory, to smuggle a name past
 * the allow-list, to lie about lengths or numbers. Each is refused with
 * a message naming the file, object and cause, changes nothing, and stays
 * within a memory bound that a forked child's peak RSS shows (the import
 * may hold NSP_MEMORY_FACTOR = 16 times the file's size plus 32 MiB: the
 * bound checked is 20 times plus 64 MiB). Numbers are exact or refused. */
#define _GNU_SOURCE
#include "format_util.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#define DATA NSNAP_TEST_DATA_DIR "/pickle/"

static ns_plugins *hostile_plugins(void)
{
	ns_plugins *ps = NULL;
	NT_OK(ns_plugins_new(&ps, NULL, NS_PLUGINS_NO_ENV | NS_PLUGINS_NO_DEFAULT));
	NT_OK(ns_plugins_load(ps, NSNAP_TEST_PLUGIN_DIR "/pickle.so"));
	NT_OK(ns_plugins_load(ps, NSNAP_TEST_PLUGIN_DIR "/gzip.so"));
	return ps;
}

/* Importing @path (first written with @n bytes @data, unless NULL) as a
 * pickle fails with @code and a message holding @needle; the store has no
 * new version. */
static void refused(const char *path, const unsigned char *data, size_t n, int code,
		    const char *needle)
{
	ns_plugins *ps = hostile_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	uint64_t before = nt_stats(s).versions;
	if (data)
		nt_write_file(path, data, n);
	o.format = "pickle";
	NT_FAILS(code, ns_import(NULL, ps, s, path, &o));
	if (needle)
		NT_MESSAGE_HAS(needle);
	cr_assert_eq(nt_stats(s).versions, before);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_pickle_hostile, a_pickle_calling_os_system_is_refused_naming_the_global)
{
	refused(DATA "hostile_p4.data", NULL, 0, NS_EFORMAT,
		"refusing to load global 'posix.system'");
	NT_MESSAGE_HAS("hostile_p4.data");
}

Test(formats_pickle_hostile, deeply_nested_marks_are_refused)
{
	static unsigned char buf[100003];
	buf[0] = 0x80;
	buf[1] = 4;
	memset(buf + 2, '(', 100000);
	buf[100002] = '.';
	refused(nt_path("deep.data"), buf, sizeof buf, NS_EFORMAT, "nested");
}

Test(formats_pickle_hostile, deeply_nested_lists_are_refused)
{
	static unsigned char buf[2 + 2 * 5000 + 1];
	size_t k = 0;
	buf[k++] = 0x80;
	buf[k++] = 4;
	memset(buf + k, ']', 5000);
	k += 5000;
	memset(buf + k, 'a', 4999);
	k += 4999;
	buf[k++] = '.';
	refused(nt_path("deep.data"), buf, k, NS_EFORMAT, "nested");
}

Test(formats_pickle_hostile, a_huge_declared_length_is_an_error_not_an_allocation)
{
	static const unsigned char b8[] = { 0x80, 5, 0x96, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					    0xff, 0x7f, 'x', '.' };
	static const unsigned char u4[] = { 0x80, 4, 'X', 0xff, 0xff, 0xff, 0x7f, 'x', '.' };
	refused(nt_path("huge.data"), b8, sizeof b8, NS_EFORMAT, "byte 2: truncated");
	refused(nt_path("huge.data"), u4, sizeof u4, NS_EFORMAT, "truncated");
}

Test(formats_pickle_hostile, bad_opcodes_and_memo_references_name_the_byte)
{
	static const unsigned char op[] = { 0x80, 4, '}', 0xff, '.' };
	static const unsigned char memo[] = { 0x80, 4, 'h', 7, '.' };
	refused(nt_path("bad.data"), op, sizeof op, NS_EFORMAT, "byte 3: unknown opcode 0xff");
	refused(nt_path("bad.data"), memo, sizeof memo, NS_EFORMAT, "byte 2: memo index 7");
}

Test(formats_pickle_hostile, a_file_cut_at_every_byte_is_an_error)
{
	ns_plugins *ps = hostile_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	size_t n;
	char *full = nt_slurp(DATA "proj_p4.data", &n);
	const char *path = nt_path("cut.data");
	o.format = "pickle";
	for (size_t cut = 0; cut < n; cut++) {
		nt_write_file(path, full, cut);
		cr_assert_neq(ns_import(NULL, ps, s, path, &o), NS_OK, "cut at %zu imported", cut);
	}
	cr_assert_eq(nt_stats(s).versions, 0);
	free(full);
	ns_store_close(s);
	ns_plugins_free(ps);
}


/* ------------------------------------------------------------ memory */

/* What an import in a forked child did: its result, message and peak
 * resident memory. */
typedef struct child_import {
	int rc;
	char message[1024];
	long peak_kib;
} child_import;

/* Import @path into a new store (with format options @options, or none)
 * in a child process, so that its peak RSS is the import's alone. */
static child_import import_in_child(const char *path, const char *const *options)
{
	child_import out = { 0 };
	struct rusage ru;
	int fds[2], status = 0;
	pid_t pid;
	cr_assert_eq(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		ns_plugins *ps = hostile_plugins();
		ns_store *s = nt_store_new("child.nsnap", 0, NS_CODEC_RAW);
		ns_import_opts o = NS_IMPORT_OPTS_INIT;
		child_import r = { 0 };
		o.options = options;
		r.rc = ns_import(NULL, ps, s, path, &o);
		snprintf(r.message, sizeof r.message, "%s", ns_error_last()->message);
		if (write(fds[1], &r, sizeof r) != (ssize_t)sizeof r)
			_exit(3);
		_exit(0);
	}
	cr_assert_gt(pid, 0);
	close(fds[1]);
	cr_assert_eq(read(fds[0], &out, sizeof out), (ssize_t)sizeof out,
		     "the child importing %s died", path);
	close(fds[0]);
	cr_assert_eq(wait4(pid, &status, 0, &ru), pid);
	out.peak_kib = ru.ru_maxrss;
	return out;
}

/* The import of @path is refused with @code and @needle, within 20 times
 * the file's size plus 64 MiB of resident memory (not checked under
 * AddressSanitizer, whose shadow and quarantine are memory of its own). */
static void refused_in_bounded_memory(const char *path, int code, const char *needle)
{
	size_t size = 0;
	FILE *f = fopen(path, "rb");
	child_import r;
	cr_assert_not_null(f);
	fseek(f, 0, SEEK_END);
	size = (size_t)ftell(f);
	fclose(f);
	r = import_in_child(path, NULL);
	cr_assert_eq(r.rc, code, "import of %s returned %d: %s", path, r.rc, r.message);
	cr_assert(strstr(r.message, needle), "message \"%s\" lacks \"%s\"", r.message, needle);
	cr_assert(strstr(r.message, path), "message \"%s\" does not name the file", r.message);
#ifdef __SANITIZE_ADDRESS__
	(void)size;
#else
	cr_assert_lt((double)r.peak_kib * 1024, 20.0 * (double)size + (64 << 20),
		     "import of %s (%zu bytes) peaked at %ld KiB", path, size, r.peak_kib);
#endif
}

Test(formats_pickle_hostile, twenty_megabytes_of_none_stay_in_bounded_memory)
{
	size_t n = (size_t)20 << 20;
	unsigned char *b = malloc(n + 3);
	cr_assert_not_null(b);
	b[0] = 0x80;
	b[1] = 4;
	memset(b + 2, 'N', n);
	b[n + 2] = '.';
	nt_write_file(nt_path("none.data"), b, n + 3);
	free(b);
	refused_in_bounded_memory(nt_path("none.data"), NS_EFORMAT,
				  "the pickle holds None, not an ANNarchy dict");
}

Test(formats_pickle_hostile, values_beyond_the_memory_limit_are_refused_as_they_are_made)
{
	size_t n = (size_t)20 << 20;
	unsigned char *b = malloc(n + 3);
	cr_assert_not_null(b);
	b[0] = 0x80;
	b[1] = 4;
	memset(b + 2, ']', n); /* an empty list a byte */
	b[n + 2] = '.';
	nt_write_file(nt_path("lists.data"), b, n + 3);
	free(b);
	refused_in_bounded_memory(nt_path("lists.data"), NS_ENOMEM,
				  "the pickle's values need more than the import's memory limit "
				  "of 352.0 MiB (16 times the 20.0 MiB of the file, plus 32.0 MiB; "
				  "-o max-memory=SIZE raises it)");
}

/* One row of @k pre ranks shared by @rows rows through the memo: a file of
 * about 5 bytes a row holds rows * k synapses. */
static void shared_rows(const char *file, unsigned rows, unsigned k)
{
	char args[4200];
	snprintf(args, sizeof args, "%s %u %u", file, rows, k);
	cr_assert_eq(python("import pickle, sys\n"
			    "n, k = int(sys.argv[2]), int(sys.argv[3])\n"
			    "row = list(range(k))\n"
			    "d = {'pre': 'A', 'post': 'B', 'post_ranks': [0] * n,\n"
			    "     'pre_ranks': [row] * n, 'attributes': []}\n"
			    "pickle.dump(d, open(sys.argv[1], 'wb'), protocol=4)\n", args), 0);
}

Test(formats_pickle_hostile, a_row_shared_a_million_times_is_refused_in_bounded_memory)
{
	shared_rows(nt_path("laughs.data"), 1u << 18, 1024);
	refused_in_bounded_memory(nt_path("laughs.data"), NS_ENOMEM,
				  "projection 'proj0': 268435456 synapses need 4.0 GiB, beyond "
				  "the import's memory limit");
}

Test(formats_pickle_hostile, max_memory_lets_a_network_of_shared_rows_import)
{
	static const char *const more[] = { "max-memory=1G", NULL };
	ns_plugins *ps = hostile_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	ns_network *net = NULL;
	shared_rows(nt_path("rows.data"), 4096, 1024);
	NT_FAILS(NS_ENOMEM, import_file(NULL, ps, s, nt_path("rows.data")));
	NT_MESSAGE_HAS("4194304 synapses need 64.0 MiB");
	o.options = more;
	NT_OK(ns_import(NULL, ps, s, nt_path("rows.data"), &o));
	NT_OK(ns_network_open(&net, s, "HEAD"));
	cr_assert_eq(ns_projection_synapses(ns_network_object_find(net, "proj0")), 4096 * 1024);
	ns_network_free(net);
	ns_store_close(s);
	ns_plugins_free(ps);
}

Test(formats_pickle_hostile, a_max_memory_that_is_no_size_is_refused)
{
	static const char *const bad[] = { "max-memory=lots", NULL };
	ns_plugins *ps = hostile_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	ns_import_opts o = NS_IMPORT_OPTS_INIT;
	o.options = bad;
	NT_FAILS(NS_EINVAL, ns_import(NULL, ps, s, DATA "net_p4.data", &o));
	NT_MESSAGE_HAS("net_p4.data': option max-memory=lots: not a size");
	cr_assert_eq(nt_stats(s).versions, 0);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* 115 bytes: one synapse at rank 2^31 - 2, and a semiglobal attribute of
 * one value per neuron of the placeholder that rank sizes. */
Test(formats_pickle_hostile, a_placeholder_sized_by_a_rank_alone_is_refused)
{
	cr_assert_eq(python("import pickle, sys\n"
			    "d = {'pre': 'A', 'post': 'B', 'post_ranks': [2**31 - 2],\n"
			    "     'pre_ranks': [[2**31 - 2]], 'attributes': ['t'], 't': [1.0]}\n"
			    "pickle.dump(d, open(sys.argv[1], 'wb'), protocol=4)\n",
			    nt_path("ph.data")), 0);
	refused_in_bounded_memory(nt_path("ph.data"), NS_ENOMEM,
				  "projection 'proj0': attribute 't': 2147483647 values (one per "
				  "neuron of the placeholder population 'B') need 16.0 GiB");
}

/* Ranks read as a packed list of ints, whole (plugins/pickle/annarchy.c):
 * one past int32, or negative, anywhere in a row is refused as before. */
Test(formats_pickle_hostile, a_rank_beyond_int32_in_a_packed_row_is_refused)
{
	static const char *const bad[] = { "2**31", "-1" };
	for (size_t k = 0; k < 2; k++) {
		char prog[512];
		snprintf(prog, sizeof prog,
			 "import pickle, sys\n"
			 "row = list(range(1500)); row[1234] = %s\n"
			 "d = {'pre': 'A', 'post': 'B', 'post_ranks': [0],\n"
			 "     'pre_ranks': [row], 'attributes': []}\n"
			 "pickle.dump(d, open(sys.argv[1], 'wb'), protocol=4)\n", bad[k]);
		cr_assert_eq(python(prog, nt_path("rank.data")), 0);
		refused(nt_path("rank.data"), NULL, 0, NS_EFORMAT,
			"projection 'proj0': a pre rank that is not a rank");
	}
}

/* A gzip of a small pickle and then 256 MiB of zeros (256 KiB on disk):
 * the zeros are not inflated. */
Test(formats_pickle_hostile, a_gz_of_a_pickle_and_zeros_is_refused_without_inflating_them)
{
	static const unsigned char pk[] = { 0x80, 4, '}', '.' };
	static unsigned char zeros[1 << 20], out[1 << 16];
	FILE *f = fopen(nt_path("bomb.data.gz"), "wb");
	z_stream z = { 0 };
	cr_assert_not_null(f);
	cr_assert_eq(deflateInit2(&z, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	for (int i = -1; i <= 256; i++) {
		z.next_in = (unsigned char *)(i < 0 ? pk : zeros);
		z.avail_in = i < 0 ? sizeof pk : i < 256 ? sizeof zeros : 0;
		do {
			z.next_out = out;
			z.avail_out = sizeof out;
			deflate(&z, i < 256 ? Z_NO_FLUSH : Z_FINISH);
			fwrite(out, 1, sizeof out - z.avail_out, f);
		} while (z.avail_out == 0);
	}
	deflateEnd(&z);
	fclose(f);
	refused_in_bounded_memory(nt_path("bomb.data.gz"), NS_EFORMAT,
				  "more than 4096 bytes after the pickle's end (its STOP opcode "
				  "at byte 3)");
}

Test(formats_pickle_hostile, a_few_bytes_after_stop_are_let_be)
{
	size_t n;
	char *full = nt_slurp(DATA "net_p4.data", &n), *padded = calloc(1, n + 100);
	ns_plugins *ps = hostile_plugins();
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	memcpy(padded, full, n);
	nt_write_file(nt_path("padded.data"), padded, n + 100);
	NT_OK(import_file(NULL, ps, s, nt_path("padded.data")));
	expect_network(s, "1");
	free(full);
	free(padded);
	ns_store_close(s);
	ns_plugins_free(ps);
}

/* ---------------------------------------------------------- lengths, names */

Test(formats_pickle_hostile, a_frame_longer_than_the_file_is_refused)
{
	static const unsigned char huge[] = { 0x80, 4, 0x95, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					      0xff, 0xff, '}', '.' };
	static const unsigned char past_stop[] = { 0x80, 4, 0x95, 3, 0, 0, 0, 0, 0, 0, 0, '}',
						   '.', 0 };
	refused(nt_path("frame.data"), huge, sizeof huge, NS_EFORMAT,
		"byte 2: a FRAME of 18446744073709551615 bytes, longer than the rest of the file "
		"(2 bytes)");
	refused(nt_path("frame.data"), past_stop, sizeof past_stop, NS_EFORMAT,
		"byte 12: STOP inside the FRAME at byte 2, which declares 1 bytes more");
}

/* A NUL ends a C string, not a name of a pickle: "numpy.core.multiarray\0os"
 * is not numpy.core.multiarray. */
Test(formats_pickle_hostile, a_global_name_holding_a_nul_is_refused)
{
	static const char text[] = "\x80\x02" "cnumpy.core.multiarray\0os\n_reconstruct\n.";
	static const char stack[] = "\x80\x04\x8c\x18numpy.core.multiarray\0os\x8c\x06scalar\x93.";
	refused(nt_path("nul.data"), (const unsigned char *)text, sizeof text - 1, NS_EFORMAT,
		"refusing to load global 'numpy.core.multiarray\\x00os._reconstruct'");
	refused(nt_path("nul.data"), (const unsigned char *)stack, sizeof stack - 1, NS_EFORMAT,
		"refusing to load global 'numpy.core.multiarray\\x00os.scalar'");
}

/* --------------------------------------------------------- sizes, numbers */

/* A network of population 'P' whose dict gets the entries @entries and
 * whose nsnap entry is @nsnap (Python), pickled by Python, is refused
 * with @needle. */
static void bad_population(const char *entries, const char *nsnap, const char *needle)
{
	char prog[2048];
	snprintf(prog, sizeof prog,
		 "import pickle, sys\n"
		 "import numpy as np\n"
		 "p = {'name': 'P', 'size': 2, 'attributes': ['x'], 'parameters': [],\n"
		 "     'variables': ['x'], 'x': np.zeros(2)}\n"
		 "p.update(%s)\n"
		 "d = {'time_step': 1, 'P': p, 'nsnap': %s,\n"
		 "     'obj_names': {'populations': ['P'], 'projections': []}}\n"
		 "pickle.dump(d, open(sys.argv[1], 'wb'), protocol=4)\n",
		 entries, nsnap ? nsnap : "{'version': 1}");
	cr_assert_eq(python(prog, nt_path("bad.data")), 0);
	refused(nt_path("bad.data"), NULL, 0, NS_EFORMAT, needle);
}

Test(formats_pickle_hostile, a_geometry_whose_product_overflows_is_refused_naming_it)
{
	bad_population("{'geometry': (2**32, 2**32), 'size': 0}", NULL,
		       "population 'P': a geometry of more than 10^15 neurons");
}

Test(formats_pickle_hostile, an_object_array_attribute_says_what_was_expected_and_found)
{
	bad_population("{'x': np.array([None, None], dtype=object)}", NULL,
		       "population 'P': attribute 'x' is a numpy array of objects, not a numpy "
		       "array of numbers or a number");
}

Test(formats_pickle_hostile, uint64_values_beyond_int64_are_refused_naming_the_attribute)
{
	bad_population("{'x': np.array([1, 2**64 - 1], dtype=np.uint64)}", NULL,
		       "population 'P': attribute 'x' holds the value 1.8446744073709552e+19, an "
		       "integer beyond 64 bits");
}

Test(formats_pickle_hostile, a_float_out_of_range_of_its_recorded_int_type_is_refused)
{
	bad_population("{'attributes': ['x', 'g'], 'g': 1e300}",
		       "{'version': 1, 'attributes': [['P', 'g', 'parameter', 'global', 'i32']]}",
		       "population 'P': attribute 'g' holds the value 1.0000000000000001e+300, "
		       "which does not fit i32");
}

/* A list of Python ints with one beyond 64 bits: the attribute is named. */
Test(formats_pickle_hostile, an_int_beyond_64_bits_is_refused_naming_object_and_attribute)
{
	cr_assert_eq(python("import pickle, sys\n"
			    "d = {'name': 'P', 'pre': 'A', 'post': 'A', 'post_ranks': [0],\n"
			    "     'pre_ranks': [[0, 1]], 'attributes': ['c'], 'c': [[1, 2**64]]}\n"
			    "pickle.dump(d, open(sys.argv[1], 'wb'), protocol=4)\n",
			    nt_path("big.data")), 0);
	refused(nt_path("big.data"), NULL, 0, NS_EFORMAT,
		"projection 'P': attribute 'c' holds the value 1.8446744073709552e+19, an integer "
		"beyond 64 bits");
}
