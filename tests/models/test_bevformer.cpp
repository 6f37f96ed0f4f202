// The assembled BEVFormer: official parameter names end to end (through the checkpoint converter),
// training-mode forward with a history queue, a few optimisation steps, input errors, and online
// inference on the real nuScenes key frame.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <unistd.h>

#include <ATen/Context.h>
#include <torch/cuda.h>

#include "engine/detection_sample.h"
#include "engine/file_io.h"
#include "engine/json.h"
#include "engine/safetensors.h"
#include "engine/nuscenes_reader.h"
#include "models/bevformer/bevformer.h"
#include "models/bevformer/bevformer_eval.h"
#include "models/bevformer/bevformer_runner.h"
#include "models/bevformer/detection_loss.h"
#include "models/weights.h"
#include "tests/models/micro_bevformer.h"

namespace fs = std::filesystem;
using namespace rs;
using rs::test::micro_config;
using rs::test::random_frame;

namespace {

std::map<std::string, std::vector<int64_t>> read_key_fixture(const std::string & path) {
    std::map<std::string, std::vector<int64_t>> keys;
    std::ifstream in(path);
    std::string name, shape;
    while (in >> name >> shape) {
        std::vector<int64_t> dims;
        if (shape != "scalar") {
            std::stringstream ss(shape);
            for (std::string d; std::getline(ss, d, ',');) dims.push_back(std::stoll(d));
        }
        keys[name] = dims;
    }
    return keys;
}

std::string sample_dir() { return std::string(ROADSIGHT_SOURCE_DIR) + "/../shared/data/nuscenes-sample"; }

}  // namespace

TEST(Bevformer, TinyHasExactlyTheOfficialStateDict) {
    const auto expected = read_key_fixture(std::string(ROADSIGHT_SOURCE_DIR) + "/tests/models/fixtures/bevformer_tiny_keys.txt");
    ASSERT_EQ(expected.size(), 643u);
    Bevformer model(BevformerConfig::tiny());
    std::map<std::string, std::vector<int64_t>> actual;
    for (const auto & p : model->named_parameters()) actual[p.key()] = p.value().sizes().vec();
    for (const auto & b : model->named_buffers()) actual[b.key()] = b.value().sizes().vec();
    for (const auto & [name, shape] : expected) {
        auto it = actual.find(name);
        ASSERT_NE(it, actual.end()) << "missing " << name;
        EXPECT_EQ(it->second, shape) << name;
    }
    for (const auto & [name, shape] : actual) EXPECT_TRUE(expected.count(name)) << "unexpected " << name;
}

