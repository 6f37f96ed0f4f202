#include "engine/segmentation_iou.h"

#include <limits>
#include <stdexcept>
#include <string>

namespace rs {

SegmentationIou::SegmentationIou(int64_t classes) {
    if (classes < 1) throw std::invalid_argument("SegmentationIou: classes must be >= 1, got " + std::to_string(classes));
    intersection_.assign(size_t(classes), 0);
    union_.assign(size_t(classes), 0);
}

void SegmentationIou::add(const uint8_t * predicted, const uint8_t * target, int64_t pixels) {
    if (pixels < 0) throw std::invalid_argument("SegmentationIou::add: negative pixel count " + std::to_string(pixels));
    if (pixels > 0 && (!predicted || !target)) throw std::invalid_argument("SegmentationIou::add: null mask");
    for (int64_t k = 0; k < classes(); ++k) {
        const uint8_t * p = predicted + k * pixels;
        const uint8_t * t = target + k * pixels;
        uint64_t both = 0, either = 0;
        for (int64_t i = 0; i < pixels; ++i) {
            const bool a = p[i] != 0, b = t[i] != 0;
            both += a && b;
            either += a || b;
        }
        intersection_[size_t(k)] += both;
        union_[size_t(k)] += either;
    }
    ++frames_;
}

void SegmentationIou::add(const std::vector<uint8_t> & predicted, const std::vector<uint8_t> & target) {
    if (predicted.size() != target.size())
        throw std::invalid_argument("SegmentationIou::add: predicted has " + std::to_string(predicted.size()) +
                                    " bytes, target " + std::to_string(target.size()));
    if (predicted.size() % size_t(classes()) != 0)
        throw std::invalid_argument("SegmentationIou::add: mask size " + std::to_string(predicted.size()) +
                                    " is not a multiple of classes " + std::to_string(classes()));
    add(predicted.data(), target.data(), int64_t(predicted.size() / size_t(classes())));
}

std::vector<double> SegmentationIou::per_class() const {
    std::vector<double> iou(intersection_.size(), std::numeric_limits<double>::quiet_NaN());
    for (size_t k = 0; k < iou.size(); ++k)
        if (union_[k] > 0) iou[k] = double(intersection_[k]) / double(union_[k]);
    return iou;
}

double SegmentationIou::mean() const {
    double sum = 0;
    int defined = 0;
    for (double v : per_class()) {
        if (v != v) continue;  // NaN: class never present
        sum += v;
        ++defined;
    }
    return defined ? sum / defined : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace rs
