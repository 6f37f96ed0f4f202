#include "engine/detection_eval.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "engine/file_io.h"

namespace rs {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// numpy's pairwise_sum for float64: eight running sums below 128 values, halves above.
double pairwise_sum(const double * a, size_t n) {
    if (n < 8) {
        double res = 0.0;
        for (size_t i = 0; i < n; ++i) res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (int j = 0; j < 8; ++j) r[j] = a[j];
        size_t i = 8;
        for (; i < n - n % 8; i += 8)
            for (int j = 0; j < 8; ++j) r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i) res += a[i];
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

// Python's float modulo: the result takes the sign of the divisor. Computed from fmod like
// CPython and numpy do, which is exact where a - p * floor(a / p) can round.
double python_mod(double a, double p) {
    double m = std::fmod(a, p);
    if (m != 0) {
        if ((p < 0) != (m < 0)) m += p;
    } else {
        m = std::copysign(0.0, p);
    }
    return m;
}

std::string number_key(double d) {
    std::string s;
    append_json_number(s, d);
    return s;
}

Json curve_json(const DetectionMetricData::Curve & c) {
    Json a = Json::array();
    for (double d : c) a.push_back(d);
    return a;
}

Json class_number_map(const std::array<double, kNumObjectClasses> & values) {
    Json o = Json::object();
    for (int c = 0; c < kNumObjectClasses; ++c) o.set(class_name(ObjectClass(c)), values[c]);
    return o;
}

Json metric_number_map(const std::array<double, kNumTpMetrics> & values) {
    Json o = Json::object();
    for (int m = 0; m < kNumTpMetrics; ++m) o.set(tp_metric_name(TpMetric(m)), values[m]);
    return o;
}

size_t tp_threshold_index(const DetectionConfig & cfg) {
    auto it = std::find(cfg.dist_ths.begin(), cfg.dist_ths.end(), cfg.dist_th_tp);
    if (it == cfg.dist_ths.end()) throw std::invalid_argument("detection config: dist_th_tp must be one of dist_ths");
    return static_cast<size_t>(it - cfg.dist_ths.begin());
}

std::string quote(std::string_view s) {
    constexpr size_t kMax = 80;
    std::string out = "'";
    out.append(s.substr(0, kMax));
    if (s.size() > kMax) out += "...";
    return out + "'";
}

}  // namespace

DetectionConfig detection_cvpr_2019() {
    DetectionConfig cfg;
    cfg.class_range = {50, 50, 50, 50, 50, 40, 40, 40, 30, 30};
    cfg.dist_fcn = "center_distance";
    cfg.dist_ths = {0.5, 1.0, 2.0, 4.0};
    cfg.dist_th_tp = 2.0;
    cfg.min_recall = 0.1;
    cfg.min_precision = 0.1;
    cfg.max_boxes_per_sample = 500;
    cfg.mean_ap_weight = 5;
    return cfg;
}

Json detection_config_json(const DetectionConfig & cfg) {
    Json range = Json::object();
    for (int c = 0; c < kNumObjectClasses; ++c) {
        const double r = cfg.class_range[c];
        const bool whole = r == std::floor(r) && std::fabs(r) < 1e15;
        range.set(class_name(ObjectClass(c)), whole ? Json(static_cast<int64_t>(r)) : Json(r));
    }
    Json ths = Json::array();
    for (double t : cfg.dist_ths) ths.push_back(t);
    Json o = Json::object();
    o.set("class_range", std::move(range));
    o.set("dist_fcn", cfg.dist_fcn);
    o.set("dist_ths", std::move(ths));
    o.set("dist_th_tp", cfg.dist_th_tp);
    o.set("min_recall", cfg.min_recall);
    o.set("min_precision", cfg.min_precision);
    o.set("max_boxes_per_sample", cfg.max_boxes_per_sample);
    o.set("mean_ap_weight", cfg.mean_ap_weight);
    return o;
}

const char * tp_metric_name(TpMetric m) {
    static const char * const kNames[kNumTpMetrics] = {"trans_err", "scale_err", "orient_err", "vel_err", "attr_err"};
    return kNames[static_cast<int>(m)];
}

std::vector<double> numpy_interp(const std::vector<double> & x, const std::vector<double> & xp,
                                 const std::vector<double> & fp, std::optional<double> left,
                                 std::optional<double> right) {
    if (xp.empty() || xp.size() != fp.size())
        throw std::invalid_argument("numpy_interp: xp and fp must be non-empty and of equal length");
    const double lval = left.value_or(fp.front());
    const double rval = right.value_or(fp.back());
    const size_t n = xp.size();
    std::vector<double> out(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
        const double v = x[i];
        if (std::isnan(v)) {
            out[i] = v;
        } else if (v > xp[n - 1]) {
            out[i] = rval;
        } else if (v < xp[0]) {
            out[i] = lval;
        } else {
            const size_t j = static_cast<size_t>(std::upper_bound(xp.begin(), xp.end(), v) - xp.begin()) - 1;
            if (j == n - 1 || xp[j] == v) {
                out[i] = fp[j];
            } else {
                // numpy tries the other end when the blend is NaN (infinite values), then equal ends.
                const double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
                double r = slope * (v - xp[j]) + fp[j];
                if (std::isnan(r)) {
                    r = slope * (v - xp[j + 1]) + fp[j + 1];
                    if (std::isnan(r) && fp[j] == fp[j + 1]) r = fp[j];
                }
                out[i] = r;
            }
        }
    }
    return out;
}

double numpy_sum(const double * values, size_t n) { return pairwise_sum(values, n); }

double numpy_mean(const double * values, size_t n) { return pairwise_sum(values, n) / static_cast<double>(n); }

double numpy_nanmean(const double * values, size_t n) {
    std::vector<double> zeroed(values, values + n);
    size_t count = 0;
    for (double & v : zeroed) {
        if (std::isnan(v)) v = 0.0;
        else ++count;
    }
    return pairwise_sum(zeroed.data(), n) / static_cast<double>(count);
}

std::vector<double> numpy_linspace(double start, double stop, int num) {
    std::vector<double> out(static_cast<size_t>(std::max(num, 0)));
    if (num == 1) out[0] = start;
    if (num < 2) return out;
    const double step = (stop - start) / (num - 1);
    for (int i = 0; i < num; ++i) out[i] = i * step + start;
    out[num - 1] = stop;
    return out;
}

double center_distance(const EvalBox & gt, const EvalBox & pred) {
    const double dx = pred.translation.x - gt.translation.x, dy = pred.translation.y - gt.translation.y;
    return std::sqrt(dx * dx + dy * dy);
}

double velocity_l2(const EvalBox & gt, const EvalBox & pred) {
    const double dx = pred.velocity.x - gt.velocity.x, dy = pred.velocity.y - gt.velocity.y;
    return std::sqrt(dx * dx + dy * dy);
}

double scale_iou(const EvalBox & gt, const EvalBox & pred) {
    const Vec3 & a = gt.size;
    const Vec3 & b = pred.size;
    if (!(a.x > 0 && a.y > 0 && a.z > 0)) throw std::invalid_argument("scale_iou: GT box sizes must be > 0");
    if (!(b.x > 0 && b.y > 0 && b.z > 0)) throw std::invalid_argument("scale_iou: predicted box sizes must be > 0");
    const double intersection = std::min(a.x, b.x) * std::min(a.y, b.y) * std::min(a.z, b.z);
    const double union_volume = a.x * a.y * a.z + b.x * b.y * b.z - intersection;
    return intersection / union_volume;
}

double angle_diff(double x, double y, double period) {
    double diff = python_mod(x - y + period / 2, period) - period / 2;
    if (diff > kPi) diff -= 2 * kPi;
    return diff;
}

double yaw_diff(const EvalBox & gt, const EvalBox & pred, double period) {
    return std::fabs(angle_diff(gt.rotation.yaw(), pred.rotation.yaw(), period));
}

double attr_acc(const EvalBox & gt, const EvalBox & pred) {
    if (gt.attribute_name.empty()) return kNaN;
    return gt.attribute_name == pred.attribute_name ? 1.0 : 0.0;
}

std::vector<double> cummean(const std::vector<double> & x) {
    if (std::all_of(x.begin(), x.end(), [](double v) { return std::isnan(v); }))
        return std::vector<double>(x.size(), 1.0);
    std::vector<double> out(x.size());
    double sum = 0;
    size_t count = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        if (!std::isnan(x[i])) {
            sum += x[i];
            ++count;
        }
        out[i] = count ? sum / static_cast<double>(count) : 0.0;
    }
    return out;
}