// An official-style checkpoint (mmcv dict with meta, state_dict, optimizer) with every tiny key,
// through packaging/convert_bevformer_checkpoint.py, loads strictly and bit for bit.
TEST(Bevformer, ConvertedCheckpointLoadsStrictly) {
    const std::string python = ROADSIGHT_TORCH_PYTHON3;
    if (python.empty()) GTEST_SKIP() << "no python3 with torch";
    const fs::path dir = fs::temp_directory_path() / ("roadsight_bevformer_ckpt_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string src = ROADSIGHT_SOURCE_DIR;
    const std::string script = (dir / "make.py").string();
    std::ofstream(script) << "import sys, torch\n"
                            "torch.manual_seed(0)\n"
                            "sd = {}\n"
                            "for line in open(sys.argv[1]):\n"
                            "    name, shape = line.split()\n"
                            "    if shape == 'scalar':\n"
                            "        sd[name] = torch.tensor(7, dtype=torch.int64)\n"
                            "    else:\n"
                            "        sd[name] = torch.randn([int(d) for d in shape.split(',')])\n"
                            "torch.save({'meta': {'epoch': 24}, 'state_dict': sd, 'optimizer': {}}, sys.argv[2])\n"
                            "print(float(sd['pts_bbox_head.transformer.cams_embeds'][5, 255]))\n";
    const std::string ckpt = (dir / "bevformer_tiny_epoch_24.pth").string(), out = (dir / "tiny.safetensors").string();
    const std::string value_file = (dir / "value.txt").string();
    ASSERT_EQ(std::system((python + " " + script + " " + src + "/tests/models/fixtures/bevformer_tiny_keys.txt " + ckpt + " > " +
                           value_file).c_str()),
              0);
    ASSERT_EQ(std::system((python + " " + src + "/packaging/convert_bevformer_checkpoint.py " + ckpt + " --out " + out +
                           " > /dev/null").c_str()),
              0);
    float expected = 0;
    std::ifstream(value_file) >> expected;

    Bevformer model(BevformerConfig::tiny());
    WeightsReport report = load_weights(*model, out);
    EXPECT_TRUE(report.complete()) << report.describe();
    EXPECT_EQ(report.loaded, 643);
    EXPECT_EQ(model->transformer->cams_embeds[5][255].item<float>(), expected);
    fs::remove_all(dir);
}

TEST(Bevformer, MismatchedWeightsNameEveryProblem) {
    BevformerConfig other = micro_config();
    other.embed_dims = 64;
    const fs::path path = fs::temp_directory_path() / ("roadsight_micro64_" + std::to_string(::getpid()) + ".safetensors");
    save_weights(*Bevformer(other), path.string());
    Bevformer model(micro_config());
    try {
        load_weights(*model, path.string());
        FAIL() << "a 64-wide checkpoint loaded into a 32-wide model";
    } catch (const WeightsError & e) {
        EXPECT_FALSE(e.report().mismatched.empty());
        EXPECT_NE(std::string(e.what()).find("pts_bbox_head.transformer.level_embeds"), std::string::npos) << e.what();
    }
    fs::remove(path);
}

// What `export bevformer --half` ships: float16 tensors that load back into the float32 model of
// the config named in the metadata, value for value.
TEST(Bevformer, HalfWeightsLoadBackIntoFloat) {
    torch::manual_seed(5);
    Bevformer half(BevformerConfig::embedded());
    cast_floating_tensors(*half, torch::kHalf);
    const fs::path path = fs::temp_directory_path() / ("roadsight_half_" + std::to_string(::getpid()) + ".safetensors");
    save_weights(*half, path.string(), {{"config", "embedded"}});
    Bevformer loaded = load_bevformer(path.string());
    fs::remove(path);
    EXPECT_EQ(loaded->config().name, "embedded");
    const auto expected = half->named_parameters();
    int64_t compared = 0;
    for (const auto & p : loaded->named_parameters()) {
        ASSERT_EQ(p.value().scalar_type(), torch::kFloat) << p.key();
        ASSERT_TRUE(torch::equal(p.value(), expected[p.key()].to(torch::kFloat))) << p.key();
        ++compared;
    }
    EXPECT_EQ(compared, int64_t(expected.size()));
    for (const auto & b : half->named_buffers()) {
        if (b.key().find("num_batches_tracked") != std::string::npos) {
            EXPECT_EQ(b.value().scalar_type(), torch::kLong) << b.key();
        }
    }
}

// assets/: the shipped weights load strictly into the config their manifest names, and the
// manifest describes that file (size, dtype, steps, held-out metrics present).
TEST(Bevformer, ShippedWeightsMatchTheirManifest) {
    const std::string dir = std::string(ROADSIGHT_SOURCE_DIR) + "/assets";
    const std::string weights = dir + "/bevformer_embedded.safetensors", manifest = dir + "/bevformer_embedded.manifest.json";
    if (!fs::exists(weights) && !fs::exists(manifest)) GTEST_SKIP() << "no shipped BEVFormer in assets/";
    ASSERT_TRUE(fs::exists(weights)) << "the manifest has no weights beside it";
    ASSERT_TRUE(fs::exists(manifest)) << "the weights have no manifest beside them";
    const Json m = parse_json(read_file_text(manifest), manifest);
    EXPECT_EQ(m.at("file").as_string(), "bevformer_embedded.safetensors");
    EXPECT_EQ(m.at("bytes").as_int64(), int64_t(fs::file_size(weights)));
    EXPECT_LE(fs::file_size(weights), 25u * 1000 * 1000);  // the bound
    Bevformer model = load_bevformer(weights);
    EXPECT_EQ(model->config().name, m.at("config").as_string());
    EXPECT_EQ(SafetensorsFile::read(weights).metadata().at("step"), std::to_string(m.at("training").at("steps").as_int64()));
    for (const char * key : {"nd_score", "mean_ap"}) EXPECT_TRUE(m.at("held_out").at("metrics").at(key).is_number()) << key;
}

TEST(Bevformer, ForwardTrainShapesAndGradients) {
    torch::manual_seed(1);
    const BevformerConfig cfg = micro_config();
    Bevformer model(cfg);
    model->train();
    std::vector<BevformerFrame> history = {random_frame(), random_frame()};
    BevformerOutputs out = model->forward_train(history, random_frame());
    EXPECT_EQ(out.bev.sizes(), (std::vector<int64_t>{1, 64, 32}));
    EXPECT_EQ(out.detections.all_cls_scores.sizes(), (std::vector<int64_t>{2, 1, 20, 10}));
    EXPECT_EQ(out.detections.all_bbox_preds.sizes(), (std::vector<int64_t>{2, 1, 20, 10}));
    EXPECT_EQ(out.seg_logits.sizes(), (std::vector<int64_t>{1, 3, 8, 8}));
    EXPECT_TRUE(model->is_training());  // history ran in eval mode, then training mode came back

    torch::Tensor gt_boxes = torch::tensor({{2.f, 10.f, 0.f, 1.8f, 4.5f, 1.6f, 0.3f, 1.f, 0.f}});
    torch::Tensor gt_labels = torch::tensor({int64_t(0)});
    DetectionLoss loss = compute_detection_loss(out.detections.all_cls_scores, out.detections.all_bbox_preds, {gt_boxes},
                                                {gt_labels}, cfg);
    (loss.total + out.seg_logits.sigmoid().mean()).backward();
    int64_t without = 0;
    for (const auto & p : model->named_parameters()) {
        if (!p.value().requires_grad()) continue;
        // The BEV positional encoding reaches the loss only through the deformable attentions'
        // offset and weight projections, which start at zero as in the reference: its first
        // gradient is exactly zero, but it must be connected.
        if (p.key().find("positional_encoding") != std::string::npos) {
            EXPECT_TRUE(p.value().grad().defined()) << p.key();
            continue;
        }
        if (!p.value().grad().defined() || p.value().grad().abs().sum().item<double>() == 0) {
            ++without;
            ADD_FAILURE() << "no gradient for " << p.key();
        }
    }
    EXPECT_EQ(without, 0);
}

// The whole network on CUDA against the same weights on CPU: online inference with a previous
// BEV, then a training forward with a history queue, its loss and every gradient. TF32 is off so
// both sides compute in float32. Skipped where this build or machine has no CUDA (CI has none).
TEST(Bevformer, CudaMatchesCpu) {
    if (!torch::cuda::is_available()) GTEST_SKIP() << "CUDA not available in this build or on this machine";
    at::globalContext().setAllowTF32CuDNN(false);
    at::globalContext().setAllowTF32CuBLAS(false);
    BevformerConfig cfg = micro_config();
    cfg.seg_head = cfg.bev_proposals = cfg.perspective_head = cfg.bev_velocity = true;
    torch::manual_seed(9);
    const std::vector<BevformerFrame> frames = {random_frame(), random_frame(), random_frame()};
    const torch::Tensor gt_boxes = torch::tensor({{2.f, 10.f, 0.f, 1.8f, 4.5f, 1.6f, 0.3f, 1.f, 0.f},
                                                  {-5.f, 20.f, 0.5f, 0.6f, 0.6f, 1.7f, -1.f, 0.f, 1.f}});
    const torch::Tensor gt_labels = torch::tensor({int64_t(0), int64_t(8)});

    struct Run {
        torch::Tensor bev, scores, boxes;
        double loss = 0;
        std::map<std::string, torch::Tensor> grads;
    };
    auto run = [&](const torch::Device & d) {
        torch::manual_seed(10);  // the same initial weights on both devices
        Bevformer model(cfg);
        model->to(d);
        auto on = [&](const BevformerFrame & f) {
            return BevformerFrame{f.images.to(d), f.lidar2img.to(d), f.can_bus.to(d)};
        };
        Run r;
        {
            model->eval();
            torch::NoGradGuard no_grad;
            const torch::Tensor prev = model->forward(on(frames[0]), torch::Tensor()).bev;
            const BevformerOutputs o = model->forward(on(frames[1]), prev);
            r.bev = o.bev.cpu();
            r.scores = o.detections.all_cls_scores.cpu();
            r.boxes = o.detections.all_bbox_preds.cpu();
        }
        model->train();
        const BevformerOutputs o = model->forward_train({on(frames[0]), on(frames[1])}, on(frames[2]));
        torch::Tensor loss = compute_detection_loss(o.detections.all_cls_scores, o.detections.all_bbox_preds,
                                                    {gt_boxes.to(d)}, {gt_labels.to(d)}, cfg)
                                 .total;
        for (const torch::Tensor & extra : {o.seg_logits, o.proposal_heatmap, o.perspective_heatmap, o.bev_velocity})
            loss = loss + extra.sigmoid().mean();
        loss.backward();
        r.loss = loss.item<double>();
        for (const auto & p : model->named_parameters())
            if (p.value().grad().defined()) r.grads[p.key()] = p.value().grad().cpu();
        return r;
    };
    const Run cpu = run(torch::Device(torch::kCPU));
    const Run gpu = run(torch::Device(torch::kCUDA, 0));

    // Differences relative to each tensor's largest magnitude.
    auto rel = [](const torch::Tensor & a, const torch::Tensor & b) {
        const double scale = b.abs().max().item<double>();
        return scale > 0 ? (a - b).abs().max().item<double>() / scale : (a - b).abs().max().item<double>();
    };
    EXPECT_LE(rel(gpu.bev, cpu.bev), 1e-4);
    EXPECT_LE(rel(gpu.scores, cpu.scores), 1e-4);
    EXPECT_LE(rel(gpu.boxes, cpu.boxes), 1e-4);
    EXPECT_NEAR(gpu.loss, cpu.loss, 1e-4 * std::abs(cpu.loss));
    ASSERT_EQ(gpu.grads.size(), cpu.grads.size());
    EXPECT_GT(cpu.grads.size(), 50u);
    double worst = 0;
    std::string worst_name;
    for (const auto & [name, g] : cpu.grads) {
        ASSERT_TRUE(gpu.grads.count(name)) << name;
        const double d = rel(gpu.grads.at(name), g);
        if (d > worst) worst = d, worst_name = name;
        EXPECT_LE(d, 1e-3) << name;
    }
    std::printf("cuda vs cpu: bev %.3g, scores %.3g, boxes %.3g, loss %.6f vs %.6f, worst gradient %.3g (%s) "
                "over %zu tensors\n", rel(gpu.bev, cpu.bev), rel(gpu.scores, cpu.scores), rel(gpu.boxes, cpu.boxes),
                gpu.loss, cpu.loss, worst, worst_name.c_str(), cpu.grads.size());
}

TEST(Bevformer, StaticModelIgnoresHistory) {
    torch::manual_seed(2);
    BevformerConfig cfg = BevformerConfig::named("embedded-static");
    EXPECT_FALSE(cfg.temporal);
    cfg = micro_config();
    cfg.temporal = false;
    Bevformer model(cfg);
    model->eval();
    torch::NoGradGuard no_grad;
    const BevformerFrame now = random_frame();
    const torch::Tensor with = model->forward_train({random_frame()}, now).bev;
    const torch::Tensor without = model->forward(now, torch::Tensor()).bev;
    EXPECT_TRUE(torch::equal(with, without));
}

TEST(Bevformer, OptimisationReducesTheLossOnOneFrame) {
    torch::manual_seed(3);
    const BevformerConfig cfg = micro_config();
    Bevformer model(cfg);
    model->train();
    torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(1e-3));
    const BevformerFrame frame = random_frame();
    torch::Tensor gt_boxes = torch::tensor({{2.f, 10.f, 0.f, 1.8f, 4.5f, 1.6f, 0.3f, 1.f, 0.f},
                                            {-5.f, 20.f, 0.5f, 0.6f, 0.6f, 1.7f, -1.f, 0.f, 1.f}});
    torch::Tensor gt_labels = torch::tensor({int64_t(0), int64_t(8)});
    double first = 0, last = 0;
    for (int step = 0; step < 25; ++step) {
        BevformerOutputs out = model->forward(frame, torch::Tensor());
        torch::Tensor loss = compute_detection_loss(out.detections.all_cls_scores, out.detections.all_bbox_preds,
                                                    {gt_boxes}, {gt_labels}, cfg)
                                 .total;
        (step == 0 ? first : last) = loss.item<double>();
        opt.zero_grad();
        loss.backward();
        opt.step();
    }
    EXPECT_LT(last, 0.6 * first) << "first " << first << ", last " << last;
}

