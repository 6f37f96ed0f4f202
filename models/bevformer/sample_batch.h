// A DetectionSample as BEVFormer's network input: the official test/train image pipeline
// (LoadMultiViewImageFromFiles, NormalizeMultiviewImage, RandomScaleImageMultiViewImage,
// PadMultiViewImage size_divisor 32) and its targets as tensors, plus a loader that prepares the
// next samples on a background thread while the network computes.
#pragma once

#include <torch/types.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "engine/detection_sample.h"
#include "engine/jpeg_codec.h"
#include "models/bevformer/bevformer_config.h"

namespace rs {

struct SampleTensors {
    torch::Tensor images;     // [6, 3, pad_h, pad_w] float32, normalised, zero-padded bottom and right
    torch::Tensor lidar2img;  // [6, 4, 4] float32, diag(s, s, 1, 1) · lidar2img: pixels of the scaled image
    torch::Tensor can_bus;    // [18] float32, absolute (relative_can_bus is the caller's, per queue)
    torch::Tensor gt_boxes;   // [M, 9] float32, lidar frame (box_code.h); unknown velocity as 0
    torch::Tensor gt_labels;  // [M] int64, BEVFormer class order
    int64_t img_h = 0, img_w = 0;  // scaled size before padding
    int64_t pad_h = 0, pad_w = 0;
};

// The trainer's choice of GT: boxes with lidar or radar points whose centres lie inside the
// config's pc_range.
DetectionSampleOptions training_sample_options(const BevformerConfig & config);

struct GtTensors {
    torch::Tensor boxes;   // [M, 9] float32, lidar frame (box_code.h); unknown velocity as 0
    torch::Tensor labels;  // [M] int64, BEVFormer class order
};

// A sample's GT boxes as the training targets. Unknown (NaN) velocities become 0 as the official
// get_ann_info does.
GtTensors make_gt_tensors(const DetectionSample & sample);

// Decodes the six JPEGs (camera order of the sample) and builds the tensors. Images are scaled to
// int(h * s) × int(w * s) with bilinear sampling at pixel centres and no antialiasing, which is
// cv2.resize INTER_LINEAR (mmcv.imresize) on float images; scaling before normalising equals the
// official normalise-then-scale because both are affine per channel. Channels follow
// config.image_bgr, mean and std are in that order; the GT is make_gt_tensors'. Errors:
// std::runtime_error naming the file for an unreadable or undecodable image; see the overload for
// sizes.
SampleTensors make_sample_tensors(const DetectionSample & sample, const BevformerConfig & config);

// The same from decoded images. std::invalid_argument when there are not 6 images, when they do
// not all share one size, or when a size differs from the sample_data width/height of its camera.
SampleTensors make_sample_tensors(const DetectionSample & sample, const std::vector<RgbImage> & images,
                                  const BevformerConfig & config);

// Prepares make_sample_tensors(samples[order[k]]) for k = 0, 1, ... on one background thread, at
// most `prefetch` ahead of the consumer. Indices may repeat (e.g. the frames of training queues).
class SampleLoader {
public:
    SampleLoader(std::vector<DetectionSample> samples, std::vector<size_t> order, BevformerConfig config,
                 int prefetch = 2);
    ~SampleLoader();  // stops the worker after the sample it is preparing
    SampleLoader(const SampleLoader &) = delete;
    SampleLoader & operator=(const SampleLoader &) = delete;

    // The next sample in `order`; none after the last. Rethrows an error of preparing it.
    std::optional<SampleTensors> next();
    size_t size() const { return order_.size(); }

private:
    void work();

    std::vector<DetectionSample> samples_;
    std::vector<size_t> order_;
    BevformerConfig config_;
    size_t prefetch_;

    std::mutex mutex_;
    std::condition_variable changed_;
    struct Item {
        std::optional<SampleTensors> tensors;
        std::exception_ptr error;
    };
    std::deque<Item> ready_;
    size_t consumed_ = 0;
    bool stop_ = false;
    std::thread worker_;  // last: starts after every member it uses exists
};

}  // namespace rs
