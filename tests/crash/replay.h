/* SPDX-License-Identifier: MIT */
/* The power-loss replayer: from a recorder's log (rec.h), the files a
 * power cut could leave, written one state at a time into a folder and
 * handed to a check.
 *
 * The model. A crash point comes just before each barrier (a sync that
 * completed) and at the end of the log. At a crash point, a file holds
 * every write made before its last barrier, and any subset of the writes
 * made since (in the order they were made, so that a later write over the
 * same bytes wins when both land). Among those subsets: none, all, each
 * write alone, each prefix, random subsets of 4 KiB pages (the page
 * cache writes back pages, not calls), and writes torn at 512 and 4096
 * bytes (their first or their last sectors only). Creating, renaming,
 * linking and unlinking names are durable only after an fsync of the
 * folder; until then a prefix of them survives (ext4's journal keeps
 * their order; POSIX promises not even that, and nothing before the
 * folder's fsync: fsync of a file does not make its name durable). A file
 * mapped shared and writable (LMDB's lock file) holds unknown bytes. */
#ifndef NSNAP_TESTS_CRASH_REPLAY_H
#define NSNAP_TESTS_CRASH_REPLAY_H

#include <stddef.h>
#include <stdint.h>

typedef struct rp_log rp_log;

/* Read the log at @path. @return 0, or -1 with a message in @why. */
int rp_load(rp_log **out, const char *path, char *why, size_t cap);
void rp_free(rp_log *log);

/* One crash state, as the check sees it. */
struct rp_state {
	size_t barrier;            /* the crash comes before this barrier (0, 1, ...) */
	char where[160];           /* the barrier: its record and what it is */
	char what[512];            /* which unsynced writes and names the state holds */
	const char *const *marks;  /* the marks logged before the crash, oldest first */
	size_t n_marks;
};

struct rp_opts {
	const char *dir;   /* where each state is written (emptied first) */
	const char *label; /* names the operation in messages */
	size_t budget;     /* states to check at most, 0 for every one */
	uint64_t seed;     /* of the random subsets and of the sample */
	/* A control: replay as if the files' fsync and fdatasync had not
	 * happened (O_DSYNC writes stay barriers), which a check must catch. */
	int no_data_sync;
	size_t show;       /* failures to print, and keep (the first 3), at most */
	size_t random;     /* random subsets per crash point; 0 for 8 */
	/* Whether to check the crash points that follow these marks. */
	int (*want)(const char *const *marks, size_t n, void *ctx);
	/* Check the state written in dir: 0 when it is good, else a message. */
	int (*check)(const struct rp_state *st, void *ctx, char *why, size_t cap);
	void *ctx;
};

struct rp_counts {
	size_t points;     /* crash points checked */
	size_t candidates; /* states they give */
	size_t checked;    /* states checked (the sample, less duplicates) */
	size_t duplicates; /* sampled states equal to one checked already */
	size_t torn_meta;  /* checked states that tear a write of LMDB's meta pages */
	size_t failed;
};

/* Check the states of @log that opts->want selects; failures are printed
 * on stderr, the states of the first ones kept in "<dir>-failed-N" folders.
 * @return 0 when the replay ran (see out->failed), -1 with a message in
 * @why when the log cannot be replayed. */
int rp_run(struct rp_counts *out, rp_log *log, const struct rp_opts *opts, char *why,
	   size_t cap);

#endif
