/* SPDX-License-Identifier: MIT */
/* The plugin host: loading, refusing broken modules, detection, and
 * atomic export, with the test modules of module.c. */
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *module_dir(const char *variant)
{
	static char buf[2][4096];
	static int next;
	char *b = buf[next++ % 2];
	snprintf(b, sizeof buf[0], "%s/%s", NSNAP_TEST_MODULES, variant);
	return b;
}

static int load(ns_plugins **out, const char *a, const char *b)
{
	const char *dirs[3] = { a ? module_dir(a) : NULL, b ? module_dir(b) : NULL, NULL };
	return ns_plugins_new(out, dirs, NS_PLUGINS_NO_ENV | NS_PLUGINS_NO_DEFAULT);
}

static void refused(const char *variant, const char *why)
{
	ns_plugins *ps = NULL;
	NT_FAILS(NS_EPLUGIN, load(&ps, variant, NULL));
	cr_assert_null(ps);
	NT_MESSAGE_HAS(variant);
	NT_MESSAGE_HAS(why);
}

Test(formats_loader, a_module_without_the_entry_symbol_is_refused)
{
	refused("no_entry", "no entry symbol 'nsnap_plugin_entry'");
}

Test(formats_loader, a_newer_abi_is_refused)
{
	refused("abi_new", "ABI version 99");
}

Test(formats_loader, a_descriptor_too_small_is_refused)
{
	refused("small", "descriptor has 16 bytes");
}

Test(formats_loader, a_failed_init_is_reported_with_its_message)
{
	refused("init_fails", "init failed: the test init refuses to start");
}

Test(formats_loader, a_failed_init_without_message_still_says_what_failed)
{
	refused("init_silent", "init returned -4");
}

Test(formats_loader, two_plugins_of_one_name_are_refused)
{
	ns_plugins *ps = NULL;
	NT_FAILS(NS_EPLUGIN, load(&ps, "good", "dup"));
	NT_MESSAGE_HAS("'good'");
	NT_MESSAGE_HAS("dup.so");
}

Test(formats_loader, a_file_that_is_no_module_is_refused)
{
	ns_plugins *ps = NULL;
	const char *dir = nt_tmpdir();
	char path[4096];
	snprintf(path, sizeof path, "%s/text.so", dir);
	nt_write_file(path, "not an ELF file\n", 16);
	const char *dirs[] = { dir, NULL };
	NT_FAILS(NS_EPLUGIN, ns_plugins_new(&ps, dirs, NS_PLUGINS_NO_ENV | NS_PLUGINS_NO_DEFAULT));
	NT_MESSAGE_HAS("text.so");
	NT_MESSAGE_HAS("cannot load it");
}

Test(formats_loader, a_good_module_is_listed)
{
	ns_plugins *ps = NULL;
	ns_plugin_info info;
	NT_OK(load(&ps, "good", NULL));
	cr_assert_eq(ns_plugins_count(ps), 1);
	NT_OK(ns_plugins_at(&info, ps, 0));
	cr_assert_str_eq(info.name, "good");
	cr_assert_eq(info.kind, NS_PLUGIN_FORMAT);
	cr_assert_str_eq(info.extensions[0], ".good");
	cr_assert_eq(info.abi_version, NS_PLUGIN_ABI_VERSION);
	cr_assert(strstr(info.path, "good.so"));
	NT_FAILS(NS_EINVAL, ns_plugins_at(&info, ps, 1));
	ns_plugins_free(ps);
}

Test(formats_loader, missing_directories_are_passed_over_and_a_module_loads_once)
{
	ns_plugins *ps = NULL;
	const char *dirs[] = { "/nonexistent/nsnap", module_dir("good"), module_dir("good"), NULL };
	NT_OK(ns_plugins_new(&ps, dirs, NS_PLUGINS_NO_ENV | NS_PLUGINS_NO_DEFAULT));
	cr_assert_eq(ns_plugins_count(ps), 1);
	ns_plugins_free(ps);
}

