/* SPDX-License-Identifier: MIT */
/* The host side of the plugin ABI: the function table plugins call. */
#include "internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local int log_verbose;

static int host_error(int code, const char *fmt, ...)
{
	va_list ap;
	if (code >= 0)
		code = NS_EPLUGIN;
	va_start(ap, fmt);
	ns_err_v(code, fmt, ap);
	va_end(ap);
	return code;
}

static void host_log(ns_log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info" };
	va_list ap;
	if (level > NS_LOG_WARNING && !log_verbose)
		return;
	fprintf(stderr, "nsnap: %s: ", names[level <= NS_LOG_INFO ? level : NS_LOG_INFO]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The length of the name of option @opt ("name=value" or "name"). */
static size_t option_name_len(const char *opt)
{
	const char *eq = strchr(opt, '=');
	return eq ? (size_t)(eq - opt) : strlen(opt);
}

static const char *host_option(const ns_plugin_args *args, const char *name)
{
	const char *value = NULL;
	size_t len = strlen(name);
	for (const char *const *o = args->options; o && *o; o++)
		if (option_name_len(*o) == len && strncmp(*o, name, len) == 0)
			value = (*o)[len] == '=' ? *o + len + 1 : "";
	return value;
}

int ns__options_check(const ns_plugin *fmt, const char *const *options)
{
	const char *const *known = ns__plugin_options(fmt);
	char list[512] = "";
	size_t used = 0;

	for (const char *const *o = options; o && *o; o++) {
		size_t len = option_name_len(*o);
		const char *const *k = known;
		while (k && *k && !(strlen(*k) == len && strncmp(*k, *o, len) == 0))
			k++;
		if (len > 0 && k && *k)
			continue;
		for (k = known; k && *k && used < sizeof list; k++)
			used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
						 used ? ", " : "", *k);
		return ns_err(NS_EINVAL, "format '%s' has no option '%.*s' (%s%s)", fmt->name,
			      (int)len, *o, used ? "its options: " : "it takes none", list);
	}
	return NS_OK;
}

static ptrdiff_t host_read(ns_istream *in, void *buf, size_t n)
{
	return ns__istream_read(in, buf, n);
}

static int host_write(ns_ostream *out, const void *buf, size_t n)
{
	return ns__ostream_write(out, buf, n);
}

static const char *host_last_error(void)
{
	return ns_error_last()->message;
}

const ns_host ns__host_table = {
	.abi_version = NS_PLUGIN_ABI_VERSION,
	.struct_size = sizeof(ns_host),
	.alloc = malloc,
	.realloc = realloc,
	.free = free,
	.error = host_error,
	.log = host_log,
	.read = host_read,
	.write = host_write,
	.network_new = ns_network_new,
	.network_free = ns_network_free,
	.network_name = ns_network_name,
	.network_set_time = ns_network_set_time,
	.network_time = ns_network_time,
	.network_set_dt = ns_network_set_dt,
	.network_dt = ns_network_dt,
	.network_set_meta = ns_network_set_meta,
	.network_meta_count = ns_network_meta_count,
	.network_meta_at = ns_network_meta_at,
	.population_add = ns_population_add,
	.projection_add = ns_projection_add,
	.projection_set_synapses = ns_projection_set_synapses,
	.projection_synapses = ns_projection_synapses,
	.projection_connectivity = ns_projection_connectivity,
	.network_object_count = ns_network_object_count,
	.network_object_at = ns_network_object_at,
	.network_object_find = ns_network_object_find,
	.object_get_info = ns_object_get_info,
	.attr_add = ns_attr_add,
	.object_attr_count = ns_object_attr_count,
	.object_attr_at = ns_object_attr_at,
	.object_attr_find = ns_object_attr_find,
	.attr_get_info = ns_attr_get_info,
	.attr_data = ns_attr_data,
	.attr_read = ns_attr_read,
	.dtype_size = ns_dtype_size,
	.dtype_name = ns_dtype_name,
	.last_error = host_last_error,
	.option = host_option,
	.read_all = ns__istream_read_all,
	.attr_kind_name = ns_attr_kind_name,
	.scope_name = ns_scope_name,
	.attr_add_array = ns_attr_add_array,
	.network_attr_add = ns_network_attr_add,
	.network_attr_count = ns_network_attr_count,
	.network_attr_at = ns_network_attr_at,
	.network_attr_find = ns_network_attr_find,
};

void ns__host_enter(int verbose)
{
	log_verbose = verbose;
	ns_error_clear();
}

int ns__host_result(int rc, const ns_plugin *p, const char *what)
{
	if (rc > 0)
		return ns_err(NS_EPLUGIN, "plugin '%s' %s returned %d, not an nsnap error code",
			      p->name, what, rc);
	if (rc < 0 && ns_error_last()->code == NS_OK)
		return ns_err(rc, "plugin '%s' %s returned %d (%s)", p->name, what, rc,
			      ns_strerror(rc));
	return rc;
}
