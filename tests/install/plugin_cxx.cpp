/* SPDX-License-Identifier: MIT */
// A format plugin written in C++, built as a module against the installed
// <nsnap/plugin.h> alone, as a simulator's C++ code would add its own format:
// "cxx", files ending in .cxxnet. It holds a network's name, time, dt,
// dictionary and populations with their attributes (projections it refuses,
// naming them), as lines of space-separated tokens; strings are written
// LENGTH:TEXT so that any text survives.
//
//   NSNAP-CXX 1
//   network 4:demo
//   time 1000 10000
//   dt 0.1
//   meta 5:model s 3:lif          (or: meta 4:seed n 42)
//   population 1:E 4 1 4 3:lif    (name, size, ndim, shape..., type)
//   attribute 1:v variable local f64 4 -65 -64.5 -70 -55
//
// No C++ exception leaves the module: every callback catches them.
#include <nsnap/plugin.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <new>
#include <sstream>
#include <string>
#include <vector>

namespace {

const ns_host *host;

const char magic[] = "NSNAP-CXX 1\n";

std::string quoted(const char *s)
{
	return std::to_string(std::strlen(s)) + ":" + s;
}

std::string number(double x)
{
	char buf[32];
	std::snprintf(buf, sizeof buf, "%.17g", x);
	return buf;
}

bool is_float(ns_dtype t)
{
	return t == NS_DTYPE_F64 || t == NS_DTYPE_F32;
}

int write_text(ns_ostream *out, const std::string &s)
{
	return host->write(out, s.data(), s.size());
}

int cxx_export(ns_ostream *out, const ns_network *net, const ns_plugin_args *args)
{
	try {
		std::ostringstream os;
		double t, dt = host->network_dt(net);
		std::uint64_t step;
		host->network_time(net, &t, &step);
		os << magic << "network " << quoted(host->network_name(net)) << "\n"
		   << "time " << number(t) << " " << step << "\n"
		   << "dt " << number(dt) << "\n";
		for (std::size_t i = 0; i < host->network_meta_count(net); i++) {
			const char *key, *str;
			double num;
			host->network_meta_at(&key, &str, &num, net, i);
			os << "meta " << quoted(key) << (str ? " s " + quoted(str) : " n " + number(num))
			   << "\n";
		}
		for (std::size_t i = 0; i < host->network_object_count(net); i++) {
			ns_object *obj = host->network_object_at(net, i);
			ns_object_info info;
			host->object_get_info(&info, obj);
			if (info.kind != NS_POPULATION)
				return host->error(NS_EUNSUPPORTED, "file '%s': projection '%s': the "
						   "cxx format holds populations only (export "
						   "with --no-projections)", args->path, info.name);
			os << "population " << quoted(info.name) << " " << info.size << " "
			   << info.ndim;
			for (unsigned d = 0; d < info.ndim; d++)
				os << " " << info.shape[d];
			os << " " << quoted(info.type) << "\n";
			for (std::size_t a = 0; a < info.n_attrs; a++) {
				ns_attr *attr = host->object_attr_at(obj, a);
				ns_attr_info ai;
				host->attr_get_info(&ai, attr);
				os << "attribute " << quoted(ai.name) << " "
				   << host->attr_kind_name(ai.kind) << " " << host->scope_name(ai.scope)
				   << " " << host->dtype_name(ai.dtype) << " " << ai.count;
				int rc;
				if (is_float(ai.dtype)) {
					std::vector<double> v(ai.count);
					if ((rc = host->attr_read(v.data(), NS_DTYPE_F64, attr)) < 0)
						return rc;
					for (double x : v)
						os << " " << number(x);
				} else {
					std::vector<std::int64_t> v(ai.count);
					if ((rc = host->attr_read(v.data(), NS_DTYPE_I64, attr)) < 0)
						return rc;
					for (std::int64_t x : v)
						os << " " << x;
				}
				os << "\n";
			}
		}
		return write_text(out, os.str());
	} catch (const std::bad_alloc &) {
		return host->error(NS_ENOMEM, "file '%s': out of memory", args->path);
	} catch (...) {
		return host->error(NS_ERROR, "file '%s': the cxx format failed", args->path);
	}
}

// Reading: a token stream with LENGTH:TEXT strings.
struct reader {
	std::istringstream in;
	const char *path;
	explicit reader(const std::string &text, const char *p) : in(text), path(p) {}

