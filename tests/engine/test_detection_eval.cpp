// The detection metrics against the devkit's own tests (eval/detection/tests/test_algo.py and
// test_utils.py, ported with their tolerances and seeded data) and hand-computed edge cases of the
// numpy semantics the devkit relies on.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "engine/detection_eval.h"

namespace rs {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The devkit tests' box defaults: size 1, zero quaternion (yaw 0), vehicle.parked, score -1, car.
EvalBox make_box(Vec3 translation, double score = -1.0, ObjectClass cls = ObjectClass::car) {
    EvalBox b;
    b.translation = translation;
    b.size = {1, 1, 1};
    b.rotation = Quat{0, 0, 0, 0};
    b.velocity = {0, 0};
    b.attribute_name = "vehicle.parked";
    b.detection_score = score;
    b.detection_name = cls;
    return b;
}

EvalBox sized(EvalBox b, Vec3 size) {
    b.size = size;
    return b;
}

using SampleList = std::vector<std::pair<std::string, std::vector<EvalBox>>>;

EvalBoxes make_boxes(const SampleList & samples) {
    EvalBoxes out;
    for (const auto & [token, boxes] : samples) {
        std::vector<EvalBox> copy = boxes;
        for (EvalBox & b : copy) b.sample_token = token;
        out.add_boxes(token, std::move(copy));
    }
    return out;
}

double ap_of(const SampleList & gt, const SampleList & pred, ObjectClass cls = ObjectClass::car, double th = 2.0) {
    return calc_ap(accumulate(make_boxes(gt), make_boxes(pred), cls, th), 0.1, 0.1);
}

double tp_of(const SampleList & gt, const SampleList & pred, TpMetric m, ObjectClass cls = ObjectClass::car) {
    return calc_tp(accumulate(make_boxes(gt), make_boxes(pred), cls, 2.0), 0.1, m);
}

double deg(double d) { return d / 180 * kPi; }

// --- test_utils.py -------------------------------------------------------------------------------

TEST(DetectionUtils, ScaleIou) {
    auto iou = [](Vec3 a, Vec3 b) { return scale_iou(sized(make_box({}), a), sized(make_box({}), b)); };
    EXPECT_EQ(iou({4, 4, 4}, {4, 4, 4}), 1.0);
    EXPECT_EQ(iou({2, 2, 2}, {1, 1, 1}), 1.0 / 8);
    EXPECT_EQ(iou({1, 1, 1}, {2, 2, 2}), 1.0 / 8);
    EXPECT_NEAR(iou({0.96, 0.37, 0.69}, {0.32, 0.01, 0.39}), 0.00509204, 0.5e-7);
    EXPECT_THROW(iou({0, 4, 4}, {4, 4, 4}), std::invalid_argument);
    EXPECT_THROW(iou({0, 4, 4}, {4, 0, 4}), std::invalid_argument);
    EXPECT_THROW(iou({4, 4, 4}, {4, -5, 4}), std::invalid_argument);
}

TEST(DetectionUtils, YawDiff) {
    auto box_with = [](Quat q) {
        EvalBox b = make_box({});
        b.rotation = q;
        return b;
    };
    const double two_pi = 2 * kPi;
    EXPECT_NEAR(yaw_diff(box_with(Quat::from_yaw(kPi / 8)), box_with(Quat::from_yaw(kPi / 8)), two_pi), 0, 0.5e-7);
    // A rotation about y leaves the yaw at 0.
    const EvalBox about_y = box_with(Quat::from_axis_angle({0, 1, 0}, kPi / 8));
    EXPECT_NEAR(yaw_diff(box_with(Quat::from_yaw(kPi / 8)), about_y, two_pi), kPi / 8, 0.5e-7);
    for (double yaw_in : numpy_linspace(-10, 10, 100)) {
        double yaw_true = std::fmod(std::fmod(yaw_in, two_pi) + two_pi, two_pi);
        if (yaw_true > kPi) yaw_true = two_pi - yaw_true;
        EXPECT_NEAR(yaw_diff(box_with(Quat::from_yaw(0)), box_with(Quat::from_yaw(yaw_in)), two_pi), yaw_true, 0.5e-7)
            << yaw_in;
    }
    EXPECT_NEAR(yaw_diff(box_with(Quat::from_yaw(1.1 * kPi)), box_with(Quat::from_yaw(0.9 * kPi)), two_pi), 0.2 * kPi,
                0.5e-7);
    // The zero quaternion of the devkit test defaults has yaw 0.
    EXPECT_EQ(yaw_diff(box_with(Quat{0, 0, 0, 0}), box_with(Quat{1, 0, 0, 0}), two_pi), 0.0);
}

TEST(DetectionUtils, AngleDiffUsesFloorModulo) {
    EXPECT_NEAR(std::fabs(angle_diff(deg(90), deg(0), deg(360))), deg(90), 0.5e-7);
    EXPECT_NEAR(std::fabs(angle_diff(deg(90), deg(0), deg(180))), deg(90), 0.5e-7);
    EXPECT_NEAR(std::fabs(angle_diff(deg(90), deg(0), deg(90))), 0, 0.5e-7);
    EXPECT_NEAR(std::fabs(angle_diff(deg(0), deg(90), deg(90))), 0, 0.5e-7);
    EXPECT_NEAR(std::fabs(angle_diff(deg(0), deg(180), deg(180))), 0, 0.5e-7);
    EXPECT_NEAR(std::fabs(angle_diff(deg(0), deg(180), deg(360))), deg(180), 0.5e-7);
    EXPECT_NEAR(std::fabs(angle_diff(deg(0), deg(180 + 360 * 200), deg(360))), deg(180), 0.5e-7);
    // A negative difference wraps into [0, period) before the shift (C's fmod would keep the sign).
    EXPECT_NEAR(angle_diff(-3.0, 0.0, 2 * kPi), -3.0, 1e-12);
    EXPECT_NEAR(angle_diff(0.0, 3.5, 2 * kPi), 2 * kPi - 3.5, 1e-12);
    // Barrier period: a flipped barrier has no orientation error.
    EXPECT_NEAR(angle_diff(kPi, 0.0, kPi), 0.0, 1e-12);
}

TEST(DetectionUtils, CenterDistanceIgnoresZ) {
    EXPECT_NEAR(center_distance(make_box({4, 4, 5}), make_box({4, 4, 5})), 0, 0.5e-7);
    EXPECT_NEAR(center_distance(make_box({4, 4, 4}), make_box({3, 3, 3})), std::sqrt(2.0), 0.5e-7);
    EXPECT_NEAR(center_distance(make_box({-1, -1, -1}), make_box({1, 1, 1})), std::sqrt(8.0), 0.5e-7);
    EXPECT_NEAR(center_distance(make_box({4.2, 2.8, 4.2}), make_box({-1.45, 3.5, 3.9})),
                std::sqrt((-1.45 - 4.2) * (-1.45 - 4.2) + (3.5 - 2.8) * (3.5 - 2.8)), 0.5e-7);
    EXPECT_EQ(center_distance(make_box({0, 0, 0}), make_box({0, 0, 100})), 0.0);
}

TEST(DetectionUtils, VelocityL2) {
    auto moving = [](double vx, double vy) {
        EvalBox b = make_box({});
        b.velocity = {vx, vy};
        return b;
    };
    EXPECT_NEAR(velocity_l2(moving(4, 4), moving(4, 4)), 0, 0.5e-7);
    EXPECT_NEAR(velocity_l2(moving(-1, -1), moving(1, 1)), std::sqrt(8.0), 0.5e-7);
    EXPECT_NEAR(velocity_l2(moving(8.2, 1.4), moving(6.4, -9.4)),
                std::sqrt((6.4 - 8.2) * (6.4 - 8.2) + (-9.4 - 1.4) * (-9.4 - 1.4)), 0.5e-7);
    // The code returns NaN (its docstring says inf); cummean then skips it.
    EXPECT_TRUE(std::isnan(velocity_l2(moving(kNaN, kNaN), moving(1, 1))));
}

void expect_curve(const std::vector<double> & got, const std::vector<double> & want, double tol) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "index " << i;
}