Test(formats_loader, nsnap_plugin_path_is_searched_unless_told_not_to)
{
	ns_plugins *ps = NULL;
	char env[8192];
	snprintf(env, sizeof env, "/nonexistent:%s", module_dir("good"));
	setenv("NSNAP_PLUGIN_PATH", env, 1);
	NT_OK(ns_plugins_new(&ps, NULL, NS_PLUGINS_NO_DEFAULT));
	cr_assert_eq(ns_plugins_count(ps), 1);
	ns_plugins_free(ps);
	NT_OK(ns_plugins_new(&ps, NULL, NS_PLUGINS_NO_DEFAULT | NS_PLUGINS_NO_ENV));
	cr_assert_eq(ns_plugins_count(ps), 0);
	ns_plugins_free(ps);
	unsetenv("NSNAP_PLUGIN_PATH");
}

Test(formats_loader, the_folders_searched_are_listed_in_order)
{
	ns_plugins *ps = NULL;
	const char *const *dirs;
	const char *given[] = { "/nonexistent/a", module_dir("good"), NULL };
	size_t n;
	setenv("NSNAP_PLUGIN_PATH", "/nonexistent/env1:/nonexistent/env2", 1);
	NT_OK(ns_plugins_new(&ps, given, 0));
	dirs = ns_plugins_dirs(ps);
	for (n = 0; dirs[n]; n++)
		;
	cr_assert_eq(n, 5, "%zu folders searched", n);
	cr_assert_str_eq(dirs[0], "/nonexistent/a");
	cr_assert_str_eq(dirs[1], module_dir("good"));
	cr_assert_str_eq(dirs[2], "/nonexistent/env1");
	cr_assert_str_eq(dirs[3], "/nonexistent/env2");
	/* The install folder, last, absolute: never the current folder. */
	cr_assert_eq(dirs[4][0], '/', "install folder '%s'", dirs[4]);
	n = strlen(dirs[4]);
	cr_assert(n > 14 && strcmp(dirs[4] + n - 14, "/nsnap/plugins") == 0, "'%s'", dirs[4]);
	ns_plugins_free(ps);
	NT_OK(ns_plugins_new(&ps, NULL, NS_PLUGINS_NO_DEFAULT | NS_PLUGINS_NO_ENV));
	cr_assert_null(ns_plugins_dirs(ps)[0]);
	ns_plugins_free(ps);
	unsetenv("NSNAP_PLUGIN_PATH");
}

/* ------------------------------------------------------- import, export */

/* A store with one version of network @name: populations P (3), Q (5). */
static ns_store *store_of(const char *name)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	ns_network *net = NULL;
	ns_object *o;
	NT_OK(ns_network_new(&net, name));
	NT_OK(ns_population_add(&o, net, "P", 3, NULL, 0, NULL));
	NT_OK(ns_population_add(&o, net, "Q", 5, NULL, 0, NULL));
	NT_OK(ns_snapshot(NULL, s, net, NULL));
	ns_network_free(net);
	return s;
}

Test(formats_loader, export_then_import_round_trips)
{
	ns_store *s = store_of("net");
	ns_plugins *ps = NULL;
	ns_network *net = NULL;
	uint64_t v = 0;
	size_t size;
	char *text;
	NT_OK(load(&ps, "good", NULL));
	NT_OK(ns_export(ps, s, "HEAD", nt_path("x.good"), NULL));
	text = nt_slurp(nt_path("x.good"), &size);
	cr_assert_str_eq(text, "GOOD\nnet\nP 3\nQ 5\n");
	free(text);
	NT_OK(ns_import(&v, ps, s, nt_path("x.good"), NULL));
	cr_assert_eq(v, 2);
	NT_OK(ns_network_open(&net, s, "2"));
	cr_assert_eq(ns_network_object_count(net), 2);
	cr_assert_str_eq(ns_network_name(net), "net");
	ns_network_free(net);
	ns_plugins_free(ps);
	ns_store_close(s);
}

