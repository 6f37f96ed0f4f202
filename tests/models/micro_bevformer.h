// A BEVFormer small enough for a unit test (every module present, tiny sizes) and a random
// six-camera frame for it, shared by the model tests.
#pragma once

#include "models/bevformer/bevformer.h"

namespace rs::test {

// embedded with C3 features of 64-pixel images, 32 channels and an 8×8 BEV.
inline BevformerConfig micro_config() {
    BevformerConfig c = BevformerConfig::embedded();
    c.name = "micro";
    c.backbone_out_stages = {1};
    c.input_width = 64;
    c.embed_dims = 32;
    c.num_heads = 4;
    c.ffn_dims = 64;
    c.bev_h = c.bev_w = 8;
    c.rotate_center = {4.f, 4.f};
    c.encoder_layers = 1;
    c.decoder_layers = 2;
    c.num_queries = 20;
    c.max_detections = 10;
    c.dropout = 0.f;
    c.bev_proposals = c.perspective_head = false;  // the plain architecture; their tests turn them on
    return c;
}

// Random 64×64 images; all six cameras look forward along lidar y with a 32-pixel focal length.
inline BevformerFrame random_frame(int64_t batch = 1) {
    BevformerFrame f;
    f.images = torch::randn({batch, 6, 3, 64, 64});
    torch::Tensor k = torch::tensor({{32.f, 0.f, 32.f, 0.f}, {0.f, 32.f, 18.f, 0.f}, {0.f, 0.f, 1.f, 0.f}, {0.f, 0.f, 0.f, 1.f}});
    torch::Tensor lidar2cam = torch::tensor({{1.f, 0.f, 0.f, 0.f}, {0.f, 0.f, -1.f, 0.f}, {0.f, 1.f, 0.f, 0.f}, {0.f, 0.f, 0.f, 1.f}});
    f.lidar2img = k.matmul(lidar2cam).expand({batch, 6, 4, 4}).clone();
    f.can_bus = torch::rand({batch, 18}) * 0.1;  // non-zero, so the CAN-bus MLP gets a gradient
    return f;
}

}  // namespace rs::test
