/* SPDX-License-Identifier: MIT */
/* Export, last step: the file. matio writes the variables (time_step and
 * net_id as 1x1 int64, one 1x1 struct per population and projection,
 * nsnap_names when names were renamed, obj_names, then nsnap's record)
 * into a private temporary file, which is then copied into the stream;
 * import checks the objects obj_names and the record list, so a cut file
 * is not a smaller network. */
#include "write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* MAT v5 sizes are 32-bit; MATLAB's limit for one variable is 2^31-1. */
#define V5_MAX_BYTES ((uint64_t)INT32_MAX)
#define COPY_CHUNK ((size_t)64 << 10)

/* ------------------------------------------------------------------ sizes */

/* About the bytes object @o takes in a v5 file: its arrays, and tags and
 * headers for each array (a cell row costs one). */
static uint64_t estimate(const wobj *o)
{
	uint64_t bytes = 4096, rows = 0, n = 0;
	if (o->oi.kind == NS_PROJECTION) {
		n = host->projection_synapses(o->obj);
		rows = n; /* at most one row per synapse: the upper bound is enough */
		bytes += 16 * n + 64 * rows;
	}
	for (size_t a = 0; a < o->oi.n_attrs; a++) {
		ns_attr_info ai;
		host->attr_get_info(&ai, host->object_attr_at(o->obj, a));
		bytes += 128 + ai.count * host->dtype_size(ai.dtype) +
			 (ai.scope == NS_LOCAL ? 64 * rows : 0);
	}
	return bytes;
}

/* ----------------------------------------------------------------- export */

/* An on/off option: absent or "0", "no", "false", "off" is off. */
static int flag(int *out, const wr *w, const ns_plugin_args *args, const char *name)
{
	const char *v = host->option(args, name);
	*out = 0;
	if (!v || strcmp(v, "0") == 0 || strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "off") == 0)
		return NS_OK;
	if (!*v || strcmp(v, "1") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "on") == 0) {
		*out = 1;
		return NS_OK;
	}
	return host->error(NS_EINVAL, "file '%s': option %s=%s of the mat format: give %s, "
			      "%s=1 or %s=0", w->path, name, v, name, name, name);
}

static int write_var(wr *w, matvar_t *v, const char *var)
{
	int failed;
	if (!v)
		return host->error(NS_ENOMEM, "file '%s': variable '%s': out of memory", w->path,
				      var);
	mt_log_reset();
	failed = Mat_VarWrite(w->mat, v, w->compress) != 0 || mt_log_failed();
	Mat_VarFree(v);
	if (failed)
		return host->error(NS_EIO, "file '%s': variable '%s': matio cannot write it: %s",
				      w->path, var, mt_log_text());
	return NS_OK;
}

static int write_names(wr *w)
{
	size_t dims[2] = { w->names.n, 2 };
	matvar_t *v = Mat_VarCreate(MT_NAMES_VAR, MAT_C_CELL, MAT_T_CELL, 2, dims, NULL, 0);
	for (size_t i = 0; v && i < w->names.n; i++) {
		matvar_t *k = mt_mk_str(w->names.keys[i]), *o = mt_mk_str(w->names.originals[i]);
		if (!k || !o) {
			Mat_VarFree(k);
			Mat_VarFree(o);
			Mat_VarFree(v);
			return write_var(w, NULL, MT_NAMES_VAR);
		}
		Mat_VarSetCell(v, (int)i, k);
		Mat_VarSetCell(v, (int)(i + w->names.n), o);
	}
	return write_var(w, v, MT_NAMES_VAR);
}

static int write_obj_names(wr *w)
{
	static const char *const fields[] = { "populations", "projections", NULL };
	size_t dims[2] = { 1, 1 };
	matvar_t *st = Mat_VarCreateStruct2("obj_names", 2, dims, fields);
	const char **list = host->alloc(w->n_objs * sizeof *list + 1);
	int rc = NS_OK;
	for (int kind = 0; st && list && kind < 2; kind++) {
		size_t n = 0;
		matvar_t *f;
		for (size_t i = 0; i < w->n_objs; i++)
			if ((int)w->objs[i].oi.kind == kind)
				list[n++] = w->objs[i].var;
		f = n ? mt_mk_strs(list, n) : mt_mk_num(NS_DTYPE_F64, 0, 0, NULL);
		if (!f) {
			Mat_VarFree(st);
			st = NULL;
			break;
		}
		Mat_VarSetStructFieldByName(st, fields[kind], 0, f);
	}
	host->free((void *)list);
	rc = write_var(w, st, "obj_names");
	return rc;
}

