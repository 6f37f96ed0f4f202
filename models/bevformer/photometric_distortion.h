// PhotoMetricDistortionMultiViewImage, the colour augmentation of BEVFormer's training pipeline
// (projects/mmdet3d_plugin/datasets/pipelines/transform_3d.py), on float images of 0..255 values
// before normalisation. Each image draws its own: brightness + U(-32, 32); contrast × U(0.5, 1.5)
// either before the HSV step or after it (a coin picks which); saturation × U(0.5, 1.5); hue
// + U(-18°, 18°) wrapped to [0, 360]; a random channel permutation. Every step happens with
// probability 0.5 and nothing is clipped, as in the reference. HSV follows OpenCV's float
// conversion (H in degrees, S in 0..1, V in the image's scale).
#pragma once

#include <torch/types.h>

#include <random>

namespace rs {

struct PhotometricDistortion {
    float brightness_delta = 32.f;
    float contrast_lower = 0.5f, contrast_upper = 1.5f;
    float saturation_lower = 0.5f, saturation_upper = 1.5f;
    float hue_delta = 18.f;
};

// `images` [N, 3, H, W] float32 in `bgr` or RGB channel order; returns a distorted copy.
torch::Tensor apply_photometric_distortion(const torch::Tensor & images, std::mt19937 & rng, bool bgr,
                                           const PhotometricDistortion & p = {});

// Channel dimension -3 holds R, G, B (or H, S, V).
torch::Tensor rgb_to_hsv(const torch::Tensor & rgb);
torch::Tensor hsv_to_rgb(const torch::Tensor & hsv);

}  // namespace rs