DetectionMetricData DetectionMetricData::no_predictions() {
    DetectionMetricData md;
    const std::vector<double> r = numpy_linspace(0, 1, kPoints);
    std::copy(r.begin(), r.end(), md.recall.begin());
    for (Curve & e : md.errors) e.fill(1.0);
    return md;
}

int DetectionMetricData::max_recall_index() const {
    for (int i = kPoints - 1; i >= 0; --i)
        if (confidence[i] != 0) return i;
    return 0;
}

DetectionMetricData accumulate(const EvalBoxes & gt, const EvalBoxes & pred, ObjectClass cls, double dist_th) {
    size_t npos = 0;
    for (const EvalBoxes::Sample & s : gt.samples())
        npos += static_cast<size_t>(std::count_if(s.boxes.begin(), s.boxes.end(),
                                                  [&](const EvalBox & b) { return b.detection_name == cls; }));
    if (npos == 0) return DetectionMetricData::no_predictions();

    std::vector<const EvalBox *> preds;
    for (const EvalBoxes::Sample & s : pred.samples())
        for (const EvalBox & b : s.boxes)
            if (b.detection_name == cls) {
                // NaN would break the ordering (the devkit rejects it when building the box).
                if (std::isnan(b.detection_score)) throw std::invalid_argument("accumulate: detection_score is NaN");
                preds.push_back(&b);
            }

    // Python sorts (score, index) pairs ascending and reverses: equal scores put the later box first.
    std::vector<size_t> order(preds.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        const double sa = preds[a]->detection_score, sb = preds[b]->detection_score;
        return sa > sb || (sa == sb && a > b);
    });

    std::vector<double> tp, fp, conf;
    std::array<std::vector<double>, kNumTpMetrics> match_errors;
    std::vector<double> match_conf;
    std::unordered_map<std::string, std::vector<char>> taken;
    const double period = cls == ObjectClass::barrier ? kPi : 2 * kPi;  // barriers look the same both ways

    for (size_t k : order) {
        const EvalBox & p = *preds[k];
        const std::vector<EvalBox> & gts = gt.boxes(p.sample_token);
        std::vector<char> & used = taken[p.sample_token];
        used.resize(gts.size(), 0);

        double min_dist = std::numeric_limits<double>::infinity();
        size_t match = 0;
        for (size_t g = 0; g < gts.size(); ++g) {
            if (gts[g].detection_name != cls || used[g]) continue;
            const double d = center_distance(gts[g], p);
            if (d < min_dist) {
                min_dist = d;
                match = g;
            }
        }

        conf.push_back(p.detection_score);
        if (!(min_dist < dist_th)) {
            tp.push_back(0);
            fp.push_back(1);
            continue;
        }
        used[match] = 1;
        tp.push_back(1);
        fp.push_back(0);
        const EvalBox & g = gts[match];
        match_errors[static_cast<int>(TpMetric::trans_err)].push_back(center_distance(g, p));
        match_errors[static_cast<int>(TpMetric::vel_err)].push_back(velocity_l2(g, p));
        match_errors[static_cast<int>(TpMetric::scale_err)].push_back(1 - scale_iou(g, p));
        match_errors[static_cast<int>(TpMetric::orient_err)].push_back(yaw_diff(g, p, period));
        match_errors[static_cast<int>(TpMetric::attr_err)].push_back(1 - attr_acc(g, p));
        match_conf.push_back(p.detection_score);
    }
    if (match_conf.empty()) return DetectionMetricData::no_predictions();

    std::partial_sum(tp.begin(), tp.end(), tp.begin());
    std::partial_sum(fp.begin(), fp.end(), fp.begin());
    std::vector<double> prec(tp.size()), rec(tp.size());
    for (size_t i = 0; i < tp.size(); ++i) {
        prec[i] = tp[i] / (fp[i] + tp[i]);
        rec[i] = tp[i] / static_cast<double>(npos);
    }

    DetectionMetricData md;
    const std::vector<double> rec_interp = numpy_linspace(0, 1, DetectionMetricData::kPoints);
    const std::vector<double> prec_interp = numpy_interp(rec_interp, rec, prec, std::nullopt, 0.0);
    const std::vector<double> conf_interp = numpy_interp(rec_interp, rec, conf, std::nullopt, 0.0);
    std::copy(rec_interp.begin(), rec_interp.end(), md.recall.begin());
    std::copy(prec_interp.begin(), prec_interp.end(), md.precision.begin());
    std::copy(conf_interp.begin(), conf_interp.end(), md.confidence.begin());

    // Errors are resampled at the interpolated confidences, with the TP scores (ascending once
    // reversed) as abscissae.
    const std::vector<double> conf_rev(conf_interp.rbegin(), conf_interp.rend());
    const std::vector<double> match_conf_rev(match_conf.rbegin(), match_conf.rend());
    for (int m = 0; m < kNumTpMetrics; ++m) {
        const std::vector<double> tmp = cummean(match_errors[m]);
        const std::vector<double> tmp_rev(tmp.rbegin(), tmp.rend());
        const std::vector<double> err = numpy_interp(conf_rev, match_conf_rev, tmp_rev);
        std::copy(err.rbegin(), err.rend(), md.errors[m].begin());
    }
    return md;
}

