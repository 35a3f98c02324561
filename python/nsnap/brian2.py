# SPDX-License-Identifier: MIT
"""Snapshot and restore a ``brian2.Network`` exactly, through nsnap.

    import nsnap, nsnap.brian2
    with nsnap.Store("run.nsnap", create=True) as store:
        v = nsnap.brian2.snapshot(store, net, message="after 1 s")
        ...
        nsnap.brian2.restore(store, v, net)   # net: the same network, or a rebuilt one

What is kept is everything Brian2's own ``Network.store()`` keeps, and what it
misses, so that a restored network continues spike for spike and bit for bit
as the uninterrupted run does:

- every ``NeuronGroup``, ``PoissonGroup`` and ``SpikeGeneratorGroup`` is a
  population; each array variable it owns is an attribute (values in SI base
  units, their units in the network dictionary as ``brian2.unit.<object>.<var>``):
  scope "local" when it has one value per neuron, "global" for one value,
  "array" otherwise (``_spikespace``, a generator's spike list);
- every ``Synapses`` is a projection from its source's group to its target's
  group (subgroups are indices into their group: Brian2 keeps ``_synaptic_pre``
  and ``_synaptic_post`` with the offsets). The connectivity is nsnap's, sorted by
  (post, pre); the attribute ``brian2.index`` gives each synapse's position in
  Brian2's order, so a restore can rebuild Brian2's order (synapse indices in
  spike queues and the order of summation depend on it). Synaptic variables,
  ``lastupdate``, event-driven traces and each pathway's delays
  (``pre.delay``: Brian2 2.5.1's ``store()`` itself forgets them) are
  attributes; so are the spikes in transit of each pathway's ``SpikeQueue``
  (``pre.queue``, ``pre.queue.dt``, ``pre.queue.sizes``, ``pre.queue.events``);
- monitors and every other object with state are network-wide arrays
  ``<object>.<var>``; so are the clocks (``<clock>.t``, ``.dt``, ``.timestep``),
  the network's time (``network.t``, seconds), numpy's random state
  (``random.numpy.*``) and the runtime device's random buffers
  (``random.brian2.*``, used by the Cython target).

Restore checks everything that can fail before it writes anything into
Brian2 (the engine's checks, with strict matching: an object or attribute in
one and not the other is an error), then writes straight into Brian2's arrays
where their sizes match the version's and installs the rest (resized dynamic
arrays, spike queues, the random state) afterwards. A network that differs
(names, groups' sizes, variables, units, dtypes) gets nsnap.MismatchError and
is left unchanged.
"""

import ctypes

import numpy as np

import nsnap

__all__ = ["snapshot", "restore", "describe"]

#: The layout this module writes ("brian2.adapter" in the network dictionary).
FORMAT = 1

_DTYPES = (np.float64, np.float32, np.int64, np.int32, np.uint8, np.bool_)


def _brian2():
	import brian2
	return brian2


class _Slot:
	"""One array of Brian2 state: where it lives in nsnap, how to get it back.

	``live`` is Brian2's own array (bound as is when it is C-contiguous and has
	the stored size), or None for state Brian2 keeps outside arrays; ``install``
	puts staged values back (after the engine's restore succeeded)."""

	__slots__ = ("owner", "name", "kind", "scope", "dtype", "live", "fixed", "own", "install",
		     "unit", "staged")

	def __init__(self, owner, name, live, scope, kind="variable", fixed=False, install=None,
		     unit=None, dtype=None, own=False):
		self.owner = owner          # nsnap object name, or None: network-wide
		self.name = name
		self.kind = kind
		self.scope = scope
		self.live = live
		self.dtype = np.dtype(dtype if dtype is not None else live.dtype)
		self.fixed = fixed          # Brian2's array, its size fixed: always bound directly
		self.own = own or fixed     # Brian2's array: restore may write into it when the
					    # sizes agree; otherwise staged, then install()ed
		self.staged = None
		self.install = install      # f(staged array): for state restored via a copy
		self.unit = unit

	def key(self):
		return ("" if self.owner is None else self.owner) + "/" + self.name


class _Plan:
	"""A Brian2 network described as nsnap objects and slots."""

	def __init__(self):
		self.populations = []       # (name, size, type name)
		self.projections = []       # (name, pre, post, synapses object)
		self.slots = []
		self.after = []             # callables run after every install

	def add(self, slot):
		self.slots.append(slot)
		return slot


