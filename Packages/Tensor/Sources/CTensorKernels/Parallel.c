// A second thread for splitting one operation into two parts (see include/TensorKernels.h,
// sann_run_two_parts). Products and element-wise kernels of a training step take 3–40 µs, so
// the helper thread must already be running when a part arrives: it spins between parts and
// only sleeps after a quiet spell, and the caller never waits for a part nobody has started.
// A detached job (sann_adam_start) is the same hand-off without the caller's part: the caller
// goes on, and whoever needs one of its results waits for that result alone (sann_await_flag).

#define _GNU_SOURCE
#include "TensorKernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define SANN_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define SANN_PAUSE() __asm__ __volatile__("yield")
#else
#define SANN_PAUSE() ((void)0)
#endif

// The helper spins this long without work before it sleeps: longer than the gaps between the
// parts of a training step (a few µs to a few hundred, at an epoch's evaluation), short enough
// not to hold a core once training is over.
#define SANN_SPIN_NANOSECONDS 2000000ull

// The job word: epoch << 1 | claimed. The caller publishes job e as (e << 1); whoever moves it
// to (e << 1 | 1) runs part 1, so a helper that wakes late never runs a job twice, nor one the
// caller has already finished.
static _Atomic uint64_t job_word;
static _Atomic uint64_t job_done;  // the last epoch whose part 1 the helper finished
static sann_part_function job_function;
static void *job_context;

static atomic_flag pool_in_use = ATOMIC_FLAG_INIT;  // one caller at a time; others run inline
// Whether the published job is detached: nobody waits for it as a whole, so whoever finishes
// it (the helper, or a caller that runs it because the helper had not) frees the pool.
static _Atomic int job_detached;
static _Atomic int helper_sleeping;
static _Atomic int thread_count = 1;
static pthread_once_t helper_once = PTHREAD_ONCE_INIT;
static int helper_started;
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sleep_signal = PTHREAD_COND_INITIALIZER;

static uint64_t monotonic_nanoseconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void *helper_main(void *unused) {
  (void)unused;
  uint64_t seen = atomic_load(&job_word) >> 1;
  for (;;) {
    uint64_t idle_since = 0;
    unsigned spins = 0;
    uint64_t word;
    while (((word = atomic_load_explicit(&job_word, memory_order_acquire)) >> 1) == seen) {
      SANN_PAUSE();
      if (++spins % 1024 != 0) continue;
      uint64_t now = monotonic_nanoseconds();
      if (idle_since == 0) {
        idle_since = now;
      } else if (now - idle_since > SANN_SPIN_NANOSECONDS) {
        pthread_mutex_lock(&sleep_lock);
        atomic_store(&helper_sleeping, 1);
        while ((atomic_load(&job_word) >> 1) == seen) pthread_cond_wait(&sleep_signal, &sleep_lock);
        atomic_store(&helper_sleeping, 0);
        pthread_mutex_unlock(&sleep_lock);
        idle_since = 0;
      }
    }
    seen = word >> 1;
    if ((word & 1) == 0 &&
        atomic_compare_exchange_strong_explicit(&job_word, &word, word | 1, memory_order_acq_rel, memory_order_acquire)) {
      int detached = atomic_load_explicit(&job_detached, memory_order_relaxed);
      job_function(job_context, 1);
      atomic_store_explicit(&job_done, seen, memory_order_release);
      if (detached) {
        atomic_store_explicit(&job_detached, 0, memory_order_relaxed);
        atomic_flag_clear_explicit(&pool_in_use, memory_order_release);
      }
    }
  }
  return NULL;
}

static void start_helper(void) {
  pthread_t thread;
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
  helper_started = pthread_create(&thread, &attributes, helper_main, NULL) == 0;
  pthread_attr_destroy(&attributes);
}

void sann_set_thread_count(int count) { atomic_store(&thread_count, count >= 2 ? 2 : 1); }

int sann_thread_count(void) { return atomic_load(&thread_count); }

