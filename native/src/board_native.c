// Board's native CPU backend: an N-API addon (plain node_api.h, no C++ wrapper) that runs float32 products through
// OpenBLAS's cblas_sgemm and the memory-bound passes of a training step as fused C loops: im2col/col2im, ReLU forward
// and backward, 2-D max pooling with indices and its scatter backward, log-softmax + NLL backward, and the SGD / Adam
// updates. Arrays are passed as Float32Array/Int32Array views and used in place (no copies); every entry point checks
// that the element range it will touch lies inside each view, so a wrong call from JS throws instead of corrupting
// memory. The TypeScript side (lib/engine/kernels/native.ts) validates shapes first and reports them with context.
#define _POSIX_C_SOURCE 200809L  // clock_gettime under -std=c11
#define NAPI_VERSION 8
#include <node_api.h>

/** Bumped whenever an entry point is added or its arguments change; lib/engine/kernels/native.ts checks it. */
#define BOARD_NATIVE_ABI 4
#include <cblas.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

// GCC's static branch prediction rates the code after an entry point's dozen argument checks as cold (each check's
// early return counts as likely) and then optimises it for size: the Adam loop stayed scalar. The checks are marked
// unlikely, and the kernel loops hot.
#define HOT __attribute__((hot))
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

// OpenBLAS extensions (declared here too, so the file also compiles against a cblas.h from another BLAS build).
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_corename(void);
char *openblas_get_config(void);

// ---------------------------------------------------------------------------------------------------------------
// Argument helpers. Each returns 0 on success; on failure a JS exception is pending and the caller returns NULL.

#define MAX_ARGS 20
#define GET_ARGS(n)                                                                      \
  size_t argc = MAX_ARGS;                                                                \
  napi_value argv[MAX_ARGS];                                                             \
  if (UNLIKELY(napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok)) return NULL; \
  if (UNLIKELY(argc < (n))) {                                                            \
    char msg_[96];                                                                       \
    snprintf(msg_, sizeof msg_, "%s: expected %d arguments, got %zu", __func__, (n), argc); \
    napi_throw_type_error(env, NULL, msg_);                                              \
    return NULL;                                                                         \
  }

static int fail(napi_env env, const char *fn, const char *what) {
  char msg[256];
  snprintf(msg, sizeof msg, "board_native.%s: %s", fn, what);
  napi_throw_error(env, NULL, msg);
  return 1;
}

static int get_f64(napi_env env, napi_value v, double *out, const char *fn) {
  if (napi_get_value_double(env, v, out) != napi_ok) return fail(env, fn, "expected a number argument");
  return 0;
}

static int get_i64(napi_env env, napi_value v, int64_t *out, const char *fn) {
  double d;
  if (get_f64(env, v, &d, fn)) return 1;
  if (!(d >= 0 && d <= 9007199254740991.0) || d != (double)(int64_t)d) return fail(env, fn, "expected a non-negative integer argument");
  *out = (int64_t)d;
  return 0;
}

static int get_bool(napi_env env, napi_value v, int *out, const char *fn) {
  bool b;
  if (napi_get_value_bool(env, v, &b) != napi_ok) return fail(env, fn, "expected a boolean argument");
  *out = b ? 1 : 0;
  return 0;
}

/** A typed array of the given type; *len receives its element count. null/undefined gives NULL when allow_null. */
static int get_array(napi_env env, napi_value v, napi_typedarray_type want, void **data, int64_t *len, const char *fn,
                     int allow_null) {
  napi_valuetype vt;
  napi_typeof(env, v, &vt);
  if (allow_null && (vt == napi_null || vt == napi_undefined)) {
    *data = NULL;
    *len = 0;
    return 0;
  }
  bool is_ta = false;
  napi_is_typedarray(env, v, &is_ta);
  if (!is_ta) return fail(env, fn, want == napi_float32_array ? "expected a Float32Array" : "expected an Int32Array");
  napi_typedarray_type type;
  size_t length;
  if (napi_get_typedarray_info(env, v, &type, &length, data, NULL, NULL) != napi_ok) return fail(env, fn, "cannot read typed array");
  if (type != want) return fail(env, fn, want == napi_float32_array ? "expected a Float32Array" : "expected an Int32Array");
  *len = (int64_t)length;
  return 0;
}