def _root(group):
	b2 = _brian2()
	while isinstance(group, b2.Subgroup):
		group = group.source
	return group


def _unit(var):
	dim = getattr(var, "dim", None)
	from brian2.units.fundamentalunits import DIMENSIONLESS, get_unit
	if dim is None or dim is DIMENSIONLESS:
		return None
	return str(get_unit(dim))


def _array_vars(obj):
	"""Brian2's rule in Group._full_state: the array variables obj owns."""
	from brian2.core.variables import ArrayVariable
	out = []
	for var in obj.variables.values():
		if not isinstance(var, ArrayVariable):
			continue
		if var.owner is None or var.owner.name != obj.name:
			continue
		out.append(var)
	return out


def _check_dtype(obj, var, arr):
	if arr.dtype.type not in _DTYPES:
		raise TypeError("nsnap.brian2: '%s': variable '%s' has dtype %s, which nsnap cannot "
				"keep" % (obj.name, var.name, arr.dtype))


def _dynamic_install(var):
	def install(staged):
		shape = staged.shape
		var.resize(shape if len(shape) > 1 else shape[0])
		if staged.size:
			var.get_value()[...] = staged
	return install


def _add_var(plan, owner, obj, var, scope, name=None):
	from brian2.core.variables import DynamicArrayVariable
	arr = var.get_value()
	_check_dtype(obj, var, arr)
	dynamic = isinstance(var, DynamicArrayVariable)
	kind = "parameter" if var.constant else "variable"
	name = name or var.name
	if dynamic and arr.ndim > 1:
		# a 2-D monitor array: flattened, its shape beside it
		cols = np.array(arr.shape, dtype=np.int64)
		flat = np.ascontiguousarray(arr).reshape(-1)

		shape_slot = plan.add(_Slot(owner, name + ".shape", cols, "array", kind="parameter"))
		slot = plan.add(_Slot(owner, name, flat, "array", kind=kind, unit=_unit(var)))

		def install(staged, var=var, shape_slot=shape_slot):
			shape = tuple(int(x) for x in shape_slot.staged)
			var.resize(shape)
			if staged.size:
				var.get_value()[...] = staged.reshape(shape)
		slot.install = install
		shape_slot.install = lambda staged, s=shape_slot: setattr(s, "staged", staged)
		return slot
	if arr.ndim != 1 or not arr.flags.c_contiguous:
		raise TypeError("nsnap.brian2: '%s': variable '%s' is not a flat contiguous array"
				% (obj.name, var.name))
	return plan.add(_Slot(owner, name, arr, scope, kind=kind, fixed=not dynamic, own=True,
			      install=_dynamic_install(var) if dynamic else None, unit=_unit(var)))


def _group_scope(var, n):
	from brian2.core.variables import DynamicArrayVariable
	if isinstance(var, DynamicArrayVariable):
		return "array"
	if var.size == n:
		return "local"
	if var.size == 1:
		return "global"
	return "array"


# ------------------------------------------------------------ spike queues