double calc_ap(const DetectionMetricData & md, double min_recall, double min_precision) {
    if (!(min_precision >= 0 && min_precision < 1))
        throw std::invalid_argument("calc_ap: min_precision must be in [0, 1)");
    if (!(min_recall >= 0 && min_recall <= 1)) throw std::invalid_argument("calc_ap: min_recall must be in [0, 1]");
    // Python's round() rounds half to even, as nearbyint does in the default rounding mode.
    const size_t first = static_cast<size_t>(std::nearbyint(100 * min_recall)) + 1;
    std::vector<double> p(md.precision.begin() + std::min<size_t>(first, DetectionMetricData::kPoints),
                          md.precision.end());
    for (double & v : p) {
        v -= min_precision;
        if (v < 0) v = 0;
    }
    return numpy_mean(p.data(), p.size()) / (1.0 - min_precision);
}

double calc_tp(const DetectionMetricData & md, double min_recall, TpMetric metric) {
    const long first = static_cast<long>(std::nearbyint(100 * min_recall)) + 1;
    const long last = md.max_recall_index();
    if (last < first) return 1.0;
    const DetectionMetricData::Curve & e = md.error(metric);
    return numpy_mean(e.data() + first, static_cast<size_t>(last - first + 1));
}

std::array<double, kNumObjectClasses> DetectionMetrics::mean_dist_aps() const {
    std::array<double, kNumObjectClasses> out{};
    for (int c = 0; c < kNumObjectClasses; ++c) out[c] = numpy_mean(label_aps[c].data(), label_aps[c].size());
    return out;
}

