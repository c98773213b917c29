// What every libFuzzer target here shares: the check that turns a broken
// property into a crash the fuzzer reports (docs/testing.md, "Fuzzing").
#pragma once

#include <cstdio>
#include <cstdlib>

// Unlike assert(), never compiled out: a fuzz target's oracle is the point.
#define FUZZ_CHECK(cond)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            std::fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                  \
        }                                                                                  \
    } while (0)