def _queue_slots(plan, owner, pathway):
	"""The spikes in transit of one pathway, as four array attributes.

	header (i64): kind (0 none yet, 1 Brian2's C++ queue, 2 its Python queue),
	then the C++ queue's offset, or the Python queue's X.shape and current
	row (which Brian2's own store() forgets: the spikes come back in other
	rows, delivered alike, but the state is not the same)."""
	prefix = pathway.objname + ".queue"
	queue = pathway.queue
	head = np.zeros(4, dtype=np.int64)
	dt = np.full(1, np.nan)
	sizes = np.zeros(0, dtype=np.int32)
	events = np.zeros(0, dtype=np.int32)
	if queue is not None:
		state = queue._full_state()
		if _is_cpp_queue(queue):
			offset, slots = state
			head[:] = (1, offset, 0, 0)
			sizes = np.array([len(s) for s in slots], dtype=np.int32)
			events = (np.concatenate([np.asarray(s, dtype=np.int32) for s in slots])
				  if sizes.sum() else np.zeros(0, dtype=np.int32))
		else:
			qdt, spikes, shape = state
			head[:] = (2, shape[0], shape[1], queue.currenttime)
			if qdt is not None:
				dt[0] = qdt
			events = np.ascontiguousarray(spikes, dtype=np.int32).reshape(-1)
	slot_head = plan.add(_Slot(owner, prefix, head, "array"))
	slot_dt = plan.add(_Slot(owner, prefix + ".dt", dt, "array"))
	slot_sizes = plan.add(_Slot(owner, prefix + ".sizes", sizes, "array"))
	slot_events = plan.add(_Slot(owner, prefix + ".events", events, "array"))
	staged = {}
	for s in (slot_head, slot_dt, slot_sizes, slot_events):
		s.install = (lambda arr, s=s: staged.__setitem__(s.name, arr))

	def install_queue():
		from brian2.devices.device import get_device
		h = staged[slot_head.name]
		kind = int(h[0])
		if kind == 0:
			if pathway.queue is not None:
				pathway.queue._restore_from_full_state(None)
			return
		if pathway.queue is None:
			pathway.queue = get_device().spike_queue(pathway.source.start, pathway.source.stop)
		if kind == 1:
			if not _is_cpp_queue(pathway.queue):
				raise nsnap.UnsupportedError("nsnap.brian2: pathway '%s': the version has "
							     "Brian2's C++ spike queue, this Brian2 uses "
							     "its Python queue" % pathway.name)
			sz = staged[slot_sizes.name]
			ev = staged[slot_events.name]
			bounds = np.concatenate(([0], np.cumsum(sz, dtype=np.int64)))
			slots = [ev[bounds[k]:bounds[k + 1]].tolist() for k in range(len(sz))]
			pathway.queue._restore_from_full_state((int(h[1]), slots))
		else:
			d = staged[slot_dt.name][0]
			spikes = staged[slot_events.name].astype(int).reshape(-1, 2)
			pathway.queue.currenttime = int(h[3])
			pathway.queue._restore_from_full_state(
				(None if np.isnan(d) else float(d), spikes, (int(h[1]), int(h[2]))))
	plan.after.append(install_queue)
	return (slot_head, slot_dt, slot_sizes, slot_events)


def _is_cpp_queue(queue):
	try:
		from brian2.synapses.cythonspikequeue import SpikeQueue as CppQueue
	except ImportError:
		return False
	return isinstance(queue, CppQueue)


# ------------------------------------------------------------ random state

def _rand_buffers(plan, device):
	"""The runtime device's rand()/randn() buffers (Cython target).

	Brian2 keeps a pointer to a buffer of random numbers in a 1-element intp
	array; its own get_random_state() stores that pointer, not the numbers.
	nsnap keeps the numbers (and the index into them)."""
	try:
		from brian2.codegen.generators.cython_generator import _BUFFER_SIZE
	except ImportError:
		_BUFFER_SIZE = 20000
	libc = ctypes.CDLL(None)
	libc.malloc.restype = ctypes.c_void_p
	libc.malloc.argtypes = (ctypes.c_size_t,)
	for which in ("rand", "randn"):
		ptr_arr = getattr(device, which + "_buffer", None)
		idx_arr = getattr(device, which + "_buffer_index", None)
		if ptr_arr is None or idx_arr is None:
			continue
		ptr = int(ptr_arr[0])
		if ptr:
			buf = np.ctypeslib.as_array((ctypes.c_double * _BUFFER_SIZE).from_address(ptr))
		else:
			buf = np.zeros(0)
		plan.add(_Slot(None, "random.brian2.%s_buffer_index" % which, idx_arr, "array",
			       fixed=True))

		def install(staged, ptr_arr=ptr_arr, size=_BUFFER_SIZE, which=which):
			if staged.size == 0:
				return
			if staged.size != size:
				raise nsnap.MismatchError("nsnap.brian2: random.brian2.%s_buffer: %d numbers "
							  "in the version, %d in this Brian2"
							  % (which, staged.size, size))
			p = int(ptr_arr[0])
			if not p:
				# Brian2's Cython code frees it with free() when it refills
				p = libc.malloc(size * 8)
				if not p:
					raise MemoryError("nsnap.brian2: random buffer")
				ptr_arr[0] = p
			ctypes.memmove(p, staged.ctypes.data, size * 8)
		plan.add(_Slot(None, "random.brian2.%s_buffer" % which, buf, "array", install=install))


