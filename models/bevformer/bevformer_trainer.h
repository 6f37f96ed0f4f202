// BEVFormer training on a nuScenes-format dataset (generated or real), as the paper trains it:
// each step takes a key frame and a queue of earlier frames of its scene, encodes the queue
// without gradient, and trains on the current frame's detections (and map segmentation when the
// config has the head and the dataset has our generator's maps). AdamW with the backbone's
// learning-rate multiplier, mmcv's cosine schedule with linear warm-up, gradient clipping.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "models/bevformer/bevformer.h"
#include "models/bevformer/bevformer_config.h"

namespace rs {

struct BevformerTrainOptions {
    std::string data_dir;
    std::string version;            // v1.0-* folder; empty: the only one under data_dir
    std::string split = "train";
    std::string out_dir;            // the training-run folder (models/training_run.h); resumed when it holds one
    BevformerConfig config;
    int64_t steps = 1000;           // total, counting the steps of earlier sessions
    uint64_t seed = 1;
    int threads = 2;                // LibTorch intra-op threads
    torch::Device device = torch::kCPU;  // where the network trains; data loading stays on CPU threads
    int64_t checkpoint_every = 250;
    // Fine-tuning: a new run starts from these weights (a checkpoint or an exported model, whose
    // missing training-only perspective head starts fresh) instead of random ones. Ignored when
    // the run resumes from its own checkpoint.
    std::string init_weights;
};

struct BevformerTrainSummary {
    int64_t first_step = 0;         // > 0 when resumed
    bool initialised = false;       // started from init_weights
    int64_t steps = 0;
    size_t samples = 0;             // key frames of the split
    double samples_per_s = 0;       // this session
    double final_loss = 0;          // mean total loss of the last 50 steps
    std::string weights;            // the last checkpoint's safetensors
};

// Fine-tuning's start: loads `path` into `model`. Only the training-only heads (perspective,
// BEV velocity) may be missing (export drops them, so they start fresh); any other missing, unexpected or mis-shaped tensor
// throws WeightsError naming them all. Like non-strict loading, tensors that fit are already loaded
// when it throws.
void load_init_weights(Bevformer & model, const std::string & path);

// `progress(done, total)` after each step. std::invalid_argument / DatasetError for bad options or
// data, with the file or field named.
BevformerTrainSummary train_bevformer(const BevformerTrainOptions & opt,
                                      const std::function<void(int64_t, int64_t)> & progress = nullptr);

}  // namespace rs
