/* SPDX-License-Identifier: MIT */
/* MATLAB's naming rules, the renaming of names that break them, and the
 * table that records the original names (README.md: "Renaming"). */
#include "mat.h"

#include <stdio.h>
#include <string.h>

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_word(unsigned char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == '_';
}

int mt_name_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > MT_NAME_MAX || !is_alpha((unsigned char)s[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!is_word((unsigned char)s[i]))
			return 0;
	return 1;
}

void mt_name_escape(char out[MT_NAME_MAX + 1], const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	char buf[3 * 256 + 2];
	size_t n = 0;
	uint32_t h = 2166136261u; /* FNV-1a of the original */

	if (!is_alpha((unsigned char)name[0]))
		buf[n++] = 'x';
	for (const unsigned char *p = (const unsigned char *)name; *p && n + 4 < sizeof buf; p++) {
		h = (h ^ *p) * 16777619u;
		if (is_word(*p)) {
			buf[n++] = (char)*p;
		} else {
			buf[n++] = '_';
			buf[n++] = hex[*p >> 4];
			buf[n++] = hex[*p & 15];
		}
	}
	if (n > MT_NAME_MAX) {
		snprintf(buf + MT_NAME_MAX - 9, 10, "_%08X", (unsigned)h);
		n = MT_NAME_MAX;
	}
	memcpy(out, buf, n);
	out[n] = '\0';
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = host->alloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

int mt_names_add(mt_names *t, const char *key, const char *original)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **k = host->realloc(t->keys, cap * sizeof *k);
		if (!k)
			return host->error(NS_ENOMEM, "out of memory");
		t->keys = k;
		if (!(k = host->realloc(t->originals, cap * sizeof *k)))
			return host->error(NS_ENOMEM, "out of memory");
		t->originals = k;
		t->cap = cap;
	}
	t->keys[t->n] = dup_str(key);
	t->originals[t->n] = dup_str(original);
	if (!t->keys[t->n] || !t->originals[t->n]) {
		host->free(t->keys[t->n]);
		host->free(t->originals[t->n]);
		return host->error(NS_ENOMEM, "out of memory");
	}
	t->n++;
	return NS_OK;
}

const char *mt_names_find(const mt_names *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->keys[i], key) == 0)
			return t->originals[i];
	return NULL;
}

void mt_names_free(mt_names *t)
{
	for (size_t i = 0; i < t->n; i++) {
		host->free(t->keys[i]);
		host->free(t->originals[i]);
	}
	host->free(t->keys);
	host->free(t->originals);
	memset(t, 0, sizeof *t);
}
