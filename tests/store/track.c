/* SPDX-License-Identifier: MIT */
/* Write tracking (NS_STORE_TRACK_WRITES, common/track.c): a chunk is known
 * unchanged only when no byte of it was written since it was hashed, however
 * it was written; and captures of tracked arrays hold exactly the memory. */
#define _GNU_SOURCE
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h" /* store's, with track.h */

enum { PAGE = 4096, CHUNK = 4 * PAGE, CHUNKS = 8, SIZE = CHUNK * CHUNKS };

static void need_tracking(void)
{
	if (!ns__track_available())
		cr_skip_test("this kernel cannot track writes (userfaultfd's asynchronous "
			     "write-protect bits, Linux 6.7)");
}

/* One capture of [data, data + size) as the store makes it: the chunks not
 * known are hashed. Returns the known ones as a bit mask, or -1 when the
 * range could not be tracked or a known chunk's hash is not its content's
 * (no Criterion assertions: a child of fork() uses it too). */
static long try_capture(const void *data, size_t size)
{
	uint8_t hashes[64 * NS_HASH_SIZE], known[64];
	uint64_t n = (size + CHUNK - 1) / CHUNK;
	long mask = 0;
	ns_track *t;
	int count, wrong = 0;
	if (n > 64)
		return -1;
	count = ns__track_begin(&t, data, size, CHUNK, hashes, known);
	if (!t)
		return -1;
	for (uint64_t k = 0; k < n; k++) {
		size_t len = k + 1 < n ? CHUNK : size - k * CHUNK;
		uint8_t h[NS_HASH_SIZE];
		ns__chunk_hash(h, (const uint8_t *)data + k * CHUNK, len);
		if (known[k]) {
			wrong |= memcmp(h, hashes + k * NS_HASH_SIZE, NS_HASH_SIZE) != 0;
			mask |= 1l << k;
		}
		memcpy(hashes + k * NS_HASH_SIZE, h, NS_HASH_SIZE);
	}
	ns__track_end(t, hashes);
	return wrong || __builtin_popcountl((unsigned long)mask) != count ? -1 : mask;
}

static unsigned capture(const void *data, size_t size)
{
	long mask = try_capture(data, size);
	cr_assert_neq(mask, -1, "not tracked, or a chunk was known with a hash that is not its "
				"content's");
	return (unsigned)mask;
}

static uint8_t *new_pages(size_t size)
{
	uint8_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert(p != MAP_FAILED);
	for (size_t i = 0; i < size; i++)
		p[i] = (uint8_t)(i * 7 + 1);
	return p;
}

#define ALL ((1u << CHUNKS) - 1)

/* Chunk @k is hashed again, and chunks 0 and 7 (never written) are not. */
static void assert_hashed_again(uint8_t *p, unsigned k, const char *how)
{
	unsigned mask = capture(p, SIZE);
	cr_assert_eq(mask & (1u << k), 0, "a write %s was missed", how);
	cr_assert_eq(mask & 0x81u, 0x81u, "chunks never written are hashed again");
}

Test(store_track, a_chunk_written_in_any_way_is_hashed_again)
{
	need_tracking();
	uint8_t *p = new_pages(SIZE);
	int pipefd[2];

	cr_assert_eq(capture(p, SIZE), 0, "a new range has nothing known");
	cr_assert_eq(capture(p, SIZE), ALL, "nothing was written");
	p[2 * CHUNK + 5] ^= 1;
	cr_assert_eq(capture(p, SIZE), ALL & ~(1u << 2));
	/* The same bytes written again are a write all the same. */
	((volatile uint8_t *)p)[3 * CHUNK] = p[3 * CHUNK];
	assert_hashed_again(p, 3, "of the same value");
	/* By the kernel, from a pipe. */
	cr_assert_eq(pipe(pipefd), 0);
	cr_assert_eq(write(pipefd[1], "xyz", 3), 3);
	cr_assert_eq(read(pipefd[0], p + 5 * CHUNK + 100, 3), 3);
	close(pipefd[0]);
	close(pipefd[1]);
	assert_hashed_again(p, 5, "by read()");
	/* Content dropped: the page reads zeros now. */
	cr_assert_eq(madvise(p + 6 * CHUNK, PAGE, MADV_DONTNEED), 0);
	assert_hashed_again(p, 6, "by MADV_DONTNEED");
	/* Mapped anew at the same address: nothing is known. */
	cr_assert(mmap(p + CHUNK, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		       -1, 0) != MAP_FAILED);
	cr_assert_eq(capture(p, SIZE), 0, "a page mapped anew was missed");
	cr_assert_eq(capture(p, SIZE), ALL, "the range is tracked again");
	munmap(p, SIZE);
}