TEST(Bevformer, BadInputGetsAClearError) {
    const BevformerConfig cfg = micro_config();
    Bevformer model(cfg);
    model->eval();
    torch::NoGradGuard no_grad;
    auto expect_error = [&](const BevformerFrame & f, const std::string & needle) {
        try {
            model->forward(f, torch::Tensor());
            ADD_FAILURE() << "accepted input that should fail with '" << needle << "'";
        } catch (const std::invalid_argument & e) {
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        }
    };
    BevformerFrame f = random_frame();
    f.images = torch::randn({1, 7, 3, 64, 64});
    expect_error(f, "7 cameras");
    f = random_frame();
    f.images = torch::randn({1, 6, 3, 60, 64});
    expect_error(f, "not padded to multiples of 32");
    f = random_frame();
    f.lidar2img = f.lidar2img.narrow(1, 0, 5);
    expect_error(f, "lidar2img must be [1, 6, 4, 4]");
    f = random_frame();
    f.can_bus[0][3] = NAN;
    expect_error(f, "can_bus (ego pose) holds NaN");
}

TEST(Bevformer, RunnerKeepsHistoryOnTheRealSample) {
    if (!fs::is_directory(sample_dir() + "/v1.0-mini")) GTEST_SKIP() << "nuScenes sample not found";
    NuScenesDataset ds = load_nuscenes(sample_dir(), "v1.0-mini");
    DetectionSampleOptions opt;
    opt.require_points = false;
    const DetectionSample sample = load_detection_samples(ds, {"scene-0061"}, opt).at(0);
    torch::manual_seed(4);
    BevformerConfig cfg = micro_config();
    cfg.input_width = 160;  // 1600×900 → 160×90, padded to 160×96
    BevformerRunner runner{Bevformer(cfg)};
    PerceptionResult first = runner.run(sample);
    ASSERT_EQ(first.lidar.scores.size(0), cfg.max_detections);
    ASSERT_EQ(first.boxes.size(), size_t(cfg.max_detections));
    for (const EvalBox & b : first.boxes) {
        EXPECT_EQ(b.sample_token, sample.sample_token);
        EXPECT_GT(b.size.x, 0);
    }
    EXPECT_EQ(first.seg_masks.sizes(), (std::vector<int64_t>{3, 8, 8}));
    EXPECT_FALSE(first.temporal);
    // The next key frame of the scene attends to the first frame's BEV, so its scores differ...
    DetectionSample next = sample;
    next.timestamp += 500'000;
    PerceptionResult second = runner.run(next);
    EXPECT_TRUE(second.temporal);
    EXPECT_FALSE(torch::equal(first.lidar.scores, second.lidar.scores));
    // ...and a reset forgets it.
    runner.reset();
    PerceptionResult third = runner.run(sample);
    EXPECT_FALSE(third.temporal);
    EXPECT_TRUE(torch::allclose(first.lidar.scores, third.lidar.scores));
    // A frame that does not follow the last one starts afresh: the same frame again, an earlier
    // one, one beyond the training queue's span, another scene.
    DetectionSample later = sample;
    later.timestamp += int64_t(cfg.queue_span_s * 1e6) + 1;
    DetectionSample other_scene = next;
    other_scene.scene_token = "another scene";
    for (const DetectionSample * s : std::vector<const DetectionSample *>{&sample, &sample, &later, &other_scene}) {
        PerceptionResult r = runner.run(*s);
        EXPECT_FALSE(r.temporal) << s->timestamp;
        EXPECT_TRUE(torch::allclose(first.lidar.scores, r.lidar.scores));
    }
    DetectionSample other_next = other_scene;
    other_next.timestamp += 500'000;
    EXPECT_TRUE(runner.run(other_next).temporal);
    // History off: the next frame runs as a first frame would.
    runner.reset();
    runner.set_history(false);
    runner.run(sample);
    PerceptionResult alone = runner.run(next);
    EXPECT_FALSE(alone.temporal);
    EXPECT_FALSE(torch::equal(alone.lidar.scores, second.lidar.scores));
    BevformerRunner fresh{runner.model()};
    EXPECT_TRUE(torch::allclose(fresh.run(next).lidar.scores, alone.lidar.scores));
}