def _random_slots(plan):
	from brian2.devices.device import get_device
	name, key, pos, has_gauss, gauss = np.random.get_state(legacy=True)
	if name != "MT19937":
		raise nsnap.UnsupportedError("nsnap.brian2: numpy's random generator is %s, not MT19937"
					     % name)
	s_key = plan.add(_Slot(None, "random.numpy.mt19937.key", np.ascontiguousarray(key).view(np.int32),
			       "array"))
	s_pos = plan.add(_Slot(None, "random.numpy.mt19937.pos",
			       np.array([pos, has_gauss], dtype=np.int64), "array"))
	s_gauss = plan.add(_Slot(None, "random.numpy.mt19937.gauss", np.array([gauss]), "array"))
	staged = {}
	for s in (s_key, s_pos, s_gauss):
		s.install = (lambda arr, s=s: staged.__setitem__(s.name, arr))

	def install_random():
		p = staged[s_pos.name]
		np.random.set_state(("MT19937", staged[s_key.name].view(np.uint32).copy(), int(p[0]),
				     int(p[1]), float(staged[s_gauss.name][0])))
	plan.after.append(install_random)
	_rand_buffers(plan, get_device())


# ------------------------------------------------------------ the network

def describe(net, random_state=True):
	"""The nsnap description of a brian2.Network: a _Plan (internal)."""
	b2 = _brian2()
	from brian2.core.network import _get_all_objects
	from brian2.devices.device import RuntimeDevice, get_device
	from brian2.synapses.synapses import SynapticPathway

	if not isinstance(net, b2.Network):
		raise TypeError("nsnap.brian2: expected a brian2.Network, not %s" % type(net).__name__)
	if not isinstance(get_device(), RuntimeDevice):
		raise nsnap.UnsupportedError("nsnap.brian2: device '%s': only Brian2's runtime device "
					     "(numpy and Cython targets) is supported"
					     % type(get_device()).__name__)
	plan = _Plan()
	objects = sorted(_get_all_objects(net.objects), key=lambda o: o.name)
	groups = (b2.NeuronGroup, b2.PoissonGroup, b2.SpikeGeneratorGroup)
	names = {o.name for o in objects}

	for obj in objects:
		if isinstance(obj, groups):
			n = len(obj)
			plan.populations.append((obj.name, n, type(obj).__name__))
			for var in _array_vars(obj):
				_add_var(plan, obj.name, obj, var, _group_scope(var, n))
			if isinstance(obj, b2.SpikeGeneratorGroup):
				_spikegen_slots(plan, obj)
		elif isinstance(obj, b2.Synapses):
			_synapses_slots(plan, obj, names)
		elif isinstance(obj, SynapticPathway):
			continue   # with its Synapses
		elif hasattr(obj, "_full_state"):
			if isinstance(obj, b2.Subgroup):
				continue   # its variables are its group's
			for var in _array_vars(obj):
				_add_var(plan, None, obj, var, "array", name=obj.name + "." + var.name)

	clocks = sorted({o.clock for o in objects}, key=lambda c: c.name)
	for clock in clocks:
		for vname in ("t", "dt", "timestep"):
			var = clock.variables[vname]
			plan.add(_Slot(None, clock.name + "." + vname, var.get_value(), "array",
				       kind="variable", fixed=True, unit=_unit(var)))
	t = np.array([float(net.t_)])
	s_t = plan.add(_Slot(None, "network.t", t, "array", unit="s"))
	s_t.install = lambda arr: setattr(net, "t_", float(arr[0]))
	if random_state:
		_random_slots(plan)
	plan.clocks = clocks
	return plan


def _spikegen_slots(plan, obj):
	prev = np.array([np.nan if obj._previous_dt is None else float(obj._previous_dt)])
	changed = np.array([bool(obj._spikes_changed)])
	plan.add(_Slot(obj.name, "brian2._previous_dt", prev, "global",
		       install=lambda a: setattr(obj, "_previous_dt",
						 None if np.isnan(a[0]) else np.float64(a[0]))))
	plan.add(_Slot(obj.name, "brian2._spikes_changed", changed, "global",
		       install=lambda a: setattr(obj, "_spikes_changed", bool(a[0]))))


