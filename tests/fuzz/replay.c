/* Replay driver: runs a fuzz target over saved inputs, so that CTest checks
 * the corpus on every build without libFuzzer. Each input is also replayed
 * cut at every length and with single bytes flipped, so that a small corpus
 * still walks the parser's error paths. A crash or a sanitizer report fails
 * the test; a parser's error return is expected.
 *
 *   fuzz_X_replay FILE_OR_DIR...
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long runs;

static void replay(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size + 1);
	if (!copy)
		exit(2);
	for (size_t cut = 0; cut <= size; cut++) {
		memcpy(copy, data, cut);
		LLVMFuzzerTestOneInput(copy, cut);
		runs++;
	}
	for (size_t i = 0; i < size; i++) {
		memcpy(copy, data, size);
		copy[i] ^= (uint8_t)(0x01u << (i % 8)) | 0x80u;
		LLVMFuzzerTestOneInput(copy, size);
		runs++;
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
	replay(buf, (size_t)n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned files = 0;
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
