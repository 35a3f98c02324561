/* SPDX-License-Identifier: MIT */
/* A version opened as a read-only network, and reading attributes with
 * conversion. */
#include <stdint.h>

#include "engine_util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A store with the seed-1 network saved as version 1. */
static ns_store *saved(ns_codec codec, et_net *src)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, codec);
	*src = et_net_new(1, 0);
	et_snapshot(s, src->net);
	return s;
}

Test(engine_open, an_opened_network_has_the_same_objects)
{
	et_net src;
	ns_store *s = saved(NS_CODEC_RAW, &src);
	ns_network *o = NULL;
	NT_OK(ns_network_open(&o, s, "HEAD"));
	cr_assert_eq(ns_network_object_count(o), ns_network_object_count(src.net));
	for (size_t i = 0; i < ns_network_object_count(src.net); i++) {
		ns_object_info want, got;
		ns_object *obj;
		ns_object_get_info(&want, ns_network_object_at(src.net, i));
		obj = ns_network_object_find(o, want.name);
		cr_assert_not_null(obj, "%s is missing", want.name);
		ns_object_get_info(&got, obj);
		cr_assert_eq(got.kind, want.kind, "%s", want.name);
		cr_assert_eq(got.size, want.size, "%s", want.name);
		cr_assert_str_eq(got.type, want.type, "%s", want.name);
		cr_assert_eq(got.n_attrs, want.n_attrs, "%s", want.name);
		if (want.kind == NS_PROJECTION) {
			cr_assert_str_eq(got.pre, want.pre);
			cr_assert_str_eq(got.post, want.post);
			cr_assert_str_eq(got.target, want.target);
		} else {
			cr_assert_eq(got.ndim, want.ndim, "%s", want.name);
			for (unsigned d = 0; d < want.ndim; d++)
				cr_assert_eq(got.shape[d], want.shape[d]);
		}
	}
	ns_network_free(o);
	et_net_free(&src);
	ns_store_close(s);
}

Test(engine_open, an_opened_network_has_the_same_attributes_and_values)
{
	et_net src;
	ns_store *s = saved(NS_CODEC_RAW, &src);
	ns_network *o = NULL;
	NT_OK(ns_network_open(&o, s, "HEAD"));
	for (size_t k = 0; k < et_n_attrs; k++) {
		const et_attr_def *d = &et_attrs[k];
		ns_attr *a = ns_object_attr_find(ns_network_object_find(o, d->object), d->name);
		ns_attr_info info;
		void *data = NULL;
		cr_assert_not_null(a, "%s.%s is missing", d->object, d->name);
		ns_attr_get_info(&info, a);
		cr_assert_eq(info.kind, d->kind, "%s.%s", d->object, d->name);
		cr_assert_eq(info.scope, d->scope, "%s.%s", d->object, d->name);
		cr_assert_eq(info.dtype, d->dtype, "%s.%s", d->object, d->name);
		cr_assert_eq(info.count, d->count, "%s.%s", d->object, d->name);
		cr_assert_eq(info.bound, 0, "an opened network's arrays are not the simulator's");
		NT_OK(ns_attr_data(&data, a));
		cr_assert(memcmp(data, et_array(src.st, d), d->count * ns_dtype_size(d->dtype)) == 0,
			  "%s.%s differs", d->object, d->name);
	}
	ns_network_free(o);
	et_net_free(&src);
	ns_store_close(s);
}

Test(engine_open, an_opened_network_has_the_time_step_and_dt)
{
	et_net src;
	ns_store *s = saved(NS_CODEC_RAW, &src);
	ns_network *o = NULL;
	NT_OK(ns_network_open(&o, s, "HEAD"));
	et_assert_clock_eq(et_clock_of(o), et_clock_of(src.net));
	ns_network_free(o);
	et_net_free(&src);
	ns_store_close(s);
}

/* Small chunks sit at any even address in the map: a view when aligned,
 * else a copy, but always aligned for the type and equal. */
Test(engine_open, a_small_attribute_is_aligned_and_equal)
{
	et_net src;
	ns_store *s = saved(NS_CODEC_RAW, &src);
	ns_network *o = NULL;
	void *data = NULL;
	NT_OK(ns_network_open(&o, s, "HEAD"));
	NT_OK(ns_attr_data(&data, ns_object_attr_find(ns_network_object_find(o, "E"), "v")));
	cr_assert_neq(data, (void *)src.st->e_v);
	cr_assert_eq((uintptr_t)data % 8, 0, "E.v at %p is not aligned for f64", data);
	cr_assert(memcmp(data, src.st->e_v, sizeof src.st->e_v) == 0);
	ns_network_free(o);
	et_net_free(&src);
	ns_store_close(s);
}