/* Deflate one v5 element (@n bytes: tag and data) into an miCOMPRESSED
 * element, as MATLAB writes them. matio's own compressed writer declares
 * sizes that do not match the arrays it writes (1.5.23: a struct's size
 * counts small elements as full ones), so nsnap compresses matio's plain
 * output instead. */
static int put_compressed(ns_ostream *out, const unsigned char *el, size_t n, const char *path)
{
	uLongf zn = compressBound((uLong)n);
	unsigned char *z = host->alloc((size_t)zn + 8);
	int rc;
	if (!z)
		return mt_oom();
	if (compress2(z + 8, &zn, el, (uLong)n, Z_DEFAULT_COMPRESSION) != Z_OK || zn > UINT32_MAX) {
		host->free(z);
		return host->error(NS_EIO, "file '%s': zlib cannot compress a variable", path);
	}
	for (int k = 0; k < 4; k++) {
		z[k] = (unsigned char)(15u >> (8 * k));
		z[4 + k] = (unsigned char)((uint32_t)zn >> (8 * k));
	}
	rc = host->write(out, z, (size_t)zn + 8);
	host->free(z);
	return rc;
}

/* matio's file into the stream; a v5 file's variables compressed one by
 * one when @compress. */
static int copy_out(ns_ostream *out, const char *tmp, const char *path, int compress)
{
	unsigned char *buf = NULL;
	size_t n = 0, got;
	FILE *fp = fopen(tmp, "rb");
	int rc = NS_OK;

	if (!fp)
		return host->error(NS_EIO, "file '%s': cannot read back matio's temporary file "
				      "'%s'", path, tmp);
	if (!compress) {
		if (!(buf = host->alloc(COPY_CHUNK))) {
			rc = mt_oom();
			goto done;
		}
		while (rc == NS_OK && (got = fread(buf, 1, COPY_CHUNK, fp)) > 0)
			rc = host->write(out, buf, got);
	} else {
		unsigned char head[128];
		if (fread(head, 1, sizeof head, fp) != sizeof head) {
			rc = host->error(NS_EIO, "file '%s': matio wrote no header", path);
			goto done;
		}
		rc = host->write(out, head, sizeof head);
		while (rc == NS_OK && fread(head, 1, 8, fp) == 8) {
			size_t len = (size_t)head[4] | (size_t)head[5] << 8 | (size_t)head[6] << 16 |
				     (size_t)head[7] << 24;
			unsigned char *p;
			if (len + 8 > n) {
				if (!(p = host->realloc(buf, len + 8))) {
					rc = mt_oom();
					goto done;
				}
				buf = p;
				n = len + 8;
			}
			memcpy(buf, head, 8);
			if (fread(buf + 8, 1, len, fp) != len) {
				rc = host->error(NS_EIO, "file '%s': matio's temporary file '%s' "
						    "is cut short", path, tmp);
				goto done;
			}
			rc = put_compressed(out, buf, len + 8, path);
		}
	}
	if (rc == NS_OK && ferror(fp))
		rc = host->error(NS_EIO, "file '%s': cannot read back matio's temporary file "
				    "'%s'", path, tmp);
done:
	fclose(fp);
	host->free(buf);
	return rc;
}

