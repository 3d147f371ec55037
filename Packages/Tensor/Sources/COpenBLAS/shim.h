// OpenBLAS's CBLAS interface (Debian: libopenblas-dev, found through pkg-config `openblas`).
#ifndef SANNKIT_COPENBLAS_SHIM_H
#define SANNKIT_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
