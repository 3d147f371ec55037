// GMP's public names are macros over __gmp* functions, which Swift calls directly; the
// function-like macros below cannot be imported, so they are wrapped as static inline functions.
#ifndef SANNKIT_CGMP_SHIM_H
#define SANNKIT_CGMP_SHIM_H
#include <gmp.h>
#include <stdlib.h>

static inline mpz_ptr sann_mpq_numref(mpq_ptr q) { return mpq_numref(q); }
static inline mpz_ptr sann_mpq_denref(mpq_ptr q) { return mpq_denref(q); }
static inline int sann_mpq_sgn(mpq_srcptr q) { return mpq_sgn(q); }
static inline int sann_mpz_sgn(mpz_srcptr z) { return mpz_sgn(z); }
/// Frees a string returned by mpz_get_str/mpq_get_str with GMP's own deallocator.
static inline void sann_gmp_free_string(char *s) {
  void (*free_function)(void *, size_t);
  mp_get_memory_functions(NULL, NULL, &free_function);
  free_function(s, strlen(s) + 1);
}
#endif
