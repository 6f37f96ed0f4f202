// The nuScenes detection metrics as the devkit's DetectionEval computes them (eval/detection):
// greedy centre-distance matching per class and threshold, 101-point precision, confidence and
// TP-error curves, AP, TP errors, the nuScenes detection score (NDS), and the metrics_summary.json
// and metrics_details.json files. The numpy operations the results depend on (interp, pairwise
// sums, linspace) are reproduced so that values match the devkit's to the last bits where possible.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "engine/detection_boxes.h"
#include "engine/json.h"
#include "engine/nuscenes_reader.h"
#include "engine/object_class.h"

namespace rs {

struct DetectionConfig {
    std::array<double, kNumObjectClasses> class_range{};  // metres from the ego, in ObjectClass order
    std::string dist_fcn = "center_distance";             // the only matching distance the devkit has
    std::vector<double> dist_ths;                          // matching thresholds, metres
    double dist_th_tp = 0;                                 // threshold whose matches give the TP errors
    double min_recall = 0;
    double min_precision = 0;
    int max_boxes_per_sample = 0;
    int mean_ap_weight = 0;
};

// configs/detection_cvpr_2019.json, the configuration of the nuScenes detection challenge.
DetectionConfig detection_cvpr_2019();
// DetectionConfig.serialize(); whole-number ranges are written as integers, like the config file.
Json detection_config_json(const DetectionConfig & cfg);

// The five true-positive metrics in the devkit's TP_METRICS order.
enum class TpMetric : int { trans_err, scale_err, orient_err, vel_err, attr_err };
constexpr int kNumTpMetrics = 5;
const char * tp_metric_name(TpMetric m);

// --- numpy semantics the metrics depend on -------------------------------------------------------

// np.interp: below xp[0] -> left (default fp[0]); above xp.back() -> right (default fp.back());
// otherwise the last j with xp[j] <= x gives fp[j] on equality, else a linear blend with j + 1, so a
// repeated xp value yields its last fp. xp must be non-decreasing and as long as fp (not empty).
std::vector<double> numpy_interp(const std::vector<double> & x, const std::vector<double> & xp,
                                 const std::vector<double> & fp, std::optional<double> left = std::nullopt,
                                 std::optional<double> right = std::nullopt);
// np.sum / np.mean / np.nanmean of float64 values: pairwise summation in numpy's blocks of eight.
double numpy_sum(const double * values, size_t n);
double numpy_mean(const double * values, size_t n);       // NaN for n == 0
double numpy_nanmean(const double * values, size_t n);    // NaN entries ignored; NaN if all are
// np.linspace(start, stop, num) with the endpoint.
std::vector<double> numpy_linspace(double start, double stop, int num);

// --- eval/common/utils.py ------------------------------------------------------------------------

double center_distance(const EvalBox & gt, const EvalBox & pred);   // xy only
double velocity_l2(const EvalBox & gt, const EvalBox & pred);       // NaN if either velocity is
// Volume IoU of the two boxes aligned and co-centred; std::invalid_argument if any size is <= 0.
double scale_iou(const EvalBox & gt, const EvalBox & pred);
// Signed smallest difference from y to x with the given period: floor modulo, then folded into (-pi, pi].
double angle_diff(double x, double y, double period);
double yaw_diff(const EvalBox & gt, const EvalBox & pred, double period);
// 1 or 0 for an equal or different attribute; NaN when the GT has none.
double attr_acc(const EvalBox & gt, const EvalBox & pred);
// Running mean that skips NaN (0 before the first number); all NaN gives all ones.
std::vector<double> cummean(const std::vector<double> & x);

// --- eval/detection/algo.py ----------------------------------------------------------------------

// Curves over 101 recall points 0, 0.01, ..., 1 for one class and one threshold.
struct DetectionMetricData {
    static constexpr int kPoints = 101;
    using Curve = std::array<double, kPoints>;

    Curve recall{}, precision{}, confidence{};
    std::array<Curve, kNumTpMetrics> errors{};  // indexed by TpMetric