TEST(DetectionUtils, CummeanSkipsNan) {
    const double tol = 1.5e-6;  // assert_array_almost_equal
    expect_curve(cummean({kNaN, 5}), {0, 5}, tol);
    expect_curve(cummean({5, 2, kNaN}), {5, 3.5, 3.5}, tol);
    expect_curve(cummean({kNaN, 4.5, kNaN}), {0, 4.5, 4.5}, tol);
    expect_curve(cummean({kNaN, kNaN, kNaN, kNaN}), {1, 1, 1, 1}, tol);
    expect_curve(cummean({kNaN}), {1}, tol);
    expect_curve(cummean({4}), {4}, tol);
    expect_curve(cummean({kNaN, 3.58, 2.14, kNaN, 9, 1.48, kNaN}), {0, 3.58, 2.86, 2.86, 4.906666, 4.05, 4.05}, tol);
}

TEST(DetectionUtils, AttrAcc) {
    EvalBox parked = make_box({});
    EvalBox moving = make_box({});
    moving.attribute_name = "vehicle.moving";
    EvalBox none = make_box({});
    none.attribute_name = "";
    EXPECT_EQ(attr_acc(parked, parked), 1.0);
    EXPECT_EQ(attr_acc(parked, moving), 0.0);
    EXPECT_TRUE(std::isnan(attr_acc(none, parked)));
}

// --- numpy semantics -----------------------------------------------------------------------------

TEST(NumpySemantics, InterpEdges) {
    const std::vector<double> xp = {0.5, 0.5, 1.0}, fp = {1.0, 0.5, 2.0 / 3};
    const std::vector<double> got = numpy_interp({0.0, 0.2, 0.5, 0.75, 1.0, 1.2, kNaN}, xp, fp, std::nullopt, 0.0);
    EXPECT_EQ(got[0], 1.0);  // below xp[0]: fp[0]
    EXPECT_EQ(got[1], 1.0);
    EXPECT_EQ(got[2], 0.5);  // repeated xp: the last point
    EXPECT_NEAR(got[3], 0.5 + (2.0 / 3 - 0.5) * 0.5, 1e-15);
    EXPECT_EQ(got[4], 2.0 / 3);
    EXPECT_EQ(got[5], 0.0);  // right=0 beyond the last xp
    EXPECT_TRUE(std::isnan(got[6]));
    // Defaults: fp[0] on the left, fp.back() on the right; one point works too.
    const std::vector<double> one = numpy_interp({-1, 3, 5}, {3}, {7});
    EXPECT_EQ(one, (std::vector<double>{7, 7, 7}));
    EXPECT_EQ(numpy_interp({-1, 9}, {0, 1}, {2, 4}, -5.0, 6.0), (std::vector<double>{-5, 6}));
    EXPECT_THROW(numpy_interp({0}, {}, {}), std::invalid_argument);
}

