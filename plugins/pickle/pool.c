/* SPDX-License-Identifier: MIT */
/* The safe pickle reader's pool of values (reader.h): values made in
 * slabs, shared values, and every allocation charged to the import's
 * budget, so that a file whose values need more than a small multiple of
 * its size is refused before it exhausts memory. */
#include "reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int pk_fail(pk_reader *r, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return host->error(code, "file '%s': byte %llu: %s", r->path, (unsigned long long)r->op,
			   msg);
}

int pk_oom(pk_reader *r)
{
	char lim[192];
	if (r->over)
		return pk_fail(r, NS_ENOMEM, "the pickle's values need more than %s",
			       nsp_budget_text(lim, r->budget));
	return pk_fail(r, NS_ENOMEM, "out of memory");
}

/* Grow block @p of @old bytes to @size, charged to the budget; NULL when
 * it is refused (r->over says if the budget did). */
void *pk_realloc(pk_reader *r, void *p, size_t old, size_t size)
{
	void *q;
	if (size > old && nsp_charge(r->budget, size - old + (p ? 0 : PK_MALLOC_OVERHEAD)) < 0) {
		r->over = 1;
		return NULL;
	}
	q = host->realloc(p, size);
	if (!q && size > old)
		r->budget->used -= size - old + (p ? 0 : PK_MALLOC_OVERHEAD);
	return q;
}

void *pk_alloc(pk_reader *r, size_t size)
{
	return pk_realloc(r, NULL, 0, size ? size : 1);
}

/* Room in *@p (of *@cap elements of @elem bytes) for @need: exactly @need
 * at first (most containers are made whole), then by half again. */
int pk_grow(pk_reader *r, void **p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap;
	void *q;
	if (need <= c)
		return 0;
	c = c ? c + c / 2 : need;
	if (c < need)
		c = need;
	if (c > SIZE_MAX / elem || !(q = pk_realloc(r, *p, *cap * elem, c * elem)))
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

pv *pk_pv_new(pk_reader *r, pv_type t)
{
	pv *v;
	/* (values given back leave their slab to be used again) */
	if (r->npool / PK_SLAB >= r->nslabs) {
		pv *slab;
		if (pk_grow(r, (void **)&r->slabs, &r->slabcap, r->nslabs + 1, sizeof *r->slabs) < 0 ||
		    !(slab = pk_alloc(r, PK_SLAB * sizeof *slab)))
			return NULL;
		r->slabs[r->nslabs++] = slab;
	}
	v = &r->slabs[r->npool / PK_SLAB][r->npool % PK_SLAB];
	r->npool++;
	memset(v, 0, sizeof *v);
	v->t = (unsigned char)t;
	return v;
}

void pk_pool_give_back(pk_reader *r, pv *const *items, size_t count)
{
	size_t j = r->npool;
	for (size_t k = count; k-- > 0 && j > 0;) {
		pv *v = items[k];
		if (v != &r->slabs[(j - 1) / PK_SLAB][(j - 1) % PK_SLAB])
			break;
		/* only plain numbers, which own nothing, and not shared ones */
		if (v->memoized || !(v->t == PV_FLOAT || (v->t == PV_INT && (v->i < 0 || v->i >= PK_INTS))))
			break;
		j--;
	}
	r->npool = j;
}

/* The shared value in *@slot, made when first asked for. */
pv *pk_shared(pk_reader *r, pv **slot, pv_type t, int64_t i)
{
	if (!*slot && (*slot = pk_pv_new(r, t)))
		(*slot)->i = i;
	return *slot;
}

void pk_reader_free(pk_reader *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->npool; i++) {
		pv *v = &r->slabs[i / PK_SLAB][i % PK_SLAB];
		if (!v->borrowed)
			host->free(v->s); /* or v->items: they share their place */
		if (v->t == PV_ARRAY)
			host->free(v->shape);
	}
	for (size_t k = 0; k < r->nslabs; k++)
		host->free(r->slabs[k]);
	host->free(r->slabs);
	host->free(r->stack);
	host->free(r->marks);
	host->free(r->memo);
	host->free(r->ints);
	host->free(r->win);
	host->free(r);
}

const char *pv_type_name(const pv *v)
{
	static const char *const names[] = { "None", "a bool", "an int", "a float", "a str",
					     "bytes", "a tuple", "a list", "a dict", "a global",
					     "a numpy dtype", "a numpy array", "a mark",
					     "an int beyond 64 bits" };
	if (v && v->t == PV_ARRAY && v->dtype->kind == 'O')
		return "a numpy array of objects";
	if (pk_list_packed(v))
		return "a list";
	return v ? names[v->t] : "nothing";
}

pv *pv_dict_get(const pv *d, const char *key)
{
	if (!d || d->t != PV_DICT)
		return NULL;
	/* The last of duplicate keys wins, as in Python. */
	for (size_t i = d->len; i >= 2; i -= 2) {
		const pv *k = d->items[i - 2];
		if (k->t == PV_STR && strcmp(k->s, key) == 0)
			return d->items[i - 1];
	}
	return NULL;
}

int pk_reader_new(pk_reader **out, const char *path, nsp_budget *budget)
{
	pk_reader *r;
	if (nsp_charge(budget, sizeof *r) < 0 || !(r = host->alloc(sizeof *r)))
		return host->error(NS_ENOMEM, "file '%s': out of memory", path);
	memset(r, 0, sizeof *r);
	r->path = path;
	r->budget = budget;
	*out = r;
	return NS_OK;
}
