#include "models/bevformer/perspective_head.h"

#include <c10/util/StringUtil.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/bevformer/center_heatmap.h"

namespace rs {

PerspectiveHeadImpl::PerspectiveHeadImpl(const BevformerConfig & cfg)
    : embed_dims_(cfg.embed_dims), num_classes_(cfg.num_classes) {
    cfg.validate();
    const int64_t c = cfg.embed_dims;
    heatmap = register_module("heatmap", center_heatmap_branch(c, cfg.num_classes));
}

torch::Tensor PerspectiveHeadImpl::forward(const torch::Tensor & features) {
    if (features.dim() != 5 || features.size(2) != embed_dims_)
        throw std::invalid_argument("PerspectiveHead: features " + c10::str(features.sizes()) + " are not [B, N, " +
                                    std::to_string(embed_dims_) + ", h, w]");
    const int64_t b = features.size(0), n = features.size(1), h = features.size(3), w = features.size(4);
    return heatmap->forward(features.flatten(0, 1)).view({b, n, num_classes_, h, w});
}

torch::Tensor perspective_heatmap_target(const torch::Tensor & gt_boxes, const torch::Tensor & gt_labels,
                                         const torch::Tensor & lidar2img, std::array<int64_t, 2> image_hw,
                                         std::array<int64_t, 2> padded_hw, std::array<int64_t, 2> feature_hw,
                                         int num_classes) {
    if (gt_boxes.dim() != 2 || gt_boxes.size(1) < 6)
        throw std::invalid_argument("perspective_heatmap_target: gt_boxes " + c10::str(gt_boxes.sizes()) + " is not [M, 9]");
    if (gt_labels.dim() != 1 || gt_labels.size(0) != gt_boxes.size(0))
        throw std::invalid_argument("perspective_heatmap_target: gt_labels " + c10::str(gt_labels.sizes()) + " is not [" +
                                    std::to_string(gt_boxes.size(0)) + "]");
    if (lidar2img.dim() != 3 || lidar2img.size(1) != 4 || lidar2img.size(2) != 4)
        throw std::invalid_argument("perspective_heatmap_target: lidar2img " + c10::str(lidar2img.sizes()) + " is not [N, 4, 4]");
    const int64_t fh = feature_hw[0], fw = feature_hw[1];
    if (fh < 1 || fw < 1 || padded_hw[0] < fh || padded_hw[1] < fw || image_hw[0] < 1 || image_hw[1] < 1 ||
        image_hw[0] > padded_hw[0] || image_hw[1] > padded_hw[1] || num_classes < 1)
        throw std::invalid_argument("perspective_heatmap_target: sizes do not nest (image " + std::to_string(image_hw[1]) + "x" +
                                    std::to_string(image_hw[0]) + ", padded " + std::to_string(padded_hw[1]) + "x" +
                                    std::to_string(padded_hw[0]) + ", features " + std::to_string(fw) + "x" +
                                    std::to_string(fh) + ")");
    const double stride_y = double(padded_hw[0]) / double(fh), stride_x = double(padded_hw[1]) / double(fw);
    const int64_t cams = lidar2img.size(0);
    std::vector<float> target(size_t(cams * num_classes * fh * fw), 0.f);
    const torch::Tensor boxes = gt_boxes.to(torch::kFloat64).contiguous();
    const torch::Tensor labels = gt_labels.to(torch::kLong).contiguous();
    const torch::Tensor proj = lidar2img.to(torch::kFloat64).contiguous();
    const auto bx = boxes.accessor<double, 2>();
    const auto lb = labels.accessor<int64_t, 1>();
    const auto pm = proj.accessor<double, 3>();
    for (int64_t m = 0; m < boxes.size(0); ++m)
        if (lb[m] < 0 || lb[m] >= num_classes)
            throw std::invalid_argument("perspective_heatmap_target: label " + std::to_string(lb[m]) + " of box " +
                                        std::to_string(m) + " is outside 0.." + std::to_string(num_classes - 1));
    // Pixel and depth of a lidar point in camera n; depth <= 0 behind the camera.
    const auto project = [&](int64_t n, double x, double y, double z, double & u, double & v) {
        const double d = pm[n][2][0] * x + pm[n][2][1] * y + pm[n][2][2] * z + pm[n][2][3];
        u = (pm[n][0][0] * x + pm[n][0][1] * y + pm[n][0][2] * z + pm[n][0][3]) / d;
        v = (pm[n][1][0] * x + pm[n][1][1] * y + pm[n][1][2] * z + pm[n][1][3]) / d;
        return d;
    };
    for (int64_t n = 0; n < cams; ++n)
        for (int64_t m = 0; m < boxes.size(0); ++m) {
            double u = 0, v = 0;
            const double depth = project(n, bx[m][0], bx[m][1], bx[m][2], u, v);
            if (!std::isfinite(depth) || depth < 0.5 || !std::isfinite(u) || !std::isfinite(v) || u < 0 || v < 0 ||
                u >= double(image_hw[1]) || v >= double(image_hw[0]))
                continue;
            const double half = std::max(bx[m][3], bx[m][4]) / 2.0, half_h = bx[m][5] / 2.0;
            double u0 = std::numeric_limits<double>::infinity(), u1 = -u0, v0 = u0, v1 = -u0;
            for (int corner = 0; corner < 8; ++corner) {
                double cu = 0, cv = 0;
                const double d = project(n, bx[m][0] + (corner & 1 ? half : -half), bx[m][1] + (corner & 2 ? half : -half),
                                         bx[m][2] + (corner & 4 ? half_h : -half_h), cu, cv);
                if (!(d > 0.1)) continue;  // a corner behind the camera: the others bound what shows
                u0 = std::min(u0, cu), u1 = std::max(u1, cu), v0 = std::min(v0, cv), v1 = std::max(v1, cv);
            }
            const double side = std::min(std::min(u1, double(image_hw[1])) - std::max(u0, 0.0),
                                         std::min(v1, double(image_hw[0])) - std::max(v0, 0.0));
            const double cells = side / 4.0 / std::max(stride_x, stride_y);
            const int64_t radius = std::isfinite(cells) ? std::clamp<int64_t>(std::llround(cells), 1, 8) : 1;
            float * map = target.data() + (n * num_classes + lb[m]) * fh * fw;
            draw_center_gaussian(map, fh, fw, int64_t(v / stride_y), int64_t(u / stride_x), radius);
        }
    return torch::from_blob(target.data(), {cams, num_classes, fh, fw}, torch::kFloat32).clone();
}

}  // namespace rs