def _synapses_slots(plan, syn, names):
	b2 = _brian2()
	from brian2.core.variables import DynamicArrayVariable
	pre, post = _root(syn.source), _root(syn.target)
	for g in (pre, post):
		if not isinstance(g, (b2.NeuronGroup, b2.PoissonGroup, b2.SpikeGeneratorGroup)):
			raise nsnap.UnsupportedError("nsnap.brian2: synapses '%s': from or to '%s', a %s: "
						     "only neuron groups, Poisson and spike generator "
						     "groups are supported" % (syn.name, g.name,
									      type(g).__name__))
		if g.name not in names:
			raise ValueError("nsnap.brian2: synapses '%s': group '%s' is not in the network"
					 % (syn.name, g.name))
	n = int(syn.variables["N"].get_value()[0])
	registered = set(id(v) for v in syn._registered_variables)
	plan.projections.append((syn.name, pre.name, post.name, syn))
	for var in _array_vars(syn):
		if var.name in ("_synaptic_pre", "_synaptic_post"):
			continue   # the connectivity
		if isinstance(var, DynamicArrayVariable) and id(var) in registered:
			scope = "local"
		elif not isinstance(var, DynamicArrayVariable) and var.size == 1:
			scope = "global"
		else:
			scope = "array"
		_add_var(plan, syn.name, syn, var, scope)
	for pathway in sorted(syn._pathways, key=lambda p: p.objname):
		var = pathway.variables["delay"]
		scope = "local" if id(var) in registered else "array"
		_add_var(plan, syn.name, syn, var, scope, name=pathway.objname + ".delay")
		_queue_slots(plan, syn.name, pathway)
	index = np.arange(n, dtype=np.int32)
	# read by restore() itself, before the engine's restore
	plan.add(_Slot(syn.name, "brian2.index", index, "local", kind="parameter",
		       install=lambda staged: None))


def _units_meta(plan):
	return {"brian2.unit." + s.key(): s.unit for s in plan.slots if s.unit}


def _build(plan, live_arrays, connectivity):
	"""An nsnap.Network over the given arrays (slot -> array)."""
	nnet = nsnap.Network()
	objs = {}
	for name, size, typ in plan.populations:
		objs[name] = nnet.add_population(name, size, neuron_type=typ)
	for name, pre, post, syn in plan.projections:
		prj = nnet.add_projection(name, pre, post, synapse_type="Synapses")
		p, q = connectivity[name]
		prj.set_synapses(p, q)
		objs[name] = prj
	for slot in plan.slots:
		arr = live_arrays[id(slot)]
		if slot.owner is None:
			nnet.bind(slot.name, arr, kind=slot.kind)
		else:
			objs[slot.owner].bind(slot.name, arr, kind=slot.kind, scope=slot.scope)
	return nnet


def _live_connectivity(syn):
	return (syn.variables["_synaptic_pre"].get_value(), syn.variables["_synaptic_post"].get_value())


def snapshot(store, net, message=None, tag=None, branch=None, random_state=True,
	     background=False):
	"""Snapshot a brian2.Network into an open nsnap.Store; returns the version number.

	Brian2's arrays are read in place (no copy), except a spike queue's
	contents, 2-D monitor arrays and the random state, which Brian2 keeps in
	other shapes. Call it between runs (as Brian2's own store()).
	background=True returns an nsnap.SnapshotJob once the state is captured:
	net.run() may go on at once, job.wait() gives the version."""
	b2 = _brian2()
	plan = describe(net, random_state=random_state)
	for clock in plan.clocks:
		clock._set_t_update_dt(target_t=net.t)   # as Network.store() does
	arrays = {id(s): s.live for s in plan.slots}
	conn = {name: _live_connectivity(syn) for name, _, _, syn in plan.projections}
	nnet = _build(plan, arrays, conn)
	nnet.t = float(net.t_) * 1e3
	clock = next((c for c in plan.clocks if c.name == "defaultclock"),
		     plan.clocks[0] if plan.clocks else None)
	if clock is not None:
		nnet.dt = float(clock.dt_) * 1e3
		nnet.step = int(clock.variables["timestep"].get_value()[0])
	nnet.meta["brian2.adapter"] = float(FORMAT)
	nnet.meta["brian2.version"] = b2.__version__
	nnet.meta["brian2.network"] = net.name
	nnet.meta["brian2.target"] = str(b2.prefs.codegen.target)
	for k, v in _units_meta(plan).items():
		nnet.meta[k] = v
	return store.snapshot(nnet, message=message, tag=tag, branch=branch, background=background)


def _mismatch(msg):
	return nsnap.MismatchError("nsnap.brian2: " + msg)


def _stored_count(ver, slot):
	"""The number of values of a slot in the version, or None when absent."""
	try:
		if slot.owner is None:
			return len(ver.network_attrs[slot.name])
		obj = ver[slot.owner]
		if slot.name not in obj.keys():
			return None
		return int(obj.info(slot.name)["count"])
	except KeyError:
		return None


