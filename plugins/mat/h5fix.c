/* SPDX-License-Identifier: MIT */
/* MAT v7.3 files of Python's HDF5 writers, made what matio reads. MATLAB
 * and matio write each object's MATLAB_class attribute ("double",
 * "struct", ...) as a fixed-length string ending in a NUL (NULLTERM);
 * h5py and hdf5storage write it padded with NULs (NULLPAD, "double" in 6
 * bytes) or of variable length. matio reads it as a NULLTERM string of
 * the attribute's size, so HDF5's conversion drops the last character
 * ("doubl"), matio knows no such class, and its walk of the file fails
 * ("HDF5 error #000 in H5Literate()"). Before matio reads the private copy
 * of the file, every such attribute is written again as MATLAB writes it. */
#include "mat.h"

#include <hdf5.h>
#include <string.h>

#define CLASS_ATTR "MATLAB_class"

/* Rewrite @obj's MATLAB_class when it is not a NULLTERM string: 0, or -1
 * when HDF5 failed. */
static int fix_class(hid_t obj)
{
	char name[64] = "";
	hid_t a = -1, t = -1, mt = -1, sp = -1;
	htri_t vl;
	int rc = -1;

	if (H5Aexists(obj, CLASS_ATTR) <= 0)
		return 0;
	if ((a = H5Aopen(obj, CLASS_ATTR, H5P_DEFAULT)) < 0 || (t = H5Aget_type(a)) < 0)
		goto done;
	rc = 0;
	if (H5Tget_class(t) != H5T_STRING || (vl = H5Tis_variable_str(t)) < 0 ||
	    (!vl && H5Tget_strpad(t) == H5T_STR_NULLTERM))
		goto done;
	rc = -1;
	if (vl) {
		char *s = NULL;
		if ((mt = H5Tcopy(H5T_C_S1)) < 0 || H5Tset_size(mt, H5T_VARIABLE) < 0 ||
		    H5Aread(a, mt, &s) < 0)
			goto done;
		if (s && strlen(s) < sizeof name)
			strcpy(name, s);
		H5free_memory(s);
	} else {
		size_t n = H5Tget_size(t);
		if (n >= sizeof name)
			goto done;
		if (H5Aread(a, t, name) < 0) /* its own type: the bytes as they are */
			goto done;
		name[n] = '\0';
	}
	H5Aclose(a);
	a = -1;
	if (mt >= 0)
		H5Tclose(mt);
	mt = -1;
	if (H5Adelete(obj, CLASS_ATTR) < 0 || (mt = H5Tcopy(H5T_C_S1)) < 0 ||
	    H5Tset_size(mt, strlen(name) + 1) < 0 || H5Tset_strpad(mt, H5T_STR_NULLTERM) < 0 ||
	    (sp = H5Screate(H5S_SCALAR)) < 0 ||
	    (a = H5Acreate2(obj, CLASS_ATTR, mt, sp, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
	    H5Awrite(a, mt, name) < 0)
		goto done;
	rc = 0;
done:
	if (a >= 0)
		H5Aclose(a);
	if (t >= 0)
		H5Tclose(t);
	if (mt >= 0)
		H5Tclose(mt);
	if (sp >= 0)
		H5Sclose(sp);
	return rc;
}

#if H5_VERSION_GE(1, 12, 0)
static herr_t visit(hid_t group, const char *name, const H5L_info2_t *info, void *data)
#else
static herr_t visit(hid_t group, const char *name, const H5L_info_t *info, void *data)
#endif
{
	hid_t obj;
	int rc;
	(void)data;
	if (info->type != H5L_TYPE_HARD)
		return 0;
	if ((obj = H5Oopen(group, name, H5P_DEFAULT)) < 0)
		return -1;
	rc = fix_class(obj);
	H5Oclose(obj);
	return rc;
}

int mt_h5_fix(const char *tmp, const char *path)
{
	H5E_auto2_t func;
	void *client;
	hid_t f;
	herr_t rc;

	/* HDF5's own errors are not printed: the message below names them. */
	H5Eget_auto2(H5E_DEFAULT, &func, &client);
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	if ((f = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT)) < 0) {
		H5Eset_auto2(H5E_DEFAULT, func, client);
		return mt_fail(path, NULL, NULL, "HDF5 cannot open its data (a damaged MAT v7.3 "
			       "file)");
	}
#if H5_VERSION_GE(1, 12, 0)
	rc = H5Lvisit2(f, H5_INDEX_NAME, H5_ITER_NATIVE, visit, NULL);
#else
	rc = H5Lvisit(f, H5_INDEX_NAME, H5_ITER_NATIVE, visit, NULL);
#endif
	if (H5Fclose(f) < 0)
		rc = -1;
	H5Eset_auto2(H5E_DEFAULT, func, client);
	if (rc < 0)
		return mt_fail(path, NULL, NULL, "HDF5 cannot read or update its MATLAB_class "
			       "attributes (a damaged MAT v7.3 file)");
	return NS_OK;
}
