/* SPDX-License-Identifier: MIT */
/* Import: a parameter file as Python's json writes it, its NaN and
 * Infinity tokens included (see json.c). */
#include "json.h"

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

int js_import(ns_network **out, ns_istream *in, const ns_plugin_args *args)
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