// The training targets of the real key frame, scored as if a model had predicted them, are the
// devkit's GT: a slip of frame, yaw convention or size order between the dataset, the box code and
// the submission would cost AP or show as ATE, ASE or AOE.
TEST(Bevformer, TrainingTargetsScorePerfectlyOnTheRealSample) {
    if (!fs::is_directory(sample_dir() + "/v1.0-mini")) GTEST_SKIP() << "nuScenes sample not found";
    const NuScenesDataset ds = load_nuscenes(sample_dir(), "v1.0-mini");
    const std::string out = (fs::temp_directory_path() / ("roadsight_targets_" + std::to_string(getpid()))).string();
    const BevformerEvalResult r = evaluate_training_targets(ds, "mini_train", BevformerConfig::tiny(), out);
    EXPECT_EQ(r.frames, 1u);
    EXPECT_TRUE(fs::exists(out + "/results_nusc.json"));
    EXPECT_TRUE(fs::exists(out + "/metrics_summary.json"));
    const auto aps = r.metrics.mean_dist_aps();
    int scored = 0;
    for (int c = 0; c < kNumObjectClasses; ++c) {
        if (r.metrics.metric_data[c][0].max_recall_index() == 0) continue;  // no GT of the class
        const auto & e = r.metrics.label_tp_errors[c];
        EXPECT_DOUBLE_EQ(aps[c], 1.0) << class_name(ObjectClass(c));
        EXPECT_LT(e[0], 1e-4) << class_name(ObjectClass(c));  // ATE, m
        EXPECT_LT(e[1], 1e-4) << class_name(ObjectClass(c));  // ASE
        // AOE, rad (none for cones): the real poses tilt a little and boxes keep only yaw, 0.03 degrees.
        if (!std::isnan(e[2])) {
            EXPECT_LT(e[2], 2e-3) << class_name(ObjectClass(c));
        }
        ++scored;
    }
    EXPECT_GE(scored, 4);  // cars, pedestrians, barriers, cones at least
    fs::remove_all(out);
}
