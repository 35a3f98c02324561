/* The mat plugin's private interface: the plugin and matio's plumbing
 * (mat.c), a structural check of MAT v5 bytes before matio reads them
 * (check5.c), MATLAB's naming rules and the renaming (names.c), import
 * (read.c) and export (write.c). */
#ifndef NSNAP_PLUGIN_MAT_H
#define NSNAP_PLUGIN_MAT_H

#include <nsnap/plugin.h>

#include <matio.h>
#include <stddef.h>
#include <stdint.h>

extern const ns_host *mt_host;

/* MATLAB's longest variable or field name (namelengthmax). */
#define MT_NAME_MAX 63

/* Variables of ANNarchy's layout, and the one nsnap adds for renamed names. */
#define MT_NAMES_VAR "nsnap_names"

/* matio's messages are caught instead of printed: forget them, test
 * whether one came (warnings and worse), and read the first. */
void mt_log_reset(void);
int mt_log_failed(void);
const char *mt_log_text(void);

/* args->path, or "(stream)". */
const char *mt_path(const ns_plugin_args *args);

/* Check the MAT v5 file @p data (@p n bytes, header included): every
 * element fits in its parent, arrays hold as many bytes as their
 * dimensions say, compressed elements inflate to one such array. matio
 * trusts those sizes (it allocates and loops by them), so they are checked
 * first. NS_OK or NS_EFORMAT naming @p path and the variable. */
int mt_check_v5(const unsigned char *data, size_t n, const char *path);

/* 1 when @p s follows MATLAB's rules: 1 to 63 characters, a letter first,
 * then letters, digits and '_'. */
int mt_name_valid(const char *s);

/* The MATLAB name for @p name (see README.md: "Renaming"): bytes other than
 * letters, digits and '_' become "_XX" (hex), an 'x' goes first when the
 * result does not start with a letter, and a name still too long is cut
 * and ends with '_' and 8 hex digits of a hash of the original. */
void mt_name_escape(char out[MT_NAME_MAX + 1], const char *name);

/* A growing table of renamed names: key ("var" or "var.field") and the
 * original name; written as MT_NAMES_VAR, an n x 2 cell of strings. */
typedef struct mt_names {
	char **keys, **originals;
	size_t n, cap;
} mt_names;

int mt_names_add(mt_names *t, const char *key, const char *original);
/* The original of @p key, or NULL. */
const char *mt_names_find(const mt_names *t, const char *key);
void mt_names_free(mt_names *t);

int mt_import(ns_network **out, ns_istream *in, const ns_plugin_args *args);
int mt_export(ns_ostream *out, const ns_network *net, const ns_plugin_args *args);

/* A private temporary file (mkstemp in $TMPDIR or /tmp) for matio, which
 * works on names: @p name gets its path, to unlink by the caller. */
int mt_tmpfile(char *name, size_t size, const char *path);

#endif
