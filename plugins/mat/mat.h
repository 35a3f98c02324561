/* SPDX-License-Identifier: MIT */
/* The mat plugin's private interface: the plugin and matio's plumbing
 * (mat.c), a structural check of MAT v5 bytes before matio reads them
 * (check5.c), MATLAB's naming rules and the renaming (names.c), loading a
 * file's variables (load.c) and reading them with care (matvar.c), import
 * of ANNarchy's layout (read.c) and export (write.c). */
#ifndef NSNAP_PLUGIN_MAT_H
#define NSNAP_PLUGIN_MAT_H

#include <nsnap/plugin.h>

#include "budget.h"
#include "number.h"

#include <matio.h>
#include <stddef.h>
#include <stdint.h>

extern const ns_host *host;

/* MATLAB's longest variable or field name (namelengthmax). */
#define MT_NAME_MAX 63

/* The variables nsnap adds to ANNarchy's layout: renamed names, and its
 * own record of what the layout has no place for (README.md). */
#define MT_NAMES_VAR "nsnap_names"
#define MT_RECORD_VAR "nsnap"

/* matio's messages are caught instead of printed: forget them, test
 * whether one came (warnings and worse), and read the first. */
void mt_log_reset(void);
int mt_log_failed(void);
const char *mt_log_text(void);

/* args->path, or "(stream)". */
const char *mt_path(const ns_plugin_args *args);

/* Check the MAT v5 file *@p data (*@p n bytes, header included, a buffer
 * of host->alloc): every element fits in its parent, arrays hold as many
 * bytes as their dimensions say, compressed elements inflate to one such
 * array. matio trusts those sizes (it allocates and loops by them), so
 * they are checked first, and set to what scipy reads where a writer
 * declared them too large (Octave 7); compressed variables are inflated,
 * so *data may be replaced by a larger buffer. NS_OK or NS_EFORMAT naming
 * @p path and the variable. */
int mt_check_v5(unsigned char **data, size_t *n, const char *path);

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

/* Make the MATLAB_class attributes of the MAT v7.3 file @tmp (a private
 * copy of file @path) what matio reads: h5py and hdf5storage write them
 * padded with NULs (or of variable length), which matio cannot read. */
int mt_h5_fix(const char *tmp, const char *path);

/* The variables of the MAT file @in (@path for messages), in the file's
 * order, and its size in *@bytes: the header is checked (a v5 file whole,
 * by mt_check_v5()) before matio reads a private temporary copy. *out (*n
 * variables) is freed with mt_vars_free(); written only on success. */
int mt_load(matvar_t ***out, size_t *n, uint64_t *bytes, ns_istream *in, const char *path);
void mt_vars_free(matvar_t **vars, size_t n);

int mt_import(ns_network **out, ns_istream *in, const ns_plugin_args *args);
int mt_export(ns_ostream *out, const ns_network *net, const ns_plugin_args *args);

/* A private temporary file (mkstemp in $TMPDIR or /tmp) for matio, which
 * works on names: @p name gets its path, to unlink by the caller. */
int mt_tmpfile(char *name, size_t size, const char *path);

/* An NS_EFORMAT error naming file @path, then variable @var and field
 * @field when not NULL; returns NS_EFORMAT. */
