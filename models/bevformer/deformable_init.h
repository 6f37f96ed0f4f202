// Initialisation shared by BEVFormer's deformable attentions (mmcv MultiScaleDeformableAttention
// init_weights): the points of each head start on a ray in that head's own direction, at growing
// distances, so training begins with a spread-out sampling pattern instead of one point.
#pragma once

#include <torch/nn/modules/linear.h>

namespace rs {

// sampling_offsets: Linear whose outputs are laid out (heads, groups, points, 2); weight zeroed,
// bias = (i + 1) * unit direction of the head (scaled so the larger component is 1).
// `groups` is levels (times the 2 queue entries in temporal self-attention).
void init_sampling_offsets(torch::nn::Linear & sampling_offsets, int64_t heads, int64_t groups, int64_t points);

// Xavier-uniform weight and zero bias, as mmcv's xavier_init(distribution='uniform', bias=0).
void init_xavier_linear(torch::nn::Linear & linear);

// Zero weight and bias: every sampling point starts with the same attention weight.
void init_zero_linear(torch::nn::Linear & linear);

}  // namespace rs