TEST(NumpySemantics, PairwiseSumAndLinspace) {
    // numpy sums in eight interleaved partial sums: the ones survive that a left-to-right sum loses.
    const std::vector<double> a = {1e16, 1, -1e16, 1, 1, 1, 1, 1, 1, 1};
    EXPECT_EQ(numpy_sum(a.data(), a.size()), 6.0);
    double sequential = 0;
    for (double v : a) sequential += v;
    EXPECT_EQ(sequential, 7.0);
    const std::vector<double> with_nan = {kNaN, 1.0, 2.0};
    EXPECT_EQ(numpy_nanmean(with_nan.data(), with_nan.size()), 1.5);
    EXPECT_TRUE(std::isnan(numpy_mean(nullptr, 0)));
    const std::vector<double> l = numpy_linspace(0, 1, 101);
    ASSERT_EQ(l.size(), 101u);
    for (int i = 0; i < 100; ++i) EXPECT_EQ(l[i], i * 0.01) << i;  // i * step, not i / 100
    EXPECT_EQ(l[100], 1.0);
}

// --- test_algo.py: TestAPSimple ------------------------------------------------------------------

const EvalBox kCar1 = make_box({1, 1, 1}, 1.0);
const EvalBox kCar2 = make_box({3, 3, 1}, 0.7);
const EvalBox kBicycle1 = make_box({5, 5, 1}, 1.0, ObjectClass::bicycle);

TEST(DetectionAp, NoData) {
    const SampleList gts = {{"sample1", {kCar1}}}, preds = {{"sample1", {kCar1}}}, empty = {{"sample1", {}}};
    EXPECT_NEAR(ap_of(empty, preds), 0.0, 0.01);
    EXPECT_NEAR(ap_of(gts, empty), 0.0, 0.01);
    EXPECT_NEAR(ap_of(empty, empty), 0.0, 0.01);
}

TEST(DetectionAp, OneSample) {
    EXPECT_NEAR(ap_of({{"sample1", {kCar1}}}, {{"sample1", {kCar1}}}), 1.0, 0.01);
    // One of two cars detected.
    EXPECT_NEAR(ap_of({{"sample1", {kCar1, kCar2}}}, {{"sample1", {kCar1}}}), 0.4 / 0.9, 0.01);
    // A false positive scored below the true positive costs nothing.
    EXPECT_NEAR(ap_of({{"sample1", {kCar1}}}, {{"sample1", {kCar1, kCar2}}}), 1.0, 0.01);
    // A false positive scored above it.
    EXPECT_NEAR(ap_of({{"sample1", {kCar2}}}, {{"sample1", {kCar1, kCar2}}}), ((0.8 * 0.4) / 2) / (0.9 * 0.9), 0.01);
    // Other classes do not count as false positives.
    EXPECT_NEAR(ap_of({{"sample1", {kCar1}}}, {{"sample1", {kCar1, kBicycle1}}}), 1.0, 0.01);
}

TEST(DetectionAp, TwoSamples) {
    EXPECT_NEAR(ap_of({{"sample1", {kCar1}}, {"sample2", {kCar2}}}, {{"sample1", {kCar1}}, {"sample2", {kCar2}}}), 1.0,
                0.01);
    EXPECT_NEAR(ap_of({{"sample1", {kCar1}}, {"sample2", {}}}, {{"sample1", {kCar1}}, {"sample2", {}}}), 1.0, 0.01);
    EXPECT_NEAR(ap_of({{"sample1", {kCar1}}, {"sample2", {kCar2}}}, {{"sample1", {kCar1}}, {"sample2", {}}}), 0.4 / 0.9,
                0.01);
}

TEST(DetectionAp, CalcApRejectsOutOfRangeLimits) {
    DetectionMetricData md = DetectionMetricData::no_predictions();
    EXPECT_THROW(calc_ap(md, -0.5, 0.4), std::invalid_argument);
    EXPECT_THROW(calc_ap(md, 0.5, -0.8), std::invalid_argument);
    EXPECT_THROW(calc_ap(md, 0.7, 1), std::invalid_argument);
    EXPECT_THROW(calc_ap(md, 1.2, 0), std::invalid_argument);
    EXPECT_EQ(calc_ap(md, 0.1, 0.1), 0.0);
}

// --- test_algo.py: TestTPSimple ------------------------------------------------------------------

TEST(DetectionTp, NoPositivesGiveOne) {
    const EvalBox car1 = make_box({1, 1, 1}, 1.0), car2 = make_box({3, 3, 1}, 1.0);
    EvalBox bike1 = make_box({1, 1, 1}, 1.0, ObjectClass::bicycle);
    bike1.attribute_name = "cycle.with_rider";
    for (int m = 0; m < kNumTpMetrics; ++m) {
        EXPECT_NEAR(tp_of({{"sample1", {car1}}}, {{"sample1", {car2}}}, TpMetric(m)), 1.0, 0.01);
        EXPECT_NEAR(tp_of({{"sample1", {car1}}}, {{"sample1", {bike1}}}, TpMetric(m)), 1.0, 0.01);
    }
}

TEST(DetectionTp, Perfect) {
    const EvalBox car1 = make_box({1, 1, 1}, 1.0), car2 = make_box({1, 1, 1}, 0.3);
    for (int m = 0; m < kNumTpMetrics; ++m) {
        EXPECT_NEAR(tp_of({{"sample1", {car1}}}, {{"sample1", {car1}}}, TpMetric(m)), 0.0, 0.01);
        EXPECT_NEAR(tp_of({{"sample1", {car1}}}, {{"sample1", {car2}}}, TpMetric(m)), 0.0, 0.01);
    }
}