double DetectionMetrics::mean_ap() const {
    const std::array<double, kNumObjectClasses> aps = mean_dist_aps();
    return numpy_mean(aps.data(), aps.size());
}

std::array<double, kNumTpMetrics> DetectionMetrics::tp_errors() const {
    std::array<double, kNumTpMetrics> out{};
    for (int m = 0; m < kNumTpMetrics; ++m) {
        std::array<double, kNumObjectClasses> per_class{};
        for (int c = 0; c < kNumObjectClasses; ++c) per_class[c] = label_tp_errors[c][m];
        out[m] = numpy_nanmean(per_class.data(), per_class.size());
    }
    return out;
}

double DetectionMetrics::zero_velocity_mave() const {
    return numpy_nanmean(zero_velocity_ave.data(), zero_velocity_ave.size());
}

std::array<double, kNumTpMetrics> DetectionMetrics::tp_scores() const {
    std::array<double, kNumTpMetrics> out = tp_errors();
    for (double & v : out) {
        const double score = 1.0 - v;
        v = score > 0.0 ? score : 0.0;  // Python's max(0.0, score), which also maps NaN to 0
    }
    return out;
}

double DetectionMetrics::nd_score() const {
    const std::array<double, kNumTpMetrics> scores = tp_scores();
    const double total = cfg.mean_ap_weight * mean_ap() + numpy_sum(scores.data(), scores.size());
    return total / static_cast<double>(cfg.mean_ap_weight + kNumTpMetrics);
}

