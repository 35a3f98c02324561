/* SPDX-License-Identifier: MIT */
/* Progress of long operations (import, export, verify, gc) on stderr.
 *
 * The library reports as it reads or writes (at most every 64 KiB or 256
 * chunks), but some phases report nothing for seconds (an import storing
 * what it read), so a thread redraws the line a few times a second from the
 * last report, with the time going on. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_NS 200000000L /* 0.2 s between redraws by the thread */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	int running, stop;
	const char *label;
	char what[16];        /* the library's name of the operation */
	uint64_t done, total; /* as last reported */
	uint64_t hint;        /* the caller's idea of the size, when the library has none */
	struct timespec start;
	double full_at;       /* seconds to reach the total (0: not yet): the rate then */
	double delay;         /* seconds before the first line */
	int tty, ansi, colour, forced, shown;
	size_t width;         /* of the last line, to blank it without escapes */
} bar = { .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER };

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) * 1e-9;
}

/* Append to @line at *@n, bounded by @size. */
static void add(char *line, size_t size, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add(char *line, size_t size, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;
	if (*n >= size - 1)
		return;
	va_start(ap, fmt);
	k = vsnprintf(line + *n, size - *n, fmt, ap);
	va_end(ap);
	*n += k > 0 ? (size_t)k : 0;
	if (*n >= size)
		*n = size - 1;
}

/* Draw the line for the last report; the lock is held. */
static void draw(void)
{
	struct timespec now;
	char line[256], done[32], total[32], rate[32], tmp[48];
	int bytes = strcmp(bar.what, "import") == 0 || strcmp(bar.what, "export") == 0;
	double t, r;
	size_t n = 0, len;

	clock_gettime(CLOCK_MONOTONIC, &now);
	t = since(&bar.start, &now);
	/* Once all is read (an import then stores it), the reading's rate. */
	r = bar.full_at > 0 ? (double)bar.done / bar.full_at : t > 0 ? (double)bar.done / t : 0;
	if (bytes) {
		cli_bytes(done, bar.done);
		cli_bytes(total, bar.total ? bar.total : bar.hint);
		snprintf(rate, sizeof rate, "%s/s", cli_bytes(tmp, (uint64_t)r));
	} else {
		snprintf(done, sizeof done, "%llu", (unsigned long long)bar.done);
		snprintf(total, sizeof total, "%llu", (unsigned long long)bar.total);
		snprintf(rate, sizeof rate, "%.0f %s/s", r, bar.what[0] ? "chunks" : "units");
	}
	add(line, sizeof line, &n, "%s", bar.label);
	if (bar.total && bar.done <= bar.total) {
		int width = 30, full = (int)((double)bar.done / (double)bar.total * width);
		char hashes[31];
		for (int i = 0; i < width; i++)
			hashes[i] = i < full ? '#' : '.';
		hashes[width] = '\0';
		if (bar.colour)
			add(line, sizeof line, &n, " [\033[32m%s\033[0m]", hashes);
		else
			add(line, sizeof line, &n, " [%s]", hashes);
		add(line, sizeof line, &n, " %3d%% %s of %s%s",
		    (int)(100.0 * (double)bar.done / (double)bar.total), done, total,
		    bytes ? "" : " chunks");
		if (strcmp(bar.what, "import") == 0 && bar.done == bar.total)
			add(line, sizeof line, &n, " read at %s, storing", rate);
		else
			add(line, sizeof line, &n, ", %s", rate);
	} else if (bar.hint) {
		add(line, sizeof line, &n, " %s written (the arrays: %s), %s", done, total, rate);
	} else {
		add(line, sizeof line, &n, " %s%s, %s", done, bytes ? "" : " chunks", rate);
	}
	add(line, sizeof line, &n, ", %.0f s", t);
	len = n;
	if (bar.ansi) {
		fprintf(stderr, "\r\033[K%s", line);
	} else {
		fprintf(stderr, "\r%s", line);
		/* Blank what is left of a longer line before it. */
		for (size_t i = len; i < bar.width; i++)
			fputc(' ', stderr);
		if (bar.width > len)
			fprintf(stderr, "\r%s", line);
	}
	bar.width = len;
	bar.shown = 1;
	fflush(stderr);
}

static void report(void *ctx, const char *what, uint64_t done, uint64_t total)
{
	(void)ctx;
	pthread_mutex_lock(&bar.lock);
	snprintf(bar.what, sizeof bar.what, "%s", what);
	bar.done = done;
	bar.total = total;
	if (total && done >= total && bar.full_at == 0) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		bar.full_at = since(&bar.start, &now);
		bar.full_at = bar.full_at > 0 ? bar.full_at : 1e-9;
	}
	if (bar.forced)
		draw();
	pthread_mutex_unlock(&bar.lock);
}

static void *redraw(void *arg)
{
	struct timespec now, until;
	(void)arg;
	pthread_mutex_lock(&bar.lock);
	while (!bar.stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += REDRAW_NS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&bar.wake, &bar.lock, &until);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!bar.stop && bar.what[0] && since(&bar.start, &now) >= bar.delay)
			draw();
	}
	pthread_mutex_unlock(&bar.lock);
	return NULL;
}

void cli_progress_begin(struct cli *c, const char *label, uint64_t total)
{
	const char *term = getenv("TERM");
	int tty = isatty(STDERR_FILENO);

	if (c->quiet || (!c->progress && (c->json || !tty)))
		return;
	bar.label = label;
	bar.what[0] = '\0';
	bar.done = bar.total = 0;
	bar.full_at = 0;
	bar.hint = total;
	bar.tty = tty;
	bar.forced = c->progress;
	bar.delay = c->progress ? 0 : 1.0;
	bar.ansi = tty && term && *term && strcmp(term, "dumb") != 0;
	bar.colour = bar.ansi && !getenv("NO_COLOR");
	bar.shown = bar.stop = 0;
	bar.width = 0;
	clock_gettime(CLOCK_MONOTONIC, &bar.start);
	bar.running = pthread_create(&bar.thread, NULL, redraw, NULL) == 0;
	ns_progress_set(report, NULL);
}

void cli_progress_done(uint64_t done)
{
	pthread_mutex_lock(&bar.lock);
	if (bar.label && bar.what[0])
		bar.done = done;
	pthread_mutex_unlock(&bar.lock);
}

void cli_progress_end(void)
{
	ns_progress_set(NULL, NULL);
	if (!bar.label)
		return;
	pthread_mutex_lock(&bar.lock);
	bar.stop = 1;
	pthread_cond_signal(&bar.wake);
	pthread_mutex_unlock(&bar.lock);
	if (bar.running)
		pthread_join(bar.thread, NULL);
	bar.running = 0;
	if (bar.forced && bar.what[0])
		draw(); /* the last state, whatever the timing */
	if (bar.shown && !bar.tty)
		fputc('\n', stderr); /* a log keeps the last line */
	else if (bar.shown && bar.ansi)
		fputs("\r\033[K", stderr);
	else if (bar.shown) {
		fputc('\r', stderr);
		for (size_t i = 0; i < bar.width; i++)
			fputc(' ', stderr);
		fputc('\r', stderr);
	}
	fflush(stderr);
	bar.label = NULL;
	bar.shown = 0;
}