TEST(DetectionTp, OneSample) {
    const EvalBox gt1 = make_box({1, 1, 1});
    const EvalBox gt2 = sized(make_box({10, 10, 1}), {2, 2, 2});
    const EvalBox gt3 = sized(make_box({20, 20, 1}), {2, 4, 2});
    const EvalBox pred1 = make_box({1, 1, 1}, 1.0);
    const EvalBox pred2 = sized(make_box({11, 10, 1}, 0.9), {2, 2, 2});
    const EvalBox pred3 = sized(make_box({100, 10, 1}, 0.8), {2, 2, 2});
    const EvalBox pred4 = sized(make_box({20, 20, 1}, 0.7), {2, 4, 2});
    const EvalBox pred5 = sized(make_box({21, 20, 1}, 0.7), {2, 4, 2});
    const TpMetric trans = TpMetric::trans_err;

    EXPECT_NEAR(tp_of({{"sample1", {gt2}}}, {{"sample1", {pred2}}}, trans), 1.0, 0.01);
    const double two = ((0 + 0) / 2.0 + (0 + 0.5) / 2) / (2 * 0.9);
    EXPECT_NEAR(tp_of({{"sample1", {gt1, gt2}}}, {{"sample1", {pred1, pred2}}}, trans), two, 0.01);
    EXPECT_NEAR(tp_of({{"sample1", {gt1, gt2}}}, {{"sample1", {pred1, pred2, pred3}}}, trans), two, 0.01);
    const double three = ((0 + 0) / 2.0 + (0 + 0.5) / 2 + (0.5 + 0.33) / 2) / (3 * 0.9);
    EXPECT_NEAR(tp_of({{"sample1", {gt1, gt2, gt3}}}, {{"sample1", {pred1, pred2, pred4}}}, trans), three, 0.01);
    EXPECT_NEAR(tp_of({{"sample1", {gt2, gt3}}}, {{"sample1", {pred2, pred5}}}, trans), 1.0, 0.01);
}

TEST(DetectionTp, TwoSamples) {
    const EvalBox gt1 = make_box({1, 1, 1});
    const EvalBox gt2 = sized(make_box({10, 10, 1}), {2, 2, 2});
    const EvalBox gt3 = sized(make_box({20, 20, 1}), {2, 4, 2});
    const EvalBox pred1 = make_box({1, 1, 1}, 1.0);
    const EvalBox pred2 = sized(make_box({11, 10, 1}, 0.9), {2, 2, 2});
    const EvalBox pred3 = sized(make_box({100, 10, 1}, 0.8), {2, 2, 2});
    const EvalBox pred4 = sized(make_box({21, 20, 1}, 0.7), {2, 4, 2});
    const TpMetric trans = TpMetric::trans_err;

    EXPECT_NEAR(tp_of({{"sample1", {gt2}}}, {{"sample1", {pred2}}}, trans), 1.0, 0.01);
    const double two = ((0 + 0) / 2.0 + (0 + 0.5) / 2) / (2 * 0.9);
    EXPECT_NEAR(tp_of({{"sample1", {gt1}}, {"sample2", {gt2}}}, {{"sample1", {pred1}}, {"sample2", {pred2}}}, trans),
                two, 0.01);
    EXPECT_NEAR(tp_of({{"sample1", {gt1}}, {"sample2", {gt2}}, {"sample3", {}}},
                      {{"sample1", {pred1}}, {"sample2", {pred2, pred3}}, {"sample3", {}}}, trans),
                two, 0.01);
    EXPECT_NEAR(
        tp_of({{"sample1", {gt2, gt3}}, {"sample2", {gt3}}}, {{"sample1", {pred2}}, {"sample2", {pred4}}}, trans), 1.0,
        0.01);
}

TEST(DetectionTp, MinRecallOneGivesOne) {
    // random_md's curves: confidence falls from 1 to 0, so the highest recall reached is index 99.
    DetectionMetricData md;
    for (int i = 0; i < DetectionMetricData::kPoints; ++i) {
        md.recall[i] = i * 0.01;
        md.confidence[i] = 1.0 - i * 0.01;
        for (auto & e : md.errors) e[i] = 0.25;
    }
    md.confidence[100] = 0;
    EXPECT_EQ(md.max_recall_index(), 99);
    EXPECT_EQ(calc_tp(md, 1.0, TpMetric::trans_err), 1.0);
    EXPECT_EQ(calc_tp(md, 0.1, TpMetric::trans_err), 0.25);
}

// --- accumulate edge cases -----------------------------------------------------------------------

TEST(DetectionAccumulate, EqualScoresMatchTheLaterPredictionFirst) {
    // Both predictions reach the single GT; the later one in submission order takes it.
    const SampleList gt = {{"s", {make_box({0, 0, 0})}}};
    const SampleList pred = {{"s", {make_box({0.5, 0, 0}, 0.5), make_box({1.5, 0, 0}, 0.5)}}};
    EXPECT_DOUBLE_EQ(tp_of(gt, pred, TpMetric::trans_err), 1.5);
    // Across samples too: the order is that of the whole list.
    const SampleList gt2 = {{"a", {make_box({0, 0, 0})}}, {"b", {make_box({0, 0, 0})}}};
    const SampleList pred2 = {{"a", {make_box({0.5, 0, 0}, 0.5)}}, {"b", {make_box({1.5, 0, 0}, 0.5)}}};
    DetectionMetricData md = accumulate(make_boxes(gt2), make_boxes(pred2), ObjectClass::car, 2.0);
    // Sample b's match (error 1.5) comes first; at the shared score the first match's cummean wins.
    EXPECT_DOUBLE_EQ(md.error(TpMetric::trans_err)[50], 1.5);
    EXPECT_DOUBLE_EQ(md.error(TpMetric::trans_err)[100], 1.5);
}