DetectionMetrics detection_metrics_from_data(
    const DetectionConfig & cfg, std::array<std::vector<DetectionMetricData>, kNumObjectClasses> metric_data) {
    const size_t tp_index = tp_threshold_index(cfg);
    DetectionMetrics metrics;
    metrics.cfg = cfg;
    for (int c = 0; c < kNumObjectClasses; ++c) {
        if (metric_data[c].size() != cfg.dist_ths.size())
            throw std::invalid_argument("detection metrics: need one metric data per class and threshold");
        for (const DetectionMetricData & md : metric_data[c])
            metrics.label_aps[c].push_back(calc_ap(md, cfg.min_recall, cfg.min_precision));
        const ObjectClass cls = ObjectClass(c);
        for (int m = 0; m < kNumTpMetrics; ++m) {
            const TpMetric metric = TpMetric(m);
            // Cones have no attributes, velocity or heading; barriers no attributes or velocity.
            const bool left_out =
                (cls == ObjectClass::traffic_cone &&
                 (metric == TpMetric::attr_err || metric == TpMetric::vel_err || metric == TpMetric::orient_err)) ||
                (cls == ObjectClass::barrier && (metric == TpMetric::attr_err || metric == TpMetric::vel_err));
            metrics.label_tp_errors[c][m] = left_out ? kNaN : calc_tp(metric_data[c][tp_index], cfg.min_recall, metric);
        }
    }
    metrics.metric_data = std::move(metric_data);
    return metrics;
}

// DetectionMetrics::range_ap and range_gt: both box sets cut to each distance band, then
// accumulated as a whole.
static void add_range_band_aps(const EvalBoxes & gt, const EvalBoxes & pred, DetectionMetrics & metrics) {
    const DetectionConfig & cfg = metrics.cfg;
    for (int band = 0; band < DetectionMetrics::kRangeBands; ++band) {
        const double lo = DetectionMetrics::kRangeEdges[band], hi = DetectionMetrics::kRangeEdges[band + 1];
        const auto cut = [&](const EvalBoxes & boxes) {
            EvalBoxes in_band;
            for (const EvalBoxes::Sample & s : boxes.samples()) {
                std::vector<EvalBox> kept;
                for (const EvalBox & b : s.boxes)
                    if (b.ego_dist() >= lo && b.ego_dist() < hi) kept.push_back(b);
                in_band.add_boxes(s.token, std::move(kept));
            }
            return in_band;
        };
        const EvalBoxes gt_band = cut(gt), pred_band = cut(pred);
        for (const EvalBoxes::Sample & s : gt_band.samples())
            for (const EvalBox & b : s.boxes) metrics.range_gt[int(b.detection_name)][band]++;
        for (int c = 0; c < kNumObjectClasses; ++c) {
            std::vector<double> aps;
            for (double th : cfg.dist_ths)
                aps.push_back(calc_ap(accumulate(gt_band, pred_band, ObjectClass(c), th), cfg.min_recall, cfg.min_precision));
            metrics.range_ap[c][band] = metrics.range_gt[c][band] ? numpy_mean(aps.data(), aps.size()) : kNaN;
        }
    }
}

DetectionMetrics evaluate_detection(const EvalBoxes & gt, const EvalBoxes & pred, const DetectionConfig & cfg) {
    if (cfg.dist_fcn != "center_distance")
        throw std::invalid_argument("detection config: unknown dist_fcn " + quote(cfg.dist_fcn));
    tp_threshold_index(cfg);
    const auto start = std::chrono::steady_clock::now();
    std::array<std::vector<DetectionMetricData>, kNumObjectClasses> data;
    for (int c = 0; c < kNumObjectClasses; ++c)
        for (double th : cfg.dist_ths) data[c].push_back(accumulate(gt, pred, ObjectClass(c), th));
    DetectionMetrics metrics = detection_metrics_from_data(cfg, std::move(data));
    EvalBoxes still = pred;
    for (EvalBoxes::Sample & s : still.samples())
        for (EvalBox & b : s.boxes) b.velocity = {0.0, 0.0};
    const double th_tp = cfg.dist_ths[tp_threshold_index(cfg)];
    for (int c = 0; c < kNumObjectClasses; ++c)
        metrics.zero_velocity_ave[c] = std::isnan(metrics.label_tp_errors[c][int(TpMetric::vel_err)])
                                           ? std::nan("")
                                           : calc_tp(accumulate(gt, still, ObjectClass(c), th_tp), cfg.min_recall, TpMetric::vel_err);
    add_range_band_aps(gt, pred, metrics);
    metrics.eval_time = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return metrics;
}