Test(store_track, a_chunk_that_stops_changing_is_known_again)
{
	need_tracking();
	uint8_t *p = new_pages(SIZE);
	/* Written before each capture. */
	capture(p, SIZE);
	for (int i = 0; i < 4; i++) {
		p[4 * CHUNK + i] ^= 0x55;
		cr_assert_eq(capture(p, SIZE), ALL & ~(1u << 4));
	}
	/* It stops changing: known again, two captures later (the second
	 * hash after its protection). */
	cr_assert_eq(capture(p, SIZE), ALL & ~(1u << 4));
	cr_assert_eq(capture(p, SIZE), ALL & ~(1u << 4));
	cr_assert_eq(capture(p, SIZE), ALL);
	munmap(p, SIZE);
}

Test(store_track, the_bytes_outside_whole_pages_are_compared)
{
	need_tracking();
	/* Starts 8 bytes into a page, ends 8 bytes into one: the first and
	 * last chunks share pages with other data. */
	uint8_t *base = new_pages(SIZE + 2 * PAGE), *p = base + 8;
	size_t size = SIZE - 8 + PAGE;
	uint64_t n = (size + CHUNK - 1) / CHUNK;
	unsigned all = (1u << n) - 1;
	capture(p, size);
	cr_assert_eq(capture(p, size), all);
	p[0] ^= 1;
	cr_assert_eq(capture(p, size), all & ~1u, "a write to the first page was missed");
	/* Chunk 0's pages are left writable now, the one it shares with
	 * chunk 1 too: chunk 1 is hashed again, not trusted. */
	/* The last page is whole (the array ends with it), and the last
	 * two chunks share it. */
	p[size - 1] ^= 1;
	unsigned mask = capture(p, size);
	cr_assert_eq(mask & (3u << (n - 2)), 0, "a write to the last page was missed");
	cr_assert_eq(mask & 0x3cu, 0x3cu, "chunks 2 to 5 were not written");
	/* Bytes of the shared pages that are not the array's change nothing
	 * (once the chunks written above are known again). */
	capture(p, size);
	capture(p, size);
	cr_assert_eq(capture(p, size), all);
	base[0] ^= 1;
	base[8 + size] ^= 1;
	cr_assert_eq(capture(p, size), all);
	munmap(base, SIZE + 2 * PAGE);
}

Test(store_track, a_write_past_the_last_whole_page_is_seen_in_its_chunk)
{
	need_tracking();
	/* The last 108 bytes lie past the last whole page: 8 in chunk 6,
	 * 100 in chunk 7. */
	uint8_t *base = new_pages(SIZE), *p = base + 8;
	size_t size = 7 * CHUNK + 100;
	capture(p, size);
	cr_assert_eq(capture(p, size), ALL);
	p[size - 1] ^= 1;
	cr_assert_eq(capture(p, size) & (1u << 7), 0, "a write to the last chunk was missed");
	p[7 * CHUNK - 1] ^= 1;
	cr_assert_eq(capture(p, size) & (1u << 6), 0, "a write to chunk 6 was missed");
	munmap(base, SIZE);
}

Test(store_track, chunks_forgotten_before_a_restore_are_hashed_again)
{
	need_tracking();
	uint8_t *p = new_pages(SIZE);
	capture(p, SIZE);
	cr_assert_eq(capture(p, SIZE), ALL);
	/* Chunks 1 and 2, and a byte of 3: about to be written whole. */
	ns__track_forget(p + CHUNK, 2 * CHUNK + 1);
	cr_assert_eq(ns__track_unchanged(p, SIZE), 0);
	memset(p + CHUNK, 9, 2 * CHUNK + 1);
	cr_assert_eq(capture(p, SIZE), ALL & ~0xeu);
	capture(p, SIZE);
	capture(p, SIZE);
	cr_assert_eq(capture(p, SIZE), ALL, "watched again once unchanged");
	munmap(p, SIZE);
}

