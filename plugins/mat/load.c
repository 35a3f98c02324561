/* SPDX-License-Identifier: MIT */
/* A MAT file's variables as matio reads them: the stream is read whole,
 * its header checked (a v5 file's every element too, by mt_check_v5()),
 * and copied to a private temporary file for matio, which works on names
 * (a v7.3 file's attributes made what matio reads, by mt_h5_fix()). */
#include "mat.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define HDF5_SIGNATURE "\x89HDF\r\n\x1a\n"

/* The header: v5 (checked whole, and made what matio reads) or v7.3 (an
 * HDF5 file after the block). */
static int check_header(const char *path, unsigned char **b, size_t *n)
{
	if (*n >= 128 && memcmp(*b, "MATLAB 5.0 MAT-file", 19) == 0)
		return mt_check_v5(b, n, path);
	if (*n >= 128 && memcmp(*b, "MATLAB 7.3 MAT-file", 19) == 0) {
		if (*n < 520 || memcmp(*b + 512, HDF5_SIGNATURE, 8) != 0)
			return mt_fail(path, NULL, NULL, "a MAT v7.3 header without HDF5 data "
				       "at byte 512 (damaged or cut short)");
		return NS_OK;
	}
	if (*n >= 8 && memcmp(*b, HDF5_SIGNATURE, 8) == 0)
		return mt_fail(path, NULL, NULL, "an HDF5 file without a MAT header (as Octave's "
			       "'save -hdf5' writes), not a MAT file: save it with 'save -v7' or "
			       "'save -v7.3'");
	return mt_fail(path, NULL, NULL, "not a MAT file of version 5 or 7.3 (no \"MATLAB 5.0 "
		       "MAT-file\" or \"MATLAB 7.3 MAT-file\" header%s)",
		       *n < 128 ? "; shorter than a header" : "");
}

/* Append the variables matio reads from @tmp to @vars (@n, room for @cap). */
static int read_file(matvar_t ***vars, size_t *n, size_t *cap, const char *tmp, const char *path)
{
	mat_t *m;
	matvar_t *v;
	int rc = NS_OK;

	mt_log_reset();
	if (!(m = Mat_Open(tmp, MAT_ACC_RDONLY)) || mt_log_failed()) {
		rc = mt_fail(path, NULL, NULL, "matio cannot open it: %s", mt_log_text());
		goto done;
	}
	for (;;) {
		v = Mat_VarReadNext(m);
		if (mt_log_failed()) {
			rc = mt_fail(path, v && v->name ? v->name : NULL, NULL,
				     "matio cannot read it: %s", mt_log_text());
			Mat_VarFree(v);
			goto done;
		}
		if (!v)
			break;
		if (*n == *cap) {
			size_t c = *cap ? *cap * 2 : 16;
			matvar_t **p = host->realloc(*vars, c * sizeof *p);
			if (!p) {
				Mat_VarFree(v);
				rc = mt_oom();
				goto done;
			}
			*vars = p;
			*cap = c;
		}
		(*vars)[(*n)++] = v;
	}
done:
	if (m)
		Mat_Close(m);
	return rc;
}

int mt_load(matvar_t ***out, size_t *n_out, uint64_t *bytes, ns_istream *in, const char *path)
{
	void *buf = NULL;
	char tmp[4096] = "";
	matvar_t **vars = NULL;
	size_t n = 0, n_vars = 0, cap = 0;
	uint64_t size;
	FILE *fp;
	int rc, v73;

	if ((rc = host->read_all(&buf, &n, in)) < 0)
		goto done;
	size = n; /* before check_header() makes it what matio reads */
	if ((rc = check_header(path, (unsigned char **)&buf, &n)) < 0 ||
	    (rc = mt_tmpfile(tmp, sizeof tmp, path)) < 0)
		goto done;
	if ((fp = fopen(tmp, "wb"))) {
		int short_write = fwrite(buf, 1, n, fp) != n;
		if (fclose(fp) != 0 || short_write)
			fp = NULL;
	}
	if (!fp) {
		rc = host->error(NS_EIO, "file '%s': cannot copy it to the temporary file '%s' "
				    "for matio", path, tmp);
		goto done;
	}
	v73 = memcmp(buf, "MATLAB 7.3", 10) == 0;
	host->free(buf);
	buf = NULL;
	if ((v73 && (rc = mt_h5_fix(tmp, path)) < 0) ||
	    (rc = read_file(&vars, &n_vars, &cap, tmp, path)) < 0)
		goto done;
	*out = vars;
	*n_out = n_vars;
	*bytes = size;
	vars = NULL;
	n_vars = 0;
done:
	if (tmp[0])
		unlink(tmp);
	host->free(buf);
	mt_vars_free(vars, n_vars);
	return rc;
}

void mt_vars_free(matvar_t **vars, size_t n)
{
	for (size_t i = 0; i < n; i++)
		Mat_VarFree(vars[i]);
	host->free(vars);
}