#define F32(i, name) \
  float *name; int64_t name##_len; \
  if (UNLIKELY(get_array(env, argv[i], napi_float32_array, (void **)&name, &name##_len, __func__, 0))) return NULL;
#define F32_OR_NULL(i, name) \
  float *name; int64_t name##_len; \
  if (UNLIKELY(get_array(env, argv[i], napi_float32_array, (void **)&name, &name##_len, __func__, 1))) return NULL;
#define I32(i, name) \
  int32_t *name; int64_t name##_len; \
  if (UNLIKELY(get_array(env, argv[i], napi_int32_array, (void **)&name, &name##_len, __func__, 0))) return NULL;
#define INT(i, name) int64_t name = 0; if (UNLIKELY(get_i64(env, argv[i], &name, __func__))) return NULL;
#define NUM(i, name) double name = 0; if (UNLIKELY(get_f64(env, argv[i], &name, __func__))) return NULL;
#define BOOL(i, name) int name = 0; if (UNLIKELY(get_bool(env, argv[i], &name, __func__))) return NULL;
#define NEED(cond, what) if (UNLIKELY(!(cond))) { fail(env, __func__, what); return NULL; }


// ---------------------------------------------------------------------------------------------------------------
// The thread pool (setNumThreads). OpenBLAS's own threads only pay off on large products: the CNN's GEMMs are per
// sample and small (conv2: 32x400 by 400x64), where its hand-off costs more than it saves. So the batch is split
// across threads here instead: the per-sample convolution loops, pooling and ReLU run on `pool_size` threads (the
// calling JS thread is thread 0; pool_size - 1 persistent pthreads, created on the first parallel call), each
// calling OpenBLAS single-threaded. OpenBLAS keeps 1 thread except for a large sgemm (see BLAS_PAR_MNK), so the two
// never oversubscribe the cores. Workers spin briefly after a job (the next kernel of a step usually follows within
// microseconds), then sleep on a condition variable. A job is cut into a few tasks per thread, claimed by whichever
// thread is free. Results do not depend on scheduling: each task owns a fixed contiguous range of samples (or planes /
// elements) and a scratch slot, and a convolution's weight gradient is the sum of per-task partials in task order;
// the task count depends only on the thread count and the shape, so a thread count always gives the same bits.

#define POOL_MAX 64
// Default of BOARD_POOL_YIELD_US (see pool_worker), in ns.
#define POOL_YIELD_NS_DEFAULT 0

typedef void (*pool_fn)(void *arg, int task, int ntasks);

static struct {
  int size;     // threads including the caller (setNumThreads)
  int started;  // worker pthreads running (size - 1 once started, else 0)
  pthread_t th[POOL_MAX];
  pthread_mutex_t mu;
  pthread_cond_t wake, done;
  pthread_mutex_t busy;        // one parallel region at a time (the addon may be loaded by several worker_threads)
  _Atomic uint64_t job;        // generation << 32 | task count << 16 | next unclaimed task
  atomic_int remaining;        // tasks of the current job not yet finished
  atomic_int quit;
  uint32_t gen;                // the last generation dispatched
  int sleepers;                // workers blocked on `wake` (under mu)
  int64_t spin_ns;             // how long a worker spins for the next job, and the caller for the last task, before
                               // sleeping: 50 us, or BOARD_POOL_SPIN_US
  int64_t yield_ns;            // then how long a worker polls with sched_yield before sleeping (BOARD_POOL_YIELD_US)
  // poolStats(): tasks run by each thread (0: the caller) and how often a worker went to sleep and was woken.
  _Atomic int64_t tasks[POOL_MAX];
  _Atomic int64_t wakeups;
  _Atomic int64_t jobs;
  pool_fn fn;
  void *arg;
  // Per-thread scratch, kept between calls (no malloc, no fresh pages per step): [0] columns, [1] partial gradients.
  float *scratch[POOL_MAX][2];
  size_t cap[POOL_MAX][2];
} pool = {.size = 1,
          .mu = PTHREAD_MUTEX_INITIALIZER,
          .wake = PTHREAD_COND_INITIALIZER,
          .done = PTHREAD_COND_INITIALIZER,
          .busy = PTHREAD_MUTEX_INITIALIZER,
          .spin_ns = 50000};

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

static inline int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/**
 * Claims and runs tasks of job `gen` until none is left unclaimed. A job's tasks are claimed, not assigned to
 * threads: when a worker is descheduled (the machine is shared), the caller runs its task too, rather than
 * waiting. Which thread runs a task never changes what it computes (a task owns a fixed range and scratch slot).
 */
static void pool_work(uint32_t gen, int tid) {
  uint64_t v = atomic_load_explicit(&pool.job, memory_order_acquire);
  for (;;) {
    const int k = (int)(v & 0xffff), n = (int)((v >> 16) & 0xffff);
    if ((uint32_t)(v >> 32) != gen || k >= n) return;
    if (!atomic_compare_exchange_weak_explicit(&pool.job, &v, v + 1, memory_order_acq_rel, memory_order_acquire)) continue;
    pool.fn(pool.arg, k, n);  // fn and arg are stable: job gen cannot complete while task k runs
    atomic_fetch_add_explicit(&pool.tasks[tid], 1, memory_order_relaxed);
    if (atomic_fetch_sub_explicit(&pool.remaining, 1, memory_order_acq_rel) == 1) {
      pthread_mutex_lock(&pool.mu);
      pthread_cond_signal(&pool.done);
      pthread_mutex_unlock(&pool.mu);
    }
    v = atomic_load_explicit(&pool.job, memory_order_acquire);
  }
}

static void *pool_worker(void *p) {
  const int tid = (int)(intptr_t)p;
  uint32_t seen = 0;
  for (;;) {
    uint64_t v;
    int64_t t0 = 0;
    // Spin (pause) for spin_ns, then poll with sched_yield for yield_ns (the core stays free for other threads, and
    // the next job is picked up within a scheduler slice instead of a futex wake-up), then sleep.
    for (int spins = 0, yielding = 0; (uint32_t)((v = atomic_load_explicit(&pool.job, memory_order_acquire)) >> 32) == seen;) {
      if (yielding) sched_yield();
      else {
        cpu_relax();
        if ((++spins & 63) != 0) continue;
      }
      if (!t0) {
        t0 = now_ns();
        continue;
      }
      const int64_t waited = now_ns() - t0;
      if (waited > pool.spin_ns) yielding = 1;
      if (waited > pool.spin_ns + pool.yield_ns) {
        pthread_mutex_lock(&pool.mu);
        pool.sleepers++;
        while ((uint32_t)(atomic_load_explicit(&pool.job, memory_order_acquire) >> 32) == seen)
          pthread_cond_wait(&pool.wake, &pool.mu);
        pool.sleepers--;
        pthread_mutex_unlock(&pool.mu);
        atomic_fetch_add_explicit(&pool.wakeups, 1, memory_order_relaxed);
        t0 = 0;
        yielding = 0;
      }
    }
    seen = (uint32_t)(v >> 32);
    if (atomic_load(&pool.quit)) return NULL;
    pool_work(seen, tid);
  }
}

/** Joins the workers (setNumThreads to another count, and the last env's cleanup at exit). Caller holds busy. */
static void pool_stop(void) {
  if (!pool.started) return;
  pthread_mutex_lock(&pool.mu);
  atomic_store(&pool.quit, 1);
  atomic_store(&pool.job, (uint64_t)(++pool.gen) << 32);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.mu);
  for (int i = 1; i <= pool.started; i++) pthread_join(pool.th[i], NULL);
  pool.started = 0;
  atomic_store(&pool.quit, 0);
}

/** Starts size - 1 workers if not running; 0 on success (else the caller runs every task). Caller holds busy. */
static int pool_start(void) {
  if (pool.started == pool.size - 1) return 0;
  pool_stop();
  pool.gen = 0;
  atomic_store(&pool.job, 0);
  const char *spin = getenv("BOARD_POOL_SPIN_US");
  if (spin) pool.spin_ns = (int64_t)(atof(spin) * 1000);
  const char *yield = getenv("BOARD_POOL_YIELD_US");
  pool.yield_ns = yield ? (int64_t)(atof(yield) * 1000) : POOL_YIELD_NS_DEFAULT;
  for (int i = 1; i < pool.size; i++) {
    if (pthread_create(&pool.th[i], NULL, pool_worker, (void *)(intptr_t)i) != 0) {
      pool_stop();
      return 1;
    }
    pool.started = i;
  }
  return 0;
}

#define TASKS_PER_THREAD 4  // measured at load 8: main-thread time per CNN step 6.6 ms with 4, 6.9 ms with 1

/**
 * Tasks a job of `items` independent units (samples, planes) and `work` scalar operations is split into: 1 (run on
 * the caller) for small jobs or one thread, else a few per thread, so that when one thread is descheduled (the
 * machine is shared) the others take over its remaining tasks. A function of the thread count and the shape only.
 */
static int pool_threads(int64_t items, double work, double minWork) {
  if (pool.size < 2 || items < 2 || work < minWork) return 1;
  int64_t n = (int64_t)pool.size * TASKS_PER_THREAD;
  if (n > POOL_MAX) n = POOL_MAX;
  if (n > items) n = items;
  return (int)n;
}

/** Grows thread tid's scratch slot k to n floats (caller thread, before a job). 0 on success. */
static int pool_scratch(int tid, int k, size_t n) {
  if (pool.cap[tid][k] >= n) return 0;
  free(pool.scratch[tid][k]);
  pool.scratch[tid][k] = malloc(n * sizeof(float));
  pool.cap[tid][k] = pool.scratch[tid][k] ? n : 0;
  return pool.scratch[tid][k] ? 0 : 1;
}

/**
 * Runs fn(arg, task, ntasks) for task = 0..ntasks-1 on the pool (the caller takes part) and returns when all are
 * done. The caller holds pool.busy. When the workers cannot start, the caller runs every task: same results.
 */
static void pool_run_held(pool_fn fn, void *arg, int ntasks) {
  if (ntasks <= 1 || pool.size < 2 || pool_start() != 0) {
    for (int t = 0; t < ntasks; t++) fn(arg, t, ntasks);
    return;
  }
  pool.fn = fn;
  pool.arg = arg;
  atomic_store_explicit(&pool.remaining, ntasks, memory_order_relaxed);
  const uint32_t gen = ++pool.gen;
  pthread_mutex_lock(&pool.mu);
  atomic_store_explicit(&pool.job, (uint64_t)gen << 32 | (uint64_t)ntasks << 16, memory_order_release);
  if (pool.sleepers) pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.mu);
  atomic_fetch_add_explicit(&pool.jobs, 1, memory_order_relaxed);
  pool_work(gen, 0);
  int64_t t0 = 0;
  for (int spins = 0; atomic_load_explicit(&pool.remaining, memory_order_acquire) > 0;) {
    cpu_relax();
    if ((++spins & 63) != 0) continue;
    if (!t0) t0 = now_ns();
    else if (now_ns() - t0 > pool.spin_ns) {
      pthread_mutex_lock(&pool.mu);
      while (atomic_load_explicit(&pool.remaining, memory_order_acquire) > 0) pthread_cond_wait(&pool.done, &pool.mu);
      pthread_mutex_unlock(&pool.mu);
    }
  }
}

/**
 * pool_run_held for jobs that use no pool scratch (pooling, ReLU): when another JS thread (worker_threads each load
 * the addon) is inside a parallel region, this one runs its tasks in turn instead of waiting.
 */
static void pool_run(pool_fn fn, void *arg, int ntasks) {
  if (ntasks <= 1 || pthread_mutex_trylock(&pool.busy) != 0) {
    for (int t = 0; t < ntasks; t++) fn(arg, t, ntasks);
    return;
  }
  pool_run_held(fn, arg, ntasks);
  pthread_mutex_unlock(&pool.busy);
}

/** [lo, hi) of tid's share of n items split into nth contiguous ranges. */
static inline void split(int64_t n, int tid, int nth, int64_t *lo, int64_t *hi) {
  const int64_t q = n / nth, r = n % nth;
  *lo = tid * q + (tid < r ? tid : r);
  *hi = *lo + q + (tid < r ? 1 : 0);
}

// Below these sizes a kernel runs on the calling thread: waking a worker and sharing cache lines costs ~5-50 us.
#define PAR_MIN_MACS 262144.0   // convolutions: multiply-adds over the batch
#define PAR_MIN_ELEMS 65536.0   // elementwise passes, pooling: elements touched
// A single sgemm of at least this many multiply-adds uses OpenBLAS's threads (512^3 scales well; the CNN's
// 64x512 by 512x10 Linear does not).
#define BLAS_PAR_MNK 8388608.0

// ---------------------------------------------------------------------------------------------------------------
// BLAS

/** A rows x cols row-major matrix at off with row stride ld fits in an array of len elements. */
static int fits(int64_t len, int64_t off, int64_t ld, int64_t rows, int64_t cols) {
  if (rows == 0 || cols == 0) return 1;
  return ld >= cols && off + (rows - 1) * ld + cols <= len;
}

// sgemm(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc): C = alpha op(A) op(B) + beta C
static napi_value sgemm(napi_env env, napi_callback_info info) {
  GET_ARGS(16);
  BOOL(0, ta); BOOL(1, tb); INT(2, M); INT(3, N); INT(4, K); NUM(5, alpha);
  F32(6, A); INT(7, aOff); INT(8, lda); F32(9, B); INT(10, bOff); INT(11, ldb); NUM(12, beta);
  F32(13, C); INT(14, cOff); INT(15, ldc);
  NEED(M <= INT32_MAX && N <= INT32_MAX && K <= INT32_MAX && lda <= INT32_MAX && ldb <= INT32_MAX && ldc <= INT32_MAX,
       "dimensions exceed 32-bit BLAS integers");
  // A one-row operand's stride is never used, but BLAS insists on ld >= its column count.
  if ((ta ? K : M) <= 1 && lda < (ta ? M : K)) lda = ta ? M : K;
  if ((tb ? N : K) <= 1 && ldb < (tb ? K : N)) ldb = tb ? K : N;
  if (M <= 1 && ldc < N) ldc = N;
  NEED(fits(A_len, aOff, lda, ta ? K : M, ta ? M : K), "A is too small for the given shape, offset and lda");
  NEED(fits(B_len, bOff, ldb, tb ? N : K, tb ? K : N), "B is too small for the given shape, offset and ldb");
  NEED(fits(C_len, cOff, ldc, M, N), "C is too small for the given shape, offset and ldc");
  if (M == 0 || N == 0) return NULL;
  // OpenBLAS requires lda >= max(1, cols) even when a dim is 0 or 1.
  if (lda < 1) lda = 1;
  if (ldb < 1) ldb = 1;
  if (ldc < 1) ldc = 1;
  const int big = pool.size > 1 && (double)M * (double)N * (double)K >= BLAS_PAR_MNK;
  if (big) openblas_set_num_threads(pool.size);
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)M, (int)N, (int)K,
              (float)alpha, A + aOff, (int)lda, B + bOff, (int)ldb, (float)beta, C + cOff, (int)ldc);
  if (big) openblas_set_num_threads(1);
  return NULL;
}

static napi_value set_num_threads(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  INT(0, n);
  NEED(n >= 1 && n <= 1024, "thread count must be between 1 and 1024");
  if (n > POOL_MAX) n = POOL_MAX;
  // Another JS thread inside a parallel region: wait for it (the workers are joined and restarted lazily).
  pthread_mutex_lock(&pool.busy);
  if (n != pool.size) pool_stop();
  pool.size = (int)n;
  pthread_mutex_unlock(&pool.busy);
  return NULL;
}

// poolThreads(): worker pthreads now running (0 until a parallel kernel runs with setNumThreads(n > 1), then n - 1)
static napi_value pool_threads_running(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  napi_create_int32(env, pool.started, &out);
  return out;
}

// poolStats(): { jobs, wakeups, tasks: [caller, worker 1, ...] } since the start (diagnosis: how much of each job
// the workers took, and how often they had fallen asleep).
static napi_value pool_stats(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out, tasks, v;
  napi_create_object(env, &out);
  napi_create_double(env, (double)atomic_load(&pool.jobs), &v);
  napi_set_named_property(env, out, "jobs", v);
  napi_create_double(env, (double)atomic_load(&pool.wakeups), &v);
  napi_set_named_property(env, out, "wakeups", v);
  const int n = pool.size > pool.started + 1 ? pool.size : pool.started + 1;
  napi_create_array_with_length(env, (size_t)n, &tasks);
  for (int i = 0; i < n; i++) {
    napi_create_double(env, (double)atomic_load(&pool.tasks[i]), &v);
    napi_set_element(env, tasks, (uint32_t)i, v);
  }
  napi_set_named_property(env, out, "tasks", tasks);
  return out;
}

static napi_value get_num_threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  napi_create_int32(env, pool.size, &out);
  return out;
}

/** { blas: "OpenBLAS ...config...", core: "Haswell" }: what OpenBLAS picked at run time, for benchmark reports. */
static napi_value blas_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out, s;
  napi_create_object(env, &out);
  napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, out, "config", s);
  napi_create_string_utf8(env, openblas_get_corename(), NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, out, "core", s);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// im2col / col2im over three spatial dims, same layout and conventions as lib/engine/kernels/im2col.ts:
//   cols[r][(od*oH + oh)*oW + ow] = x[c][od*sD - pD + a*dD][oh*sH - pH + b*dH][ow*sW - pW + e*dW]   (0 outside)
// geometry g (Int32Array) = C, inD, inH, inW, kD, kH, kW, sD, sH, sW, pD, pH, pW, dD, dH, dW, oD, oH, oW.

typedef struct {
  int64_t C, inD, inH, inW, kD, kH, kW, sD, sH, sW, pD, pH, pW, dD, dH, dW, oD, oH, oW;
} geom_t;

static int read_geom(napi_env env, napi_value v, geom_t *g, const char *fn) {
  int32_t *a = NULL;
  int64_t len = 0;
  if (get_array(env, v, napi_int32_array, (void **)&a, &len, fn, 0)) return 1;
  if (len != 19) return fail(env, fn, "geometry must have 19 entries");
  int64_t *dst = &g->C;
  for (int i = 0; i < 19; i++) {
    if (a[i] < 0) return fail(env, fn, "geometry entries must be non-negative");
    dst[i] = a[i];
  }
  if (g->sD < 1 || g->sH < 1 || g->sW < 1 || g->dD < 1 || g->dH < 1 || g->dW < 1) return fail(env, fn, "stride and dilation must be >= 1");
  return 0;
}

static inline int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }
static inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
static inline int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }

HOT static void im2col_f32(const float *x, const geom_t *g, float *col, int64_t ld) {
  const int64_t planeIn = g->inD * g->inH * g->inW;
  int64_t r = 0;
  for (int64_t c = 0; c < g->C; c++) {
    const float *xc = x + c * planeIn;
    for (int64_t a = 0; a < g->kD; a++)
      for (int64_t b = 0; b < g->kH; b++)
        for (int64_t e = 0; e < g->kW; e++, r++) {
          float *dst = col + r * ld;
          const int64_t wOff = e * g->dW - g->pW;
          const int64_t ow0 = wOff >= 0 ? 0 : min64(g->oW, ceil_div(-wOff, g->sW));
          const int64_t ow1 = max64(ow0, min64(g->oW, ceil_div(g->inW - wOff, g->sW)));
          for (int64_t od = 0; od < g->oD; od++) {
            const int64_t id = od * g->sD - g->pD + a * g->dD;
            const int dOk = id >= 0 && id < g->inD;
            for (int64_t oh = 0; oh < g->oH; oh++, dst += g->oW) {
              const int64_t ih = oh * g->sH - g->pH + b * g->dH;
              if (!dOk || ih < 0 || ih >= g->inH) {
                memset(dst, 0, (size_t)g->oW * sizeof(float));
                continue;
              }
              const float *src = xc + (id * g->inH + ih) * g->inW + wOff;
              for (int64_t ow = 0; ow < ow0; ow++) dst[ow] = 0;
              // A plain loop, not memcpy: rows are short (8-24 floats in a small CNN) and the call costs more.
              if (g->sW == 1) for (int64_t ow = ow0; ow < ow1; ow++) dst[ow] = src[ow];
              else for (int64_t ow = ow0; ow < ow1; ow++) dst[ow] = src[ow * g->sW];
              for (int64_t ow = ow1; ow < g->oW; ow++) dst[ow] = 0;
            }
          }
        }
  }
}

HOT static void col2im_f32(const float *col, const geom_t *g, float *dx, int64_t ld) {
  const int64_t planeIn = g->inD * g->inH * g->inW;
  int64_t r = 0;
  for (int64_t c = 0; c < g->C; c++) {
    float *xc = dx + c * planeIn;
    for (int64_t a = 0; a < g->kD; a++)
      for (int64_t b = 0; b < g->kH; b++)
        for (int64_t e = 0; e < g->kW; e++, r++) {
          const float *src = col + r * ld;
          const int64_t wOff = e * g->dW - g->pW;
          const int64_t ow0 = wOff >= 0 ? 0 : min64(g->oW, ceil_div(-wOff, g->sW));
          const int64_t ow1 = max64(ow0, min64(g->oW, ceil_div(g->inW - wOff, g->sW)));
          for (int64_t od = 0; od < g->oD; od++) {
            const int64_t id = od * g->sD - g->pD + a * g->dD;
            const int dOk = id >= 0 && id < g->inD;
            for (int64_t oh = 0; oh < g->oH; oh++, src += g->oW) {
              const int64_t ih = oh * g->sH - g->pH + b * g->dH;
              if (!dOk || ih < 0 || ih >= g->inH) continue;
              float *dst = xc + (id * g->inH + ih) * g->inW + wOff;
              if (g->sW == 1) for (int64_t ow = ow0; ow < ow1; ow++) dst[ow] += src[ow];
              else for (int64_t ow = ow0; ow < ow1; ow++) dst[ow * g->sW] += src[ow];
            }
          }
        }
  }
}

/** Range checks shared by im2col and col2im: the image and the column block fit their arrays. */
static int check_cols(napi_env env, const geom_t *g, int64_t xLen, int64_t xOff, int64_t colLen, int64_t colOff, int64_t ld,
                      const char *fn) {
  const int64_t planeIn = g->inD * g->inH * g->inW, L = g->oD * g->oH * g->oW, rows = g->C * g->kD * g->kH * g->kW;
  if (xOff + g->C * planeIn > xLen) return fail(env, fn, "image range exceeds its array");
  if (ld < L) return fail(env, fn, "ld must be >= the number of output positions");
  if (rows > 0 && L > 0 && colOff + (rows - 1) * ld + L > colLen) return fail(env, fn, "column block exceeds its array");
  return 0;
}

// im2col(x, xOff, geom, col, colOff, ld)
static napi_value im2col(napi_env env, napi_callback_info info) {
  GET_ARGS(6);
  F32(0, x); INT(1, xOff); geom_t g; if (read_geom(env, argv[2], &g, __func__)) return NULL;
  F32(3, col); INT(4, colOff); INT(5, ld);
  if (check_cols(env, &g, x_len, xOff, col_len, colOff, ld, __func__)) return NULL;
  im2col_f32(x + xOff, &g, col + colOff, ld);
  return NULL;
}

// col2im(col, geom, dx, dxOff, colOff, ld): dx += fold(col)
static napi_value col2im(napi_env env, napi_callback_info info) {
  GET_ARGS(6);
  F32(0, col); geom_t g; if (read_geom(env, argv[1], &g, __func__)) return NULL;
  F32(2, dx); INT(3, dxOff); INT(4, colOff); INT(5, ld);
  if (check_cols(env, &g, dx_len, dxOff, col_len, colOff, ld, __func__)) return NULL;
  col2im_f32(col + colOff, &g, dx + dxOff, ld);
  return NULL;
}

// ---------------------------------------------------------------------------------------------------------------
// Whole convolutions (forward and backward) in one call, one sample at a time, so the column matrix of a sample stays
// in the L1/L2 cache instead of a batch-sized buffer (6.5 MB for the benchmark CNN's conv2, written with a 16 KB row
// stride that aliases in the cache). Two column layouts, picked per shape:
//   cols [R, L] (R = Cin·kernel volume rows, L output positions): the GEMMs stream along L; best when L >= R
//        (a first layer: R = 25, L = 576).
//   rows [L, R] ("im2row"): each output position's receptive field is contiguous; best when R > L (a deep layer:
//        R = 400, L = 64): the copy writes sequentially and the GEMMs read R-long rows.
// Measured on the benchmark CNN (standalone C, 1 thread): conv2 forward 1.1 ms and backward 1.6 ms per batch of 64
// with rows, against 1.2 + 2.5 ms for one batched GEMM over [R, N·L] columns plus reorders; conv1 forward 0.18 ms
// with cols against 0.46 ms with rows.

// im2row / row2im move kW floats at a time (one kernel row of one receptive field). With kW a run-time value the
// compiler emits a generic loop around every 3-7 float copy, which made these passes cost more than the GEMMs they
// feed: conv2 of the benchmark CNN (16 -> 32 channels, 5x5 kernel, 12x12 input, batch 64) took 2.0 ms for im2row and
// 2.1 ms for row2im per batch on the Intel Xeon VM. Bodies specialised for the common widths 3, 5 and 7 (a constant kW
// lets the copies be unrolled) take 0.7-0.9 and 1.0 ms; other widths use the generic body.

/** rows[p][r] = x[c][id][ih][iw] for output position p and row r = ((c·kD + a)·kH + b)·kW + e (0 outside). */
static inline __attribute__((always_inline)) void im2row_body(const float *x, const geom_t *g, float *rows, const int64_t kW) {
  const int64_t planeIn = g->inD * g->inH * g->inW;
  float *dst = rows;
  for (int64_t od = 0; od < g->oD; od++)
    for (int64_t oh = 0; oh < g->oH; oh++)
      for (int64_t ow = 0; ow < g->oW; ow++) {
        const int64_t iw0 = ow * g->sW - g->pW, iwLast = iw0 + (kW - 1) * g->dW;
        const int wIn = iw0 >= 0 && iwLast < g->inW;
        for (int64_t c = 0; c < g->C; c++) {
          const float *xc = x + c * planeIn;
          for (int64_t a = 0; a < g->kD; a++) {
            const int64_t id = od * g->sD - g->pD + a * g->dD;
            for (int64_t b = 0; b < g->kH; b++, dst += kW) {
              const int64_t ih = oh * g->sH - g->pH + b * g->dH;
              if (id < 0 || id >= g->inD || ih < 0 || ih >= g->inH) {
                for (int64_t e = 0; e < kW; e++) dst[e] = 0;
                continue;
              }
              const float *src = xc + (id * g->inH + ih) * g->inW;
              if (wIn && g->dW == 1) for (int64_t e = 0; e < kW; e++) dst[e] = src[iw0 + e];
              else
                for (int64_t e = 0; e < kW; e++) {
                  const int64_t iw = iw0 + e * g->dW;
                  dst[e] = iw >= 0 && iw < g->inW ? src[iw] : 0;
                }
            }
          }
        }
      }
}

/** The adjoint of im2row: dx[c][id][ih][iw] += rows[p][r]. */
static inline __attribute__((always_inline)) void row2im_body(const float *rows, const geom_t *g, float *dx, const int64_t kW) {
  const int64_t planeIn = g->inD * g->inH * g->inW;
  const float *src = rows;
  for (int64_t od = 0; od < g->oD; od++)
    for (int64_t oh = 0; oh < g->oH; oh++)
      for (int64_t ow = 0; ow < g->oW; ow++) {
        const int64_t iw0 = ow * g->sW - g->pW, iwLast = iw0 + (kW - 1) * g->dW;
        const int wIn = iw0 >= 0 && iwLast < g->inW;
        for (int64_t c = 0; c < g->C; c++) {
          float *xc = dx + c * planeIn;
          for (int64_t a = 0; a < g->kD; a++) {
            const int64_t id = od * g->sD - g->pD + a * g->dD;
            for (int64_t b = 0; b < g->kH; b++, src += kW) {
              const int64_t ih = oh * g->sH - g->pH + b * g->dH;
              if (id < 0 || id >= g->inD || ih < 0 || ih >= g->inH) continue;
              float *d = xc + (id * g->inH + ih) * g->inW;
              if (wIn && g->dW == 1) for (int64_t e = 0; e < kW; e++) d[iw0 + e] += src[e];
              else
                for (int64_t e = 0; e < kW; e++) {
                  const int64_t iw = iw0 + e * g->dW;
                  if (iw >= 0 && iw < g->inW) d[iw] += src[e];
                }
            }
          }
        }
      }
}

HOT static void im2row_f32(const float *x, const geom_t *g, float *rows) {
  switch (g->kW) {
    case 3: im2row_body(x, g, rows, 3); break;
    case 5: im2row_body(x, g, rows, 5); break;
    case 7: im2row_body(x, g, rows, 7); break;
    default: im2row_body(x, g, rows, g->kW);
  }
}

HOT static void row2im_f32(const float *rows, const geom_t *g, float *dx) {
  switch (g->kW) {
    case 3: row2im_body(rows, g, dx, 3); break;
    case 5: row2im_body(rows, g, dx, 5); break;
    case 7: row2im_body(rows, g, dx, 7); break;
    default: row2im_body(rows, g, dx, g->kW);
  }
}

/** Shapes of a convolution call, checked against the arrays it touches. */
typedef struct {
  geom_t g;  // g.C = input channels per group
  int64_t N, Cin, Cout, groups, Cg, Cog, KK, Rg, R, L, plane;
  int rowsLayout;
} conv_t;

static int read_conv(napi_env env, napi_value geomV, napi_value shapeV, conv_t *c, const char *fn) {
  if (read_geom(env, geomV, &c->g, fn)) return 1;
  int32_t *s = NULL;
  int64_t len = 0;
  if (get_array(env, shapeV, napi_int32_array, (void **)&s, &len, fn, 0)) return 1;
  if (len != 3 || s[0] < 0 || s[1] < 1 || s[2] < 1) return fail(env, fn, "shape must be [N, Cout, groups] with Cout, groups >= 1");
  c->N = s[0];
  c->Cout = s[1];
  c->groups = s[2];
  c->Cg = c->g.C;
  c->Cin = c->Cg * c->groups;
  if (c->Cout % c->groups != 0) return fail(env, fn, "Cout must be divisible by groups");
  c->Cog = c->Cout / c->groups;
  c->KK = c->g.kD * c->g.kH * c->g.kW;
  c->Rg = c->Cg * c->KK;
  c->R = c->Cin * c->KK;
  c->L = c->g.oD * c->g.oH * c->g.oW;
  c->plane = c->g.inD * c->g.inH * c->g.inW;
  c->rowsLayout = c->R > c->L;
  if (c->Rg > INT32_MAX || c->L > INT32_MAX || c->R > INT32_MAX) return fail(env, fn, "dimensions exceed 32-bit BLAS integers");
  return 0;
}

/** The columns of sample n (all groups) into scratch, in the layout the call uses. */
static void columns(const conv_t *c, const float *xn, float *scratch) {
  geom_t full = c->g;
  full.C = c->Cin;
  if (c->rowsLayout) im2row_f32(xn, &full, scratch);
  else im2col_f32(xn, &full, scratch, c->L);
}

/** One sample's forward: yn[Cout, L] = W · columns(xn) + b. */
static void conv_forward_sample(const conv_t *c, const float *xn, const float *w, const float *b, float *yn, float *scratch) {
  if (b)
    for (int64_t o = 0; o < c->Cout; o++)
      for (int64_t j = 0; j < c->L; j++) yn[o * c->L + j] = b[o];
  columns(c, xn, scratch);
  for (int64_t gi = 0; gi < c->groups; gi++) {
    const float *wg = w + gi * c->Cog * c->Rg;
    float *yg = yn + gi * c->Cog * c->L;
    if (c->rowsLayout)  // y_g[Cog, L] = W_g[Cog, Rg] · rows[:, group]ᵀ
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)c->Cog, (int)c->L, (int)c->Rg, 1.0f, wg, (int)c->Rg,
                  scratch + gi * c->Rg, (int)c->R, b ? 1.0f : 0.0f, yg, (int)c->L);
    else  // y_g = W_g · cols[group rows, L]
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)c->Cog, (int)c->L, (int)c->Rg, 1.0f, wg, (int)c->Rg,
                  scratch + gi * c->Rg * c->L, (int)c->L, b ? 1.0f : 0.0f, yg, (int)c->L);
  }
}

