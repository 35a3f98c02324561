/* SPDX-License-Identifier: MIT */
/* The layer's per-thread last error, and the vote that gives every rank
 * the same result. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#define MESSAGE_MAX 1024

static _Thread_local char message[MESSAGE_MAX];
static _Thread_local ns_error last = { NS_OK, "" };
/* The last error is the result of a vote already: every rank holds it. */
static _Thread_local int agreed;

const ns_error *ns_mpi_error_last(void)
{
	return &last;
}

static int set_v(int code, const char *suffix, const char *fmt, va_list ap)
{
	char tmp[MESSAGE_MAX];
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	if (n < 0)
		n = 0;
	if (suffix && (size_t)n < sizeof tmp)
		snprintf(tmp + n, sizeof tmp - (size_t)n, ": %s", suffix);
	memcpy(message, tmp, sizeof message);
	last.code = code;
	last.message = message;
	agreed = 0;
	return code;
}

int nsm_err(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_v(code, NULL, fmt, ap);
	va_end(ap);
	return code;
}

int nsm_err_ns(int code, const char *fmt, ...)
{
	const ns_error *e = ns_error_last();
	va_list ap;
	va_start(ap, fmt);
	set_v(code, e->message[0] ? e->message : ns_strerror(code), fmt, ap);
	va_end(ap);
	return code;
}

int nsm_err_wrap(int code, const char *fmt, ...)
{
	char old[MESSAGE_MAX];
	va_list ap;
	memcpy(old, message, sizeof old);
	va_start(ap, fmt);
	set_v(code, old, fmt, ap);
	va_end(ap);
	return code;
}

int nsm_agree(MPI_Comm comm, int rc)
{
	int rank, size, mine, first, code = rc;
	char msg[MESSAGE_MAX];
	MPI_Comm_rank(comm, &rank);
	MPI_Comm_size(comm, &size);
	if (rc < 0 && agreed && last.code == rc)
		mine = -1; /* a vote inside: the result holds on every rank */
	else
		mine = rc < 0 ? rank : size;
	MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm);
	if (first == size)
		return NS_OK;
	if (first < 0) {
		agreed = 1;
		return rc;
	}
	if (rank == first) {
		if (last.code == NS_OK || !last.message[0])
			nsm_err(rc, "%s", ns_strerror(rc));
		snprintf(msg, sizeof msg, "%s", last.message);
	}
	MPI_Bcast(&code, 1, MPI_INT, first, comm);
	MPI_Bcast(msg, (int)sizeof msg, MPI_CHAR, first, comm);
	msg[sizeof msg - 1] = '\0';
	nsm_err(code, "rank %d: %s", first, msg);
	agreed = 1;
	return code;
}

int nsm_agreed(int rc)
{
	if (rc < 0)
		agreed = 1;
	return rc;
}