TEST(DetectionAccumulate, RepeatedRecallTakesTheLastPrecision) {
    // TP (0.9), FP (0.8), TP (0.7) over two GT: recall 0.5 appears twice, with precision 1 then 0.5.
    const SampleList gt = {{"s", {make_box({0, 0, 0}), make_box({10, 0, 0})}}};
    const SampleList pred = {{"s", {make_box({0, 0, 0}, 0.9), make_box({50, 0, 0}, 0.8), make_box({10, 0, 0}, 0.7)}}};
    DetectionMetricData md = accumulate(make_boxes(gt), make_boxes(pred), ObjectClass::car, 2.0);
    EXPECT_EQ(md.precision[20], 1.0);   // below the first recall: the first precision
    EXPECT_EQ(md.precision[50], 0.5);   // no precision envelope: the FP's point
    EXPECT_NEAR(md.precision[75], 0.5 + (2.0 / 3 - 0.5) * 0.5, 1e-12);
    EXPECT_NEAR(md.precision[100], 2.0 / 3, 1e-15);
    EXPECT_EQ(md.confidence[50], 0.8);
    EXPECT_NEAR(md.confidence[75], 0.75, 1e-12);
    EXPECT_EQ(md.max_recall_index(), 100);
    // AP: mean over recalls 0.11..1 of max(p - 0.1, 0) / 0.9, summed numpy's way.
    std::vector<double> p(md.precision.begin() + 11, md.precision.end());
    for (double & v : p) v = std::max(v - 0.1, 0.0);
    EXPECT_EQ(calc_ap(md, 0.1, 0.1), numpy_mean(p.data(), p.size()) / 0.9);
}

TEST(DetectionAccumulate, BeyondMaxRecallIsZero) {
    const SampleList gt = {{"s", {make_box({0, 0, 0}), make_box({10, 0, 0})}}};
    DetectionMetricData md = accumulate(make_boxes(gt), make_boxes({{"s", {make_box({0, 0, 0}, 0.9)}}}),
                                        ObjectClass::car, 2.0);
    EXPECT_EQ(md.precision[50], 1.0);
    EXPECT_EQ(md.confidence[50], 0.9);
    for (int i = 51; i <= 100; ++i) {
        EXPECT_EQ(md.precision[i], 0.0) << i;
        EXPECT_EQ(md.confidence[i], 0.0) << i;
        // Errors at confidence 0 (below every TP score) repeat the last cummean.
        EXPECT_EQ(md.error(TpMetric::trans_err)[i], 0.0) << i;
    }
    EXPECT_EQ(md.max_recall_index(), 50);
    // calc_ap: recalls 0.11..0.5 have precision 1, the remaining 50 points 0.
    EXPECT_NEAR(calc_ap(md, 0.1, 0.1), (40 * 0.9 / 90) / 0.9, 1e-12);
}

TEST(DetectionAccumulate, NanErrorsAreSkipped) {
    // Unknown GT velocity and attribute: vel_err and attr_err are NaN for every match -> ones.
    EvalBox g = make_box({0, 0, 0});
    g.velocity = {kNaN, kNaN};
    g.attribute_name = "";
    EvalBox g2 = make_box({10, 0, 0});
    g2.velocity = {1, 0};
    DetectionMetricData all_nan = accumulate(make_boxes({{"s", {g}}}), make_boxes({{"s", {make_box({0, 0, 0}, 0.9)}}}),
                                             ObjectClass::car, 2.0);
    EXPECT_EQ(calc_tp(all_nan, 0.1, TpMetric::vel_err), 1.0);
    EXPECT_EQ(calc_tp(all_nan, 0.1, TpMetric::attr_err), 1.0);
    EXPECT_EQ(calc_tp(all_nan, 0.1, TpMetric::trans_err), 0.0);
    // One NaN and one real velocity error of 1: the NaN counts as nothing (0 before the first number).
    const SampleList two_preds = {{"s", {make_box({0, 0, 0}, 0.9), make_box({10, 0, 0}, 0.8)}}};
    DetectionMetricData mixed = accumulate(make_boxes({{"s", {g, g2}}}), make_boxes(two_preds), ObjectClass::car, 2.0);
    EXPECT_EQ(mixed.error(TpMetric::vel_err)[50], 0.0);
    EXPECT_EQ(mixed.error(TpMetric::vel_err)[100], 1.0);
}

TEST(DetectionAccumulate, BarrierOrientationHasPeriodPi) {
    EvalBox g = make_box({0, 0, 0}, -1, ObjectClass::barrier);
    g.rotation = Quat::from_yaw(0.0);
    EvalBox p = make_box({0, 0, 0}, 0.9, ObjectClass::barrier);
    p.rotation = Quat::from_yaw(kPi - 0.1);
    EXPECT_NEAR(tp_of({{"s", {g}}}, {{"s", {p}}}, TpMetric::orient_err, ObjectClass::barrier), 0.1, 1e-9);
    g.detection_name = p.detection_name = ObjectClass::car;
    EXPECT_NEAR(tp_of({{"s", {g}}}, {{"s", {p}}}, TpMetric::orient_err), kPi - 0.1, 1e-9);
}

// --- metrics, NDS, JSON --------------------------------------------------------------------------

