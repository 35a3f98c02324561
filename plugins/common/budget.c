/* SPDX-License-Identifier: MIT */
/* The memory budget of an import (budget.h): its limit, from the option
 * max-memory or from the file's size, and how messages name it. */
#include "budget.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "512M", "8GiB", "1048576": bytes (K, M, G and T are powers of 1024);
 * 0 for anything else. */
static uint64_t parse_size(const char *s)
{
	static const char units[] = "KMGT";
	unsigned long long v;
	unsigned shift = 0;
	const char *u;
	char *end;
	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return 0;
	if ((*end & ~0x20) && (u = strchr(units, *end & ~0x20))) {
		shift = 10 * (unsigned)(u - units + 1);
		end++;
		if ((end[0] == 'i' || end[0] == 'I') && (end[1] == 'B' || end[1] == 'b'))
			end += 2;
		else if (*end == 'B' || *end == 'b')
			end++;
	}
	if (*end || v == 0 || v > (UINT64_MAX >> shift))
		return 0;
	return (uint64_t)v << shift;
}

static uint64_t limit_for(uint64_t size)
{
	if (size > (UINT64_MAX - NSP_MEMORY_BASE) / NSP_MEMORY_FACTOR)
		return UINT64_MAX;
	return size * NSP_MEMORY_FACTOR + NSP_MEMORY_BASE;
}

int nsp_budget_init(nsp_budget *b, const ns_plugin_args *args, uint64_t file_size,
		    const char *path)
{
	const char *o = args ? host->option(args, "max-memory") : NULL;
	memset(b, 0, sizeof *b);
	if (o) {
		if (!(b->limit = parse_size(o)))
			return host->error(NS_EINVAL, "file '%s': option max-memory=%s: not a size "
					   "(bytes, or a number with K, M, G or T)", path, o);
		b->given = 1;
		return NS_OK;
	}
	b->file = file_size;
	b->growing = file_size == 0;
	b->limit = limit_for(file_size);
	return NS_OK;
}

void nsp_budget_read(nsp_budget *b, uint64_t bytes)
{
	if (b->growing && bytes > b->file) {
		b->file = bytes;
		b->limit = limit_for(bytes);
	}
}

int nsp_charge(nsp_budget *b, uint64_t bytes)
{
	if (bytes > b->limit || b->used > b->limit - bytes)
		return -1;
	b->used += bytes;
	return 0;
}

const char *nsp_size_text(char buf[32], uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)bytes;
	int u = -1;
	if (bytes < 1024) {
		snprintf(buf, 32, "%llu bytes", (unsigned long long)bytes);
		return buf;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(buf, 32, "%.1f %s", v, units[u]);
	return buf;
}

const char *nsp_budget_text(char buf[192], const nsp_budget *b)
{
	char lim[32], file[32], base[32];
	nsp_size_text(lim, b->limit);
	if (b->given)
		snprintf(buf, 192, "the import's memory limit of %s (-o max-memory)", lim);
	else
		snprintf(buf, 192, "the import's memory limit of %s (%d times the %s %s, plus "
			 "%s; -o max-memory=SIZE raises it)", lim, NSP_MEMORY_FACTOR,
			 nsp_size_text(file, b->file), b->growing ? "read" : "of the file",
			 nsp_size_text(base, NSP_MEMORY_BASE));
	return buf;
}
