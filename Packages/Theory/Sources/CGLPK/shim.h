// GLPK, the GNU Linear Programming Kit. Note: GLPK aborts the whole process on an
// out-of-range row or column index, so every index is validated in Swift before a call.
#ifndef SANNKIT_CGLPK_SHIM_H
#define SANNKIT_CGLPK_SHIM_H
#include <glpk.h>
#endif