// Takes the pool and hands function(context, 1) to the helper: the job's epoch, or 0 when the
// thread count is 1, another caller holds the pool, or the helper could not be started.
static uint64_t publish(sann_part_function function, void *context, int detached) {
  if (atomic_load_explicit(&thread_count, memory_order_relaxed) < 2 ||
      atomic_flag_test_and_set_explicit(&pool_in_use, memory_order_acquire)) {
    return 0;
  }
  pthread_once(&helper_once, start_helper);
  if (!helper_started) {
    atomic_flag_clear_explicit(&pool_in_use, memory_order_release);
    return 0;
  }
  job_function = function;
  job_context = context;
  atomic_store_explicit(&job_detached, detached, memory_order_relaxed);
  uint64_t epoch = (atomic_load_explicit(&job_word, memory_order_relaxed) >> 1) + 1;
  atomic_store(&job_word, epoch << 1);
  if (atomic_load(&helper_sleeping)) {
    pthread_mutex_lock(&sleep_lock);
    pthread_cond_signal(&sleep_signal);
    pthread_mutex_unlock(&sleep_lock);
  }
  return epoch;
}

void sann_run_two_parts(sann_part_function function, void *context) {
  uint64_t epoch = publish(function, context, 0);
  if (epoch == 0) {
    function(context, 0);
    function(context, 1);
    return;
  }
  function(context, 0);
  uint64_t unclaimed = epoch << 1;
  if (atomic_compare_exchange_strong_explicit(&job_word, &unclaimed, unclaimed | 1, memory_order_acq_rel,
                                              memory_order_acquire)) {
    function(context, 1);  // the helper had not started it: run it here rather than wait
  } else {
    unsigned spins = 0;
    while (atomic_load_explicit(&job_done, memory_order_acquire) != epoch) {
      SANN_PAUSE();
      if (++spins % 4096 == 0) sched_yield();  // the helper was descheduled mid-part
    }
  }
  atomic_flag_clear_explicit(&pool_in_use, memory_order_release);
}

// MARK: - Detached Adam steps

static void run_adam_job(void *context, ptrdiff_t part) {
  (void)part;
  const sann_adam_job *job = context;
  const sann_adam_item *items = job->items;
  const ptrdiff_t count = job->count;
  const float beta1 = job->beta1, beta2 = job->beta2, epsilon = job->epsilon;
  // Nothing of the job is read after the last flag drops: the caller may free it then.
  for (ptrdiff_t i = 0; i < count; i++) {
    const sann_adam_item item = items[i];
    if (item.count > 0) {
      sann_adam_update(item.value, item.grad, item.m, item.v, item.count, beta1, beta2, item.step_size,
                       item.inverse_correction2_root, epsilon, item.coupled_decay, item.shrink);
    }
    atomic_fetch_sub_explicit((_Atomic int *)item.pending, 1, memory_order_release);
  }
}

int sann_adam_start(const sann_adam_job *job) {
  if (publish(run_adam_job, (void *)job, 1) != 0) return 1;
  run_adam_job((void *)job, 1);
  return 0;
}

int sann_flag_is_set(const int *flag) {
  return atomic_load_explicit((_Atomic const int *)flag, memory_order_acquire) != 0;
}

void sann_await_flag(const int *flag) {
  unsigned spins = 0;
  while (sann_flag_is_set(flag)) {
    // A set flag belongs to the published detached job (it holds the pool until it is done),
    // or to one its owner is about to publish: when the helper has not claimed the published
    // one yet, run it here, then look at the flag again.
    uint64_t word = atomic_load_explicit(&job_word, memory_order_acquire);
    if ((word & 1) == 0 && atomic_load_explicit(&job_detached, memory_order_relaxed) &&
        atomic_compare_exchange_strong_explicit(&job_word, &word, word | 1, memory_order_acq_rel,
                                                memory_order_acquire)) {
      job_function(job_context, 1);
      atomic_store_explicit(&job_done, word >> 1, memory_order_release);
      atomic_store_explicit(&job_detached, 0, memory_order_relaxed);
      atomic_flag_clear_explicit(&pool_in_use, memory_order_release);
      continue;
    }
    SANN_PAUSE();
    if (++spins % 4096 == 0) sched_yield();  // the helper was descheduled mid-job
  }
}
