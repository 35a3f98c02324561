/* SPDX-License-Identifier: MIT */
/* Printing numbers: the one shortest-double printer of the library and the
 * nsnap command (it has no dependencies, so both build it in). */
#define _XOPEN_SOURCE 700 /* newlocale, uselocale */
#include "util.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The C locale's notation, whatever setlocale() the host program made: a
 * German locale would print 0.5 as "0,5". Made once, kept for the
 * process (uselocale() switches the calling thread only). */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

const char *ns__shortest_double(char buf[32], double v)
{
	locale_t old = (locale_t)0;
	if (isnan(v))
		return strcpy(buf, "nan");
	if (isinf(v))
		return strcpy(buf, v < 0 ? "-inf" : "inf");
	pthread_once(&c_locale_once, make_c_locale);
	if (c_locale)
		old = uselocale(c_locale);
	for (int prec = 6; prec <= 17; prec++) { /* 6: 1000, not 1e+03 */
		snprintf(buf, 32, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (c_locale)
		uselocale(old);
	return buf;
}
