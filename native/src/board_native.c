// Board's native CPU backend: an N-API addon (plain node_api.h, no C++ wrapper) that runs float32 products through
// OpenBLAS's cblas_sgemm and the memory-bound passes of a training step as fused C loops: im2col/col2im, ReLU forward
// and backward, 2-D max pooling with indices and its scatter backward, log-softmax + NLL backward, and the SGD / Adam
// updates. Arrays are passed as Float32Array/Int32Array views and used in place (no copies); every entry point checks
// that the element range it will touch lies inside each view, so a wrong call from JS throws instead of corrupting
// memory. The TypeScript side (lib/engine/kernels/native.ts) validates shapes first and reports them with context.
#define NAPI_VERSION 8
#include <node_api.h>
#include <cblas.h>
#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;      \
  if (argc < (n)) {                                                                      \
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
  if (get_array(env, argv[i], napi_float32_array, (void **)&name, &name##_len, __func__, 0)) return NULL;
#define F32_OR_NULL(i, name) \
  float *name; int64_t name##_len; \
  if (get_array(env, argv[i], napi_float32_array, (void **)&name, &name##_len, __func__, 1)) return NULL;
#define I32(i, name) \
  int32_t *name; int64_t name##_len; \
  if (get_array(env, argv[i], napi_int32_array, (void **)&name, &name##_len, __func__, 0)) return NULL;
#define INT(i, name) int64_t name; if (get_i64(env, argv[i], &name, __func__)) return NULL;
#define NUM(i, name) double name; if (get_f64(env, argv[i], &name, __func__)) return NULL;
#define BOOL(i, name) int name; if (get_bool(env, argv[i], &name, __func__)) return NULL;
#define NEED(cond, what) if (!(cond)) { fail(env, __func__, what); return NULL; }

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
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)M, (int)N, (int)K,
              (float)alpha, A + aOff, (int)lda, B + bOff, (int)ldb, (float)beta, C + cOff, (int)ldc);
  return NULL;
}

static napi_value set_num_threads(napi_env env, napi_callback_info info) {
  GET_ARGS(1);
  INT(0, n);
  NEED(n >= 1 && n <= 1024, "thread count must be between 1 and 1024");
  openblas_set_num_threads((int)n);
  return NULL;
}

static napi_value get_num_threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  napi_create_int32(env, openblas_get_num_threads(), &out);
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
  int32_t *a;
  int64_t len;
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

static void im2col_f32(const float *x, const geom_t *g, float *col, int64_t ld) {
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

static void col2im_f32(const float *col, const geom_t *g, float *dx, int64_t ld) {
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
// Gradient accumulation: a[aOff + r*cols + c] += b[bOff + r*rs + c*cs] (b may be a transposed or broadcast view).

// addStrided(a, aOff, b, bOff, rows, cols, rs, cs)
static napi_value add_strided(napi_env env, napi_callback_info info) {
  GET_ARGS(8);
  F32(0, a); INT(1, aOff); F32(2, b); INT(3, bOff); INT(4, rows); INT(5, cols); INT(6, rs); INT(7, cs);
  if (rows == 0 || cols == 0) return NULL;
  NEED(aOff + rows * cols <= a_len, "destination range exceeds its array");
  NEED(bOff + (rows - 1) * rs + (cols - 1) * cs < b_len, "source range exceeds its array");
  for (int64_t r = 0; r < rows; r++) {
    float *dst = a + aOff + r * cols;
    const float *src = b + bOff + r * rs;
    if (cs == 1) for (int64_t c = 0; c < cols; c++) dst[c] += src[c];
    else for (int64_t c = 0; c < cols; c++) dst[c] += src[c * cs];
  }
  return NULL;
}

// ---------------------------------------------------------------------------------------------------------------
// Elementwise: ReLU

// reluForward(x, y): y = x > 0 ? x : 0 (NaN -> 0, as lib/nn/functional/activation.ts's relu)
static napi_value relu_forward(napi_env env, napi_callback_info info) {
  GET_ARGS(2);
  F32(0, x); F32(1, y);
  NEED(x_len == y_len, "x and y must have the same length");
  for (int64_t i = 0; i < x_len; i++) { const float v = x[i]; y[i] = v > 0 ? v : 0.0f; }
  return NULL;
}

// reluBackward(y, g, dx): dx = y > 0 ? g : 0
static napi_value relu_backward(napi_env env, napi_callback_info info) {
  GET_ARGS(3);
  F32(0, y); F32(1, g); F32(2, dx);
  NEED(y_len == g_len && g_len == dx_len, "y, grad and dx must have the same length");
  for (int64_t i = 0; i < y_len; i++) dx[i] = y[i] > 0 ? g[i] : 0.0f;
  return NULL;
}

// ---------------------------------------------------------------------------------------------------------------
// Max pooling (2-D, no padding or dilation): values and argmax indices within each input plane; NaN wins and the
// first index wins ties, as PyTorch's CPU kernel.

// maxPool2d(x, y, idx, NC, inH, inW, kH, kW, sH, sW, oH, oW)
static napi_value max_pool2d(napi_env env, napi_callback_info info) {
  GET_ARGS(12);
  F32(0, x); F32(1, y); I32(2, idx);
  INT(3, NC); INT(4, inH); INT(5, inW); INT(6, kH); INT(7, kW); INT(8, sH); INT(9, sW); INT(10, oH); INT(11, oW);
  NEED(sH >= 1 && sW >= 1, "strides must be >= 1");
  NEED(x_len >= NC * inH * inW, "input is smaller than NC*inH*inW");
  NEED(y_len >= NC * oH * oW && idx_len >= NC * oH * oW, "output or indices smaller than NC*oH*oW");
  NEED(oH == 0 || oW == 0 || ((oH - 1) * sH < inH && (oW - 1) * sW < inW), "output size does not fit the input");
  const int64_t plane = inH * inW;
  if (kH == 2 && kW == 2 && sH == 2 && sW == 2 && 2 * oH <= inH && 2 * oW <= inW) {
    // The common 2x2/2 window, unrolled: same rule as the general loop (scan order (0,0) (0,1) (1,0) (1,1); a value
    // replaces the best when greater or NaN; the first NaN ends the scan).
    for (int64_t c = 0; c < NC; c++) {
      const float *base = x + c * plane;
      float *yc = y + c * oH * oW;
      int32_t *ic = idx + c * oH * oW;
      for (int64_t oh = 0; oh < oH; oh++) {
        const float *r0 = base + 2 * oh * inW, *r1 = r0 + inW;
        const int32_t i0 = (int32_t)(2 * oh * inW);
        for (int64_t ow = 0; ow < oW; ow++) {
          const float v[4] = {r0[2 * ow], r0[2 * ow + 1], r1[2 * ow], r1[2 * ow + 1]};
          const int32_t at[4] = {i0 + (int32_t)(2 * ow), i0 + (int32_t)(2 * ow + 1), i0 + (int32_t)(inW + 2 * ow),
                                 i0 + (int32_t)(inW + 2 * ow + 1)};
          float best = v[0];
          int32_t bi = at[0];
          if (v[0] == v[0] && v[1] == v[1] && v[2] == v[2] && v[3] == v[3]) {
            // No NaN (the usual case): branch-free selects, since on real data the comparisons are unpredictable.
            for (int k = 1; k < 4; k++) {
              const int gt = v[k] > best;
              best = gt ? v[k] : best;
              bi = gt ? at[k] : bi;
            }
          } else {
            for (int k = 0; k < 4; k++) if (v[k] != v[k]) { best = v[k]; bi = at[k]; break; }
          }
          yc[oh * oW + ow] = best;
          ic[oh * oW + ow] = bi;
        }
      }
    }
    return NULL;
  }
  int64_t o = 0;
  for (int64_t c = 0; c < NC; c++) {
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
  return NULL;
}

// scatterByIndex(gy, idx, gx, NC, outPlane, inPlane): gx (zeroed by the caller) += gy at the recorded positions
static napi_value scatter_by_index(napi_env env, napi_callback_info info) {
  GET_ARGS(6);
  F32(0, gy); I32(1, idx); F32(2, gx); INT(3, NC); INT(4, outPlane); INT(5, inPlane);
  NEED(gy_len >= NC * outPlane && idx_len >= NC * outPlane, "gradient or indices smaller than NC*outPlane");
  NEED(gx_len >= NC * inPlane, "input gradient smaller than NC*inPlane");
  for (int64_t c = 0; c < NC; c++) {
    const float *g = gy + c * outPlane;
    const int32_t *ix = idx + c * outPlane;
    float *dst = gx + c * inPlane;
    for (int64_t j = 0; j < outPlane; j++) {
      const int32_t k = ix[j];
      if (k < 0 || k >= inPlane) { fail(env, __func__, "index outside the input plane"); return NULL; }
      dst[k] += g[j];
    }
  }
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

// sgdUpdate(w, g, buf|null, lr, momentum, dampening, weightDecay, nesterov, sign, first)
static napi_value sgd_update(napi_env env, napi_callback_info info) {
  GET_ARGS(10);
  F32(0, w); F32(1, g); F32_OR_NULL(2, buf); NUM(3, lrD); NUM(4, momD); NUM(5, dampD); NUM(6, wdD); BOOL(7, nesterov);
  NUM(8, signD); BOOL(9, first);
  NEED(w_len == g_len, "parameter and gradient lengths differ");
  NEED(!buf || buf_len == w_len, "momentum buffer length differs from the parameter's");
  const float lr = (float)lrD, mom = (float)momD, damp = 1.0f - (float)dampD, wd = (float)wdD, sign = (float)signD;
  const int64_t n = w_len;
  if (!buf) {
    if (wd == 0) for (int64_t i = 0; i < n; i++) w[i] -= lr * (sign * g[i]);
    else for (int64_t i = 0; i < n; i++) w[i] -= lr * (sign * g[i] + wd * w[i]);
    return NULL;
  }
  for (int64_t i = 0; i < n; i++) {
    const float d = sign * g[i] + wd * w[i];
    const float b = first ? d : mom * buf[i] + damp * d;
    buf[i] = b;
    w[i] -= lr * (nesterov ? d + mom * b : b);
  }
  return NULL;
}

// adamUpdate(w, g, m, v, vmax|null, sign, l2, beta1, beta2, stepSize, bc2Sqrt, eps)
static napi_value adam_update(napi_env env, napi_callback_info info) {
  GET_ARGS(12);
  F32(0, w); F32(1, g); F32(2, m); F32(3, v); F32_OR_NULL(4, vmax);
  NUM(5, signD); NUM(6, l2D); NUM(7, b1D); NUM(8, b2D); NUM(9, stepD); NUM(10, bc2D); NUM(11, epsD);
  NEED(w_len == g_len && w_len == m_len && w_len == v_len && (!vmax || vmax_len == w_len),
       "parameter, gradient and state lengths differ");
  const float sign = (float)signD, l2 = (float)l2D, b1 = (float)b1D, b2 = (float)b2D, c1 = (float)(1 - b1D),
              c2 = (float)(1 - b2D), stepSize = (float)stepD, invBc2 = (float)(1.0 / bc2D), eps = (float)epsD;
  const int64_t n = w_len;
  if (!vmax) {
    for (int64_t i = 0; i < n; i++) {
      const float gi = sign * g[i] + l2 * w[i];
      const float mi = b1 * m[i] + c1 * gi;
      const float vi = b2 * v[i] + c2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      w[i] -= stepSize * mi / (sqrtf(vi) * invBc2 + eps);
    }
    return NULL;
  }
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

static napi_value init(napi_env env, napi_value exports) {
  // One BLAS thread unless asked (setNumThreads): the machine is shared and test workers run in parallel.
  openblas_set_num_threads(1);
  enable_malloc_cache();
  const napi_property_descriptor props[] = {
    {"sgemm", NULL, sgemm, NULL, NULL, NULL, napi_default, NULL},
    {"setNumThreads", NULL, set_num_threads, NULL, NULL, NULL, napi_default, NULL},
    {"getNumThreads", NULL, get_num_threads, NULL, NULL, NULL, napi_default, NULL},
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
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