Test(formats_loader, options_reach_the_format)
{
	const char *const opts[] = { "width=3", "tail=first", "tail=last", NULL };
	ns_store *s = store_of("net");
	ns_plugins *ps = NULL;
	ns_export_opts o = NS_EXPORT_OPTS_INIT;
	size_t size;
	char *text;
	NT_OK(load(&ps, "good", NULL));
	o.options = opts;
	NT_OK(ns_export(ps, s, "HEAD", nt_path("x.good"), &o));
	text = nt_slurp(nt_path("x.good"), &size);
	cr_assert_str_eq(text, "GOOD\nnet\nP 3\nQ 5\n# last\n");
	free(text);
	ns_plugins_free(ps);
	ns_store_close(s);
}

Test(formats_loader, an_unknown_option_is_refused_naming_the_known_ones)
{
	const char *const bad[] = { "tail=x", "colour=red", NULL }, *const empty[] = { "=1", NULL };
	ns_store *s = store_of("net");
	ns_plugins *ps = NULL;
	ns_export_opts o = NS_EXPORT_OPTS_INIT;
	ns_import_opts io = NS_IMPORT_OPTS_INIT;
	struct stat st;
	NT_OK(load(&ps, "good", NULL));
	o.options = bad;
	NT_FAILS(NS_EINVAL, ns_export(ps, s, "HEAD", nt_path("x.good"), &o));
	NT_MESSAGE_HAS("format 'good' has no option 'colour' (its options: tail, width)");
	cr_assert_neq(stat(nt_path("x.good"), &st), 0, "a refused export wrote a file");
	o.options = empty;
	NT_FAILS(NS_EINVAL, ns_export(ps, s, "HEAD", nt_path("x.good"), &o));
	NT_MESSAGE_HAS("has no option ''");
	NT_OK(ns_export(ps, s, "HEAD", nt_path("x.good"), NULL));
	io.options = bad;
	NT_FAILS(NS_EINVAL, ns_import(NULL, ps, s, nt_path("x.good"), &io));
	NT_MESSAGE_HAS("no option 'colour'");
	cr_assert_eq(nt_stats(s).versions, 1, "a refused import made a version");
	ns_plugins_free(ps);
	ns_store_close(s);
}

Test(formats_loader, a_plugin_of_abi_1_loads_and_takes_no_options)
{
	const char *const opts[] = { "tail=x", NULL };
	ns_store *s = store_of("net");
	ns_plugins *ps = NULL;
	ns_plugin_info info;
	ns_export_opts o = NS_EXPORT_OPTS_INIT;
	NT_OK(load(&ps, "abi_1", NULL));
	NT_OK(ns_plugins_at(&info, ps, 0));
	cr_assert_str_eq(info.name, "old");
	cr_assert_eq(info.abi_version, 1);
	cr_assert_null(info.options);
	NT_OK(ns_export(ps, s, "HEAD", nt_path("x.good"), NULL));
	o.options = opts;
	o.overwrite = 1;
	NT_FAILS(NS_EINVAL, ns_export(ps, s, "HEAD", nt_path("x.good"), &o));
	NT_MESSAGE_HAS("format 'old' has no option 'tail' (it takes none)");
	ns_plugins_free(ps);
	ns_store_close(s);
}

Test(formats_loader, a_format_name_never_falls_back_to_a_pickle)
{
	ns_store *s = store_of("net");
	ns_plugins *ps = NULL;
	struct stat st;
	NT_OK(load(&ps, "good", NULL));
	NT_OK(ns_plugins_load(ps, NSNAP_TEST_PLUGIN_DIR "/pickle.so"));
	NT_FAILS(NS_ENOTFOUND, ns_export(ps, s, "HEAD", nt_path("x.mat"), NULL));
	NT_MESSAGE_HAS("file '");
	NT_MESSAGE_HAS("x.mat': a MATLAB file, and the mat plugin is not loaded");
	NT_FAILS(NS_ENOTFOUND, ns_export(ps, s, "HEAD", nt_path("x.NPZ"), NULL));
	NT_MESSAGE_HAS("x.NPZ': NumPy's .npz, and the npz plugin is not loaded");
	cr_assert_neq(stat(nt_path("x.mat"), &st), 0);
	NT_OK(ns_export(ps, s, "HEAD", nt_path("x.data"), NULL)); /* any other name: pickle */
	ns_plugins_free(ps);
	ns_store_close(s);
}

