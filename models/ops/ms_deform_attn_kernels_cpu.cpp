// CPU kernels of multi-scale deformable attention. Only ATen's parallel_for is needed here, so
// this file stays out of the torch precompiled header.
#include <ATen/Parallel.h>

#include <algorithm>

#include "models/ops/ms_deform_attn_kernels.h"

namespace rs {

namespace {

// About this many multiply-adds per parallel_for chunk, so small calls stay on one thread.
constexpr int64_t kWorkPerChunk = 1 << 15;

int64_t grain(int64_t work_per_item) { return std::max<int64_t>(1, kWorkPerChunk / std::max<int64_t>(1, work_per_item)); }

}  // namespace

template <class T>
void ms_deform_attn_forward_cpu(const MsdaSizes & s, const T * value, const int64_t * spatial_shapes,
                                const int64_t * level_start, const T * locations, const T * weights, T * output) {
    const int64_t row = s.heads * s.channels;  // stride between keys in value, and queries in output
    const int64_t samples = s.heads * s.levels * s.points;
    // Each (batch, query) writes only its own output row, so queries parallelise without races.
    at::parallel_for(0, s.batch * s.queries, grain(samples * 4 * s.channels), [&](int64_t begin, int64_t end) {
        for (int64_t bq = begin; bq < end; ++bq) {
            const int64_t b = bq / s.queries;
            T * out = output + bq * row;
            std::fill(out, out + row, T(0));
            const T * loc = locations + bq * samples * 2;
            const T * w = weights + bq * samples;
            for (int64_t h = 0; h < s.heads; ++h) {
                T * out_h = out + h * s.channels;
                const T * value_bh = value + b * s.keys * row + h * s.channels;
                for (int64_t l = 0; l < s.levels; ++l) {
                    const int64_t height = spatial_shapes[2 * l];
                    const int64_t width = spatial_shapes[2 * l + 1];
                    const T * value_l = value_bh + level_start[l] * row;
                    for (int64_t p = 0; p < s.points; ++p) {
                        const int64_t i = (h * s.levels + l) * s.points + p;
                        BilinearTaps<T> taps;
                        if (!bilinear_taps(loc[2 * i], loc[2 * i + 1], height, width, taps)) continue;
                        for (int k = 0; k < 4; ++k) {
                            if (taps.index[k] < 0) continue;
                            const T c = w[i] * taps.weight[k];
                            const T * v = value_l + taps.index[k] * row;
                            for (int64_t ch = 0; ch < s.channels; ++ch) out_h[ch] += c * v[ch];
                        }
                    }
                }
            }
        }
    });
}

template <class T>
void ms_deform_attn_backward_cpu(const MsdaSizes & s, const T * value, const int64_t * spatial_shapes,
                                 const int64_t * level_start, const T * locations, const T * weights,
                                 const T * grad_output, T * grad_value, T * grad_locations, T * grad_weights) {
    const int64_t row = s.heads * s.channels;
    const int64_t per_head = s.levels * s.points;
    // Work is split by (batch, head): grad_value[b, :, h, :] is then written by one thread only,
    // which needs no atomics or per-thread copies; the cost is parallelism capped at batch * heads.
    at::parallel_for(0, s.batch * s.heads, 1, [&](int64_t begin, int64_t end) {
        for (int64_t bh = begin; bh < end; ++bh) {
            const int64_t b = bh / s.heads;
            const int64_t h = bh % s.heads;
            const T * value_bh = value + b * s.keys * row + h * s.channels;
            T * grad_value_bh = grad_value + b * s.keys * row + h * s.channels;
            for (int64_t q = 0; q < s.queries; ++q) {
                const int64_t bqh = (b * s.queries + q) * s.heads + h;
                const T * go = grad_output + bqh * s.channels;
                const T * loc = locations + bqh * per_head * 2;
                const T * w = weights + bqh * per_head;
                T * g_loc = grad_locations + bqh * per_head * 2;
                T * g_w = grad_weights + bqh * per_head;
                for (int64_t l = 0; l < s.levels; ++l) {
                    const int64_t height = spatial_shapes[2 * l];
                    const int64_t width = spatial_shapes[2 * l + 1];
                    const T * value_l = value_bh + level_start[l] * row;
                    T * grad_value_l = grad_value_bh + level_start[l] * row;
                    for (int64_t p = 0; p < s.points; ++p) {
                        const int64_t i = l * s.points + p;
                        BilinearTaps<T> taps;
                        if (!bilinear_taps(loc[2 * i], loc[2 * i + 1], height, width, taps)) continue;
                        T g_sample = 0;  // d loss / d weight = <grad_output, sampled value>
                        T g_x = 0;
                        T g_y = 0;
                        for (int k = 0; k < 4; ++k) {
                            if (taps.index[k] < 0) continue;
                            const T * v = value_l + taps.index[k] * row;
                            T * gv = grad_value_l + taps.index[k] * row;
                            const T c = w[i] * taps.weight[k];
                            T dot = 0;
                            for (int64_t ch = 0; ch < s.channels; ++ch) {
                                dot += go[ch] * v[ch];
                                gv[ch] += c * go[ch];
                            }
                            g_sample += taps.weight[k] * dot;
                            g_x += taps.d_dx[k] * dot;
                            g_y += taps.d_dy[k] * dot;
                        }
                        g_w[i] = g_sample;
                        // Pixel coordinate = loc * size - 0.5, so d/d loc = size * d/d pixel.
                        g_loc[2 * i] = w[i] * g_x * T(width);
                        g_loc[2 * i + 1] = w[i] * g_y * T(height);
                    }
                }
            }
        }
    });
}

template void ms_deform_attn_forward_cpu<float>(const MsdaSizes &, const float *, const int64_t *, const int64_t *,
                                                const float *, const float *, float *);
template void ms_deform_attn_forward_cpu<double>(const MsdaSizes &, const double *, const int64_t *, const int64_t *,
                                                 const double *, const double *, double *);
template void ms_deform_attn_backward_cpu<float>(const MsdaSizes &, const float *, const int64_t *, const int64_t *,
                                                 const float *, const float *, const float *, float *, float *,
                                                 float *);
template void ms_deform_attn_backward_cpu<double>(const MsdaSizes &, const double *, const int64_t *,
                                                  const int64_t *, const double *, const double *, const double *,
                                                  double *, double *, double *);

}  // namespace rs