Json metrics_summary_json(const DetectionMetrics & metrics, const Json & meta) {
    Json label_aps = Json::object();
    Json label_tp_errors = Json::object();
    for (int c = 0; c < kNumObjectClasses; ++c) {
        Json aps = Json::object();
        for (size_t k = 0; k < metrics.cfg.dist_ths.size() && k < metrics.label_aps[c].size(); ++k)
            aps.set(number_key(metrics.cfg.dist_ths[k]), metrics.label_aps[c][k]);
        label_aps.set(class_name(ObjectClass(c)), std::move(aps));
        label_tp_errors.set(class_name(ObjectClass(c)), metric_number_map(metrics.label_tp_errors[c]));
    }
    Json o = Json::object();
    o.set("label_aps", std::move(label_aps));
    o.set("mean_dist_aps", class_number_map(metrics.mean_dist_aps()));
    o.set("mean_ap", metrics.mean_ap());
    o.set("label_tp_errors", std::move(label_tp_errors));
    o.set("tp_errors", metric_number_map(metrics.tp_errors()));
    o.set("tp_scores", metric_number_map(metrics.tp_scores()));
    o.set("nd_score", metrics.nd_score());
    o.set("eval_time", metrics.eval_time);
    o.set("cfg", detection_config_json(metrics.cfg));
    o.set("meta", meta);
    return o;
}

Json metrics_details_json(const DetectionMetrics & metrics) {
    Json o = Json::object();
    for (int c = 0; c < kNumObjectClasses; ++c) {
        for (size_t k = 0; k < metrics.cfg.dist_ths.size() && k < metrics.metric_data[c].size(); ++k) {
            const DetectionMetricData & md = metrics.metric_data[c][k];
            Json d = Json::object();
            d.set("recall", curve_json(md.recall));
            d.set("precision", curve_json(md.precision));
            d.set("confidence", curve_json(md.confidence));
            // DetectionMetricData.serialize order, which differs from TP_METRICS.
            for (TpMetric m : {TpMetric::trans_err, TpMetric::vel_err, TpMetric::scale_err, TpMetric::orient_err,
                               TpMetric::attr_err})
                d.set(tp_metric_name(m), curve_json(md.error(m)));
            o.set(std::string(class_name(ObjectClass(c))) + ":" + number_key(metrics.cfg.dist_ths[k]), std::move(d));
        }
    }
    return o;
}

DetectionMetrics evaluate_submission(const NuScenesDataset & ds, const std::vector<std::string> & sample_tokens,
                                     const std::string & results_json_path, const std::string & out_dir,
                                     const DetectionConfig & cfg) {
    const std::unordered_set<std::string> split(sample_tokens.begin(), sample_tokens.end());
    if (split.size() != sample_tokens.size())
        throw std::invalid_argument("evaluate_submission: the split lists a sample token twice");
    DetectionSubmission submission = load_detection_submission(results_json_path, cfg.max_boxes_per_sample);
    EvalBoxes gt = load_gt_boxes(ds, sample_tokens);

    size_t missing = 0;
    std::string first_missing;
    for (const std::string & t : sample_tokens)
        if (!submission.results.contains(t) && missing++ == 0) first_missing = t;
    for (const EvalBoxes::Sample & s : submission.results.samples())
        if (!split.count(s.token))
            throw SubmissionError(results_json_path + ": results[" + quote(s.token) +
                                  "]: sample is not in the evaluated split");
    if (missing)
        throw SubmissionError(results_json_path + ": " + std::to_string(missing) + " of " +
                              std::to_string(sample_tokens.size()) + " samples of the split are missing, e.g. " +
                              quote(first_missing) + " (give an empty list for a sample without detections)");

    add_center_dist(ds, submission.results);
    add_center_dist(ds, gt);
    filter_eval_boxes(ds, submission.results, cfg.class_range);
    filter_eval_boxes(ds, gt, cfg.class_range);

    DetectionMetrics metrics = evaluate_detection(gt, submission.results, cfg);

    std::filesystem::create_directories(out_dir);
    JsonWriteOptions indent2;
    indent2.indent = 2;
    const std::filesystem::path dir(out_dir);
    write_file_atomic((dir / "metrics_summary.json").string(),
                      write_json(metrics_summary_json(metrics, submission.meta), indent2));
    write_file_atomic((dir / "metrics_details.json").string(), write_json(metrics_details_json(metrics), indent2));
    return metrics;
}

}  // namespace rs