Test(formats_loader, export_selects_objects)
{
	ns_store *s = store_of("net");
	ns_plugins *ps = NULL;
	ns_export_opts o = NS_EXPORT_OPTS_INIT;
	const char *only[] = { "Q", NULL };
	size_t size;
	char *text;
	o.select.only = only;
	NT_OK(load(&ps, "good", NULL));
	NT_OK(ns_export(ps, s, "HEAD", nt_path("q.good"), &o));
	text = nt_slurp(nt_path("q.good"), &size);
	cr_assert_str_eq(text, "GOOD\nnet\nQ 5\n");
	free(text);
	ns_plugins_free(ps);
	ns_store_close(s);
}

/* The folder holds @path only (no temporary file left). */
static void only_file_is(const char *dir_file)
{
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "test \"$(ls '%s' | grep -v s.nsnap)\" = \"%s\"", nt_tmpdir_path(),
		 dir_file);
	cr_assert_eq(system(cmd), 0, "the folder holds more than %s", dir_file);
}

Test(formats_loader, a_failed_export_leaves_no_file_and_an_old_one_untouched)
{
	ns_store *s = store_of("fail");
	ns_plugins *ps = NULL;
	ns_export_opts o = NS_EXPORT_OPTS_INIT;
	size_t size;
	char *text;
	NT_OK(load(&ps, "good", NULL));
	NT_FAILS(NS_EIO, ns_export(ps, s, "HEAD", nt_path("new.good"), NULL));
	NT_MESSAGE_HAS("fails halfway");
	only_file_is("");
	nt_write_file(nt_path("old.good"), "old\n", 4);
	o.overwrite = 1;
	NT_FAILS(NS_EIO, ns_export(ps, s, "HEAD", nt_path("old.good"), &o));
	text = nt_slurp(nt_path("old.good"), &size);
	cr_assert_str_eq(text, "old\n");
	free(text);
	only_file_is("old.good");
	ns_plugins_free(ps);
	ns_store_close(s);
}

Test(formats_loader, an_existing_file_is_replaced_only_when_asked)
{
	ns_store *s = store_of("net");
	ns_plugins *ps = NULL;
	ns_export_opts o = NS_EXPORT_OPTS_INIT;
	size_t size;
	char *text;
	NT_OK(load(&ps, "good", NULL));
	nt_write_file(nt_path("x.good"), "old\n", 4);
	NT_FAILS(NS_EEXISTS, ns_export(ps, s, "HEAD", nt_path("x.good"), NULL));
	o.overwrite = 1;
	NT_OK(ns_export(ps, s, "HEAD", nt_path("x.good"), &o));
	text = nt_slurp(nt_path("x.good"), &size);
	cr_assert_eq(strncmp(text, "GOOD\n", 5), 0);
	free(text);
	ns_plugins_free(ps);
	ns_store_close(s);
}

/* ------------------------------------------------ the files an export writes */

static unsigned mode_of(const char *path)
{
	struct stat st;
	cr_assert_eq(lstat(path, &st), 0, "'%s': %s", path, strerror(errno));
	return (unsigned)(st.st_mode & 07777);
}

Test(formats_loader, a_new_file_gets_0666_less_the_umask)
{
	ns_store *s = store_of("net");
	ns_plugins *ps = NULL;
	NT_OK(load(&ps, "good", NULL));
	umask(022);
	NT_OK(ns_export(ps, s, "HEAD", nt_path("a.good"), NULL));
	cr_assert_eq(mode_of(nt_path("a.good")), 0644, "mode %03o", mode_of(nt_path("a.good")));
	umask(077);
	NT_OK(ns_export(ps, s, "HEAD", nt_path("b.good"), NULL));
	cr_assert_eq(mode_of(nt_path("b.good")), 0600, "mode %03o", mode_of(nt_path("b.good")));
	umask(002);
	NT_OK(ns_export(ps, s, "HEAD", nt_path("c.good"), NULL));
	cr_assert_eq(mode_of(nt_path("c.good")), 0664, "mode %03o", mode_of(nt_path("c.good")));
	umask(022);
	ns_plugins_free(ps);
	ns_store_close(s);
}