typedef struct {
  const conv_t *c;
  const float *x, *w, *b, *gy;
  float *y, *dx, *dw, *db;
  double dwBeta, dbBeta;
} conv_job_t;

static void conv_forward_job(void *arg, int tid, int nth) {
  const conv_job_t *j = arg;
  const conv_t *c = j->c;
  int64_t n0, n1;
  split(c->N, tid, nth, &n0, &n1);
  for (int64_t n = n0; n < n1; n++)
    conv_forward_sample(c, j->x + n * c->Cin * c->plane, j->w, j->b, j->y + n * c->Cout * c->L, pool.scratch[tid][0]);
}

// convForward(x, w, b|null, y, geom, [N, Cout, groups]): y[N, Cout, L] = conv(x[N, Cin, plane], w[Cout, Cin/g, K]) + b
// The batch is split across the pool's threads (each sample is independent; results do not depend on the split).
static napi_value conv_forward(napi_env env, napi_callback_info info) {
  GET_ARGS(6);
  F32(0, x); F32(1, w); F32_OR_NULL(2, b); F32(3, y);
  conv_t c;
  if (read_conv(env, argv[4], argv[5], &c, __func__)) return NULL;
  NEED(x_len >= c.N * c.Cin * c.plane, "input smaller than N*Cin*plane");
  NEED(w_len >= c.Cout * c.Rg, "weight smaller than Cout*Cin/groups*kernel");
  NEED(!b || b_len >= c.Cout, "bias shorter than Cout");
  NEED(y_len >= c.N * c.Cout * c.L, "output smaller than N*Cout*L");
  if (c.N == 0 || c.L == 0) return NULL;
  pthread_mutex_lock(&pool.busy);  // the per-thread scratch is shared by every JS thread that loads the addon
  const int nth = pool_threads(c.N, (double)c.N * c.Cout * c.Rg * c.L, PAR_MIN_MACS);
  int oom = 0;
  for (int t = 0; t < nth; t++) oom |= pool_scratch(t, 0, (size_t)(c.R * c.L));
  conv_job_t j = {.c = &c, .x = x, .w = w, .b = b, .y = y};
  if (!oom) pool_run_held(conv_forward_job, &j, nth);
  pthread_mutex_unlock(&pool.busy);
  NEED(!oom, "out of memory for the column scratch");
  return NULL;
}