Test(engine_open, a_one_chunk_attribute_of_a_full_chunk_is_a_view_into_the_store_map)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	enum { M = 512 }; /* exactly one chunk of 4096 bytes */
	double *v = malloc(M * sizeof *v);
	ns_network *net = NULL, *o = NULL;
	ns_object *p = NULL;
	ns_attr *a = NULL;
	void *data = NULL;
	for (int i = 0; i < M; i++)
		v[i] = i * 0.25;
	NT_OK(ns_network_new(&net, "n"));
	NT_OK(ns_population_add(&p, net, "P", M, NULL, 0, NULL));
	NT_OK(ns_attr_add(&a, p, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, v, 0));
	et_snapshot(s, net);
	NT_OK(ns_network_open(&o, s, "HEAD"));
	NT_OK(ns_attr_data(&data, ns_object_attr_find(ns_network_object_find(o, "P"), "v")));
	cr_assert_neq(data, (void *)v);
	cr_assert(nt_in_file_mapping(data, ns_store_path(s)),
		  "P.v at %p is not inside a mapping of the store file", data);
	cr_assert(memcmp(data, v, M * sizeof *v) == 0);
	ns_network_free(o);
	ns_network_free(net);
	free(v);
	ns_store_close(s);
}

Test(engine_open, an_attribute_of_several_chunks_is_read_whole)
{
	ns_store *s = nt_store_new("s.nsnap", 4096, NS_CODEC_RAW);
	enum { M = 1500 }; /* three chunks of 4096 bytes */
	double *v = malloc(M * sizeof *v), got[M];
	ns_network *net = NULL, *o = NULL;
	ns_object *p = NULL;
	ns_attr *a = NULL;
	for (int i = 0; i < M; i++)
		v[i] = i * 0.25;
	NT_OK(ns_network_new(&net, "n"));
	NT_OK(ns_population_add(&p, net, "P", M, NULL, 0, NULL));
	NT_OK(ns_attr_add(&a, p, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, v, 0));
	et_snapshot(s, net);
	NT_OK(ns_network_open(&o, s, "HEAD"));
	cr_assert_eq(et_read_f64(got, M, o, "P", "v"), M);
	cr_assert(memcmp(got, v, sizeof got) == 0);
	ns_network_free(o);
	ns_network_free(net);
	free(v);
	ns_store_close(s);
}

Test(engine_open, a_zstd_version_opens_with_the_right_values)
{
	et_net src;
	ns_store *s = saved(NS_CODEC_ZSTD, &src);
	ns_network *o = NULL;
	void *data = NULL;
	NT_OK(ns_network_open(&o, s, "HEAD"));
	NT_OK(ns_attr_data(&data, ns_object_attr_find(ns_network_object_find(o, "EE"), "w")));
	cr_assert(memcmp(data, src.st->ee_w, sizeof src.st->ee_w) == 0);
	ns_network_free(o);
	et_net_free(&src);
	ns_store_close(s);
}

Test(engine_open, an_opened_network_refuses_a_new_population)
{
	et_net src;
	ns_store *s = saved(NS_CODEC_RAW, &src);
	ns_network *o = NULL;
	ns_object *p = NULL;
	NT_OK(ns_network_open(&o, s, "HEAD"));
	NT_FAILS(NS_EREADONLY, ns_population_add(&p, o, "Z", 3, NULL, 0, NULL));
	cr_assert_eq(ns_network_object_count(o), 4);
	ns_network_free(o);
	et_net_free(&src);
	ns_store_close(s);
}

Test(engine_open, an_opened_network_refuses_a_new_projection)
{
	et_net src;
	ns_store *s = saved(NS_CODEC_RAW, &src);
	ns_network *o = NULL;
	ns_object *p = NULL;
	NT_OK(ns_network_open(&o, s, "HEAD"));
	NT_FAILS(NS_EREADONLY, ns_projection_add(&p, o, "EI", "E", "I", "exc", NULL));
	cr_assert_eq(ns_network_object_count(o), 4);
	ns_network_free(o);
	et_net_free(&src);
	ns_store_close(s);
}

Test(engine_open, an_opened_network_refuses_a_new_attribute)
{
	et_net src;
	ns_store *s = saved(NS_CODEC_RAW, &src);
	ns_network *o = NULL;
	ns_attr *a = NULL;
	ns_object *e;
	NT_OK(ns_network_open(&o, s, "HEAD"));
	e = ns_network_object_find(o, "E");
	NT_FAILS(NS_EREADONLY,
		 ns_attr_add(&a, e, "z", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, NULL, 0));
	cr_assert_null(ns_object_attr_find(e, "z"));
	ns_network_free(o);
	et_net_free(&src);
	ns_store_close(s);
}

