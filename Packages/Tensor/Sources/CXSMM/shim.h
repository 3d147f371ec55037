// libxsmm's JIT small-matrix kernels (Debian: libxsmm-dev, found through pkg-config `libxsmm`).
#ifndef SANNKIT_CXSMM_SHIM_H
#define SANNKIT_CXSMM_SHIM_H
#include <libxsmm.h>
#endif
