/* SPDX-License-Identifier: MIT */
/* A program that holds the static library: how many plugins it finds with
 * no folder given, and in which folder (the install folder, last searched). */
#include <stdio.h>

#include <nsnap/nsnap.h>

int main(void)
{
	ns_plugins *ps = NULL;
	const char *const *dirs;
	size_t n = 0;

	if (ns_plugins_new(&ps, NULL, NS_PLUGINS_NO_ENV) < 0) {
		fprintf(stderr, "list_plugins: %s\n", ns_error_last()->message);
		return 1;
	}
	dirs = ns_plugins_dirs(ps);
	while (dirs[n])
		n++;
	printf("%zu plugins in %s\n", ns_plugins_count(ps), n ? dirs[n - 1] : "(no folder)");
	ns_plugins_free(ps);
	return 0;
}