Test(engine_open, an_opened_network_cannot_be_restored_into)
{
	et_net src;
	ns_store *s = saved(NS_CODEC_RAW, &src);
	ns_network *o = NULL;
	ns_restore_report *r = NULL;
	NT_OK(ns_network_open(&o, s, "HEAD"));
	NT_FAILS(NS_EREADONLY, ns_restore(&r, s, "HEAD", o, NULL));
	cr_assert_null(r);
	ns_network_free(o);
	et_net_free(&src);
	ns_store_close(s);
}

Test(engine_open, an_opened_network_knows_its_version)
{
	et_net src;
	ns_store *s = saved(NS_CODEC_RAW, &src);
	ns_network *o = NULL;
	et_snapshot(s, src.net);
	NT_OK(ns_network_open(&o, s, "1"));
	cr_assert_eq(ns_network_version(o), 1);
	ns_network_free(o);
	NT_OK(ns_network_open(&o, s, "HEAD"));
	cr_assert_eq(ns_network_version(o), 2);
	cr_assert_eq(ns_network_version(src.net), 0, "a built network has no version");
	ns_network_free(o);
	et_net_free(&src);
	ns_store_close(s);
}

Test(engine_open, an_opened_network_keeps_its_values_while_the_store_moves_on)
{
	et_net src;
	ns_store *s = saved(NS_CODEC_RAW, &src);
	ns_network *o = NULL;
	double v[ET_NE];
	NT_OK(ns_network_open(&o, s, "HEAD"));
	et_state_fill(src.st, 2);
	et_snapshot(s, src.net);
	et_read_f64(v, ET_NE, o, "E", "v");
	cr_assert_eq(v[3], 100.0 + 6 + 1.5, "E.v[3] = %g", v[3]);
	ns_network_free(o);
	et_net_free(&src);
	ns_store_close(s);
}

Test(engine_open, an_unknown_revision_is_not_found)
{
	et_net src;
	ns_store *s = saved(NS_CODEC_RAW, &src);
	ns_network *o = NULL;
	NT_FAILS(NS_ENOTFOUND, ns_network_open(&o, s, "7"));
	cr_assert_null(o);
	et_net_free(&src);
	ns_store_close(s);
}

/* The attribute @object.@name of @net. */
static ns_attr *attr(ns_network *net, const char *object, const char *name)
{
	ns_attr *a = ns_object_attr_find(ns_network_object_find(net, object), name);
	cr_assert_not_null(a, "%s.%s", object, name);
	return a;
}

Test(engine_open, read_converts_f64_to_f32)
{
	et_net src;
	ns_store *s = saved(NS_CODEC_RAW, &src);
	ns_network *o = NULL;
	float got[ET_NE];
	NT_OK(ns_network_open(&o, s, "HEAD"));
	NT_OK(ns_attr_read(got, NS_DTYPE_F32, attr(o, "E", "v")));
	for (int i = 0; i < ET_NE; i++)
		cr_assert_eq(got[i], (float)src.st->e_v[i]);
	ns_network_free(o);
	et_net_free(&src);
	ns_store_close(s);
}

Test(engine_open, read_converts_i32_to_f64)
{
	et_net src;
	ns_store *s = saved(NS_CODEC_RAW, &src);
	ns_network *o = NULL;
	double got[ET_NE];
	NT_OK(ns_network_open(&o, s, "HEAD"));
	NT_OK(ns_attr_read(got, NS_DTYPE_F64, attr(o, "E", "refr")));
	for (int i = 0; i < ET_NE; i++)
		cr_assert_eq(got[i], (double)src.st->e_refr[i]);
	ns_network_free(o);
	et_net_free(&src);
	ns_store_close(s);
}

Test(engine_open, read_converts_integral_f64_to_i32)
{
	ns_network *net = NULL;
	ns_object *p = NULL;
	ns_attr *a = NULL;
	double v[3] = { -4.0, 0.0, 2147483647.0 };
	int32_t got[3];
	NT_OK(ns_network_new(&net, NULL));
	NT_OK(ns_population_add(&p, net, "P", 3, NULL, 0, NULL));
	NT_OK(ns_attr_add(&a, p, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, v, 0));
	NT_OK(ns_attr_read(got, NS_DTYPE_I32, a));
	cr_assert_eq(got[0], -4);
	cr_assert_eq(got[2], INT32_MAX);
	ns_network_free(net);
}

