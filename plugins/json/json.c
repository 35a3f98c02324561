/* The JSON format: ANNarchy's parameter files (save_parameters() and
 * load_parameters()), the global parameters of every population and
 * projection plus a free "network" dictionary:
 *
 *     {"populations": {"<pop>": {"<param>": value, ...}, ...},
 *      "projections": {"<proj>": {"<param>": value, ...}, ...},
 *      "network": {"<key>": number or string, ...},
 *      "constants": {"<name>": value, ...}}
 *
 * "constants" (ANNarchy 5: its Constant objects) are the network's own
 * parameters of one value: network-wide arrays of kind parameter and one
 * value. Export writes the section when a version has such arrays (older
 * ANNarchy files, and versions without constants, have none); import
 * makes one such array per constant, which an import onto a version sets.
 *
 * Export writes what Python's json.dump(obj, f, indent=4) writes for it,
 * byte for byte: floats as repr() gives them, NaN and Infinity as Python's
 * bare tokens, non-ASCII escaped, no final newline. Import reads what
 * Python's json writes, those tokens included: cJSON refuses them, so they
 * are swapped for marked strings of the same length before parsing, which
 * keeps error positions exact. */
#include <nsnap/plugin.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A parameter file is small; a bigger file is surely something else. */
#define JS_MAX_SIZE ((size_t)64 << 20)

/* Placeholders of Python's tokens: a string of the token's length filled
 * with one byte that UTF-8 never uses. No string of the file can hold it:
 * mark_tokens() refuses such bytes, and cJSON decodes \u escapes to valid
 * UTF-8. */
enum { JS_NAN = 0xfd, JS_INF = 0xfe, JS_NEG_INF = 0xff };

static const ns_host *host;

static const char *path_of(const ns_plugin_args *args)
{
	return args && args->path ? args->path : "(stream)";
}

/* ------------------------------------------------------------------ output */

typedef struct js_out {
	char *p;
	size_t n, cap;
	int failed;
} js_out;

static void put(js_out *o, const char *s, size_t n)
{
	if (o->failed)
		return;
	if (o->n + n > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		char *p;
		while (cap < o->n + n)
			cap *= 2;
		if (!(p = host->realloc(o->p, cap))) {
			o->failed = host->error(NS_ENOMEM, "out of memory");
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
}

static void puts_(js_out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void indent(js_out *o, int level)
{
	put(o, "\n", 1);
	for (int i = 0; i < level; i++)
		put(o, "    ", 4);
}

/* The code point of the UTF-8 sequence at @s (of @n bytes left) and its
 * length; -1 for a byte that begins no valid sequence. */
static long utf8_decode(const unsigned char *s, size_t n, size_t *len)
{
	static const long min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	long cp;
	size_t k;
	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	if (s[0] >= 0xc0 && s[0] < 0xe0) {
		k = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] < 0xf0) {
		k = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] < 0xf5) {
		k = 4;
		cp = s[0] & 0x07;
	} else {
		return -1;
	}
	if (k > n)
		return -1;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min[k] || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
		return -1;
	*len = k;
	return cp;
}

/* A JSON string as Python's json writes it with ensure_ascii: every
 * non-ASCII character as \uXXXX (surrogate pairs above U+FFFF). Bytes that
 * are not UTF-8 (names are bytes to nsnap) become U+FFFD: JSON text must
 * be Unicode. */
static void put_string(js_out *o, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), len;
	char esc[32];
	put(o, "\"", 1);
	for (size_t i = 0; i < n; i += len) {
		long cp = utf8_decode(s + i, n - i, &len);
		if (cp < 0) {
			cp = 0xfffd;
			len = 1;
		}
		switch (cp) {
		case '"': puts_(o, "\\\""); continue;
		case '\\': puts_(o, "\\\\"); continue;
		case '\n': puts_(o, "\\n"); continue;
		case '\r': puts_(o, "\\r"); continue;
		case '\t': puts_(o, "\\t"); continue;
		case '\b': puts_(o, "\\b"); continue;
		case '\f': puts_(o, "\\f"); continue;
		default: break;
		}
		if (cp >= 0x20 && cp < 0x7f) {
			char c = (char)cp;
			put(o, &c, 1);
		} else if (cp < 0x10000) {
			snprintf(esc, sizeof esc, "\\u%04lx", cp);
			puts_(o, esc);
		} else {
			cp -= 0x10000;
			snprintf(esc, sizeof esc, "\\u%04lx\\u%04lx", 0xd800 + (cp >> 10),
				 0xdc00 + (cp & 0x3ff));
			puts_(o, esc);
		}
	}
	put(o, "\"", 1);
}