    // What a class without GT or without any match gets: precision and confidence 0, errors 1.
    static DetectionMetricData no_predictions();
    const Curve & error(TpMetric m) const { return errors[static_cast<int>(m)]; }
    // Last index with a non-zero confidence: the highest recall reached (0 if none).
    int max_recall_index() const;
};

// Greedy matching of the class's predictions (by descending score; equal scores: the later
// prediction first) to the nearest untaken GT of the same sample, a match when closer than dist_th.
DetectionMetricData accumulate(const EvalBoxes & gt, const EvalBoxes & pred, ObjectClass cls, double dist_th);
// Mean of max(precision - min_precision, 0) over recalls above min_recall, over (1 - min_precision).
// std::invalid_argument unless 0 <= min_precision < 1 and 0 <= min_recall <= 1.
double calc_ap(const DetectionMetricData & md, double min_recall, double min_precision);
// Mean error over recalls above min_recall up to the highest reached; 1 when none is reached.
double calc_tp(const DetectionMetricData & md, double min_recall, TpMetric metric);

// --- eval/detection/evaluate.py and data_classes.py ---------------------------------------------

struct DetectionMetrics {
    DetectionConfig cfg;
    // Per class (ObjectClass order) and per cfg.dist_ths entry.
    std::array<std::vector<DetectionMetricData>, kNumObjectClasses> metric_data;
    std::array<std::vector<double>, kNumObjectClasses> label_aps;
    // NaN where the devkit leaves a metric out: traffic_cone attr/vel/orient, barrier attr/vel.
    std::array<std::array<double, kNumTpMetrics>, kNumObjectClasses> label_tp_errors{};
    double eval_time = 0;  // seconds
    // Not the devkit's: each class's AVE had every predicted velocity been 0 (matching ignores
    // velocity, so the same true positives), the baseline a velocity head must beat. NaN as AVE.
    std::array<double, kNumObjectClasses> zero_velocity_ave{};
    // Not the devkit's either: each class's AP (mean over dist_ths) with the GT and the predictions
    // both cut to one band of ego distance, [kRangeEdges[k], kRangeEdges[k + 1]) m, the way the
    // class ranges cut them; NaN for a band without GT of the class. Camera depth degrades with
    // distance, and this says where the AP is lost.
    static constexpr std::array<double, 5> kRangeEdges = {0, 20, 30, 40, 50};
    static constexpr int kRangeBands = int(kRangeEdges.size()) - 1;
    std::array<std::array<double, kRangeBands>, kNumObjectClasses> range_ap{};
    std::array<std::array<int, kRangeBands>, kNumObjectClasses> range_gt{};  // GT boxes per band

    std::array<double, kNumObjectClasses> mean_dist_aps() const;
    double mean_ap() const;
    std::array<double, kNumTpMetrics> tp_errors() const;  // nanmean over classes
    std::array<double, kNumTpMetrics> tp_scores() const;  // max(0, 1 - error)
    // (mean_ap_weight * mAP + sum of tp_scores) / (mean_ap_weight + 5)
    double nd_score() const;
    double zero_velocity_mave() const;  // nanmean of zero_velocity_ave, as tp_errors()
};

// Step 2 of DetectionEval.evaluate: APs and TP errors from accumulated data ([class][threshold]).
DetectionMetrics detection_metrics_from_data(
    const DetectionConfig & cfg, std::array<std::vector<DetectionMetricData>, kNumObjectClasses> metric_data);

// Accumulates every class at every threshold and computes the metrics (and zero_velocity_ave,
// range_ap and range_gt).
// The boxes must already be filtered. std::invalid_argument for a config the devkit rejects
// (unknown dist_fcn, dist_th_tp not among dist_ths).
DetectionMetrics evaluate_detection(const EvalBoxes & gt, const EvalBoxes & pred, const DetectionConfig & cfg);

// metrics_summary.json: label_aps, mean_dist_aps, mean_ap, label_tp_errors, tp_errors, tp_scores,
// nd_score, eval_time, cfg, meta (the submission's).
Json metrics_summary_json(const DetectionMetrics & metrics, const Json & meta);
// metrics_details.json: "<class>:<threshold>" -> the 101-point curves.
Json metrics_details_json(const DetectionMetrics & metrics);

// DetectionEval.main without plots: loads and checks the submission (its sample tokens must be
// exactly `sample_tokens`, the split's samples in sample-table order), loads the GT, adds centre
// distances, filters both, evaluates, and writes metrics_summary.json and metrics_details.json
// (indent 2, as the devkit) atomically into out_dir, which is created if missing. Throws
// SubmissionError for a bad submission and DatasetError for dataset problems.
DetectionMetrics evaluate_submission(const NuScenesDataset & ds, const std::vector<std::string> & sample_tokens,
                                     const std::string & results_json_path, const std::string & out_dir,
                                     const DetectionConfig & cfg = detection_cvpr_2019());

}  // namespace rs