/**
 * Task tid of a convolution backward: the bias gradient for its range of output channels (each channel summed in
 * sample order, as on one thread), then for its range of samples dx (written in full) and the weight gradient:
 * task 0 into dw (with dwBeta), task t > 0 into its partial buffer (beta 0 first), summed into dw afterwards in task
 * order.
 */
static void conv_backward_job(void *arg, int tid, int nth) {
  const conv_job_t *j = arg;
  const conv_t *c = j->c;
  if (j->db) {
    int64_t o0, o1;
    split(c->Cout, tid, nth, &o0, &o1);
    for (int64_t o = o0; o < o1; o++) {
      double s = 0;  // double: a sum over N·L terms (PyTorch sums in float with pairwise blocks; this is closer)
      for (int64_t n = 0; n < c->N; n++) {
        const float *g = j->gy + (n * c->Cout + o) * c->L;
        float part = 0;
        for (int64_t k = 0; k < c->L; k++) part += g[k];
        s += part;
      }
      j->db[o] = (float)(j->dbBeta == 0 ? s : j->db[o] + s);
    }
  }
  if (!j->dx && !j->dw) return;
  int64_t n0, n1;
  split(c->N, tid, nth, &n0, &n1);
  float *scratch = pool.scratch[tid][0];
  float *dw = tid == 0 ? j->dw : pool.scratch[tid][1];
  const float beta0 = tid == 0 ? (float)j->dwBeta : 0.0f;
  if (dw && n0 == n1 && beta0 == 0) memset(dw, 0, (size_t)(c->Cout * c->Rg) * sizeof(float));
  geom_t full = c->g;
  full.C = c->Cin;
  for (int64_t n = n0; n < n1; n++) {
    const float *gyn = j->gy + n * c->Cout * c->L;
    if (dw) {
      columns(c, j->x + n * c->Cin * c->plane, scratch);
      const float beta = n == n0 ? beta0 : 1.0f;
      for (int64_t gi = 0; gi < c->groups; gi++) {
        const float *gg = gyn + gi * c->Cog * c->L;
        float *dwg = dw + gi * c->Cog * c->Rg;
        if (c->rowsLayout)  // dW_g[Cog, Rg] += gy_g[Cog, L] · rows[L, group]
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)c->Cog, (int)c->Rg, (int)c->L, 1.0f, gg, (int)c->L,
                      scratch + gi * c->Rg, (int)c->R, beta, dwg, (int)c->Rg);
        else  // dW_g += gy_g · cols[group rows, L]ᵀ
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)c->Cog, (int)c->Rg, (int)c->L, 1.0f, gg, (int)c->L,
                      scratch + gi * c->Rg * c->L, (int)c->L, beta, dwg, (int)c->Rg);
      }
    }
    if (j->dx) {
      for (int64_t gi = 0; gi < c->groups; gi++) {
        const float *gg = gyn + gi * c->Cog * c->L;
        const float *wg = j->w + gi * c->Cog * c->Rg;
        if (c->rowsLayout)  // drows[L, group] = gy_gᵀ · W_g
          cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)c->L, (int)c->Rg, (int)c->Cog, 1.0f, gg, (int)c->L, wg,
                      (int)c->Rg, 0.0f, scratch + gi * c->Rg, (int)c->R);
        else  // dcols[group rows, L] = W_gᵀ · gy_g
          cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)c->Rg, (int)c->L, (int)c->Cog, 1.0f, wg, (int)c->Rg, gg,
                      (int)c->L, 0.0f, scratch + gi * c->Rg * c->L, (int)c->L);
      }
      float *dxn = j->dx + n * c->Cin * c->plane;
      memset(dxn, 0, (size_t)(c->Cin * c->plane) * sizeof(float));
      if (c->rowsLayout) row2im_f32(scratch, &full, dxn);
      else col2im_f32(scratch, &full, dxn, c->L);
    }
  }
}