def _stored_connectivity(ver, plan, live):
	"""Each projection's synapses as the version has them, in Brian2's order
	(``brian2.index``): the connectivity to restore with, and the (Synapses,
	pre, post) to install afterwards where it differs from the network's."""
	conn, install = {}, []
	for name, pre, post, syn in plan.projections:
		lp, lq = live[name]
		try:
			sv = ver[name]
			sp, sq = np.asarray(sv.pre), np.asarray(sv.post)
			idx = np.asarray(sv["brian2.index"]) if "brian2.index" in sv.keys() else None
		except KeyError:
			sp = idx = None
		if sp is None or idx is None or len(idx) != len(sp) or \
		   (len(idx) and (idx.min() < 0 or idx.max() >= len(idx))):
			conn[name] = (lp, lq)    # the engine names what differs
			continue
		bp = np.empty(len(sp), dtype=np.int32)
		bq = np.empty(len(sq), dtype=np.int32)
		bp[idx] = sp
		bq[idx] = sq
		if len(bp) == len(lp) and np.array_equal(bp, lp) and np.array_equal(bq, lq):
			conn[name] = (lp, lq)
		else:
			conn[name] = (bp, bq)
			install.append((syn, bp, bq))
	return conn, install


def restore(store, rev, net, random_state=True):
	"""Restore version rev of an nsnap.Store into a brian2.Network.

	net is the network that was snapshotted, or one built the same way (the
	same objects' names, groups' sizes and variables); its synapses may differ
	(Brian2's restore brings the stored ones back, so does this). Everything
	is checked before anything is written: a network that differs gets
	nsnap.MismatchError and is left as it was. random_state=False leaves
	numpy's and Brian2's random state alone (Brian2's restore() default); the
	default restores it, as an exact resume needs. Returns the engine's report."""
	plan = describe(net, random_state=random_state)
	with store.open(rev) as ver:
		meta = ver.meta
		if "brian2.adapter" not in meta:
			raise _mismatch("version %s was not written by nsnap.brian2" % rev)
		if int(meta["brian2.adapter"]) != FORMAT:
			raise nsnap.UnsupportedError("nsnap.brian2: version %s has layout %s; this module "
						     "reads %d" % (rev, meta["brian2.adapter"], FORMAT))
		live_units = _units_meta(plan)
		stored_units = {k: v for k, v in meta.items() if k.startswith("brian2.unit.")}
		for k in sorted(set(live_units) | set(stored_units)):
			a, b = stored_units.get(k, "1"), live_units.get(k, "1")
			if a != b:
				raise _mismatch("%s: unit %s in the version, %s in the network"
						% (k[len("brian2.unit."):], a, b))
		arrays, staged = {}, []
		for slot in plan.slots:
			if slot.fixed:
				arrays[id(slot)] = slot.live
				continue
			n = _stored_count(ver, slot)
			if n is None:
				n = len(slot.live)   # absent: the engine's strict check says so
			if slot.own and n == len(slot.live):
				arr = slot.live
			else:
				arr = np.zeros(n, dtype=slot.dtype)
				staged.append((slot, arr))
			arrays[id(slot)] = arr
		# The engine checks everything (objects, sizes, synapses, scopes,
		# dtypes, strict: nothing in one only) before it writes anything.
		# Into the network's own synapses first: the engine compares them
		# with the version's at little cost (nothing when this store handle
		# snapshotted them). When they differ, into the version's synapses
		# in Brian2's order, installed afterwards (as Brian2's restore does).
		live = {name: _live_connectivity(syn) for name, _, _, syn in plan.projections}
		conn_install = []
		try:
			if any(len(ver[name].pre) != len(live[name][0]) for name in live
			       if name in ver.keys()):
				raise nsnap.MismatchError("synapses differ")
			report = store.restore(rev, _build(plan, arrays, live), strict=True)
		except nsnap.MismatchError:
			conn, conn_install = _stored_connectivity(ver, plan, live)
			report = store.restore(rev, _build(plan, arrays, conn), strict=True)
	for syn, bp, bq in conn_install:
		for vname, values in (("_synaptic_pre", bp), ("_synaptic_post", bq)):
			var = syn.variables[vname]
			var.resize(len(values))
			var.get_value()[...] = values
	for slot, arr in staged:
		slot.install(arr)
	for f in plan.after:
		f()
	return report

