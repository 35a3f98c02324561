/* SPDX-License-Identifier: MIT */
/* The log of the power-loss recorder (rec.c), read by the replayer
 * (replay.c): one record per file-system call on the watched folder, in
 * the order the calls happened, each a header and its payload. */
#ifndef NSNAP_TESTS_CRASH_REC_H
#define NSNAP_TESTS_CRASH_REC_H

#include <stdint.h>

/* The environment of a recorded program: the log to append to, and the
 * folder whose files are recorded (it must exist when the program starts). */
#define NSR_ENV_LOG "NSNAP_CRASH_LOG"
#define NSR_ENV_DIR "NSNAP_CRASH_DIR"

#define NSR_MAGIC 0x3152534eu /* "NSR1" */

enum nsr_op {
	NSR_OPEN = 1,  /* a file of the folder opened: payload its name */
	NSR_WRITE,     /* off, len: payload the bytes written */
	NSR_TRUNC,     /* ftruncate to off */
	NSR_SYNC,      /* fsync, fdatasync, msync(MS_SYNC) or an O_DSYNC write's end */
	NSR_DIRSYNC,   /* fsync of the folder itself */
	NSR_RENAME,    /* payload "old\0new" (names in the folder) */
	NSR_LINK,      /* payload "old\0new" */
	NSR_UNLINK,    /* payload the name */
	NSR_MAPWRITE,  /* the file is mapped shared and writable: contents unknown */
	NSR_MARK,      /* a line of the recorded program (ns_crashrec_mark) */
	NSR_UNSUPPORTED, /* a call the model cannot follow: payload says which */
};

/* Flags of NSR_OPEN and NSR_SYNC. */
enum {
	NSR_F_CREATED = 1u << 0, /* the open created the file */
	NSR_F_TRUNC = 1u << 1,   /* O_TRUNC */
	NSR_F_DSYNC = 1u << 2,   /* O_DSYNC/O_SYNC: each write is durable on return */
};

struct nsr_head {
	uint32_t magic, op;
	uint64_t ino;  /* the file's inode number (0 for the folder, marks) */
	uint64_t off;  /* offset of a write, size of a truncation */
	uint64_t len;  /* payload bytes */
	uint32_t flags;
	uint32_t pid;  /* of the caller, for messages */
};

/* Record @text as a mark (e.g. "commit 3 returned"); a no-op when the
 * program is not recorded. Defined by the recorder's library. */
void ns_crashrec_mark(const char *text);

/* End the process with _exit(0) right after its @n-th barrier from now,
 * as a kill would (what was written stays in the page cache). */
void ns_crashrec_exit_after(unsigned n);

#endif
