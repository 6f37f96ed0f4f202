// Per-class annotation statistics: counts, point filter and motion from the devkit's velocity.
#include <gtest/gtest.h>

#include <cmath>

#include "engine/annotation_stats.h"
#include "nuscenes_test_data.h"

namespace rs {
namespace {

NuScenesDataset in_memory(NuScenesTables tables) {
    LoadOptions opt;
    opt.check_files = false;
    return NuScenesDataset("/nonexistent", "v1.0-mini", std::move(tables), opt);
}

TEST(AnnotationStats, CountsPointsAndMotionPerClass) {
    const auto stats = annotation_stats(in_memory(test::make_test_tables()));
    ASSERT_EQ(stats.size(), 2u);
    // Two annotations of one car 0.5 s apart: each gets the same one-sided difference.
    const ClassAnnotationStats & car = stats.at("car");
    EXPECT_EQ(car.annotations, 2);
    EXPECT_EQ(car.with_points, 1);  // the second has none
    EXPECT_EQ(car.with_velocity, 2);
    EXPECT_EQ(car.moving, 2);
    const double speed = std::hypot(373.5 - 373.2559901348878, 1130.0 - 1130.419002166117) / 0.5;
    EXPECT_NEAR(car.mean_moving_speed(), speed, 1e-9);
    EXPECT_DOUBLE_EQ(car.moving_share(), 1.0);
    // A lone annotation has no velocity: it counts, but not in the motion figures.
    const ClassAnnotationStats & ped = stats.at("pedestrian");
    EXPECT_EQ(ped.annotations, 1);
    EXPECT_EQ(ped.with_points, 1);
    EXPECT_EQ(ped.with_velocity, 0);
    EXPECT_EQ(ped.moving_share(), 0.0);
    EXPECT_EQ(ped.mean_moving_speed(), 0.0);
}

TEST(AnnotationStats, SlowObjectsAreNotMovingAndOtherCategoriesAreKept) {
    NuScenesTables t = test::make_test_tables();
    // 0.05 m in 0.5 s: 0.1 m/s, under the devkit's 0.2 m/s.
    t.sample_annotation[2].translation = t.sample_annotation[0].translation;
    t.sample_annotation[2].translation.x += 0.05;
    t.category[0].name = "animal";
    const auto stats = annotation_stats(in_memory(t));
    ASSERT_EQ(stats.count("car"), 0u);
    const ClassAnnotationStats & other = stats.at("(not a detection class)");
    EXPECT_EQ(other.annotations, 2);
    EXPECT_EQ(other.with_velocity, 2);
    EXPECT_EQ(other.moving, 0);
    EXPECT_EQ(other.moving_share(), 0.0);
}

}  // namespace
}  // namespace rs
