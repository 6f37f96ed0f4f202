// Multi-scale deformable attention kernels over raw row-major buffers. The header includes
// neither LibTorch nor CUDA, so nvcc can build the CUDA kernels without torch headers and the
// CPU and CUDA kernels share one bilinear sampling rule; models/ops/ms_deform_attn.h is the op.
#pragma once

#include <cstdint>

#if defined(__CUDACC__)
#define RS_HOST_DEVICE __host__ __device__
#else
#define RS_HOST_DEVICE
#endif

namespace rs {

// value (batch, keys, heads, channels); spatial_shapes (levels, 2) as (H, W); level_start
// (levels); locations (batch, queries, heads, levels, points, 2) as normalised (x, y); weights
// (batch, queries, heads, levels, points); output (batch, queries, heads, channels).
struct MsdaSizes {
    int64_t batch = 0;
    int64_t keys = 0;
    int64_t heads = 0;
    int64_t channels = 0;
    int64_t levels = 0;
    int64_t points = 0;
    int64_t queries = 0;
};

// The four pixels of one bilinear sample, in the order (y0, x0), (y0, x1), (y1, x0), (y1, x1).
template <class T>
struct BilinearTaps {
    int64_t index[4];  // y * W + x inside the level, -1 outside it (zero padding)
    T weight[4];
    T d_dx[4];         // derivative of the weight by the pixel x coordinate
    T d_dy[4];
};

// grid_sample(bilinear, zeros, align_corners=False) at grid 2 * loc - 1 reads pixel coordinate
// loc * size - 0.5. Returns false when no tap can touch the map, so the sample and all its
// gradients are zero; NaN locations land there too.
template <class T>
RS_HOST_DEVICE inline bool bilinear_taps(T loc_x, T loc_y, int64_t height, int64_t width, BilinearTaps<T> & taps) {
    const T x = loc_x * T(width) - T(0.5);
    const T y = loc_y * T(height) - T(0.5);
    if (!(x >= T(-1) && x < T(width) && y >= T(-1) && y < T(height))) return false;
    // The range check above keeps these casts defined; adjust truncation to a floor for x < 0.
    int64_t x0 = int64_t(x);
    int64_t y0 = int64_t(y);
    if (T(x0) > x) --x0;
    if (T(y0) > y) --y0;
    const T fx = x - T(x0);
    const T fy = y - T(y0);
    for (int k = 0; k < 4; ++k) {
        const int64_t dx = k & 1;
        const int64_t dy = k >> 1;
        const int64_t xi = x0 + dx;
        const int64_t yi = y0 + dy;
        const T wx = dx ? fx : T(1) - fx;
        const T wy = dy ? fy : T(1) - fy;
        const bool inside = xi >= 0 && xi < width && yi >= 0 && yi < height;
        taps.index[k] = inside ? yi * width + xi : -1;
        taps.weight[k] = wx * wy;
        taps.d_dx[k] = (dx ? T(1) : T(-1)) * wy;
        taps.d_dy[k] = (dy ? T(1) : T(-1)) * wx;
    }
    return true;
}

// CPU kernels (at::parallel_for). Gradient buffers must be zero-filled by the caller.
template <class T>
void ms_deform_attn_forward_cpu(const MsdaSizes & s, const T * value, const int64_t * spatial_shapes,
                                const int64_t * level_start, const T * locations, const T * weights, T * output);
template <class T>
void ms_deform_attn_backward_cpu(const MsdaSizes & s, const T * value, const int64_t * spatial_shapes,
                                 const int64_t * level_start, const T * locations, const T * weights,
                                 const T * grad_output, T * grad_value, T * grad_locations, T * grad_weights);

// CUDA kernels, built only with ROADSIGHT_WITH_CUDA. Every pointer is device memory; `stream` is
// a cudaStream_t, passed untyped to keep CUDA headers out of this header. Gradient buffers must
// be zero-filled by the caller. Launch failures throw std::runtime_error.
template <class T>
void ms_deform_attn_forward_cuda(const MsdaSizes & s, const T * value, const int64_t * spatial_shapes,
                                 const int64_t * level_start, const T * locations, const T * weights, T * output,
                                 void * stream);
template <class T>
void ms_deform_attn_backward_cuda(const MsdaSizes & s, const T * value, const int64_t * spatial_shapes,
                                  const int64_t * level_start, const T * locations, const T * weights,
                                  const T * grad_output, T * grad_value, T * grad_locations, T * grad_weights,
                                  void * stream);

}  // namespace rs
