/* SPDX-License-Identifier: MIT */
/* The memo of a store handle: for each keyed array it committed (see
 * ns_commit_add_fill_keyed()), the key and the chunk hashes it got, so that
 * a commit of the same content need not produce it again to hash it. One
 * entry per array name (the latest); chunk hashes are pure functions of the
 * content, so an entry stays true whatever other writers do, and a chunk a
 * gc freed since is produced and stored again. The chunk size is part of
 * what an entry is for (it is fixed per store). Guarded by the handle's
 * lock: commits of several threads meet here outside their transactions. */
#include "internal.h"

#include <stdlib.h>

struct memo_entry {
	char *name;
	uint8_t key[NS_CONTENT_KEY_SIZE];
	ns_dtype dtype;
	uint64_t count;
	uint8_t *hashes;
	size_t size;
};

static struct memo_entry *find(ns_store *s, const char *name)
{
	for (size_t i = 0; i < s->n_memo; i++)
		if (!strcmp(s->memo[i].name, name))
			return &s->memo[i];
	return NULL;
}

int ns__memo_get(ns_store *s, const char *name, const uint8_t *key, ns_dtype dtype,
		 uint64_t count, uint8_t *hashes)
{
	const struct memo_entry *e;
	int found;
	pthread_mutex_lock(&s->lock);
	e = find(s, name);
	found = e && e->dtype == dtype && e->count == count &&
		!memcmp(e->key, key, NS_CONTENT_KEY_SIZE);
	if (found)
		memcpy(hashes, e->hashes, e->size);
	pthread_mutex_unlock(&s->lock);
	return found;
}

static void put(ns_store *s, const char *name, const uint8_t *key, ns_dtype dtype,
		uint64_t count, const uint8_t *hashes, size_t size)
{
	struct memo_entry *e = find(s, name), *grown;
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		return;
	if (!e) {
		char *dup = strdup(name);
		if (!dup || !(grown = realloc(s->memo, (s->n_memo + 1) * sizeof *s->memo))) {
			free(dup);
			free(copy);
			return;
		}
		s->memo = grown;
		e = &s->memo[s->n_memo++];
		e->name = dup;
		e->hashes = NULL;
	}
	free(e->hashes);
	memcpy(copy, hashes, size);
	memcpy(e->key, key, NS_CONTENT_KEY_SIZE);
	e->dtype = dtype;
	e->count = count;
	e->hashes = copy;
	e->size = size;
}

void ns__memo_put(ns_store *s, const char *name, const uint8_t *key, ns_dtype dtype,
		  uint64_t count, const uint8_t *hashes, size_t size)
{
	pthread_mutex_lock(&s->lock);
	put(s, name, key, dtype, count, hashes, size);
	pthread_mutex_unlock(&s->lock);
}

void ns__memo_free(ns_store *s)
{
	for (size_t i = 0; i < s->n_memo; i++) {
		free(s->memo[i].name);
		free(s->memo[i].hashes);
	}
	free(s->memo);
	s->memo = NULL;
	s->n_memo = 0;
}

int ns_version_array_has_key(const ns_version *v, uint64_t array, const uint8_t *key)
{
	ns_store *s = ns__version_store(v);
	ns_array_info info;
	const struct memo_entry *e;
	int same;
	if (!key || ns_version_array_at(&info, v, array) < 0)
		return 0;
	pthread_mutex_lock(&s->lock);
	e = find(s, info.name);
	same = e && e->dtype == info.dtype && e->count == info.count &&
	       e->size == NS_HASH_SIZE * info.n_chunks &&
	       !memcmp(e->key, key, NS_CONTENT_KEY_SIZE) && !memcmp(e->hashes, info.hashes, e->size);
	pthread_mutex_unlock(&s->lock);
	return same;
}