/** dw[i] += Σ_{t=1..parts-1} partial_t[i] over task tid's slice of i (partials added in task order). */
typedef struct {
  float *dw;
  int64_t len;
  int parts;
} reduce_job_t;

HOT static void reduce_job(void *arg, int tid, int nth) {
  const reduce_job_t *r = arg;
  int64_t i0, i1;
  split(r->len, tid, nth, &i0, &i1);
  float *restrict dw = r->dw;
  for (int t = 1; t < r->parts; t++) {
    const float *restrict p = pool.scratch[t][1];
    for (int64_t i = i0; i < i1; i++) dw[i] += p[i];
  }
}

// convBackward(gy, x, w, dx|null, dw|null, dwBeta, db|null, dbBeta, geom, [N, Cout, groups])
// dx is written in full; dw = dwBeta·dw + Σ_n gy_n·cols_nᵀ and db = dbBeta·db + Σ gy (beta 1 adds into an existing
// gradient, which is how the engine accumulates straight into a parameter's .grad). With the pool, each task takes
// a contiguous range of samples; the weight gradient's per-task partial sums are added in task order, so the result
// is the same on every run with a given thread count (and within float rounding of the 1-thread result).
static napi_value conv_backward(napi_env env, napi_callback_info info) {
  GET_ARGS(10);
  F32(0, gy); F32(1, x); F32(2, w); F32_OR_NULL(3, dx); F32_OR_NULL(4, dw); NUM(5, dwBeta); F32_OR_NULL(6, db);
  NUM(7, dbBeta);
  conv_t c;
  if (read_conv(env, argv[8], argv[9], &c, __func__)) return NULL;
  NEED(gy_len >= c.N * c.Cout * c.L, "output gradient smaller than N*Cout*L");
  NEED(x_len >= c.N * c.Cin * c.plane, "input smaller than N*Cin*plane");
  NEED(w_len >= c.Cout * c.Rg, "weight smaller than Cout*Cin/groups*kernel");
  NEED(!dx || dx_len >= c.N * c.Cin * c.plane, "input gradient smaller than N*Cin*plane");
  NEED(!dw || dw_len >= c.Cout * c.Rg, "weight gradient smaller than the weight");
  NEED(!db || db_len >= c.Cout, "bias gradient shorter than Cout");
  if (c.N == 0 || c.L == 0) {  // empty sums
    if (db) for (int64_t o = 0; o < c.Cout; o++) db[o] = dbBeta == 0 ? 0.0f : db[o];
    if (dx) memset(dx, 0, (size_t)(c.N * c.Cin * c.plane) * sizeof(float));
    if (dw && dwBeta == 0) memset(dw, 0, (size_t)(c.Cout * c.Rg) * sizeof(float));
    return NULL;
  }
  if (!dx && !dw && !db) return NULL;
  pthread_mutex_lock(&pool.busy);  // the per-thread scratch is shared by every JS thread that loads the addon
  const double macs = (double)c.N * c.Cout * c.Rg * c.L * ((dx ? 1 : 0) + (dw ? 1 : 0));
  const int nth = pool_threads(c.N, macs, PAR_MIN_MACS);
  int oom = 0;
  if (dx || dw)
    for (int t = 0; t < nth; t++) {
      oom |= pool_scratch(t, 0, (size_t)(c.R * c.L));
      if (dw && t > 0) oom |= pool_scratch(t, 1, (size_t)(c.Cout * c.Rg));
    }
  if (!oom) {
    conv_job_t j = {.c = &c, .x = x, .w = w, .gy = gy, .dx = dx, .dw = dw, .db = db, .dwBeta = dwBeta, .dbBeta = dbBeta};
    pool_run_held(conv_backward_job, &j, nth);
    if (dw && nth > 1) {
      reduce_job_t r = {.dw = dw, .len = c.Cout * c.Rg, .parts = nth};
      pool_run_held(reduce_job, &r, pool_threads(r.len, (double)r.len * (nth - 1), PAR_MIN_ELEMS));
    }
  }
  pthread_mutex_unlock(&pool.busy);
  NEED(!oom, "out of memory for the column scratch");
  return NULL;
}

