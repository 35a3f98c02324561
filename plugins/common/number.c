/* SPDX-License-Identifier: MIT */
/* Numbers of a file, exactly: see number.h. */
#include "number.h"
#include "record.h"

#include <float.h>
#include <math.h>
#include <stdio.h>

int nsp_whole(const nsp_num *x, int64_t lo, int64_t hi, int64_t *i)
{
	int64_t v;
	if (x->kind == NSP_INT)
		v = x->i;
	else if (x->kind == NSP_FLOAT && x->f == floor(x->f) && x->f >= -0x1p63 && x->f < 0x1p63)
		v = (int64_t)x->f;
	else
		return 0;
	if (v < lo || v > hi)
		return 0;
	*i = v;
	return 1;
}

int nsp_put(void *data, ns_dtype t, size_t i, const nsp_num *x)
{
	double d = x->kind == NSP_INT ? (double)x->i : x->f;
	int64_t k;
	if (x->kind == NSP_BIG)
		return 0;
	switch (t) {
	case NS_DTYPE_I64:
		if (!nsp_whole(x, INT64_MIN, INT64_MAX, &k))
			return 0;
		((int64_t *)data)[i] = k;
		return 1;
	case NS_DTYPE_I32:
		if (!nsp_whole(x, INT32_MIN, INT32_MAX, &k))
			return 0;
		((int32_t *)data)[i] = (int32_t)k;
		return 1;
	case NS_DTYPE_U8:
		if (!nsp_whole(x, 0, UINT8_MAX, &k))
			return 0;
		((uint8_t *)data)[i] = (uint8_t)k;
		return 1;
	case NS_DTYPE_BOOL:
		((uint8_t *)data)[i] = x->kind == NSP_INT ? x->i != 0 : x->f != 0;
		return 1;
	case NS_DTYPE_F32:
		if (isfinite(d) && fabs(d) > FLT_MAX)
			return 0;
		((float *)data)[i] = (float)d;
		return 1;
	default:
		((double *)data)[i] = d;
		return 1;
	}
}

const char *nsp_misfit(char buf[160], const nsp_num *x, ns_dtype t)
{
	int integer = t == NS_DTYPE_I64 || t == NS_DTYPE_I32 || t == NS_DTYPE_U8;
	if (x->kind == NSP_INT)
		snprintf(buf, 160, "the value %lld, which does not fit %s", (long long)x->i,
			 host->dtype_name(t));
	else if (x->kind == NSP_BIG)
		snprintf(buf, 160, "the value %.17g, an integer beyond 64 bits", x->f);
	else if (integer && x->f != floor(x->f))
		snprintf(buf, 160, "the value %.17g, which is not an integer (%s)", x->f,
			 host->dtype_name(t));
	else
		snprintf(buf, 160, "the value %.17g, which does not fit %s", x->f,
			 host->dtype_name(t));
	return buf;
}
