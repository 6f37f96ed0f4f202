// Hyper-parameters of a BEVFormer network and its training, one struct shared by every part of
// models/bevformer/. Presets follow the official configs (projects/configs/bevformer/*.py);
// the reference implementation's quirks are explicit flags so a model can match released
// weights or do the corrected thing.
#pragma once

#include <array>
#include <string>
#include <vector>

namespace rs {

struct BevformerConfig {
    std::string name;

    // Image backbone (torchvision-style ResNet) and FPN neck.
    int resnet_depth = 50;                 // 18, 34, 50 or 101
    bool backbone_frozen_bn = true;        // BN statistics and affine fixed (norm_eval, requires_grad off)
    int backbone_frozen_stages = 1;        // stem and the first N stages get no gradient
    std::vector<int> backbone_out_stages = {3};  // 0-based stages whose outputs feed the neck (3 = C5)
    int neck_outs = 1;                     // FPN outputs; more than the inputs add stride-2 convs on the last output
    bool neck_relu_before_extra = true;

    // Input: images scaled to input_width pixels wide (aspect kept), then zero-padded to multiples
    // of 32. Official tiny: 1600×900 × 0.5 = 800×450. A width rather than a factor, so one model
    // takes generated data rendered small and real 1600×900 frames alike.
    int input_width = 800;
    std::array<float, 3> image_mean = {123.675f, 116.28f, 103.53f};  // per channel, 0..255 values
    std::array<float, 3> image_std = {58.395f, 57.12f, 57.375f};
    bool image_bgr = false;                // channel order the backbone expects

    // Transformer.
    int embed_dims = 256;
    int num_heads = 8;
    int ffn_dims = 512;
    float dropout = 0.1f;
    int bev_h = 50;
    int bev_w = 50;
    std::array<float, 6> pc_range = {-51.2f, -51.2f, -5.0f, 51.2f, 51.2f, 3.0f};  // x, y, z min then max, lidar frame
    int encoder_layers = 3;
    int decoder_layers = 6;
    int pillar_points = 4;                 // Z anchors per BEV query in spatial cross-attention
    int sca_points = 8;                    // sampling points per head and level in spatial cross-attention
    int tsa_points = 4;                    // ... in temporal self-attention
    int decoder_points = 4;                // ... in the decoder's deformable cross-attention
    int num_queries = 900;
    int num_classes = 10;                  // nuScenes detection classes in BEVFormer's order (car, truck, ...)
    int code_size = 10;                    // cx, cy, log w, log l, cz, log h, sin, cos, vx, vy

    // Temporal modelling.
    bool temporal = true;                  // false: BEVFormer-S, temporal attention sees only the current BEV
    int queue_length = 3;                  // training: current frame plus queue_length - 1 earlier frames
    float queue_span_s = 2.0f;             // the earlier frames are drawn from this window
    bool use_can_bus = true;
    bool use_shift = true;
    bool rotate_prev_bev = true;
    // Quirks of the released code (bevformer.md §11).
    bool quirk_shift_ref_aliasing = true;  // the history reference points are shifted too (v1 release)
    std::array<float, 2> rotate_center = {100.f, 100.f};  // pixels; correct only for a 200×200 BEV
    // Batch quirks (§11.3, §11.4): no effect at batch 1, where the released weights were trained and run.
    bool quirk_tsa_first_rows = false;        // temporal attention predicts item b's offsets from queue row b, not from b's history
    bool quirk_sca_first_item_mask = false;   // spatial cross-attention picks every item's queries by item 0's camera hits

    // Map-segmentation head (drivable area, lane lines, crossings).
    bool seg_head = false;
    int seg_classes = 3;

    // Two-stage object queries from a dense BEV heatmap (bev_proposal_head.h): ours, for small
    // models trained from scratch; the official configs learn their reference points.
    bool bev_proposals = false;
    float proposal_loss_weight = 1.0f;
    // Training only: a per-camera centre heatmap on the image features (perspective_head.h); ours.
    bool perspective_head = false;
    float perspective_loss_weight = 1.0f;
    // Training only: each object's velocity regressed at its BEV centre cell (bev_velocity_head.h); ours.
    bool bev_velocity = false;
    float bev_velocity_loss_weight = 0.25f;

    // Decoding and losses.
    int max_detections = 300;
    std::array<float, 6> post_center_range = {-61.2f, -61.2f, -10.f, 61.2f, 61.2f, 10.f};
    float focal_alpha = 0.25f;
    float focal_gamma = 2.0f;
    float loss_cls_weight = 2.0f;
    float loss_bbox_weight = 0.25f;
    std::vector<float> code_weights = {1, 1, 1, 1, 1, 1, 1, 1, 0.2f, 0.2f};

    // Optimisation (AdamW, cosine schedule with linear warm-up).
    float lr = 2e-4f;
    float backbone_lr_mult = 0.1f;
    float weight_decay = 0.01f;
    float grad_clip = 35.f;
    int warmup_steps = 500;
    // Training only: GridMask on the current frame's images (models/bevformer/grid_mask.h).
    bool grid_mask = true;
    float grid_mask_prob = 0.7f;
    // Training only: PhotoMetricDistortionMultiViewImage on every queue frame
    // (models/bevformer/photometric_distortion.h).
    bool photometric = true;

    int levels() const { return neck_outs; }
    int bev_queries() const { return bev_h * bev_w; }
    int head_dims() const { return embed_dims / num_heads; }
    // The factor that brings images `source_width` pixels wide to input_width.
    double image_scale(int source_width) const { return double(input_width) / double(source_width); }

    // Throws std::invalid_argument naming the first inconsistent field.
    void validate() const;

    static BevformerConfig tiny();      // exactly bevformer_tiny.py
    static BevformerConfig small();     // bevformer_small.py with a plain ResNet-101 (no DCN)
    static BevformerConfig base();      // bevformer_base.py with a plain ResNet-101 (no DCN)
    static BevformerConfig embedded();  // trains and runs on 2 CPU cores
    // One of the names above, optionally with "-static" (BEVFormer-S: temporal off); throws
    // std::invalid_argument listing them otherwise.
    static BevformerConfig named(const std::string & name);
};

}  // namespace rs
