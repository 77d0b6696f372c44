/*
 * fuzz.h -- the libFuzzer entry point every target defines.  Targets are
 * built twice: with clang -fsanitize=fuzzer for `make fuzz`, and with the
 * regular compiler plus tests/fuzz/replay.c for `make check`, which runs
 * every kept input (seed corpus and past crashes) under the sanitizers.
 */
#ifndef JOBQ_FUZZ_H
#define JOBQ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
