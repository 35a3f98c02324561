/* SPDX-License-Identifier: MIT */
/* What the engine offers the layers below it (formats/) beyond the public
 * API. Nothing else of engine/ is reached from outside it. */
#ifndef NSNAP_ENGINE_ENGINE_H
#define NSNAP_ENGINE_ENGINE_H

#include <nsnap/snapshot.h>

/* Revision @rev of @store as a read-only network holding only the objects
 * @sel selects (every name it lists must exist). */
int ns__network_open_selected(ns_network **out, ns_store *store, const char *rev,
			      const ns_select *sel);

#endif
