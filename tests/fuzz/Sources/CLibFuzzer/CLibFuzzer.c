// Only the header's declaration is needed; SwiftPM wants one source file in a C target.
#include "CLibFuzzer.h"
