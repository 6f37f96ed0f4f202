#include "engine/segmentation_iou.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace rs {
namespace {

TEST(SegmentationIou, HandCountedSingleFrame) {
    // 2 classes × 6 pixels, class-major.
    // class 0: pred 110100, target 100110 -> both at pixels 0,3 (2), either at 0,1,3,4 (4): 0.5
    // class 1: pred 000000, target 000011 -> both 0, either 2: 0
    SegmentationIou iou(2);
    iou.add({1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, {1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1});
    EXPECT_EQ(iou.frames(), 1);
    EXPECT_EQ(iou.intersection(0), 2u);
    EXPECT_EQ(iou.union_pixels(0), 4u);
    EXPECT_EQ(iou.intersection(1), 0u);
    EXPECT_EQ(iou.union_pixels(1), 2u);
    const std::vector<double> v = iou.per_class();
    EXPECT_DOUBLE_EQ(v[0], 0.5);
    EXPECT_DOUBLE_EQ(v[1], 0.0);
    EXPECT_DOUBLE_EQ(iou.mean(), 0.25);
}

TEST(SegmentationIou, AccumulatesCountsNotPerFrameRatios) {
    // Frame A (4 pixels): IoU 1/1. Frame B (4 pixels): intersection 1, union 4.
    // Pooled 2/5 = 0.4, not the per-frame average (1 + 0.25) / 2.
    SegmentationIou iou(1);
    iou.add({1, 0, 0, 0}, {1, 0, 0, 0});
    iou.add({1, 1, 1, 0}, {1, 0, 0, 1});
    EXPECT_EQ(iou.frames(), 2);
    EXPECT_DOUBLE_EQ(iou.per_class()[0], 0.4);
    EXPECT_DOUBLE_EQ(iou.mean(), 0.4);
}

TEST(SegmentationIou, NonzeroBytesCountAsInside) {
    SegmentationIou iou(1);
    iou.add({255, 7, 0}, {1, 1, 0});
    EXPECT_DOUBLE_EQ(iou.per_class()[0], 1.0);
}

TEST(SegmentationIou, AbsentClassIsUndefinedAndLeftOutOfTheMean) {
    // Class 1 is empty in both: NaN, and the mean is class 0's IoU alone.
    SegmentationIou iou(2);
    iou.add({1, 1, 0, 0}, {1, 0, 0, 0});
    EXPECT_DOUBLE_EQ(iou.per_class()[0], 0.5);
    EXPECT_TRUE(std::isnan(iou.per_class()[1]));
    EXPECT_DOUBLE_EQ(iou.mean(), 0.5);
    SegmentationIou empty(3);
    EXPECT_TRUE(std::isnan(empty.mean()));
}

TEST(SegmentationIou, RejectsBadInput) {
    EXPECT_THROW(SegmentationIou(0), std::invalid_argument);
    SegmentationIou iou(2);
    EXPECT_THROW(iou.add({1, 0, 1, 0}, {1, 0, 1}), std::invalid_argument);
    EXPECT_THROW(iou.add({1, 0, 1}, {1, 0, 1}), std::invalid_argument);
    EXPECT_THROW(iou.add(nullptr, nullptr, 4), std::invalid_argument);
    EXPECT_THROW(iou.add(nullptr, nullptr, -1), std::invalid_argument);
    EXPECT_EQ(iou.frames(), 0);
}

}  // namespace
}  // namespace rs