// ---------------------------------------------------------------------------------------------------------------
// Bias gradients and bias rows.

HOT static void sum_rows_f32(const float *restrict g, int64_t M, int64_t N, float *restrict out, float beta) {
  if (beta == 0) memset(out, 0, (size_t)N * sizeof(float));
  else if (beta != 1) for (int64_t j = 0; j < N; j++) out[j] *= beta;
  for (int64_t i = 0; i < M; i++) {
    const float *r = g + i * N;
    for (int64_t j = 0; j < N; j++) out[j] += r[j];
  }
}

// sumRows(g, M, N, out, beta): out[j] = beta·out[j] + Σ_i g[i·N + j] (a linear layer's bias gradient, summed over the
// batch in row order so the loads stream; float accumulators as PyTorch's CPU sum over a contiguous dim 0)
static napi_value sum_rows(napi_env env, napi_callback_info info) {
  GET_ARGS(5);
  F32(0, g); INT(1, M); INT(2, N); F32(3, out); NUM(4, betaD);
  NEED(g_len >= M * N, "gradient smaller than M*N");
  NEED(out_len >= N, "output shorter than N");
  NEED(out + N <= g || g + M * N <= out, "output overlaps the gradient");
  sum_rows_f32(g, M, N, out, (float)betaD);
  return NULL;
}

// ---------------------------------------------------------------------------------------------------------------
// Gradient accumulation: a[aOff + r*cols + c] += b[bOff + r*rs + c*cs] (b may be a transposed or broadcast view).

HOT static void add_strided_f32(float *a, const float *b, int64_t rows, int64_t cols, int64_t rs, int64_t cs) {
  for (int64_t r = 0; r < rows; r++) {
    float *dst = a + r * cols;
    const float *src = b + r * rs;
    if (cs == 1) for (int64_t c = 0; c < cols; c++) dst[c] += src[c];
    else for (int64_t c = 0; c < cols; c++) dst[c] += src[c * cs];
  }
}

// addStrided(a, aOff, b, bOff, rows, cols, rs, cs)
static napi_value add_strided(napi_env env, napi_callback_info info) {
  GET_ARGS(8);
  F32(0, a); INT(1, aOff); F32(2, b); INT(3, bOff); INT(4, rows); INT(5, cols); INT(6, rs); INT(7, cs);
  if (rows == 0 || cols == 0) return NULL;
  NEED(aOff + rows * cols <= a_len, "destination range exceeds its array");
  NEED(bOff + (rows - 1) * rs + (cols - 1) * cs < b_len, "source range exceeds its array");
  add_strided_f32(a + aOff, b + bOff, rows, cols, rs, cs);
  return NULL;
}

// ---------------------------------------------------------------------------------------------------------------
// Elementwise: ReLU

// The loops live in their own functions with restrict pointers: inside an N-API entry point the array pointers are
// address-taken locals (get_array writes them), so the compiler must assume every store may change them and keeps
// such loops scalar. Here they vectorize (AVX-512 on this machine: 16 floats per instruction).

HOT static void relu_fwd_f32(const float *restrict x, float *restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) { const float v = x[i]; y[i] = v > 0 ? v : 0.0f; }
}

HOT static void relu_bwd_f32(const float *restrict y, const float *restrict g, float *restrict dx, int64_t n) {
  for (int64_t i = 0; i < n; i++) dx[i] = y[i] > 0 ? g[i] : 0.0f;
}

/** An elementwise pass split into contiguous ranges, one per pool thread (ranges aligned to 16 floats). */
typedef struct {
  const float *a, *b;
  float *out;
  int64_t n;
} ew_job_t;

static inline void ew_range(const ew_job_t *j, int tid, int nth, int64_t *i0, int64_t *i1) {
  int64_t b0, b1;
  split((j->n + 15) / 16, tid, nth, &b0, &b1);
  *i0 = min64(b0 * 16, j->n);
  *i1 = min64(b1 * 16, j->n);
}

static void relu_fwd_job(void *arg, int tid, int nth) {
  const ew_job_t *j = arg;
  int64_t i0, i1;
  ew_range(j, tid, nth, &i0, &i1);
  relu_fwd_f32(j->a + i0, j->out + i0, i1 - i0);
}

static void relu_fwd_inplace_job(void *arg, int tid, int nth) {
  const ew_job_t *j = arg;
  int64_t i0, i1;
  ew_range(j, tid, nth, &i0, &i1);
  float *y = j->out;
  for (int64_t i = i0; i < i1; i++) { const float v = y[i]; y[i] = v > 0 ? v : 0.0f; }
}

static void relu_bwd_job(void *arg, int tid, int nth) {
  const ew_job_t *j = arg;
  int64_t i0, i1;
  ew_range(j, tid, nth, &i0, &i1);
  relu_bwd_f32(j->a + i0, j->b + i0, j->out + i0, i1 - i0);
}

static void relu_bwd_aliased_job(void *arg, int tid, int nth) {
  const ew_job_t *j = arg;
  int64_t i0, i1;
  ew_range(j, tid, nth, &i0, &i1);
  const float *y = j->a, *g = j->b;
  float *dx = j->out;
  for (int64_t i = i0; i < i1; i++) dx[i] = y[i] > 0 ? g[i] : 0.0f;
}

// reluForward(x, y): y = x > 0 ? x : 0 (NaN -> 0, as lib/nn/functional/activation.ts's relu)
static napi_value relu_forward(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  F32(0, x); F32(1, y);
  NEED(x_len == y_len, "x and y must have the same length");
  NEED(x == y || x + x_len <= y || y + y_len <= x, "x and y must be the same array or not overlap");
  ew_job_t j = {.a = x, .b = NULL, .out = y, .n = x_len};
  pool_run(x == y ? relu_fwd_inplace_job : relu_fwd_job, &j, pool_threads(x_len / 16384 + 1, (double)x_len, PAR_MIN_ELEMS));
  return NULL;
}

// reluBackward(y, g, dx): dx = y > 0 ? g : 0
static napi_value relu_backward(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  F32(0, y); F32(1, g); F32(2, dx);
  NEED(y_len == g_len && g_len == dx_len, "y, grad and dx must have the same length");
  ew_job_t j = {.a = y, .b = g, .out = dx, .n = y_len};
  pool_run(dx == g || dx == y ? relu_bwd_aliased_job : relu_bwd_job, &j, pool_threads(y_len / 16384 + 1, 2.0 * y_len, PAR_MIN_ELEMS));
  return NULL;
}

// ---------------------------------------------------------------------------------------------------------------
// Max pooling (2-D, no padding or dilation): values and argmax indices within each input plane; NaN wins and the
// first index wins ties, as PyTorch's CPU kernel.

/**
 * One output row of the 2x2/2 window, with the general loop's rule (scan order (0,0) (0,1) (1,0) (1,1); a value
 * replaces the best when greater or NaN; the first NaN ends the scan).
 */
HOT static void max_pool_2x2_row(const float *restrict r0, const float *restrict r1, float *restrict y, int32_t *restrict ix,
                                 int64_t oW, int32_t i0, int32_t inW) {
  for (int64_t ow = 0; ow < oW; ow++) {
    const float v[4] = {r0[2 * ow], r0[2 * ow + 1], r1[2 * ow], r1[2 * ow + 1]};
    const int32_t at[4] = {0, 1, inW, inW + 1};
    float best = v[0];
    int32_t bi = 0;
    if (v[0] == v[0] && v[1] == v[1] && v[2] == v[2] && v[3] == v[3]) {
      // No NaN (the usual case): selects, not branches, since on real data the comparisons are unpredictable.
      for (int k = 1; k < 4; k++) {
        const int gt = v[k] > best;
        best = gt ? v[k] : best;
        bi = gt ? at[k] : bi;
      }
    } else {
      for (int k = 0; k < 4; k++)
        if (v[k] != v[k]) {
          best = v[k];
          bi = at[k];
          break;
        }
    }
    y[ow] = best;
    ix[ow] = i0 + (int32_t)(2 * ow) + bi;
  }
}

