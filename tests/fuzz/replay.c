/* SPDX-License-Identifier: MIT */
/* Replay driver: runs a fuzz target over saved inputs, so that CTest checks
 * the corpus on every build without libFuzzer. Each input is also replayed
 * cut at every length and with single bytes flipped, so that a small corpus
 * still walks the parser's error paths. A crash or a sanitizer report fails
 * the test; a parser's error return is expected. When a run aborts (a
 * target's check, or a sanitizer with abort_on_error=1), the input it was
 * given is written to ./replay-failure and named on standard error, to be
 * replayed alone or kept as a reproducer.
 *
 *   fuzz_X_replay FILE_OR_DIR...
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long runs;

/* The run under way, for the signal handler. */
static struct {
	char what[4200];
	const uint8_t *data;
	size_t size;
} current;

static void on_fatal(int sig)
{
	static const char msg[] = "replay: the input that failed is in ./replay-failure: ";
	int fd = open("replay-failure", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		if (write(fd, current.data, current.size) < 0) {
			/* nothing more can be done in a signal handler */
		}
		close(fd);
	}
	if (write(2, msg, sizeof msg - 1) < 0 || write(2, current.what, strlen(current.what)) < 0) {
		/* as above */
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void run(const uint8_t *data, size_t size)
{
	current.data = data;
	current.size = size;
	LLVMFuzzerTestOneInput(data, size);
	runs++;
}

static void replay(const char *path, const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size + 1);
	if (!copy)
		exit(2);
	for (size_t cut = 0; cut <= size; cut++) {
		memcpy(copy, data, cut);
		snprintf(current.what, sizeof current.what, "%s cut to %zu bytes\n", path, cut);
		run(copy, cut);
	}
	for (size_t i = 0; i < size; i++) {
		memcpy(copy, data, size);
		copy[i] ^= (uint8_t)(0x01u << (i % 8)) | 0x80u;
		snprintf(current.what, sizeof current.what, "%s with byte %zu flipped\n", path, i);
		run(copy, size);
	}
	free(copy);
}

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;
	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
		fprintf(stderr, "replay: cannot read '%s'\n", path);
		return 1;
	}
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "replay: cannot read '%s'\n", path);
		return 1;
	}
	fclose(f);
	replay(path, buf, (size_t)n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned files = 0;
	signal(SIGABRT, on_fatal);
	signal(SIGSEGV, on_fatal);
	signal(SIGBUS, on_fatal);
	signal(SIGFPE, on_fatal);
	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;
		char path[4096];
		if (stat(argv[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
			if (replay_file(argv[i]))
				return 1;
			files++;
			continue;
		}
		if (!(d = opendir(argv[i])))
			return 1;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
			if (replay_file(path))
				return 1;
			files++;
		}
		closedir(d);
	}
	printf("replay: %u inputs, %lu runs, no crash\n", files, runs);
	return files ? 0 : 1;
}