/* @v as Python's repr(float): the shortest digits that read back as @v,
 * in fixed notation with at least one decimal when its exponent is in
 * [-4, 16), else as 1.5e-05; NaN and Infinity as Python's json writes them.
 * Digits are taken from printf and checked with strtod, both in the same
 * locale; the decimal point is written here, so a locale's comma never
 * leaks into the file. */
static void put_float(js_out *o, double v)
{
	char e[40], digits[24], out[64];
	size_t nd = 0, k = 0;
	int exp10, prec;
	const char *s;

	if (isnan(v)) {
		puts_(o, "NaN");
		return;
	}
	if (isinf(v)) {
		puts_(o, v < 0 ? "-Infinity" : "Infinity");
		return;
	}
	if (v == 0) {
		puts_(o, signbit(v) ? "-0.0" : "0.0");
		return;
	}
	for (prec = 1; prec < 17; prec++) {
		snprintf(e, sizeof e, "%.*e", prec - 1, v);
		if (strtod(e, NULL) == v)
			break;
	}
	snprintf(e, sizeof e, "%.*e", prec - 1, v);
	for (s = e; *s && *s != 'e'; s++)
		if (*s >= '0' && *s <= '9')
			digits[nd++] = *s;
	exp10 = atoi(s + 1);
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;

	if (v < 0)
		out[k++] = '-';
	if (exp10 < -4 || exp10 >= 16) {
		out[k++] = digits[0];
		if (nd > 1) {
			out[k++] = '.';
			memcpy(out + k, digits + 1, nd - 1);
			k += nd - 1;
		}
		k += (size_t)snprintf(out + k, sizeof out - k, "e%c%02d", exp10 < 0 ? '-' : '+',
				      exp10 < 0 ? -exp10 : exp10);
	} else if (exp10 < 0) {
		out[k++] = '0';
		out[k++] = '.';
		for (int i = -1; i > exp10; i--)
			out[k++] = '0';
		memcpy(out + k, digits, nd);
		k += nd;
	} else {
		for (int i = 0; i <= exp10; i++)
			out[k++] = (size_t)i < nd ? digits[i] : '0';
		out[k++] = '.';
		if (nd > (size_t)exp10 + 1) {
			memcpy(out + k, digits + exp10 + 1, nd - (size_t)exp10 - 1);
			k += nd - (size_t)exp10 - 1;
		} else {
			out[k++] = '0';
		}
	}
	put(o, out, k);
}

static void put_int(js_out *o, long long v)
{
	char b[32];
	snprintf(b, sizeof b, "%lld", v);
	puts_(o, b);
}

/* One global parameter's value, as the Python type ANNarchy would hold:
 * integers for integer types, true/false for bool, floats otherwise. */
static int put_value(js_out *o, ns_attr *attr, ns_dtype dtype)
{
	int rc;
	switch (dtype) {
	case NS_DTYPE_BOOL: {
		uint8_t b;
		if ((rc = host->attr_read(&b, NS_DTYPE_BOOL, attr)) < 0)
			return rc;
		puts_(o, b ? "true" : "false");
		return NS_OK;
	}
	case NS_DTYPE_I64:
	case NS_DTYPE_I32:
	case NS_DTYPE_U8: {
		int64_t i;
		if ((rc = host->attr_read(&i, NS_DTYPE_I64, attr)) < 0)
			return rc;
		put_int(o, (long long)i);
		return NS_OK;
	}
	default: {
		double d;
		if ((rc = host->attr_read(&d, NS_DTYPE_F64, attr)) < 0)
			return rc;
		put_float(o, d);
		return NS_OK;
	}
	}
}