TEST(DetectionMetricsTest, NdsFormula) {
    DetectionMetrics m;
    m.cfg = detection_cvpr_2019();
    for (int c = 0; c < kNumObjectClasses; ++c) {
        m.label_aps[c] = {0.2, 0.4, 0.6, 0.8 + 0.01 * c};
        for (int t = 0; t < kNumTpMetrics; ++t) m.label_tp_errors[c][t] = 0.1 * (t + 1);
    }
    // Errors above 1 are clipped to a score of 0; NaN classes are left out of the mean.
    for (int c = 0; c < kNumObjectClasses; ++c) m.label_tp_errors[c][int(TpMetric::vel_err)] = 1.5;
    m.label_tp_errors[int(ObjectClass::traffic_cone)][int(TpMetric::attr_err)] = kNaN;
    m.label_tp_errors[int(ObjectClass::barrier)][int(TpMetric::attr_err)] = kNaN;
    m.label_tp_errors[int(ObjectClass::car)][int(TpMetric::attr_err)] = 0.9;

    const auto dist = m.mean_dist_aps();
    EXPECT_NEAR(dist[int(ObjectClass::car)], (0.2 + 0.4 + 0.6 + 0.8) / 4, 1e-15);
    const double map = (0.5 * 10 + 0.0025 * (0 + 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9)) / 10;
    EXPECT_NEAR(m.mean_ap(), map, 1e-15);
    const auto err = m.tp_errors();
    EXPECT_NEAR(err[int(TpMetric::trans_err)], 0.1, 1e-15);
    EXPECT_NEAR(err[int(TpMetric::vel_err)], 1.5, 1e-15);
    EXPECT_NEAR(err[int(TpMetric::attr_err)], (0.9 + 7 * 0.5) / 8, 1e-15);
    const auto score = m.tp_scores();
    EXPECT_EQ(score[int(TpMetric::vel_err)], 0.0);
    const double nds = (5 * map + (1 - 0.1) + (1 - 0.2) + (1 - 0.3) + 0 + (1 - (0.9 + 7 * 0.5) / 8)) / 10;
    EXPECT_NEAR(m.nd_score(), nds, 1e-15);
}

TEST(DetectionMetricsTest, ConeAndBarrierErrorsAreNanInTheSummary) {
    const SampleList boxes = {{"s", {make_box({1, 1, 0}, 0.9, ObjectClass::traffic_cone),
                                     make_box({5, 5, 0}, 0.8, ObjectClass::barrier)}}};
    DetectionMetrics m = evaluate_detection(make_boxes(boxes), make_boxes(boxes), detection_cvpr_2019());
    const auto & cone = m.label_tp_errors[int(ObjectClass::traffic_cone)];
    const auto & barrier = m.label_tp_errors[int(ObjectClass::barrier)];
    EXPECT_TRUE(std::isnan(cone[int(TpMetric::attr_err)]));
    EXPECT_TRUE(std::isnan(cone[int(TpMetric::vel_err)]));
    EXPECT_TRUE(std::isnan(cone[int(TpMetric::orient_err)]));
    EXPECT_EQ(cone[int(TpMetric::trans_err)], 0.0);
    EXPECT_TRUE(std::isnan(barrier[int(TpMetric::attr_err)]));
    EXPECT_TRUE(std::isnan(barrier[int(TpMetric::vel_err)]));
    EXPECT_EQ(barrier[int(TpMetric::orient_err)], 0.0);
    // Classes without GT: AP 0 and every error 1.
    EXPECT_EQ(m.label_aps[int(ObjectClass::car)], (std::vector<double>{0, 0, 0, 0}));
    EXPECT_EQ(m.label_tp_errors[int(ObjectClass::car)][int(TpMetric::scale_err)], 1.0);

    Json meta = Json::object();
    meta.set("use_camera", true);
    JsonWriteOptions opt;
    opt.indent = 2;
    const std::string text = write_json(metrics_summary_json(m, meta), opt);
    EXPECT_NE(text.find("\"traffic_cone\": {\n      \"trans_err\": 0.0,\n      \"scale_err\": 0.0,\n"
                        "      \"orient_err\": NaN,\n      \"vel_err\": NaN,\n      \"attr_err\": NaN\n    }"),
              std::string::npos)
        << text;
    // The NaN literal reads back.
    Json back = parse_json(text);
    EXPECT_TRUE(std::isnan(back.at("label_tp_errors").at("barrier").at("vel_err").as_double()));
}

TEST(DetectionMetricsTest, SummaryAndDetailsLayout) {
    const SampleList boxes = {{"s", {make_box({1, 1, 0}, 0.9)}}};
    DetectionMetrics m = evaluate_detection(make_boxes(boxes), make_boxes(boxes), detection_cvpr_2019());
    Json meta = Json::object();
    meta.set("use_lidar", false);
    Json summary = metrics_summary_json(m, meta);
    std::vector<std::string> keys;
    for (const Json::Member & k : summary.as_object()) keys.push_back(k.first);
    EXPECT_EQ(keys, (std::vector<std::string>{"label_aps", "mean_dist_aps", "mean_ap", "label_tp_errors", "tp_errors",
                                              "tp_scores", "nd_score", "eval_time", "cfg", "meta"}));
    std::vector<std::string> ths;
    for (const Json::Member & k : summary.at("label_aps").at("car").as_object()) ths.push_back(k.first);
    EXPECT_EQ(ths, (std::vector<std::string>{"0.5", "1.0", "2.0", "4.0"}));
    EXPECT_EQ(summary.at("meta"), meta);
    // The config as the devkit serialises detection_cvpr_2019.json.
    EXPECT_EQ(write_json(summary.at("cfg")),
              "{\"class_range\":{\"car\":50,\"truck\":50,\"bus\":50,\"trailer\":50,\"construction_vehicle\":50,"
              "\"pedestrian\":40,\"motorcycle\":40,\"bicycle\":40,\"traffic_cone\":30,\"barrier\":30},"
              "\"dist_fcn\":\"center_distance\",\"dist_ths\":[0.5,1.0,2.0,4.0],\"dist_th_tp\":2.0,"
              "\"min_recall\":0.1,\"min_precision\":0.1,\"max_boxes_per_sample\":500,\"mean_ap_weight\":5}");

    Json details = metrics_details_json(m);
    ASSERT_EQ(details.size(), 40u);
    EXPECT_EQ(details.as_object().front().first, "car:0.5");
    EXPECT_EQ(details.as_object().back().first, "barrier:4.0");
    std::vector<std::string> fields;
    for (const Json::Member & k : details.at("car:2.0").as_object()) {
        fields.push_back(k.first);
        EXPECT_EQ(k.second.size(), 101u);
    }
    EXPECT_EQ(fields, (std::vector<std::string>{"recall", "precision", "confidence", "trans_err", "vel_err",
                                                "scale_err", "orient_err", "attr_err"}));
    EXPECT_EQ(details.at("car:2.0").at("recall").at(size_t(3)).as_double(), 0.03);
}