Test(store_track, a_range_overlapping_a_tracked_one_replaces_it)
{
	need_tracking();
	uint8_t *p = new_pages(SIZE);
	capture(p, SIZE);
	cr_assert_eq(capture(p, SIZE), ALL);
	/* The second half on its own: the first range is no longer tracked,
	 * and its writes are not hidden by the second's protection. */
	cr_assert_eq(capture(p + SIZE / 2, SIZE / 2), 0);
	p[CHUNK] ^= 1;
	cr_assert_eq(capture(p + SIZE / 2, SIZE / 2), (1u << (CHUNKS / 2)) - 1);
	cr_assert_eq(capture(p, SIZE), 0);
	munmap(p, SIZE);
}

Test(store_track, unchanged_gives_the_same_number_until_a_byte_changes)
{
	need_tracking();
	uint8_t *p = new_pages(SIZE);
	cr_assert_eq(ns__track_unchanged(p, SIZE), 0, "never captured");
	capture(p, SIZE);
	uint64_t e = ns__track_unchanged(p, SIZE);
	cr_assert_neq(e, 0);
	capture(p, SIZE);
	cr_assert_eq(ns__track_unchanged(p, SIZE), e);
	p[7 * CHUNK + 1] ^= 1;
	cr_assert_eq(ns__track_unchanged(p, SIZE), 0, "a write was missed");
	capture(p, SIZE);
	cr_assert_eq(ns__track_unchanged(p, SIZE), 0, "the changed chunk is not verified yet");
	capture(p, SIZE);
	capture(p, SIZE);
	cr_assert_neq(ns__track_unchanged(p, SIZE), 0);
	cr_assert_neq(ns__track_unchanged(p, SIZE), e, "a change must give another number");
	munmap(p, SIZE);
}

Test(store_track, a_child_of_fork_tracks_its_own_memory)
{
	need_tracking();
	uint8_t *p = new_pages(SIZE);
	capture(p, SIZE);
	cr_assert_eq(capture(p, SIZE), ALL);
	pid_t pid = fork();
	if (pid == 0) {
		/* The parent's registrations are not the child's. */
		uint64_t known = ns__track_unchanged(p, SIZE);
		long first = try_capture(p, SIZE), second;
		p[CHUNK] ^= 1;
		second = try_capture(p, SIZE);
		_exit(!known && first == 0 && second == (ALL & ~2l) ? 0 : 1);
	}
	int status = 0;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child's tracking failed");
	cr_assert_eq(capture(p, SIZE), ALL, "the child's writes are not the parent's");
	munmap(p, SIZE);
}

/* Through the store: captures of a tracked array, written at random
 * between them, hold exactly what memory held at each capture. */
static ns_store *tracked_store(const char *name)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	o.flags = NS_STORE_CREATE | NS_STORE_TRACK_WRITES;
	o.chunk_size = CHUNK;
	NT_OK(ns_store_open(&s, nt_path(name), &o));
	return s;
}

/* A commit of @data, captured first (as ns_snapshot_async() does) or not
 * (as ns_snapshot() does). */
static uint64_t commit_of(ns_store *s, const void *data, uint64_t count, int captured)
{
	ns_commit *c = NULL;
	uint64_t v = 0;
	NT_OK(ns_commit_new(&c, s));
	NT_OK(ns_commit_add(c, "x", NS_DTYPE_U8, data, count));
	if (captured)
		NT_OK(ns_commit_capture(c, NULL));
	NT_OK(ns_commit_finish(&v, c, NULL));
	return v;
}

/* Commits (captured or not, taking turns) of a tracked array written at
 * random between them hold exactly what memory held at each. */