int mt_export(ns_ostream *out, const ns_network *net, const ns_plugin_args *args)
{
	wr w = { mt_path(args), 0, MAT_COMPRESSION_NONE, NULL, { 0 }, NULL, 0 };
	const char *version = host->option(args, "version");
	enum mat_ft ft = MAT_FT_MAT5;
	char tmp[4096] = "";
	uint64_t step = 0;
	int64_t v64;
	int rc, compress;

	if (version && strcmp(version, "7.3") == 0)
		ft = MAT_FT_MAT73;
	else if (version && strcmp(version, "5") != 0)
		return host->error(NS_EINVAL, "file '%s': option version=%s of the mat format: "
				      "give version=5 or version=7.3", w.path, version);
	if ((rc = flag(&compress, &w, args, "compress")) < 0 ||
	    (rc = flag(&w.rename, &w, args, "rename")) < 0 || (rc = mt_plan_names(&w, net)) < 0)
		goto done;
	for (size_t i = 0; ft == MAT_FT_MAT5 && i < w.n_objs; i++)
		if (estimate(&w.objs[i]) > V5_MAX_BYTES) {
			host->log(NS_LOG_WARNING, "file '%s': %s '%s' is too large for MAT v5 "
				     "(2 GiB per variable); writing MAT v7.3 (HDF5) instead", w.path,
				     w.objs[i].oi.kind == NS_POPULATION ? "population" :
				     "projection", w.objs[i].oi.name);
			ft = MAT_FT_MAT73;
		}
	/* v5: compressed by copy_out(); v7.3: by HDF5 through matio */
	w.compress = compress && ft == MAT_FT_MAT73 ? MAT_COMPRESSION_ZLIB : MAT_COMPRESSION_NONE;
	if ((rc = mt_tmpfile(tmp, sizeof tmp, w.path)) < 0)
		goto done;
	mt_log_reset();
	if (!(w.mat = Mat_CreateVer(tmp, NULL, ft)) || mt_log_failed()) {
		rc = host->error(NS_EIO, "file '%s': matio cannot create a MAT %s file: %s",
				    w.path, ft == MAT_FT_MAT73 ? "v7.3" : "v5", mt_log_text());
		goto done;
	}
	host->network_time(net, NULL, &step);
	v64 = (int64_t)step;
	if ((rc = write_var(&w, Mat_VarCreate("time_step", MAT_C_INT64, MAT_T_INT64, 2,
					      (size_t[2]){ 1, 1 }, &v64, 0), "time_step")) < 0)
		goto done;
	v64 = 0;
	if ((rc = write_var(&w, Mat_VarCreate("net_id", MAT_C_INT64, MAT_T_INT64, 2,
					      (size_t[2]){ 1, 1 }, &v64, 0), "net_id")) < 0)
		goto done;
	for (size_t i = 0; i < w.n_objs; i++) {
		matvar_t *v = NULL;
		rc = w.objs[i].oi.kind == NS_POPULATION ? mt_build_population(&v, &w, &w.objs[i]) :
		     mt_build_projection(&v, &w, &w.objs[i]);
		if (rc < 0 || (rc = write_var(&w, v, w.objs[i].var)) < 0)
			goto done;
	}
	if ((w.names.n && (rc = write_names(&w)) < 0) || (rc = write_obj_names(&w)) < 0)
		goto done;
	{
		matvar_t *rec = NULL;
		if ((rc = mt_build_record(&rec, &w, net)) < 0 ||
		    (rc = write_var(&w, rec, MT_RECORD_VAR)) < 0)
			goto done;
	}
	mt_log_reset();
	rc = Mat_Close(w.mat);
	w.mat = NULL;
	if (rc != 0 || mt_log_failed()) {
		rc = host->error(NS_EIO, "file '%s': matio cannot finish the file: %s", w.path,
				    mt_log_text());
		goto done;
	}
	if ((rc = copy_out(out, tmp, w.path, compress && ft == MAT_FT_MAT5)) < 0)
		goto done;
	if (args && args->verbose)
		host->log(NS_LOG_INFO, "file '%s': MAT %s%s, %zu objects%s", w.path,
			     ft == MAT_FT_MAT73 ? "v7.3" : "v5", compress ? " compressed" : "",
			     w.n_objs, w.names.n ? ", names renamed (see nsnap_names)" : "");
done:
	if (w.mat)
		Mat_Close(w.mat);
	if (tmp[0])
		unlink(tmp);
	for (size_t i = 0; i < w.n_objs; i++)
		host->free(w.objs[i].fields);
	host->free(w.objs);
	mt_names_free(&w.names);
	return rc;
}
