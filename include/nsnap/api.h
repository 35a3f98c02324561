/* SPDX-License-Identifier: MIT */
/**
 * @file api.h
 * @brief NS_API, the mark of nsnap's public functions.
 *
 * libnsnap is built with hidden visibility: only functions declared with
 * NS_API in these headers are exported, so a program's own names never
 * collide with nsnap's internals.
 */
#ifndef NSNAP_API_H
#define NSNAP_API_H

#if defined(__GNUC__) || defined(__clang__)
#define NS_API __attribute__((visibility("default")))
#else
#define NS_API
#endif

#endif
