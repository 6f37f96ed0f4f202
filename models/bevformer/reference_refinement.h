// Iterative box refinement's arithmetic in sigmoid space (mmdet's inverse_sigmoid and the update
// BEVFormer's decoder and head share), in one place so both stay identical.
#pragma once

#include <torch/types.h>

namespace rs {

// log(x / (1 - x)) with x clamped to [0, 1] and both terms to at least eps, as mmdet's
// inverse_sigmoid (eps 1e-5).
torch::Tensor inverse_sigmoid(const torch::Tensor & x, double eps = 1e-5);

// reference [..., 3] (x, y, z in sigmoid space) moved by a regression output [..., 10] whose
// entries 0, 1 and 4 are the x, y and z offsets in logit space. Returns the new reference
// [..., 3], sigmoid space.
torch::Tensor refine_reference(const torch::Tensor & reg_out, const torch::Tensor & reference);

}  // namespace rs
