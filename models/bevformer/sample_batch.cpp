#include "models/bevformer/sample_batch.h"

#include <torch/nn/functional/upsampling.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "models/bevformer/box_code.h"

namespace rs {

namespace {

std::string size_text(int w, int h) { return std::to_string(w) + "x" + std::to_string(h); }

}  // namespace

DetectionSampleOptions training_sample_options(const BevformerConfig & config) {
    DetectionSampleOptions opt;
    for (int i = 0; i < 6; ++i) opt.pc_range[i] = config.pc_range[i];
    opt.require_points = true;
    return opt;
}

GtTensors make_gt_tensors(const DetectionSample & sample) {
    const int64_t m = int64_t(sample.gt.size());
    torch::Tensor boxes = torch::empty({m, kBoxDims}, torch::kDouble);
    GtTensors out;
    out.labels = torch::empty({m}, torch::kLong);
    auto b = boxes.accessor<double, 2>();
    auto l = out.labels.accessor<int64_t, 1>();
    for (int64_t i = 0; i < m; ++i) {
        for (int k = 0; k < kBoxDims; ++k) {
            const double v = sample.gt[i].box[k];
            b[i][k] = (k >= 7 && std::isnan(v)) ? 0.0 : v;
        }
        l[i] = sample.gt[i].label;
    }
    out.boxes = boxes.to(torch::kFloat);
    return out;
}

SampleTensors make_sample_tensors(const DetectionSample & sample, const BevformerConfig & config) {
    std::vector<RgbImage> images;
    images.reserve(kNumBevCameras);
    for (const CameraInput & cam : sample.cameras) {
        try {
            images.push_back(read_jpeg_file(cam.image_path));
        } catch (const std::exception & e) {
            throw std::runtime_error("sample " + sample.sample_token + ", " + cam.channel + ": cannot decode " +
                                     cam.image_path + ": " + e.what());
        }
    }
    return make_sample_tensors(sample, images, config);
}

SampleTensors make_sample_tensors(const DetectionSample & sample, const std::vector<RgbImage> & images,
                                  const BevformerConfig & config) {
    if (images.size() != size_t(kNumBevCameras))
        throw std::invalid_argument("sample " + sample.sample_token + ": " + std::to_string(images.size()) +
                                    " images, expected " + std::to_string(kNumBevCameras));
    const int w = images[0].width, h = images[0].height;
    for (int c = 0; c < kNumBevCameras; ++c) {
        const CameraInput & cam = sample.cameras[c];
        const RgbImage & im = images[c];
        if (im.width != w || im.height != h)
            throw std::invalid_argument("sample " + sample.sample_token + ": " + cam.channel + " image is " +
                                        size_text(im.width, im.height) + ", " + sample.cameras[0].channel + " is " +
                                        size_text(w, h) + "; all six must share one size");
        if (im.width != cam.width || im.height != cam.height)
            throw std::invalid_argument("sample " + sample.sample_token + ": " + cam.channel + " image " +
                                        cam.image_path + " is " + size_text(im.width, im.height) +
                                        ", its sample_data says " + size_text(cam.width, cam.height));
        if (im.rgb.size() != size_t(w) * h * 3)
            throw std::invalid_argument("sample " + sample.sample_token + ": " + cam.channel + " image holds " +
                                        std::to_string(im.rgb.size()) + " bytes for " + size_text(w, h));
    }
    const double s = config.image_scale(w);
    SampleTensors out;
    // Python's int() of the scaled size, as RandomScaleImageMultiViewImage computes it.
    out.img_h = int64_t(h * s);
    out.img_w = int64_t(w * s);
    if (out.img_h < 1 || out.img_w < 1)
        throw std::invalid_argument("input_width " + std::to_string(config.input_width) + " leaves no pixel of a " +
                                    size_text(w, h) + " image");
    out.pad_h = (out.img_h + 31) / 32 * 32;
    out.pad_w = (out.img_w + 31) / 32 * 32;

    torch::Tensor raw = torch::empty({kNumBevCameras, h, w, 3}, torch::kUInt8);
    for (int c = 0; c < kNumBevCameras; ++c)
        std::memcpy(raw[c].data_ptr<uint8_t>(), images[c].rgb.data(), images[c].rgb.size());
    torch::Tensor img = raw.permute({0, 3, 1, 2}).to(torch::kFloat);  // [6, 3, h, w], RGB
    if (config.image_bgr) img = img.flip(1);
    if (out.img_h != h || out.img_w != w)
        img = torch::nn::functional::interpolate(
            img, torch::nn::functional::InterpolateFuncOptions()
                     .size(std::vector<int64_t>{out.img_h, out.img_w})
                     .mode(torch::kBilinear)
                     .align_corners(false));
    const torch::Tensor mean = torch::tensor({config.image_mean[0], config.image_mean[1], config.image_mean[2]}).view({1, 3, 1, 1});
    const torch::Tensor stdv = torch::tensor({config.image_std[0], config.image_std[1], config.image_std[2]}).view({1, 3, 1, 1});
    out.images = torch::zeros({kNumBevCameras, 3, out.pad_h, out.pad_w});
    out.images.narrow(2, 0, out.img_h).narrow(3, 0, out.img_w).copy_((img - mean) / stdv);

    torch::Tensor l2i = torch::empty({kNumBevCameras, 4, 4}, torch::kDouble);
    auto acc = l2i.accessor<double, 3>();
    for (int c = 0; c < kNumBevCameras; ++c)
        for (int r = 0; r < 4; ++r)
            for (int k = 0; k < 4; ++k) acc[c][r][k] = sample.cameras[c].lidar2img(r, k) * (r < 2 ? s : 1.0);
    out.lidar2img = l2i.to(torch::kFloat);

    torch::Tensor can = torch::empty({18}, torch::kDouble);
    for (int k = 0; k < 18; ++k) can[k] = sample.can_bus[k];
    out.can_bus = can.to(torch::kFloat);

    GtTensors gt = make_gt_tensors(sample);
    out.gt_boxes = std::move(gt.boxes);
    out.gt_labels = std::move(gt.labels);
    return out;
}

SampleLoader::SampleLoader(std::vector<DetectionSample> samples, std::vector<size_t> order, BevformerConfig config,
                           int prefetch)
    : samples_(std::move(samples)), order_(std::move(order)), config_(std::move(config)),
      prefetch_(size_t(prefetch)) {
    if (prefetch < 1) throw std::invalid_argument("SampleLoader: prefetch must be >= 1, got " + std::to_string(prefetch));
    for (size_t i : order_)
        if (i >= samples_.size())
            throw std::invalid_argument("SampleLoader: index " + std::to_string(i) + " in order, but only " +
                                        std::to_string(samples_.size()) + " samples");
    worker_ = std::thread([this] { work(); });
}

SampleLoader::~SampleLoader() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
    }
    changed_.notify_all();
    worker_.join();
}

void SampleLoader::work() {
    for (size_t k = 0; k < order_.size(); ++k) {
        {
            std::unique_lock<std::mutex> lock(mutex_);
            changed_.wait(lock, [&] { return stop_ || ready_.size() < prefetch_; });
            if (stop_) return;
        }
        Item item;
        try {
            item.tensors = make_sample_tensors(samples_[order_[k]], config_);
        } catch (...) {
            item.error = std::current_exception();
        }
        {
            std::lock_guard<std::mutex> lock(mutex_);
            ready_.push_back(std::move(item));
        }
        changed_.notify_all();
    }
}

std::optional<SampleTensors> SampleLoader::next() {
    std::unique_lock<std::mutex> lock(mutex_);
    if (consumed_ == order_.size()) return std::nullopt;
    changed_.wait(lock, [&] { return !ready_.empty(); });
    Item item = std::move(ready_.front());
    ready_.pop_front();
    ++consumed_;
    lock.unlock();
    changed_.notify_all();
    if (item.error) std::rethrow_exception(item.error);
    return std::move(item.tensors);
}

}  // namespace rs
