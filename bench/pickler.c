/* SPDX-License-Identifier: MIT */
/* The pickle side of engine_bench; see pickler.h. */
#include "pickler.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"

extern char **environ;

static void pickler_fail(pickler *p, const char *fmt, ...)
{
	va_list ap;
	if (!p->ok && p->why[0])
		return; /* the first reason is the one to give */
	p->ok = 0;
	va_start(ap, fmt);
	vsnprintf(p->why, sizeof p->why, fmt, ap);
	va_end(ap);
}

static void cloexec(int fd)
{
	check_sys(fcntl(fd, F_SETFD, FD_CLOEXEC) != 0, "fcntl", "pipe");
}

void pickler_start(pickler *p, const char *python, const char *script, const char *path,
		   char *const *args)
{
	char *argv[64];
	int to_child[2], from_child[2], n = 0, rc;
	posix_spawn_file_actions_t fa;

	p->ok = 0;
	if (access(python, X_OK) != 0) {
		pickler_fail(p, "%s: %s (install python3-numpy)", python, strerror(errno));
		return;
	}
	if (access(script, R_OK) != 0) {
		pickler_fail(p, "%s: %s", script, strerror(errno));
		return;
	}
	argv[n++] = (char *)python;
	argv[n++] = (char *)script;
	argv[n++] = "--serve";
	argv[n++] = (char *)path;
	for (; *args; args++) {
		if (n + 1 >= (int)(sizeof argv / sizeof argv[0]))
			die("pickle_baseline.py: too many arguments");
		argv[n++] = *args;
	}
	argv[n] = NULL;

	check_sys(pipe(to_child) != 0 || pipe(from_child) != 0, "pipe", script);
	/* our ends must not leak into the child, or it never sees end of input */
	cloexec(to_child[1]);
	cloexec(from_child[0]);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, to_child[0], 0);
	posix_spawn_file_actions_adddup2(&fa, from_child[1], 1);
	posix_spawn_file_actions_addclose(&fa, to_child[0]);
	posix_spawn_file_actions_addclose(&fa, from_child[1]);
	rc = posix_spawn(&p->pid, python, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(to_child[0]);
	close(from_child[1]);
	if (rc != 0) {
		p->pid = 0;
		close(to_child[1]);
		close(from_child[0]);
		pickler_fail(p, "cannot run %s: %s", python, strerror(rc));
		return;
	}
	p->to = fdopen(to_child[1], "w");
	p->from = fdopen(from_child[0], "r");
	if (!p->to || !p->from)
		die("fdopen: %s", strerror(errno));
	p->ok = 1;
}

/* Send @cmd (NULL: nothing) and read one line of answer into @line. */
static int pickler_ask(pickler *p, const char *cmd, char *line, size_t size)
{
	if (!p->ok)
		return -1;
	if ((cmd && (fprintf(p->to, "%s\n", cmd) < 0 || fflush(p->to) != 0)) ||
	    !fgets(line, (int)size, p->from)) {
		pickler_fail(p, "pickle_baseline.py stopped answering (see its messages above)");
		return -1;
	}
	line[strcspn(line, "\n")] = '\0';
	return 0;
}

void pickler_ready(pickler *p, uint64_t bytes)
{
	char line[1024];
	unsigned long long its_bytes;
	if (pickler_ask(p, NULL, line, sizeof line) != 0)
		return;
	if (strncmp(line, "skip ", 5) == 0)
		pickler_fail(p, "%s", line + 5);
	else if (sscanf(line, "ready %llu", &its_bytes) != 1)
		pickler_fail(p, "pickle_baseline.py said '%s', not 'ready'", line);
	else if (its_bytes != bytes)
		pickler_fail(p, "pickle_baseline.py built %llu bytes of arrays, not %" PRIu64,
			     its_bytes, bytes);
}

double pickler_time(pickler *p, const char *cmd)
{
	char line[1024], word[16];
	double t;
	long long size = -1;
	if (pickler_ask(p, cmd, line, sizeof line) != 0)
		return NAN;
	if (sscanf(line, "%15s %lf %lld", word, &t, &size) < 2 || strcmp(word, cmd) != 0) {
		pickler_fail(p, "pickle_baseline.py answered '%s' to '%s'", line, cmd);
		return NAN;
	}
	if (size >= 0)
		p->file_bytes = size;
	return t;
}

void pickler_stop(pickler *p)
{
	char line[1024];
	int status;
	if (p->to) {
		fputs("quit\n", p->to);
		fclose(p->to);
	}
	if (p->from) {
		while (fgets(line, sizeof line, p->from)) /* its medians: we have ours */
			;
		fclose(p->from);
	}
	if (p->pid > 0)
		waitpid(p->pid, &status, 0);
	p->to = p->from = NULL;
	p->pid = 0;
}
