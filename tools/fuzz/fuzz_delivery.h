#ifndef WMIEMU_TOOLS_FUZZ_DELIVERY_H
#define WMIEMU_TOOLS_FUZZ_DELIVERY_H

/* fuzz_delivery.c's entry points besides libFuzzer's, for the test that
 * runs each input twice (fuzz_delivery_replay.c). */

#include <stddef.h>
#include <stdint.h>

/* Reads the WMIEMU_FUZZ_* variables (LLVMFuzzerInitialize calls it). */
void fuzz_delivery_configure(void);

/* Runs one input as a schedule; returns its wmiemu_outcome_t. trace
 * (optional) receives the schedule's trace; message gets the outcome and,
 * on success, every subscription's query and counters. */
int fuzz_delivery_run(const uint8_t *data, size_t size, const char *trace, char *message, size_t message_size);

#endif
