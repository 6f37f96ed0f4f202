// CUDA kernels of multi-scale deformable attention: plain CUDA over raw pointers (no LibTorch
// headers), launched on the caller's stream by models/ops/ms_deform_attn.cpp.
#include <cuda_runtime.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "models/ops/ms_deform_attn_kernels.h"

namespace rs {

namespace {

constexpr int kThreads = 256;
// Grid-stride loops cover any size with at most this many blocks.
constexpr int64_t kMaxBlocks = int64_t(1) << 16;

int blocks_for(int64_t n) { return int(std::min<int64_t>((n + kThreads - 1) / kThreads, kMaxBlocks)); }

void check_launch(const char * kernel) {
    cudaError_t err = cudaGetLastError();
    if (err != cudaSuccess)
        throw std::runtime_error(std::string("ms_deform_attn ") + kernel + " kernel: " + cudaGetErrorString(err));
}

// One thread per output element (batch, query, head, channel): neighbouring threads read
// neighbouring channels of the same value row, so loads coalesce.
template <class T>
__global__ void forward_kernel(MsdaSizes s, const T * value, const int64_t * spatial_shapes,
                               const int64_t * level_start, const T * locations, const T * weights, T * output) {
    const int64_t total = s.batch * s.queries * s.heads * s.channels;
    const int64_t row = s.heads * s.channels;
    const int64_t per_head = s.levels * s.points;
    for (int64_t n = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; n < total; n += int64_t(gridDim.x) * blockDim.x) {
        const int64_t ch = n % s.channels;
        const int64_t bqh = n / s.channels;
        const int64_t h = bqh % s.heads;
        const int64_t b = bqh / (s.heads * s.queries);
        const T * value_bh = value + b * s.keys * row + h * s.channels + ch;
        const T * loc = locations + bqh * per_head * 2;
        const T * w = weights + bqh * per_head;
        T acc = 0;
        for (int64_t l = 0; l < s.levels; ++l) {
            const int64_t height = spatial_shapes[2 * l];
            const int64_t width = spatial_shapes[2 * l + 1];
            const T * value_l = value_bh + level_start[l] * row;
            for (int64_t p = 0; p < s.points; ++p) {
                const int64_t i = l * s.points + p;
                BilinearTaps<T> taps;
                if (!bilinear_taps(loc[2 * i], loc[2 * i + 1], height, width, taps)) continue;
                for (int k = 0; k < 4; ++k)
                    if (taps.index[k] >= 0) acc += w[i] * taps.weight[k] * value_l[taps.index[k] * row];
            }
        }
        output[n] = acc;
    }
}

// One thread per sample (batch, query, head, level, point): it owns that sample's location and
// weight gradients and scatters into grad_value with atomics, since samples share pixels.
template <class T>
__global__ void backward_kernel(MsdaSizes s, const T * value, const int64_t * spatial_shapes,
                                const int64_t * level_start, const T * locations, const T * weights,
                                const T * grad_output, T * grad_value, T * grad_locations, T * grad_weights) {
    const int64_t total = s.batch * s.queries * s.heads * s.levels * s.points;
    const int64_t row = s.heads * s.channels;
    for (int64_t n = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; n < total; n += int64_t(gridDim.x) * blockDim.x) {
        const int64_t l = (n / s.points) % s.levels;
        const int64_t bqh = n / (s.levels * s.points);
        const int64_t h = bqh % s.heads;
        const int64_t b = bqh / (s.heads * s.queries);
        const int64_t height = spatial_shapes[2 * l];
        const int64_t width = spatial_shapes[2 * l + 1];
        BilinearTaps<T> taps;
        if (!bilinear_taps(locations[2 * n], locations[2 * n + 1], height, width, taps)) continue;
        const int64_t base = (b * s.keys + level_start[l]) * row + h * s.channels;
        const T * go = grad_output + bqh * s.channels;
        const T w = weights[n];
        T g_sample = 0;
        T g_x = 0;
        T g_y = 0;
        for (int k = 0; k < 4; ++k) {
            if (taps.index[k] < 0) continue;
            const T * v = value + base + taps.index[k] * row;
            T * gv = grad_value + base + taps.index[k] * row;
            const T c = w * taps.weight[k];
            T dot = 0;
            for (int64_t ch = 0; ch < s.channels; ++ch) {
                dot += go[ch] * v[ch];
                atomicAdd(gv + ch, c * go[ch]);
            }
            g_sample += taps.weight[k] * dot;
            g_x += taps.d_dx[k] * dot;
            g_y += taps.d_dy[k] * dot;
        }
        grad_weights[n] = g_sample;
        grad_locations[2 * n] = w * g_x * T(width);
        grad_locations[2 * n + 1] = w * g_y * T(height);
    }
}

}  // namespace

template <class T>
void ms_deform_attn_forward_cuda(const MsdaSizes & s, const T * value, const int64_t * spatial_shapes,
                                 const int64_t * level_start, const T * locations, const T * weights, T * output,
                                 void * stream) {
    const int64_t total = s.batch * s.queries * s.heads * s.channels;
    if (total == 0) return;
    forward_kernel<T><<<blocks_for(total), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(
        s, value, spatial_shapes, level_start, locations, weights, output);
    check_launch("forward");
}

template <class T>
void ms_deform_attn_backward_cuda(const MsdaSizes & s, const T * value, const int64_t * spatial_shapes,
                                  const int64_t * level_start, const T * locations, const T * weights,
                                  const T * grad_output, T * grad_value, T * grad_locations, T * grad_weights,
                                  void * stream) {
    const int64_t total = s.batch * s.queries * s.heads * s.levels * s.points;
    if (total == 0 || s.channels == 0) return;
    backward_kernel<T><<<blocks_for(total), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(
        s, value, spatial_shapes, level_start, locations, weights, grad_output, grad_value, grad_locations,
        grad_weights);
    check_launch("backward");
}

template void ms_deform_attn_forward_cuda<float>(const MsdaSizes &, const float *, const int64_t *, const int64_t *,
                                                 const float *, const float *, float *, void *);
template void ms_deform_attn_forward_cuda<double>(const MsdaSizes &, const double *, const int64_t *,
                                                  const int64_t *, const double *, const double *, double *, void *);
template void ms_deform_attn_backward_cuda<float>(const MsdaSizes &, const float *, const int64_t *, const int64_t *,
                                                  const float *, const float *, const float *, float *, float *,
                                                  float *, void *);
template void ms_deform_attn_backward_cuda<double>(const MsdaSizes &, const double *, const int64_t *,
                                                   const int64_t *, const double *, const double *, const double *,
                                                   double *, double *, double *, void *);

}  // namespace rs