TEST(DetectionMetricsTest, PerfectDetectionOfEveryClass) {
    // One box per class, predicted exactly, with known velocities and attributes.
    const char * attrs[kNumObjectClasses] = {"vehicle.moving",    "vehicle.parked",   "vehicle.stopped",
                                             "vehicle.parked",    "vehicle.moving",   "pedestrian.moving",
                                             "cycle.with_rider",  "cycle.without_rider", "", ""};
    std::vector<EvalBox> boxes;
    for (int c = 0; c < kNumObjectClasses; ++c) {
        EvalBox b = make_box({10.0 * c, 3, 0}, 0.5 + 0.01 * c, ObjectClass(c));
        b.size = {1.5, 3.5 + c, 1.2};
        b.rotation = Quat::from_yaw(0.3 * c);
        b.velocity = {1.0 * c, -0.5};
        b.attribute_name = attrs[c];
        boxes.push_back(b);
    }
    const EvalBoxes all = make_boxes({{"s", boxes}});
    DetectionMetrics m = evaluate_detection(all, all, detection_cvpr_2019());
    for (int c = 0; c < kNumObjectClasses; ++c)
        for (double ap : m.label_aps[c]) EXPECT_EQ(ap, 1.0000000000000004);  // mean of (1 - 0.1) / 0.9 in doubles
    for (double e : m.tp_errors()) EXPECT_EQ(e, 0.0);
    EXPECT_EQ(m.mean_ap(), 1.0000000000000004);
    EXPECT_EQ(m.nd_score(), 1.0000000000000002);
    // Had every velocity been 0, each class's AVE would be its one true positive's speed.
    double sum = 0;
    for (int c = 0; c < 8; ++c) {
        EXPECT_NEAR(m.zero_velocity_ave[c], std::hypot(1.0 * c, 0.5), 1e-9) << class_name(ObjectClass(c));
        sum += std::hypot(1.0 * c, 0.5);
    }
    EXPECT_TRUE(std::isnan(m.zero_velocity_ave[int(ObjectClass::traffic_cone)]));
    EXPECT_TRUE(std::isnan(m.zero_velocity_ave[int(ObjectClass::barrier)]));
    EXPECT_NEAR(m.zero_velocity_mave(), sum / 8, 1e-9);
}

TEST(DetectionMetricsTest, ApByEgoDistanceBand) {
    // The ego at the origin. Cars: one exact at 10 m, one at 19.5 m whose prediction lies at 20.5 m
    // (another band, so a miss in one and a false positive in the other), one at 35 m predicted
    // 1.5 m off (a hit at 2 and 4 m only). A pedestrian at 25 m, exact.
    const auto at = [](double x, double score, ObjectClass cls) {
        EvalBox b = make_box({x, 0, 0}, score, cls);
        b.ego_translation = b.translation;
        return b;
    };
    const EvalBoxes gt = make_boxes({{"s", {at(10, -1, ObjectClass::car), at(19.5, -1, ObjectClass::car),
                                            at(35, -1, ObjectClass::car), at(25, -1, ObjectClass::pedestrian)}}});
    const EvalBoxes pred = make_boxes({{"s", {at(10, 0.9, ObjectClass::car), at(20.5, 0.7, ObjectClass::car),
                                              at(36.5, 0.8, ObjectClass::car), at(25, 0.6, ObjectClass::pedestrian)}}});
    const DetectionMetrics m = evaluate_detection(gt, pred, detection_cvpr_2019());
    const auto & car = m.range_ap[int(ObjectClass::car)];
    EXPECT_NEAR(car[0], 40.0 / 90.0, 1e-12);  // recall 1/2 at precision 1: recalls 0.11 ... 0.50 count
    EXPECT_TRUE(std::isnan(car[1]));          // a false positive but no GT
    EXPECT_NEAR(car[2], 0.5, 1e-12);          // AP 0, 0, 1, 1 over the four thresholds
    EXPECT_TRUE(std::isnan(car[3]));
    EXPECT_EQ(m.range_gt[int(ObjectClass::car)], (std::array<int, 4>{2, 0, 1, 0}));
    const auto & ped = m.range_ap[int(ObjectClass::pedestrian)];
    EXPECT_TRUE(std::isnan(ped[0]));
    EXPECT_NEAR(ped[1], 1.0, 1e-12);
    for (int c = 0; c < kNumObjectClasses; ++c) {
        if (c == int(ObjectClass::car) || c == int(ObjectClass::pedestrian)) continue;
        for (double ap : m.range_ap[c]) {
            EXPECT_TRUE(std::isnan(ap)) << class_name(ObjectClass(c));
        }
    }
}

TEST(DetectionMetricsTest, RejectsConfigsTheDevkitRejects) {
    DetectionConfig cfg = detection_cvpr_2019();
    cfg.dist_th_tp = 3.0;
    EXPECT_THROW(evaluate_detection({}, {}, cfg), std::invalid_argument);
    cfg = detection_cvpr_2019();
    cfg.dist_fcn = "iou";
    EXPECT_THROW(evaluate_detection({}, {}, cfg), std::invalid_argument);
}

// --- test_algo.py: test_nd_score, with the devkit's seeded mock data -----------------------------

