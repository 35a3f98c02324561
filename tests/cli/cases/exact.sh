# SPDX-License-Identifier: MIT
# Integers are exact over the whole i64 range: RNG words and values past
# 2^53 that no double holds. ints1 -> ints2 changes every i64 by an amount
# a double cannot see (except INT64_MIN -> INT64_MAX); ints3 is ints2 with
# one RNG word changed in its lowest bit only. Non-finite floats: v holds
# nan and inf, u only NaNs.
t init
t import "$DATA/ints1.nsnt" -m one
t import "$DATA/ints2.nsnt" -m two
t import "$DATA/ints3.nsnt" -m three
t cat 1 N rng
t cat 1 N seed
t cat 1 NN rng
t cat 2 N rng
t show 1
t show 1 --json
t diff 2 3
t diff 2 3 --json
t diff 1 2
t diff 1 2 --tol 1
t diff 1 2 --json
t diff 2 2
# A random generator's state kept as a network-wide array: one word that
# changes in its lowest bits makes the versions differ.
t import "$DATA/arrays1.nsnt" -m arrays
t import "$DATA/arrays2.nsnt" -m arrays2
t diff 4 5
t diff 4 5 --json