typedef struct {
  const float *x;
  float *y;
  int32_t *idx;
  int64_t NC, inH, inW, kH, kW, sH, sW, oH, oW;
} pool_job_t;

/** Max pooling of planes [c0, c1). */
static void max_pool_planes(const pool_job_t *p, int64_t c0, int64_t c1) {
  const int64_t inH = p->inH, inW = p->inW, kH = p->kH, kW = p->kW, sH = p->sH, sW = p->sW, oH = p->oH, oW = p->oW;
  const int64_t plane = inH * inW;
  const float *x = p->x;
  float *y = p->y;
  int32_t *idx = p->idx;
  if (kH == 2 && kW == 2 && sH == 2 && sW == 2 && 2 * oH <= inH && 2 * oW <= inW) {
    // The common 2x2/2 window, unrolled: same rule as the general loop (scan order (0,0) (0,1) (1,0) (1,1); a value
    // replaces the best when greater or NaN; the first NaN ends the scan).
    for (int64_t c = c0; c < c1; c++) {
      const float *base = x + c * plane;
      for (int64_t oh = 0; oh < oH; oh++)
        max_pool_2x2_row(base + 2 * oh * inW, base + (2 * oh + 1) * inW, y + (c * oH + oh) * oW, idx + (c * oH + oh) * oW,
                         oW, (int32_t)(2 * oh * inW), (int32_t)inW);
    }
    return;
  }
  int64_t o = c0 * oH * oW;
  for (int64_t c = c0; c < c1; c++) {
    const float *base = x + c * plane;
    for (int64_t oh = 0; oh < oH; oh++) {
      const int64_t h0 = oh * sH, h1 = min64(h0 + kH, inH);
      for (int64_t ow = 0; ow < oW; ow++, o++) {
        const int64_t w0 = ow * sW, w1 = min64(w0 + kW, inW);
        float best = -INFINITY;
        int64_t bi = h0 * inW + w0;
        for (int64_t h = h0; h < h1; h++) {
          const int64_t row = h * inW;
          int nan = 0;
          for (int64_t w = w0; w < w1; w++) {
            const float v = base[row + w];
            if (v > best || v != v) {
              best = v;
              bi = row + w;
              if (v != v) { nan = 1; break; }
            }
          }
          if (nan) break;
        }
        y[o] = best;
        idx[o] = (int32_t)bi;
      }
    }
  }
}

static void max_pool_job(void *arg, int tid, int nth) {
  const pool_job_t *p = arg;
  int64_t c0, c1;
  split(p->NC, tid, nth, &c0, &c1);
  max_pool_planes(p, c0, c1);
}

// maxPool2d(x, y, idx, NC, inH, inW, kH, kW, sH, sW, oH, oW)
static napi_value max_pool2d(napi_env env, napi_callback_info info) {
  GET_ARGS(12);
  F32(0, x); F32(1, y); I32(2, idx);
  INT(3, NC); INT(4, inH); INT(5, inW); INT(6, kH); INT(7, kW); INT(8, sH); INT(9, sW); INT(10, oH); INT(11, oW);
  NEED(sH >= 1 && sW >= 1, "strides must be >= 1");
  NEED(x_len >= NC * inH * inW, "input is smaller than NC*inH*inW");
  NEED(y_len >= NC * oH * oW && idx_len >= NC * oH * oW, "output or indices smaller than NC*oH*oW");
  NEED(oH == 0 || oW == 0 || ((oH - 1) * sH < inH && (oW - 1) * sW < inW), "output size does not fit the input");
  pool_job_t p = {.x = x, .y = y, .idx = idx, .NC = NC, .inH = inH, .inW = inW, .kH = kH, .kW = kW, .sH = sH, .sW = sW,
                  .oH = oH, .oW = oW};
  pool_run(max_pool_job, &p, pool_threads(NC, (double)NC * oH * oW * kH * kW, PAR_MIN_ELEMS));
  return NULL;
}

typedef struct {
  const float *gy;
  const int32_t *idx;
  float *gx;
  int64_t NC, outPlane, inPlane;
  int zeroFirst;
  atomic_int bad;
} scatter_job_t;

static void scatter_job(void *arg, int tid, int nth) {
  scatter_job_t *s = arg;
  int64_t c0, c1;
  split(s->NC, tid, nth, &c0, &c1);
  for (int64_t c = c0; c < c1; c++) {
    const float *g = s->gy + c * s->outPlane;
    const int32_t *ix = s->idx + c * s->outPlane;
    float *dst = s->gx + c * s->inPlane;
    if (s->zeroFirst) memset(dst, 0, (size_t)s->inPlane * sizeof(float));
    for (int64_t j = 0; j < s->outPlane; j++) {
      const int32_t k = ix[j];
      if (k < 0 || k >= s->inPlane) {
        atomic_store(&s->bad, 1);
        return;
      }
      dst[k] += g[j];
    }
  }
}

// scatterByIndex(gy, idx, gx, NC, outPlane, inPlane, zeroFirst): gx += gy at the recorded positions; with zeroFirst
// each plane of gx is cleared just before its scatter (gx may then be uninitialised memory, and the plane is still in
// cache when the scatter runs). Planes are split across the pool's threads.
static napi_value scatter_by_index(napi_env env, napi_callback_info info) {
  GET_ARGS(7);
  F32(0, gy); I32(1, idx); F32(2, gx); INT(3, NC); INT(4, outPlane); INT(5, inPlane); BOOL(6, zeroFirst);
  NEED(gy_len >= NC * outPlane && idx_len >= NC * outPlane, "gradient or indices smaller than NC*outPlane");
  NEED(gx_len >= NC * inPlane, "input gradient smaller than NC*inPlane");
  scatter_job_t sj = {.gy = gy, .idx = idx, .gx = gx, .NC = NC, .outPlane = outPlane, .inPlane = inPlane, .zeroFirst = zeroFirst};
  atomic_init(&sj.bad, 0);
  pool_run(scatter_job, &sj, pool_threads(NC, (double)NC * (inPlane + outPlane), PAR_MIN_ELEMS));
  NEED(!atomic_load(&sj.bad), "index outside the input plane");
  return NULL;
}

// ---------------------------------------------------------------------------------------------------------------
// Softmax + cross-entropy over [N, C, S] (class dim C, S spatial positions): log-softmax forward, and the fused
// backward dx = g·w[c]·(softmax(x) − onehot(target)).

// logSoftmax(x, lp, N, C, S)
static napi_value log_softmax(napi_env env, napi_callback_info info) {
  GET_ARGS(5);
  F32(0, x); F32(1, lp); INT(2, N); INT(3, C); INT(4, S);
  NEED(x_len >= N * C * S && lp_len >= N * C * S, "arrays smaller than N*C*S");
  for (int64_t n = 0; n < N; n++)
    for (int64_t s = 0; s < S; s++) {
      const float *xr = x + n * C * S + s;
      float *lr = lp + n * C * S + s;
      float mx = -INFINITY;
      for (int64_t c = 0; c < C; c++) if (xr[c * S] > mx) mx = xr[c * S];
      double sum = 0;
      for (int64_t c = 0; c < C; c++) sum += exp((double)xr[c * S] - mx);
      const double lse = mx + log(sum);
      for (int64_t c = 0; c < C; c++) lr[c * S] = (float)(xr[c * S] - lse);
    }
  return NULL;
}

// crossEntropyBackward(lp, target(Int32Array), weight|null, gFull|null, gs, ignore, dx, N, C, S, softmaxFirst)
// dx must be zeroed by the caller. gFull (per-position upstream gradient, reduction 'none') overrides gs.
static napi_value cross_entropy_backward(napi_env env, napi_callback_info info) {
  GET_ARGS(11);
  F32(0, lp); I32(1, t); F32_OR_NULL(2, w); F32_OR_NULL(3, gFull); NUM(4, gs); NUM(5, ignoreD);
  F32(6, dx); INT(7, N); INT(8, C); INT(9, S); BOOL(10, softmaxFirst);
  NEED(lp_len >= N * C * S && dx_len >= N * C * S, "log-probabilities or dx smaller than N*C*S");
  NEED(t_len >= N * S, "targets smaller than N*S");
  NEED(!w || w_len >= C, "class weights shorter than C");
  NEED(!gFull || gFull_len >= N * S, "upstream gradient smaller than N*S");
  const int32_t ignore = (int32_t)ignoreD;
  for (int64_t n = 0; n < N; n++)
    for (int64_t s = 0; s < S; s++) {
      const int32_t c = t[n * S + s];
      if (c == ignore) continue;
      if (c < 0 || c >= C) { fail(env, __func__, "target class out of range"); return NULL; }
      const float gi = (float)((gFull ? (double)gFull[n * S + s] : gs) * (w ? w[c] : 1.0f));
      const int64_t base = n * C * S + s;
      if (softmaxFirst) for (int64_t k = 0; k < C; k++) dx[base + k * S] += gi * expf(lp[base + k * S]);
      dx[base + c * S] -= gi;
    }
  return NULL;
}