Test(formats_loader, a_replaced_file_keeps_its_mode)
{
	ns_store *s = store_of("net");
	ns_plugins *ps = NULL;
	ns_export_opts o = NS_EXPORT_OPTS_INIT;
	size_t size;
	char *text;
	NT_OK(load(&ps, "good", NULL));
	o.overwrite = 1;
	umask(077);
	nt_write_file(nt_path("x.good"), "old\n", 4);
	cr_assert_eq(chmod(nt_path("x.good"), 0640), 0);
	NT_OK(ns_export(ps, s, "HEAD", nt_path("x.good"), &o));
	cr_assert_eq(mode_of(nt_path("x.good")), 0640, "mode %03o", mode_of(nt_path("x.good")));
	text = nt_slurp(nt_path("x.good"), &size);
	cr_assert_eq(strncmp(text, "GOOD\n", 5), 0, "not replaced: '%s'", text);
	free(text);
	/* 0644 stays 0644, not the 0600 a temporary file has. */
	cr_assert_eq(chmod(nt_path("x.good"), 0644), 0);
	NT_OK(ns_export(ps, s, "HEAD", nt_path("x.good"), &o));
	cr_assert_eq(mode_of(nt_path("x.good")), 0644, "mode %03o", mode_of(nt_path("x.good")));
	only_file_is("x.good");
	umask(022);
	ns_plugins_free(ps);
	ns_store_close(s);
}

Test(formats_loader, a_replaced_file_keeps_its_owner_when_root_replaces_it)
{
	ns_store *s;
	ns_plugins *ps = NULL;
	ns_export_opts o = NS_EXPORT_OPTS_INIT;
	struct stat st;
	if (geteuid() != 0)
		cr_skip_test("only root can give a file to another user");
	s = store_of("net");
	NT_OK(load(&ps, "good", NULL));
	nt_write_file(nt_path("x.good"), "old\n", 4);
	cr_assert_eq(chown(nt_path("x.good"), 4321, 4322), 0);
	o.overwrite = 1;
	NT_OK(ns_export(ps, s, "HEAD", nt_path("x.good"), &o));
	cr_assert_eq(lstat(nt_path("x.good"), &st), 0);
	cr_assert_eq(st.st_uid, 4321);
	cr_assert_eq(st.st_gid, 4322);
	cr_assert_eq(st.st_size, (off_t)strlen("GOOD\nnet\nP 3\nQ 5\n"));
	ns_plugins_free(ps);
	ns_store_close(s);
}

/* An export with overwrite to @name (made by the caller) is refused as
 * "@what", and @name is left as it was: @kind, as ls -l says it ('p', 'l',
 * 'd'). */
static void not_replaced(ns_plugins *ps, ns_store *s, const char *name, const char *what,
			 char kind)
{
	ns_export_opts o = NS_EXPORT_OPTS_INIT;
	char msg[512];
	struct stat st;
	o.overwrite = 1;
	NT_FAILS(NS_EINVAL, ns_export(ps, s, "HEAD", nt_path(name), &o));
	snprintf(msg, sizeof msg, "%s': not a regular file (%s): refusing to replace it", name,
		 what);
	NT_MESSAGE_HAS(msg);
	cr_assert_eq(lstat(nt_path(name), &st), 0);
	cr_assert(kind == 'p'   ? S_ISFIFO(st.st_mode)
		  : kind == 'l' ? S_ISLNK(st.st_mode)
				: S_ISDIR(st.st_mode),
		  "'%s' was replaced", name);
	/* Without overwrite: exists, as any file. */
	NT_FAILS(NS_EEXISTS, ns_export(ps, s, "HEAD", nt_path(name), NULL));
}