/* The objects of @kind as "<name>": {<global parameters>}, in network
 * order; every object appears, with {} when it has none (as ANNarchy). */
static int put_objects(js_out *o, const ns_network *net, ns_object_kind kind, size_t *n_params)
{
	size_t n_objs = 0;
	for (size_t i = 0; i < host->network_object_count(net); i++) {
		ns_object *obj = host->network_object_at(net, i);
		ns_object_info oi;
		size_t n_attrs = 0;
		host->object_get_info(&oi, obj);
		if (oi.kind != kind)
			continue;
		put(o, n_objs++ ? "," : "{", 1);
		indent(o, 2);
		put_string(o, oi.name);
		puts_(o, ": ");
		for (size_t a = 0; a < host->object_attr_count(obj); a++) {
			ns_attr *attr = host->object_attr_at(obj, a);
			ns_attr_info ai;
			int rc;
			host->attr_get_info(&ai, attr);
			if (ai.kind != NS_PARAMETER || ai.scope != NS_GLOBAL || ai.count != 1)
				continue;
			put(o, n_attrs++ ? "," : "{", 1);
			indent(o, 3);
			put_string(o, ai.name);
			puts_(o, ": ");
			if ((rc = put_value(o, attr, ai.dtype)) < 0)
				return rc;
			(*n_params)++;
		}
		if (n_attrs)
			indent(o, 2);
		else
			put(o, "{", 1);
		put(o, "}", 1);
	}
	if (n_objs)
		indent(o, 1);
	else
		put(o, "{", 1);
	put(o, "}", 1);
	return o->failed;
}

/* Whether network-wide array @attr is a constant: a parameter of one value. */
static int is_constant(ns_attr *attr, ns_attr_info *ai)
{
	host->attr_get_info(ai, attr);
	return ai->kind == NS_PARAMETER && ai->count == 1;
}

/* The network's constants as ,\n    "constants": {...}; nothing when it
 * has none. */
static int put_constants(js_out *o, const ns_network *net, size_t *n_params)
{
	size_t n = 0;
	ns_attr_info ai;
	for (size_t i = 0; i < host->network_attr_count(net); i++) {
		ns_attr *attr = host->network_attr_at(net, i);
		int rc;
		if (!is_constant(attr, &ai))
			continue;
		if (n++ == 0) {
			puts_(o, ",");
			indent(o, 1);
			puts_(o, "\"constants\": {");
		} else {
			puts_(o, ",");
		}
		indent(o, 2);
		put_string(o, ai.name);
		puts_(o, ": ");
		if ((rc = put_value(o, attr, ai.dtype)) < 0)
			return rc;
		(*n_params)++;
	}
	if (n) {
		indent(o, 1);
		put(o, "}", 1);
	}
	return o->failed;
}

/* The dictionary. A number is stored as a double, whether the file said
 * 5 or 5.0: integral values (exact in a double) are written as integers,
 * since Python code uses such entries as counts and indices, where a
 * float fails and an int serves where a float was meant. */
static int put_dictionary(js_out *o, const ns_network *net)
{
	size_t n = host->network_meta_count(net);
	for (size_t i = 0; i < n; i++) {
		const char *key, *string;
		double number;
		int rc;
		if ((rc = host->network_meta_at(&key, &string, &number, net, i)) < 0)
			return rc;
		put(o, i ? "," : "{", 1);
		indent(o, 2);
		put_string(o, key);
		puts_(o, ": ");
		if (string)
			put_string(o, string);
		else if (number == floor(number) && fabs(number) <= 9007199254740992.0 &&
			 !(number == 0 && signbit(number)))
			put_int(o, (long long)number);
		else
			put_float(o, number);
	}
	if (n)
		indent(o, 1);
	else
		put(o, "{", 1);
	put(o, "}", 1);
	return o->failed;
}