int mt_fail(const char *path, const char *var, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* An NS_ENOMEM error; returns NS_ENOMEM. */
int mt_oom(void);

/* Fields of a 1x1 struct, or the file's variables as the fields of one
 * object. */
typedef struct mt_fields {
	matvar_t **v;
	char *const *names; /* NULL: each v[i]->name */
	size_t n;
	const char *var;    /* the variable, for messages and renamed names */
} mt_fields;

/* Field @name of @f, or NULL. */
matvar_t *mt_field(const mt_fields *f, const char *name);
/* The fields of struct @st (variable @var): 1 when it is a 1x1 struct whose
 * fields all have names and values, else 0. */
int mt_fields_of(mt_fields *f, const matvar_t *st, const char *var);

/* The number of elements of @v (0 without dimensions). */
uint64_t mt_count(const matvar_t *v);
/* The element type of a numeric or logical array; 0 when it is not one. */
int mt_dtype(ns_dtype *t, const matvar_t *v);
/* A numeric array whose data matio holds for its count: 1, else 0. */
int mt_numeric(const matvar_t *v);
/* Element @i of @v as the number it is (plugins/common/number.h): 1, or
 * 0 when @v is not of a numeric class. */
int mt_num(nsp_num *out, const matvar_t *v, size_t i);
/* Store element @i of @v as element @k of the @t array @data when it fits
 * @t exactly: NS_OK, else an error naming file @path, variable @var and
 * its field @field (a double 1e300 is no i64: refused, not cast). */
int mt_put(void *data, ns_dtype t, size_t k, const matvar_t *v, size_t i, const char *path,
	   const char *var, const char *field);
/* A count or rank: a whole number from 0 to @max. */
int mt_whole(uint64_t *out, const matvar_t *v, size_t i, int64_t max);

/* Row @row of the char array @v (trailing blanks cut) in a new string:
 * UTF-16 (v7.3, and nsnap's non-ASCII text) becomes UTF-8; bytes stay.
 * 1, 0 for a damaged array, -1 out of memory. */
int mt_str_row(char **out, const matvar_t *v, size_t row);
/* A string field (a char row, or the first row of a char matrix) of file
 * @path, in a new string; *out is NULL when a field not @required is
 * missing or an empty numeric array. */
int mt_get_str(char **out, const char *path, const mt_fields *f, const char *name, int required);

/* A list of names: a char matrix (one per row), a cell of strings, or an
 * empty array. @n is SIZE_MAX when the field is missing. */
typedef struct mt_strs {
	char **s;
	size_t n;
} mt_strs;

/* The list field @name of file @path; on failure @l holds the names read
 * so far, for mt_strs_free(). */
int mt_get_strs(mt_strs *l, const char *path, const mt_fields *f, const char *name);
void mt_strs_free(mt_strs *l);
/* 1 when @l holds @s. */
int mt_in_strs(const mt_strs *l, const char *s);

/* Rows of a projection: a numeric matrix of @n rows, or a cell of @n
 * numeric vectors. */
typedef struct mt_rows {
	const matvar_t *v;
	size_t n, k;
	int cell;
} mt_rows;

/* The rows of @v: 1 when it is @n rows, else 0. */
int mt_rows_of(mt_rows *o, const matvar_t *v, size_t n);
size_t mt_row_len(const mt_rows *o, size_t i);
/* The array and position of element @j of row @i. */
const matvar_t *mt_row_at(const mt_rows *o, size_t i, size_t j, size_t *pos);

/* A table of nsnap's record: a cell of n rows, the first @width members
 * of each row strings, read into s (row after row). */
typedef struct mt_table {
	const matvar_t *v;
	char **s;
	size_t n, width;
} mt_table;

/* Member (@row, @col) of table @t's cell. */
const matvar_t *mt_cell_at(const mt_table *t, size_t row, size_t col);
/* String @col of row @row. */
const char *mt_table_str(const mt_table *t, size_t row, size_t col);

/* nsnap's own variable MT_RECORD_VAR (record.c); its tables point into
 * the variable read. */
typedef struct mt_record {
	int present;
	char *name;     /* the network's, or NULL */
	double t, dt;
	int has_t, has_dt;
	mt_table dict, objects, attrs, semiglobal, arrays;
} mt_record;

/* Check variable @v (NULL: none) of file @path and take it into @r (to
 * free with mt_record_free(), on failure too). */
int mt_record_read(mt_record *r, const char *path, const matvar_t *v);
void mt_record_free(mt_record *r);
/* Set the time in ms, dt and dictionary of @net from @r. */
int mt_record_network(const mt_record *r, ns_network *net, const char *path);
/* Add the arrays of @r (its table 'arrays') to @net, whose objects are
 * read. */
int mt_record_arrays(const mt_record *r, ns_network *net, const char *path);
/* The type of object @obj, or NULL. */
const char *mt_record_type(const mt_record *r, const char *obj);
/* The kind, scope and type of attribute @obj.@attr: 1, or 0 when not
 * recorded. */
int mt_record_attr(const mt_record *r, const char *obj, const char *attr, ns_attr_kind *kind,
		   ns_scope *scope, ns_dtype *dtype);
/* The whole array of semiglobal attribute @obj.@attr, or NULL. */
const matvar_t *mt_record_semiglobal(const mt_record *r, const char *obj, const char *attr);

#endif
