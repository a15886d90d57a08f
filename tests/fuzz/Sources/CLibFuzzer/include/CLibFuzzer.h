// libFuzzer's driver, for a SwiftPM executable: SwiftPM links an executable's entry point under
// the module's name (fuzz_inventory_main), which hands control to this driver with the target's
// callback. The symbol comes from the libFuzzer runtime that -sanitize=fuzzer links in.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