static int js_export(ns_ostream *out, const ns_network *net, const ns_plugin_args *args)
{
	js_out o = { NULL, 0, 0, 0 };
	size_t n_params = 0;
	int rc;

	puts_(&o, "{");
	indent(&o, 1);
	puts_(&o, "\"populations\": ");
	if ((rc = put_objects(&o, net, NS_POPULATION, &n_params)) < 0)
		goto done;
	puts_(&o, ",");
	indent(&o, 1);
	puts_(&o, "\"projections\": ");
	if ((rc = put_objects(&o, net, NS_PROJECTION, &n_params)) < 0)
		goto done;
	puts_(&o, ",");
	indent(&o, 1);
	puts_(&o, "\"network\": ");
	if ((rc = put_dictionary(&o, net)) < 0 || (rc = put_constants(&o, net, &n_params)) < 0)
		goto done;
	puts_(&o, "\n}");
	if ((rc = o.failed) < 0 || (rc = host->write(out, o.p, o.n)) < 0)
		goto done;
	if (args && args->verbose)
		host->log(NS_LOG_INFO, "file '%s': %zu global parameters, %zu dictionary entries",
			  path_of(args), n_params, host->network_meta_count(net));
	/* Like local variables, arrays of more than one value have no place in
	 * a parameter file; the network's own are said, as no object shows them. */
	if (args && args->verbose) {
		size_t left = 0;
		ns_attr_info ai;
		for (size_t i = 0; i < host->network_attr_count(net); i++)
			left += !is_constant(host->network_attr_at(net, i), &ai);
		if (left)
			host->log(NS_LOG_INFO, "file '%s': %zu network-wide arrays not written (a "
				  "parameter file holds global parameters and constants only)",
				  path_of(args), left);
	}
done:
	host->free(o.p);
	return rc;
}

/* ------------------------------------------------------------------ input */

/* The whole stream, NUL-terminated, in *out (host->free it). */
static int read_all(char **out, size_t *size, ns_istream *in, const ns_plugin_args *args)
{
	void *buf;
	int rc;
	if ((rc = host->read_all(&buf, size, in)) < 0)
		return rc;
	if (*size > JS_MAX_SIZE) {
		host->free(buf);
		return host->error(NS_EFORMAT, "file '%s': over %zu MiB: too big for a "
				   "parameter file", path_of(args), JS_MAX_SIZE >> 20);
	}
	*out = buf;
	return NS_OK;
}

/* An error at byte @pos of @text: the file, line and column (from 1, as
 * Python's json counts them), @what, and the text from there. */
static int error_at(const char *text, size_t size, size_t pos, const ns_plugin_args *args,
		    const char *what)
{
	size_t line = 1, col = 1, k = 0;
	char near[24];
	for (size_t i = 0; i < pos && i < size; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	for (size_t i = pos; i < size && k < 16 && text[i] != '\n'; i++)
		near[k++] = (unsigned char)text[i] < 0x20 ? '?' : text[i];
	near[k] = '\0';
	return host->error(NS_EFORMAT, "file '%s': line %zu, column %zu: %s%s%s%s",
			   path_of(args), line, col, what, k ? " (at '" : "", near,
			   k ? "')" : " (at the end)");
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Where cJSON stopped, as Python's json would say. cJSON points one byte
 * past a character found where a key was expected (it has stepped over
 * it looking for the opening quote); such a character follows '{' or ','
 * and is no opening of a value, which cJSON would have consumed. */
static size_t parse_error_pos(const char *text, size_t size, const char *end)
{
	size_t p = end ? (size_t)(end - text) : 0, k;
	char c;
	if (p > size + 1)
		p = size + 1;
	if (p == 0)
		return 0;
	c = text[p - 1];
	if (is_space(c) || c == '"' || c == '[' || c == '{')
		return p > size ? size : p;
	for (k = p - 1; k > 0 && is_space(text[k - 1]); k--)
		;
	if (k > 0 && (text[k - 1] == '{' || text[k - 1] == ','))
		p--;
	return p > size ? size : p;
}

/* Swap Python's NaN, Infinity and -Infinity outside strings for marked
 * strings of the same length, and refuse what Python's json refuses and
 * cJSON lets through: raw control characters in strings, NUL bytes, bytes
 * that are never UTF-8. */
static int mark_tokens(char *t, size_t n, const ns_plugin_args *args)
{
	static const struct {
		const char *token;
		unsigned char mark;
	} tokens[] = { { "NaN", JS_NAN }, { "Infinity", JS_INF }, { "-Infinity", JS_NEG_INF } };
	int in_string = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];
		if (c >= 0xf5)
			return error_at(t, n, i, args, "a byte that is not UTF-8");
		if (in_string) {
			if (c == '\\' && i + 1 < n && (unsigned char)t[i + 1] >= 0x20)
				i++;
			else if (c == '"')
				in_string = 0;
			else if (c < 0x20)
				return error_at(t, n, i, args, "a control character in a string");
			continue;
		}
		if (c == '"') {
			in_string = 1;
			continue;
		}
		if (c == '\0')
			return error_at(t, n, i, args, "a NUL byte");
		for (size_t k = 0; k < sizeof tokens / sizeof tokens[0]; k++) {
			size_t len = strlen(tokens[k].token);
			if (n - i >= len && memcmp(t + i, tokens[k].token, len) == 0) {
				size_t j = i + len + strspn(t + i + len, " \t\r\n");
				if (j < n && t[j] == ':')
					return error_at(t, n, i, args, "a number where a key "
							"(a string) is expected");
				t[i] = '"';
				memset(t + i + 1, tokens[k].mark, len - 2);
				t[i + len - 1] = '"';
				i += len - 1;
				break;
			}
		}
	}
	return NS_OK;
}

