/* SPDX-License-Identifier: MIT */
/* Which objects a snapshot or restore takes: ANNarchy's switches and a
 * selection by name. */
#include "internal.h"

#include <string.h>

int ns__selected(const ns_select *sel, const ns_object *obj)
{
	if ((obj->kind == NS_POPULATION && sel->no_populations) ||
	    (obj->kind == NS_PROJECTION && sel->no_projections))
		return 0;
	if (!sel->only)
		return 1;
	for (const char *const *n = sel->only; *n; n++)
		if (strcmp(*n, obj->name) == 0)
			return 1;
	return 0;
}

int ns__select_check(const ns_select *sel, const ns_network *a, const ns_network *b)
{
	if (!sel->only)
		return NS_OK;
	for (const char *const *n = sel->only; *n; n++)
		if (!(a && ns_network_object_find(a, *n)) && !(b && ns_network_object_find(b, *n)))
			return ns_err(NS_ENOTFOUND, "no population or projection '%s' to select",
				      *n);
	return NS_OK;
}