Test(formats_loader, only_a_regular_file_is_replaced)
{
	ns_store *s = store_of("net");
	ns_plugins *ps = NULL;
	size_t size;
	char *text;
	NT_OK(load(&ps, "good", NULL));
	cr_assert_eq(mkfifo(nt_path("fifo.good"), 0644), 0);
	not_replaced(ps, s, "fifo.good", "a FIFO", 'p');
	nt_write_file(nt_path("target"), "target\n", 7);
	cr_assert_eq(symlink("target", nt_path("link.good")), 0);
	not_replaced(ps, s, "link.good", "a symbolic link", 'l');
	text = nt_slurp(nt_path("target"), &size);
	cr_assert_str_eq(text, "target\n");
	free(text);
	cr_assert_eq(symlink("nowhere", nt_path("dangling.good")), 0);
	not_replaced(ps, s, "dangling.good", "a symbolic link", 'l');
	cr_assert_eq(mkdir(nt_path("dir.good"), 0755), 0);
	not_replaced(ps, s, "dir.good", "a directory", 'd');
	/* No temporary file was left (the folder holds only what we made). */
	only_file_is("dangling.good\ndir.good\nfifo.good\nlink.good\ntarget");
	ns_plugins_free(ps);
	ns_store_close(s);
}

Test(formats_loader, a_device_is_refused_before_anything_is_written)
{
	/* The "fail" network fails its export halfway: were the check missing
	 * or late, the export would fail in the plugin and never reach the
	 * rename that would put a regular file in place of /dev/null. */
	ns_store *s = store_of("fail");
	ns_plugins *ps = NULL;
	ns_export_opts o = NS_EXPORT_OPTS_INIT;
	struct stat st;
	NT_OK(load(&ps, "good", NULL));
	o.overwrite = 1;
	o.format = "good";
	NT_FAILS(NS_EINVAL, ns_export(ps, s, "HEAD", "/dev/null", &o));
	NT_MESSAGE_HAS("file '/dev/null': not a regular file (a character device): refusing to "
		       "replace it");
	cr_assert_eq(stat("/dev/null", &st), 0);
	cr_assert(S_ISCHR(st.st_mode), "/dev/null is no longer a device");
	ns_plugins_free(ps);
	ns_store_close(s);
}

Test(formats_loader, a_plugin_error_without_message_names_the_plugin)
{
	ns_store *s = store_of("silent");
	ns_plugins *ps = NULL;
	NT_OK(load(&ps, "good", NULL));
	NT_FAILS(NS_EIO, ns_export(ps, s, "HEAD", nt_path("x.good"), NULL));
	NT_MESSAGE_HAS("plugin 'good' export returned -4");
	ns_plugins_free(ps);
	ns_store_close(s);
}

Test(formats_loader, the_probe_wins_over_the_extension)
{
	ns_store *s = store_of("net");
	ns_plugins *ps = NULL;
	uint64_t v = 0;
	NT_OK(load(&ps, "good", NULL));
	nt_write_file(nt_path("looks.mat"), "GOOD\nother\nR 2\n", 16);
	NT_OK(ns_import(&v, ps, s, nt_path("looks.mat"), NULL));
	cr_assert_eq(v, 2);
	ns_plugins_free(ps);
	ns_store_close(s);
}

Test(formats_loader, unknown_bytes_are_described)
{
	ns_store *s = store_of("net");
	ns_plugins *ps = NULL;
	NT_OK(load(&ps, "good", NULL));
	nt_write_file(nt_path("x.data"), "hello world", 11);
	NT_FAILS(NS_EFORMAT, ns_import(NULL, ps, s, nt_path("x.data"), NULL));
	NT_MESSAGE_HAS("x.data");
	NT_MESSAGE_HAS("68 65 6c 6c 6f");
	nt_write_file(nt_path("x.npz"), "PK\3\4rest", 8);
	NT_FAILS(NS_EUNSUPPORTED, ns_import(NULL, ps, s, nt_path("x.npz"), NULL));
	NT_MESSAGE_HAS(".npz");
	NT_FAILS(NS_ENOTFOUND, ns_import(NULL, ps, s, nt_path("missing.data"), NULL));
	NT_MESSAGE_HAS("missing.data");
	cr_assert_eq(nt_stats(s).versions, 1);
	ns_plugins_free(ps);
	ns_store_close(s);
}