/* A number of the file: a JSON number, a bool (1 or 0) or one of Python's
 * tokens. @return 1, or 0 for a value of another kind. */
static int number_of(double *v, const cJSON *item)
{
	if (cJSON_IsNumber(item)) {
		*v = item->valuedouble;
		return 1;
	}
	if (cJSON_IsBool(item)) {
		*v = cJSON_IsTrue(item) ? 1.0 : 0.0;
		return 1;
	}
	if (cJSON_IsString(item)) {
		unsigned char c = (unsigned char)item->valuestring[0];
		if (c == JS_NAN || c == JS_INF || c == JS_NEG_INF) {
			*v = c == JS_NAN ? NAN : c == JS_INF ? INFINITY : -INFINITY;
			return 1;
		}
	}
	return 0;
}

static const char *kind_of(const cJSON *item)
{
	if (cJSON_IsArray(item))
		return "an array";
	if (cJSON_IsObject(item))
		return "an object";
	if (cJSON_IsString(item))
		return "a string";
	if (cJSON_IsNull(item))
		return "null";
	return "a value";
}

static const char *value_text(char *buf, size_t size, double v)
{
	snprintf(buf, size, "%.17g", v);
	return buf;
}

/* The objects of one section ("populations" or "projections"), each as a
 * population of size 1 named like it, holding a global f64 parameter per
 * entry. Projections are built as populations too: the host applies a
 * parameter file by object and attribute names only, and a projection
 * would need its pre and post populations, which the file does not name.
 * A name given twice (or in both sections) is merged, the last value
 * winning, as Python's json keeps the last of duplicate keys. */
