#include "models/bevformer/reference_refinement.h"

#include <stdexcept>
#include <string>

#include "models/bevformer/box_code.h"

namespace rs {

using torch::indexing::Slice;

torch::Tensor inverse_sigmoid(const torch::Tensor & x, double eps) {
    const torch::Tensor p = x.clamp(0, 1);
    return torch::log(p.clamp_min(eps) / (1 - p).clamp_min(eps));
}

torch::Tensor refine_reference(const torch::Tensor & reg_out, const torch::Tensor & reference) {
    if (reg_out.dim() < 1 || reg_out.size(-1) != kBoxCodeDims || reference.dim() < 1 || reference.size(-1) != 3)
        throw std::invalid_argument("refine_reference: reg_out [..., 10] and reference [..., 3] expected, got " +
                                    c10::str(reg_out.sizes()) + " and " + c10::str(reference.sizes()));
    const torch::Tensor logits = inverse_sigmoid(reference);
    const torch::Tensor xy = reg_out.index({"...", Slice(0, 2)}) + logits.index({"...", Slice(0, 2)});
    const torch::Tensor z = reg_out.index({"...", Slice(4, 5)}) + logits.index({"...", Slice(2, 3)});
    return torch::cat({xy, z}, -1).sigmoid();
}

}  // namespace rs