Test(engine_open, read_refuses_a_fraction_into_i32)
{
	ns_network *net = NULL;
	ns_object *p = NULL;
	ns_attr *a = NULL;
	double v[3] = { 1.0, 0.5, 2.0 };
	int32_t got[3];
	NT_OK(ns_network_new(&net, NULL));
	NT_OK(ns_population_add(&p, net, "P", 3, NULL, 0, NULL));
	NT_OK(ns_attr_add(&a, p, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, v, 0));
	NT_FAILS(NS_EINVAL, ns_attr_read(got, NS_DTYPE_I32, a));
	NT_MESSAGE_HAS("0.5");
	ns_network_free(net);
}

Test(engine_open, read_refuses_a_value_out_of_the_range_of_i32)
{
	ns_network *net = NULL;
	ns_object *p = NULL;
	ns_attr *a = NULL;
	int64_t v[2] = { 1, INT64_C(1) << 40 };
	int32_t got[2];
	NT_OK(ns_network_new(&net, NULL));
	NT_OK(ns_population_add(&p, net, "P", 2, NULL, 0, NULL));
	NT_OK(ns_attr_add(&a, p, "n", NS_VARIABLE, NS_LOCAL, NS_DTYPE_I64, v, 0));
	NT_FAILS(NS_EINVAL, ns_attr_read(got, NS_DTYPE_I32, a));
	ns_network_free(net);
}

Test(engine_open, read_refuses_nan_into_an_integer)
{
	ns_network *net = NULL;
	ns_object *p = NULL;
	ns_attr *a = NULL;
	double v[1] = { NAN };
	int64_t got[1];
	NT_OK(ns_network_new(&net, NULL));
	NT_OK(ns_population_add(&p, net, "P", 1, NULL, 0, NULL));
	NT_OK(ns_attr_add(&a, p, "v", NS_VARIABLE, NS_LOCAL, NS_DTYPE_F64, v, 0));
	NT_FAILS(NS_EINVAL, ns_attr_read(got, NS_DTYPE_I64, a));
	ns_network_free(net);
}

Test(engine_open, read_converts_bool_to_u8_and_back)
{
	et_net src;
	ns_store *s = saved(NS_CODEC_RAW, &src);
	ns_network *o = NULL;
	uint8_t got[ET_NE];
	NT_OK(ns_network_open(&o, s, "HEAD"));
	NT_OK(ns_attr_read(got, NS_DTYPE_U8, attr(o, "E", "spiked")));
	cr_assert(memcmp(got, src.st->e_spiked, ET_NE) == 0);
	NT_OK(ns_attr_read(got, NS_DTYPE_BOOL, attr(o, "E", "spiked")));
	cr_assert(memcmp(got, src.st->e_spiked, ET_NE) == 0);
	ns_network_free(o);
	et_net_free(&src);
	ns_store_close(s);
}

/* bool reads as 0 or 1; other values refuse to become bool. */
Test(engine_open, read_converts_bool_as_0_or_1_only)
{
	et_net src;
	ns_store *s = saved(NS_CODEC_RAW, &src);
	ns_network *o = NULL;
	double d[ET_NE];
	uint8_t b[ET_NE];
	NT_OK(ns_network_open(&o, s, "HEAD"));
	NT_OK(ns_attr_read(d, NS_DTYPE_F64, attr(o, "E", "spiked")));
	for (int i = 0; i < ET_NE; i++)
		cr_assert_eq(d[i], src.st->e_spiked[i] ? 1.0 : 0.0);
	NT_FAILS(NS_EINVAL, ns_attr_read(b, NS_DTYPE_BOOL, attr(o, "E", "v")));
	NT_MESSAGE_HAS("does not fit in bool");
	ns_network_free(o);
	et_net_free(&src);
	ns_store_close(s);
}

Test(engine_open, an_unknown_revision_names_the_store_once)
{
	ns_store *s = nt_store_new("s.nsnap", 0, NS_CODEC_RAW);
	et_net a = et_net_new(1, 0);
	ns_network *net = NULL;
	const char *msg, *first;
	et_snapshot(s, a.net);
	NT_FAILS(NS_ENOTFOUND, ns_network_open(&net, s, "v9"));
	msg = ns_error_last()->message;
	cr_assert_not_null(first = strstr(msg, "store '"), "%s", msg);
	cr_assert_null(strstr(first + 1, "store '"), "the store is named twice: %s", msg);
	NT_MESSAGE_HAS("'v9'");
	et_net_free(&a);
	ns_store_close(s);
}