	bool string(std::string &out)
	{
		std::size_t len;
		char colon;
		if (!(in >> len) || !in.get(colon) || colon != ':')
			return false;
		out.resize(len);
		return len == 0 || static_cast<bool>(in.read(&out[0], static_cast<std::streamsize>(len)));
	}
};

template <typename T> bool name_of(T &out, const std::string &word, const char *(*name)(T), int n)
{
	for (int i = 0; i < n; i++)
		if (word == name(static_cast<T>(i))) {
			out = static_cast<T>(i);
			return true;
		}
	return false;
}

template <typename T> void store_values(void *data, const std::vector<double> &v)
{
	T *p = static_cast<T *>(data);
	for (std::size_t i = 0; i < v.size(); i++)
		p[i] = static_cast<T>(v[i]);
}

int parse(ns_network *net, reader &r)
{
	std::string word, name, text;
	ns_object *pop = nullptr;
	int rc;
	while (r.in >> word) {
		if (word == "time") {
			double t;
			std::uint64_t step;
			if (!(r.in >> t >> step))
				break;
			host->network_set_time(net, t, step);
		} else if (word == "dt") {
			double dt;
			if (!(r.in >> dt))
				break;
			host->network_set_dt(net, dt);
		} else if (word == "meta") {
			std::string kind;
			double num = 0;
			if (!r.string(name) || !(r.in >> kind) ||
			    (kind == "s" ? !r.string(text) : !(r.in >> num)))
				break;
			if ((rc = host->network_set_meta(net, name.c_str(),
							 kind == "s" ? text.c_str() : nullptr,
							 num)) < 0)
				return rc;
		} else if (word == "population") {
			std::uint64_t size;
			unsigned ndim;
			if (!r.string(name) || !(r.in >> size >> ndim) || ndim > NS_MAX_DIMS)
				break;
			std::vector<std::uint64_t> shape(ndim);
			for (auto &d : shape)
				r.in >> d;
			if (!r.string(text))
				break;
			if ((rc = host->population_add(&pop, net, name.c_str(), size,
						       ndim ? shape.data() : nullptr, ndim,
						       text.c_str())) < 0)
				return rc;
		} else if (word == "attribute" && pop) {
			std::string kind, scope, dtype;
			ns_attr_kind k;
			ns_scope s;
			ns_dtype t;
			std::uint64_t count;
			if (!r.string(name) || !(r.in >> kind >> scope >> dtype >> count) ||
			    !name_of(k, kind, host->attr_kind_name, 2) ||
			    !name_of(s, scope, host->scope_name, 3) ||
			    !name_of(t, dtype, host->dtype_name, 7))
				break;
			std::vector<double> v(count);
			for (double &x : v)
				if (!(r.in >> x))
					return host->error(NS_EFORMAT, "file '%s': attribute '%s': "
							   "fewer values than %" PRIu64, r.path,
							   name.c_str(), count);
			ns_attr *attr;
			void *data;
			if ((rc = host->attr_add(&attr, pop, name.c_str(), k, s, t, nullptr, 0)) < 0 ||
			    (rc = host->attr_data(&data, attr)) < 0)
				return rc;
			switch (t) {
			case NS_DTYPE_F64: store_values<double>(data, v); break;
			case NS_DTYPE_F32: store_values<float>(data, v); break;
			case NS_DTYPE_I64: store_values<std::int64_t>(data, v); break;
			case NS_DTYPE_I32: store_values<std::int32_t>(data, v); break;
			default: store_values<std::uint8_t>(data, v); break;
			}
		} else {
			break;
		}
	}
	if (!r.in.eof())
		return host->error(NS_EFORMAT, "file '%s': not a cxx file at '%s'", r.path,
				   word.c_str());
	return NS_OK;
}

int cxx_import(ns_network **out, ns_istream *in, const ns_plugin_args *args)
{
	void *buf = nullptr;
	std::size_t size = 0;
	ns_network *net = nullptr;
	int rc = host->read_all(&buf, &size, in);
	if (rc < 0)
		return rc;
	try {
		std::string text(static_cast<const char *>(buf), size);
		host->free(buf);
		buf = nullptr;
		if (text.compare(0, sizeof magic - 1, magic) != 0)
			return host->error(NS_EFORMAT, "file '%s': not a cxx file", args->path);
		reader r(text.substr(sizeof magic - 1), args->path);
		std::string word, name;
		if (!(r.in >> word) || word != "network" || !r.string(name))
			return host->error(NS_EFORMAT, "file '%s': no network line", args->path);
		if ((rc = host->network_new(&net, name.c_str())) < 0)
			return rc;
		if ((rc = parse(net, r)) < 0) {
			host->network_free(net);
			return rc;
		}
		*out = net;
		return NS_OK;
	} catch (const std::bad_alloc &) {
		host->free(buf);
		host->network_free(net);
		return host->error(NS_ENOMEM, "file '%s': out of memory", args->path);
	}
}

int cxx_probe(const unsigned char *head, std::size_t n)
{
	return n >= sizeof magic - 1 && std::memcmp(head, magic, sizeof magic - 1) == 0 ? 96 : 0;
}

int cxx_init(const ns_host *h)
{
	host = h;
	return NS_OK;
}

const ns_format_ops ops = { cxx_import, cxx_export };
const char *const extensions[] = { ".cxxnet", nullptr };

// In the order of the fields (C++ has designated initializers from C++20 on).
const ns_plugin descriptor = {
	NS_PLUGIN_ABI_VERSION, sizeof(ns_plugin), NS_PLUGIN_FORMAT, "cxx",
	"a format written in C++ (nsnap's install test)", extensions, 0, cxx_probe, cxx_init,
	nullptr, &ops, nullptr, nullptr,
};

} // namespace

extern "C" NS_PLUGIN_EXPORT const ns_plugin *nsnap_plugin_entry(void)
{
	return &descriptor;
}
