/* SPDX-License-Identifier: MIT */
/* Numbers of a file, exactly (plugins/common/number.c): what the pickle,
 * npz and mat plugins share to store a file's value in an attribute only
 * when it fits the attribute's element type, never through a cast out of
 * range (undefined behaviour) or a trip through double (which rounds
 * 2^53 + 1). */
#ifndef NSNAP_PLUGINS_COMMON_NUMBER_H
#define NSNAP_PLUGINS_COMMON_NUMBER_H

#include <nsnap/plugin.h>

/* A number as the file has it: an integer as itself, a float as a double;
 * NSP_BIG an integer beyond int64 (f about its value). */
typedef enum nsp_num_kind { NSP_INT, NSP_FLOAT, NSP_BIG } nsp_num_kind;
typedef struct nsp_num {
	nsp_num_kind kind;
	int64_t i;
	double f;
} nsp_num;

/* Whether @x is an integer within [@lo, @hi]: 1 with it in *@i, else 0. */
int nsp_whole(const nsp_num *x, int64_t lo, int64_t hi, int64_t *i);

/* Store @x as element @i of a @t array: 1, or 0 (nothing stored) when it
 * does not fit @t exactly: an integer beyond int64, a float that is no
 * integer or out of range for an integer type, a finite double beyond
 * f32's range. Integers become f64 and f32 rounded, as Python's float(). */
int nsp_put(void *data, ns_dtype t, size_t i, const nsp_num *x);

/* Why @x does not fit @t, for a message: "the value 1e+300, which does
 * not fit i64". */
const char *nsp_misfit(char buf[160], const nsp_num *x, ns_dtype t);

#endif