static int read_section(ns_network *net, const cJSON *root, const char *section,
			const ns_plugin_args *args, size_t *n_params)
{
	const cJSON *sec = cJSON_GetObjectItemCaseSensitive(root, section), *o, *p;
	char num[32];
	int rc;

	if (!sec || cJSON_IsNull(sec))
		return NS_OK;
	if (!cJSON_IsObject(sec))
		return host->error(NS_EFORMAT, "file '%s': \"%s\" is %s, not an object of "
				   "names", path_of(args), section, kind_of(sec));
	cJSON_ArrayForEach(o, sec) {
		ns_object *obj = host->network_object_find(net, o->string);
		if (!cJSON_IsObject(o))
			return host->error(NS_EFORMAT, "file '%s': %s.%s is %s, not an object of "
					   "parameters", path_of(args), section, o->string,
					   kind_of(o));
		if (!obj && (rc = host->population_add(&obj, net, o->string, 1, NULL, 0,
						       NULL)) < 0)
			return rc != NS_EINVAL ? rc :
			       host->error(NS_EFORMAT, "file '%s': %s.\"%s\": not a valid name (1 "
					   "to 255 bytes, no '/' or control characters)",
					   path_of(args), section, o->string);
		cJSON_ArrayForEach(p, o) {
			ns_attr *attr = host->object_attr_find(obj, p->string);
			void *data;
			double v;
			if (!number_of(&v, p))
				return host->error(NS_EFORMAT, "file '%s': %s.%s.%s is %s; a "
						   "parameter file holds one number (or bool) per "
						   "parameter", path_of(args), section, o->string,
						   p->string, kind_of(p));
			if (!attr && (rc = host->attr_add(&attr, obj, p->string, NS_PARAMETER,
							  NS_GLOBAL, NS_DTYPE_F64, NULL, 0)) < 0)
				return rc != NS_EINVAL ? rc :
				       host->error(NS_EFORMAT, "file '%s': %s.%s.\"%s\": not a "
						   "valid name", path_of(args), section, o->string,
						   p->string);
			if ((rc = host->attr_data(&data, attr)) < 0)
				return rc;
			*(double *)data = v;
			(*n_params)++;
			if (args && args->verbose)
				host->log(NS_LOG_INFO, "file '%s': read %s.%s.%s = %s",
					  path_of(args), section, o->string, p->string,
					  value_text(num, sizeof num, v));
		}
	}
	return NS_OK;
}

/* The "network" dictionary: strings and numbers (bools as 1 and 0). */
static int read_dictionary(ns_network *net, const cJSON *root, const ns_plugin_args *args)
{
	const cJSON *dict = cJSON_GetObjectItemCaseSensitive(root, "network"), *e;
	char num[32];
	int rc;

	if (!dict || cJSON_IsNull(dict))
		return NS_OK;
	if (!cJSON_IsObject(dict))
		return host->error(NS_EFORMAT, "file '%s': \"network\" is %s, not an object",
				   path_of(args), kind_of(dict));
	cJSON_ArrayForEach(e, dict) {
		double v = 0;
		const char *s = NULL;
		if (!number_of(&v, e)) {
			if (!cJSON_IsString(e))
				return host->error(NS_EFORMAT, "file '%s': network.%s is %s; the "
						   "network dictionary holds strings and numbers",
						   path_of(args), e->string, kind_of(e));
			s = e->valuestring;
		}
		if ((rc = host->network_set_meta(net, e->string, s, v)) < 0)
			return rc != NS_EINVAL ? rc :
			       host->error(NS_EFORMAT, "file '%s': network.\"%s\": not a valid "
					   "key", path_of(args), e->string);
		if (args && args->verbose)
			host->log(NS_LOG_INFO, "file '%s': read network.%s = %s%s%s", path_of(args),
				  e->string, s ? "\"" : "", s ? s : value_text(num, sizeof num, v),
				  s ? "\"" : "");
	}
	return NS_OK;
}

/* ANNarchy 5's "constants": each a network-wide parameter of one value. */
static int read_constants(ns_network *net, const cJSON *root, const ns_plugin_args *args,
			  size_t *n_params)
{
	const cJSON *sec = cJSON_GetObjectItemCaseSensitive(root, "constants"), *e;
	int rc;

	if (!sec || cJSON_IsNull(sec))
		return NS_OK;
	if (!cJSON_IsObject(sec))
		return host->error(NS_EFORMAT, "file '%s': \"constants\" is %s, not an object of "
				   "names", path_of(args), kind_of(sec));
	cJSON_ArrayForEach(e, sec) {
		ns_attr *known = host->network_attr_find(net, e->string);
		double v = 0, *data;
		if (!number_of(&v, e))
			return host->error(NS_EFORMAT, "file '%s': constants.%s is %s, not a number",
					   path_of(args), e->string, kind_of(e));
		if (known) { /* given twice: the last value wins, as for parameters */
			if ((rc = host->attr_data((void **)&data, known)) < 0)
				return rc;
			*data = v;
			continue;
		}
		if ((rc = host->network_attr_add(NULL, net, e->string, NS_PARAMETER, NS_DTYPE_F64,
						  1, &v, NS_ARRAY_COPY)) < 0)
			return rc != NS_EINVAL ? rc :
			       host->error(NS_EFORMAT, "file '%s': constants.\"%s\": not a valid "
					   "name", path_of(args), e->string);
		(*n_params)++;
	}
	return NS_OK;
}