static void commits_hold_the_memory(int captured_first)
{
	enum { ROUNDS = 60, BIG = 24 * CHUNK + 100 };
	ns_store *s = tracked_store("t.nsnap");
	uint8_t *base = new_pages(BIG + PAGE), *p = base + 40, *expect = malloc(BIG);
	cr_assert(ns_store_tracking(s));
	srand(7);
	for (int r = 0; r < ROUNDS; r++) {
		/* Nothing, a byte, a run across chunks, or a byte set to what
		 * it was. */
		int kind = rand() % 4;
		size_t at = (size_t)rand() % BIG, len = (size_t)rand() % (2 * CHUNK);
		uint64_t nbytes = 0, v;
		char rev[32];
		if (kind == 1)
			p[at] ^= (uint8_t)(1 + rand() % 255);
		if (kind == 2)
			memset(p + at, rand(), at + len > BIG ? BIG - at : len);
		if (kind == 3)
			((volatile uint8_t *)p)[at] = p[at];
		v = commit_of(s, p, BIG, (r + captured_first) % 2);
		memcpy(expect, p, BIG);
		snprintf(rev, sizeof rev, "%llu", (unsigned long long)v);
		p[(size_t)rand() % BIG] ^= 0x80; /* for the next round */
		uint8_t *got = nt_read_array(s, rev, "x", &nbytes);
		cr_assert_eq(nbytes, BIG);
		cr_assert(memcmp(got, expect, BIG) == 0, "round %d: the version is not the memory", r);
		free(got);
	}
	ns_store_close(s);
	free(expect);
	munmap(base, BIG + PAGE);
}

Test(store_track, commits_hold_the_memory_at_each_commit, .fini = nt_tmpdir_remove)
{
	need_tracking();
	commits_hold_the_memory(0);
}

Test(store_track, commits_hold_the_memory_the_other_way_round, .fini = nt_tmpdir_remove)
{
	need_tracking();
	commits_hold_the_memory(1);
}

/* A write the page tables do not see (here through a second mapping of the
 * same memory, as a device's DMA would be) is not seen: the chunk was not
 * read again. Without tracking it is. */
static uint8_t alias_first_byte(int track, int captured)
{
	ns_store_opts o = NS_STORE_OPTS_INIT;
	ns_store *s = NULL;
	int fd = memfd_create("nsnap-track", 0);
	uint8_t *a, *b, *got, first;
	uint64_t v = 0, nbytes = 0;
	char rev[32];
	cr_assert(fd >= 0);
	cr_assert_eq(ftruncate(fd, SIZE), 0);
	a = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	b = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	cr_assert(a != MAP_FAILED && b != MAP_FAILED);
	memset(a, 1, SIZE);
	o.flags = NS_STORE_CREATE | (track ? NS_STORE_TRACK_WRITES : 0);
	o.chunk_size = CHUNK;
	NT_OK(ns_store_open(&s, nt_path(track ? "alias-t.nsnap" : "alias.nsnap"), &o));
	for (int i = 0; i < 3; i++)
		commit_of(s, a, SIZE, captured);
	b[0] = 2; /* not through a's page tables */
	v = commit_of(s, a, SIZE, captured);
	snprintf(rev, sizeof rev, "%llu", (unsigned long long)v);
	got = nt_read_array(s, rev, "x", &nbytes);
	first = got[0];
	free(got);
	ns_store_close(s);
	remove(nt_path(track ? "alias-t.nsnap" : "alias.nsnap"));
	munmap(a, SIZE);
	munmap(b, SIZE);
	close(fd);
	return first;
}

Test(store_track, chunks_known_unchanged_are_not_read_again, .fini = nt_tmpdir_remove)
{
	need_tracking();
	for (int captured = 0; captured < 2; captured++) {
		cr_assert_eq(alias_first_byte(0, captured), 2,
			     "without tracking every chunk is read");
		cr_assert_eq(alias_first_byte(1, captured), 1,
			     "with tracking an unchanged chunk is not read again (%s)",
			     captured ? "captured" : "a plain commit");
	}
}

Test(store_track, a_store_without_the_flag_does_not_track, .fini = nt_tmpdir_remove)
{
	ns_store *s = nt_store_new("plain.nsnap", CHUNK, NS_CODEC_RAW);
	cr_assert_eq(ns_store_tracking(s), 0);
	ns_store_close(s);
}