// ---------------------------------------------------------------------------------------------------------------
// Optimizer updates, in float32 the way PyTorch's single-tensor CPU loops compute them.

HOT static void sgd_f32(float *restrict w, const float *restrict g, float *restrict buf, int64_t n, float lr, float mom,
                    float damp, float wd, int nesterov, float sign, int first) {
  if (!buf) {
    if (wd == 0) for (int64_t i = 0; i < n; i++) w[i] -= lr * (sign * g[i]);
    else for (int64_t i = 0; i < n; i++) w[i] -= lr * (sign * g[i] + wd * w[i]);
    return;
  }
  for (int64_t i = 0; i < n; i++) {
    const float d = sign * g[i] + wd * w[i];
    const float b = first ? d : mom * buf[i] + damp * d;
    buf[i] = b;
    w[i] -= lr * (nesterov ? d + mom * b : b);
  }
}

// sgdUpdate(w, g, buf|null, lr, momentum, dampening, weightDecay, nesterov, sign, first)
static napi_value sgd_update(napi_env env, napi_callback_info info) {
  GET_ARGS(10);
  F32(0, w); F32(1, g); F32_OR_NULL(2, buf); NUM(3, lrD); NUM(4, momD); NUM(5, dampD); NUM(6, wdD); BOOL(7, nesterov);
  NUM(8, signD); BOOL(9, first);
  NEED(w_len == g_len, "parameter and gradient lengths differ");
  NEED(!buf || buf_len == w_len, "momentum buffer length differs from the parameter's");
  NEED(w != g && (!buf || (buf != w && buf != g)), "parameter, gradient and momentum buffer must be distinct arrays");
  sgd_f32(w, g, buf, w_len, (float)lrD, (float)momD, 1.0f - (float)dampD, (float)wdD, nesterov, (float)signD, first);
  return NULL;
}

// c = sign, l2, beta1, beta2, 1 - beta1, 1 - beta2, stepSize, 1 / bc2Sqrt, eps
HOT static void adam_f32(float *restrict w, const float *restrict g, float *restrict m, float *restrict v, int64_t n,
                     const float *c) {
  const float sign = c[0], l2 = c[1], b1 = c[2], b2 = c[3], c1 = c[4], c2 = c[5], stepSize = c[6], invBc2 = c[7], eps = c[8];
  for (int64_t i = 0; i < n; i++) {
    const float gi = sign * g[i] + l2 * w[i];
    const float mi = b1 * m[i] + c1 * gi;
    const float vi = b2 * v[i] + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] -= stepSize * mi / (sqrtf(vi) * invBc2 + eps);
  }
}

HOT static void adam_amsgrad_f32(float *restrict w, const float *restrict g, float *restrict m, float *restrict v,
                             float *restrict vmax, int64_t n, const float *c) {
  const float sign = c[0], l2 = c[1], b1 = c[2], b2 = c[3], c1 = c[4], c2 = c[5], stepSize = c[6], invBc2 = c[7], eps = c[8];
  for (int64_t i = 0; i < n; i++) {
    const float gi = sign * g[i] + l2 * w[i];
    const float mi = b1 * m[i] + c1 * gi;
    const float vi = b2 * v[i] + c2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    const float vm = vi > vmax[i] ? vi : vmax[i];
    vmax[i] = vm;
    w[i] -= stepSize * mi / (sqrtf(vm) * invBc2 + eps);
  }
}

// adamUpdate(w, g, m, v, vmax|null, sign, l2, beta1, beta2, stepSize, bc2Sqrt, eps)
static napi_value adam_update(napi_env env, napi_callback_info info) {
  GET_ARGS(12);
  F32(0, w); F32(1, g); F32(2, m); F32(3, v); F32_OR_NULL(4, vmax);
  NUM(5, signD); NUM(6, l2D); NUM(7, b1D); NUM(8, b2D); NUM(9, stepD); NUM(10, bc2D); NUM(11, epsD);
  NEED(w_len == g_len && w_len == m_len && w_len == v_len && (!vmax || vmax_len == w_len),
       "parameter, gradient and state lengths differ");
  NEED(w != g && w != m && w != v && g != m && g != v && m != v && (!vmax || (vmax != w && vmax != g && vmax != m && vmax != v)),
       "parameter, gradient and state must be distinct arrays");
  const float c[9] = {(float)signD, (float)l2D, (float)b1D, (float)b2D, (float)(1 - b1D), (float)(1 - b2D), (float)stepD,
                      (float)(1.0 / bc2D), (float)epsD};
  if (vmax) adam_amsgrad_f32(w, g, m, v, vmax, w_len, c);
  else adam_f32(w, g, m, v, w_len, c);
  return NULL;
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * The caching allocator. Node allocates every ArrayBuffer (so every tensor's storage) with calloc; glibc serves blocks
 * of 128 KiB and up with a fresh mmap and trims freed memory at the top of the heap, so each training step's
 * activations and gradients fault their pages in again (hundreds of minor faults per step). Raising the mmap and trim
 * thresholds, as PyTorch's tuned setup does with GLIBC_TUNABLES, keeps freed blocks in malloc's free lists, where the
 * next step's same-sized buffers find them already mapped. Memory is then returned to the system only at exit; the
 * peak stays that of one step. BOARD_MALLOC_CACHE=0 leaves glibc's defaults.
 */
static int malloc_cache_enabled = 0;
static void enable_malloc_cache(void) {
  const char *env = getenv("BOARD_MALLOC_CACHE");
  if (env && strcmp(env, "0") == 0) return;
  malloc_cache_enabled = mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024) == 1 && mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024) == 1;
}

static napi_value malloc_cache(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  napi_get_boolean(env, malloc_cache_enabled, &out);
  return out;
}

static atomic_int live_envs;

/** At an env's teardown (process exit, or a worker_thread ending), the last one joins the pool's workers. */
static void env_cleanup(void *arg) {
  (void)arg;
  if (atomic_fetch_sub(&live_envs, 1) != 1) return;
  pthread_mutex_lock(&pool.busy);
  pool_stop();
  for (int t = 0; t < POOL_MAX; t++)
    for (int k = 0; k < 2; k++) {
      free(pool.scratch[t][k]);
      pool.scratch[t][k] = NULL;
      pool.cap[t][k] = 0;
    }
  pthread_mutex_unlock(&pool.busy);
}

static napi_value init(napi_env env, napi_value exports) {
  atomic_fetch_add(&live_envs, 1);
  napi_add_env_cleanup_hook(env, env_cleanup, NULL);
  // One BLAS thread: setNumThreads sizes the addon's own pool, and only a large sgemm uses OpenBLAS's threads.
  openblas_set_num_threads(1);
  enable_malloc_cache();
  const napi_property_descriptor props[] = {
    {"sgemm", NULL, sgemm, NULL, NULL, NULL, napi_default, NULL},
    {"setNumThreads", NULL, set_num_threads, NULL, NULL, NULL, napi_default, NULL},
    {"getNumThreads", NULL, get_num_threads, NULL, NULL, NULL, napi_default, NULL},
    {"poolThreads", NULL, pool_threads_running, NULL, NULL, NULL, napi_default, NULL},
    {"poolStats", NULL, pool_stats, NULL, NULL, NULL, napi_default, NULL},
    {"blasInfo", NULL, blas_info, NULL, NULL, NULL, napi_default, NULL},
    {"mallocCache", NULL, malloc_cache, NULL, NULL, NULL, napi_default, NULL},
    {"im2col", NULL, im2col, NULL, NULL, NULL, napi_default, NULL},
    {"col2im", NULL, col2im, NULL, NULL, NULL, napi_default, NULL},
    {"addStrided", NULL, add_strided, NULL, NULL, NULL, napi_default, NULL},
    {"reluForward", NULL, relu_forward, NULL, NULL, NULL, napi_default, NULL},
    {"reluBackward", NULL, relu_backward, NULL, NULL, NULL, napi_default, NULL},
    {"maxPool2d", NULL, max_pool2d, NULL, NULL, NULL, napi_default, NULL},
    {"scatterByIndex", NULL, scatter_by_index, NULL, NULL, NULL, napi_default, NULL},
    {"logSoftmax", NULL, log_softmax, NULL, NULL, NULL, napi_default, NULL},
    {"crossEntropyBackward", NULL, cross_entropy_backward, NULL, NULL, NULL, napi_default, NULL},
    {"sgdUpdate", NULL, sgd_update, NULL, NULL, NULL, napi_default, NULL},
    {"adamUpdate", NULL, adam_update, NULL, NULL, NULL, napi_default, NULL},
    {"convForward", NULL, conv_forward, NULL, NULL, NULL, napi_default, NULL},
    {"convBackward", NULL, conv_backward, NULL, NULL, NULL, napi_default, NULL},
    {"sumRows", NULL, sum_rows, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  // The TypeScript loader refuses an addon whose ABI number differs from its own (a stale build after a checkout
  // that changed the entry points), and says so, instead of calling functions that are missing or take other args.
  napi_value abi;
  napi_create_int32(env, BOARD_NATIVE_ABI, &abi);
  napi_set_named_property(env, exports, "abi", abi);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