static int js_import(ns_network **out, ns_istream *in, const ns_plugin_args *args)
{
	static const char *const known[] = { "populations", "projections", "network",
					     "constants" };
	ns_network *net = NULL;
	cJSON *root = NULL;
	const cJSON *item;
	const char *end = NULL;
	char *buf = NULL, *text;
	size_t size = 0, n_params = 0;
	int rc;

	if ((rc = read_all(&buf, &size, in, args)) < 0)
		return rc;
	/* A byte order mark, as Windows editors write one. */
	text = size >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? buf + 3 : buf;
	size -= (size_t)(text - buf);
	if ((rc = mark_tokens(text, size, args)) < 0)
		goto done;
	/* The length counts the NUL, which cJSON then requires after the value. */
	if (!(root = cJSON_ParseWithLengthOpts(text, size + 1, &end, 1))) {
		rc = error_at(text, size, parse_error_pos(text, size, end), args,
			      "not valid JSON");
		goto done;
	}
	if (!cJSON_IsObject(root)) {
		size_t pos = strspn(text, " \t\r\n");
		rc = error_at(text, size, pos, args, "the top level is not an object");
		goto done;
	}
	cJSON_ArrayForEach(item, root) {
		size_t k = 0;
		while (k < 4 && strcmp(item->string, known[k]) != 0)
			k++;
		if (k == 4)
			host->log(NS_LOG_WARNING, "file '%s': \"%s\" ignored: a parameter file has "
				  "populations, projections, network and constants", path_of(args),
				  item->string);
	}
	if ((rc = host->network_new(&net, NULL)) < 0 ||
	    (rc = read_section(net, root, "populations", args, &n_params)) < 0 ||
	    (rc = read_section(net, root, "projections", args, &n_params)) < 0 ||
	    (rc = read_dictionary(net, root, args)) < 0 ||
	    (rc = read_constants(net, root, args, &n_params)) < 0)
		goto done;
	if (args && args->verbose)
		host->log(NS_LOG_INFO, "file '%s': %zu parameters of %zu objects, %zu "
			  "dictionary entries", path_of(args), n_params,
			  host->network_object_count(net), host->network_meta_count(net));
	*out = net;
	net = NULL;
done:
	host->network_free(net);
	cJSON_Delete(root);
	host->free(buf);
	return rc;
}

/* ------------------------------------------------------------------ plugin */

/* Bits recognised: an object at the start bids weakly (much text starts
 * with '{'); ANNarchy's section names near it make it a parameter file. */
static int js_probe(const unsigned char *head, size_t n)
{
	static const char *const words[] = { "\"populations\"", "\"projections\"" };
	size_t i = 0;
	int bid;
	if (n >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	if (i == n || head[i] != '{')
		return 0;
	bid = 8;
	for (size_t w = 0; w < 2; w++) {
		size_t len = strlen(words[w]);
		for (size_t k = i; k + len <= n; k++)
			if (memcmp(head + k, words[w], len) == 0)
				return bid + 16;
	}
	return bid;
}

static int js_init(const ns_host *h)
{
	host = h;
	return NS_OK;
}

static const ns_format_ops js_ops = {
	.import_network = js_import,
	.export_network = js_export,
};

static const char *const js_extensions[] = { ".json", NULL };

static const ns_plugin js_plugin = {
	.abi_version = NS_PLUGIN_ABI_VERSION,
	.struct_size = sizeof(ns_plugin),
	.kind = NS_PLUGIN_FORMAT,
	.name = "json",
	.description = "ANNarchy's parameter files (save_parameters, load_parameters): "
		       "global parameters and the network dictionary as JSON",
	.extensions = js_extensions,
	.flags = NS_FORMAT_PARAMETERS,
	.probe = js_probe,
	.init = js_init,
	.format = &js_ops,
};

NS_PLUGIN_EXPORT const ns_plugin *nsnap_plugin_entry(void)
{
	return &js_plugin;
}