Test(formats_loader, a_format_override_that_is_not_loaded_is_named)
{
	ns_store *s = store_of("net");
	ns_plugins *ps = NULL;
	ns_export_opts o = NS_EXPORT_OPTS_INIT;
	o.format = "mat";
	NT_OK(load(&ps, "good", NULL));
	NT_FAILS(NS_ENOTFOUND, ns_export(ps, s, "HEAD", nt_path("x.good"), &o));
	NT_MESSAGE_HAS("no format plugin 'mat'");
	ns_plugins_free(ps);
	ns_store_close(s);
}

/* With the build's gzip plugin beside the good format. */
static int load_with_gzip(ns_plugins **out)
{
	const char *dirs[] = { module_dir("good"), NSNAP_TEST_PLUGIN_DIR, NULL };
	return ns_plugins_new(out, dirs, NS_PLUGINS_NO_ENV | NS_PLUGINS_NO_DEFAULT);
}

Test(formats_loader, a_damaged_trailer_fails_even_when_the_format_stops_early)
{
	ns_store *s = store_of("net");
	ns_plugins *ps = NULL;
	char cmd[8192], *gz, *text = malloc(1 << 20);
	size_t size;
	uint32_t x = 1;
	/* Bytes after the end mark that the format never reads, incompressible,
	 * so that the gzip trailer lies far past what the import reads. */
	memcpy(text, "GOOD\nnet\nR 2\nEND\n", 18);
	for (size_t i = 18; i < 1 << 20; i++) {
		x = x * 1664525u + 1013904223u;
		text[i] = (char)(x >> 24);
	}
	NT_OK(load_with_gzip(&ps));
	nt_write_file(nt_path("x.good"), text, 1 << 20);
	free(text);
	snprintf(cmd, sizeof cmd, "gzip -n '%s'", nt_path("x.good"));
	cr_assert_eq(system(cmd), 0);
	gz = nt_slurp(nt_path("x.good.gz"), &size);
	gz[size - 8] ^= 0x55; /* the CRC-32 */
	nt_write_file(nt_path("x.good.gz"), gz, size);
	free(gz);
	NT_FAILS(NS_EFORMAT, ns_import(NULL, ps, s, nt_path("x.good.gz"), NULL));
	NT_MESSAGE_HAS("x.good.gz");
	cr_assert_eq(nt_stats(s).versions, 1);
	ns_plugins_free(ps);
	ns_store_close(s);
}

Test(formats_loader, a_gzip_file_too_short_for_its_probe_is_called_damaged)
{
	ns_store *s = store_of("net");
	ns_plugins *ps = NULL;
	NT_OK(load_with_gzip(&ps));
	nt_write_file(nt_path("cut.data.gz"), "\x1f\x8b", 2);
	NT_FAILS(NS_EFORMAT, ns_import(NULL, ps, s, nt_path("cut.data.gz"), NULL));
	NT_MESSAGE_HAS("too short or damaged");
	ns_plugins_free(ps);
	ns_store_close(s);
}

Test(formats_loader, listing_plugins_needs_places_for_the_results)
{
	ns_plugins *ps;
	NT_FAILS(NS_EINVAL, ns_plugins_new(NULL, NULL, NS_PLUGINS_NO_ENV | NS_PLUGINS_NO_DEFAULT));
	NT_MESSAGE_HAS("ns_plugins_new: out must not be NULL");
	NT_OK(ns_plugins_new(&ps, NULL, NS_PLUGINS_NO_ENV | NS_PLUGINS_NO_DEFAULT));
	NT_FAILS(NS_EINVAL, ns_plugins_at(NULL, ps, 0));
	NT_MESSAGE_HAS("ns_plugins_at: out must not be NULL");
	ns_plugins_free(ps);
}
