// The declaration in include/CFuzzerDriver.h is all this module holds: libFuzzer defines the
// function, linked into fieldkit-fuzz by `-sanitize=fuzzer`.
#include "CFuzzerDriver.h"
