// Intersection-over-union of binary map-segmentation masks (drivable area, lane lines,
// crossings, ...), accumulated over a whole evaluation set: per class, the pixel counts of
// prediction ∧ target and prediction ∨ target are summed over all frames before dividing, so
// large and small frames weigh by their pixels (the usual BEV segmentation protocol).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rs {

class SegmentationIou {
public:
    // Throws std::invalid_argument unless classes >= 1.
    explicit SegmentationIou(int64_t classes);

    // One frame. Masks are class-major, classes × pixels bytes; nonzero means inside.
    void add(const uint8_t * predicted, const uint8_t * target, int64_t pixels);
    // Same, sizes checked: both equal and a multiple of classes (std::invalid_argument otherwise).
    void add(const std::vector<uint8_t> & predicted, const std::vector<uint8_t> & target);

    int64_t classes() const { return int64_t(intersection_.size()); }
    int64_t frames() const { return frames_; }
    uint64_t intersection(int64_t cls) const { return intersection_.at(size_t(cls)); }
    uint64_t union_pixels(int64_t cls) const { return union_.at(size_t(cls)); }

    // Per class; NaN for a class that neither predictions nor targets ever contained.
    std::vector<double> per_class() const;
    // Mean over the classes whose IoU is defined; NaN when none is.
    double mean() const;

private:
    std::vector<uint64_t> intersection_;
    std::vector<uint64_t> union_;
    int64_t frames_ = 0;
};

}  // namespace rs
