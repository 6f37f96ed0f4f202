#include "models/bevformer/box_code.h"

#include <stdexcept>
#include <string>

namespace rs {

namespace {

void require_last_dim(const torch::Tensor & t, int64_t n, const char * what) {
    if (t.dim() < 1 || t.size(-1) != n)
        throw std::invalid_argument(std::string(what) + ": last dimension must be " + std::to_string(n) + ", got shape " +
                                    c10::str(t.sizes()));
}

}  // namespace

torch::Tensor normalize_boxes(const torch::Tensor & boxes) {
    require_last_dim(boxes, kBoxDims, "normalize_boxes");
    using torch::indexing::Slice;
    const torch::Tensor yaw = boxes.index({"...", Slice(6, 7)});
    return torch::cat({boxes.index({"...", Slice(0, 2)}), boxes.index({"...", Slice(3, 5)}).log(), boxes.index({"...", Slice(2, 3)}),
                       boxes.index({"...", Slice(5, 6)}).log(), yaw.sin(), yaw.cos(), boxes.index({"...", Slice(7, 9)})},
                      -1);
}

torch::Tensor denormalize_boxes(const torch::Tensor & codes) {
    require_last_dim(codes, kBoxCodeDims, "denormalize_boxes");
    using torch::indexing::Slice;
    const torch::Tensor yaw = torch::atan2(codes.index({"...", Slice(6, 7)}), codes.index({"...", Slice(7, 8)}));
    return torch::cat({codes.index({"...", Slice(0, 2)}), codes.index({"...", Slice(4, 5)}), codes.index({"...", Slice(2, 4)}).exp(),
                       codes.index({"...", Slice(5, 6)}).exp(), yaw, codes.index({"...", Slice(8, 10)})},
                      -1);
}

}  // namespace rs