// MT19937 as numpy's legacy RandomState (seeded by init_genrand) and Python's random (seeded by
// init_by_array), with their shared 53-bit double.
class Mt19937 {
public:
    static Mt19937 numpy(uint32_t seed) {
        Mt19937 m;
        m.init_genrand(seed);
        return m;
    }
    static Mt19937 python(uint32_t seed) {
        Mt19937 m;
        m.init_genrand(19650218u);
        const uint32_t key[1] = {seed};
        size_t i = 1, j = 0;
        for (size_t k = kN; k; --k) {
            m.mt_[i] = (m.mt_[i] ^ ((m.mt_[i - 1] ^ (m.mt_[i - 1] >> 30)) * 1664525u)) + key[j] + uint32_t(j);
            if (++i >= kN) {
                m.mt_[0] = m.mt_[kN - 1];
                i = 1;
            }
            if (++j >= 1) j = 0;
        }
        for (size_t k = kN - 1; k; --k) {
            m.mt_[i] = (m.mt_[i] ^ ((m.mt_[i - 1] ^ (m.mt_[i - 1] >> 30)) * 1566083941u)) - uint32_t(i);
            if (++i >= kN) {
                m.mt_[0] = m.mt_[kN - 1];
                i = 1;
            }
        }
        m.mt_[0] = 0x80000000u;
        return m;
    }

    uint32_t next32() {
        if (pos_ >= kN) twist();
        uint32_t y = mt_[pos_++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        return y ^ (y >> 18);
    }
    double uniform() {
        const uint32_t a = next32() >> 5, b = next32() >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }
    // numpy's legacy randint(0, n): masked rejection sampling.
    int randint(int n) {
        const uint32_t rng = uint32_t(n - 1);
        if (rng == 0) return 0;
        uint32_t mask = rng;
        for (int s : {1, 2, 4, 8, 16}) mask |= mask >> s;
        uint32_t v;
        do v = next32() & mask;
        while (v > rng);
        return int(v);
    }

private:
    static constexpr size_t kN = 624;
    void init_genrand(uint32_t s) {
        mt_[0] = s;
        for (size_t i = 1; i < kN; ++i) mt_[i] = 1812433253u * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + uint32_t(i);
        pos_ = kN;
    }
    void twist() {
        for (size_t i = 0; i < kN; ++i) {
            const uint32_t y = (mt_[i] & 0x80000000u) | (mt_[(i + 1) % kN] & 0x7fffffffu);
            mt_[i] = mt_[(i + 397) % kN] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
        }
        pos_ = 0;
    }
    uint32_t mt_[kN] = {};
    size_t pos_ = kN;
};

TEST(DetectionNdScore, RngParity) {
    EXPECT_EQ(Mt19937::python(42).uniform(), 0.6394267984578837);
    EXPECT_EQ(Mt19937::numpy(42).uniform(), 0.3745401188473625);
}

std::vector<std::string> relevant_attributes(ObjectClass c) {
    switch (c) {
    case ObjectClass::pedestrian: return {"pedestrian.moving", "pedestrian.sitting_lying_down", "pedestrian.standing"};
    case ObjectClass::bicycle:
    case ObjectClass::motorcycle: return {"cycle.with_rider", "cycle.without_rider"};
    case ObjectClass::barrier:
    case ObjectClass::traffic_cone: return {};
    default: return {"vehicle.moving", "vehicle.parked", "vehicle.stopped"};
    }
}

// _mock_results: draws in the devkit's argument order.
EvalBoxes mock_boxes(Mt19937 & np_rng, Mt19937 & py_rng, int nsamples, int nboxes, double spread, ObjectClass cls) {
    const std::vector<std::string> attrs = relevant_attributes(cls);
    EvalBoxes out;
    for (int s = 0; s < nsamples; ++s) {
        std::vector<EvalBox> boxes;
        for (int k = 0; k < nboxes; ++k) {
            EvalBox b;
            b.sample_token = std::to_string(s);
            const double x = np_rng.uniform() * spread, y = np_rng.uniform() * spread;
            b.translation = {x, y, 0.0};
            const double sx = np_rng.uniform() * 4, sy = np_rng.uniform() * 4, sz = np_rng.uniform() * 4;
            b.size = {sx, sy, sz};
            const double w = np_rng.uniform(), qx = np_rng.uniform(), qy = np_rng.uniform(), qz = np_rng.uniform();
            b.rotation = {w, qx, qy, qz};
            const double vx = np_rng.uniform() * 4, vy = np_rng.uniform() * 4;
            np_rng.uniform();  // rand(3)[:2]
            b.velocity = {vx, vy};
            b.detection_name = cls;
            b.detection_score = py_rng.uniform();
            b.attribute_name = attrs.empty() ? "" : attrs[np_rng.randint(int(attrs.size()))];
            b.ego_translation = {py_rng.uniform() * 10, 0, 0};
            boxes.push_back(b);
        }
        out.add_boxes(std::to_string(s), std::move(boxes));
    }
    return out;
}

TEST(DetectionNdScore, MatchesDevkitRegressionValue) {
    Mt19937 py_rng = Mt19937::python(42), np_rng = Mt19937::numpy(42);
    const DetectionConfig cfg = detection_cvpr_2019();
    std::array<std::vector<DetectionMetricData>, kNumObjectClasses> data;
    for (int c = 0; c < kNumObjectClasses; ++c) {
        EvalBoxes gt = mock_boxes(np_rng, py_rng, 30, 3, 15, ObjectClass(c));
        EvalBoxes pred = mock_boxes(np_rng, py_rng, 30, 25, 10, ObjectClass(c));
        // The devkit test accumulates with threshold 2 for every entry.
        const DetectionMetricData md = accumulate(gt, pred, ObjectClass(c), 2.0);
        data[c].assign(cfg.dist_ths.size(), md);
    }
    const DetectionMetrics m = detection_metrics_from_data(cfg, data);
    EXPECT_EQ(m.nd_score(), 0.08606662159639042);  // the devkit's assertEqual: bit for bit
}

}  // namespace
}  // namespace rs
