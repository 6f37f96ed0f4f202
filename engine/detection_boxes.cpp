#include "engine/detection_boxes.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <optional>

#include "engine/file_io.h"

namespace rs {

namespace {

// Tokens in messages are cut short: a hostile submission can hold megabyte-long keys.
std::string quote(std::string_view s) {
    constexpr size_t kMax = 80;
    std::string out = "'";
    out.append(s.substr(0, kMax));
    if (s.size() > kMax) out += "...";
    return out + "'";
}

bool is_attribute_name(const std::string & name) {
    return name.empty() ||
           std::find_if(kAttributeNames.begin(), kAttributeNames.end(),
                        [&](const char * a) { return name == a; }) != kAttributeNames.end();
}

// Reads one box of the "results" map; every problem names the file, sample, box and field.
class BoxReader {
public:
    BoxReader(const std::string & source, const std::string & sample_token, size_t index, const Json & box)
        : context_(source + ": results[" + quote(sample_token) + "][" + std::to_string(index) + "]"), box_(box) {
        if (!box.is_object())
            throw SubmissionError(context_ + ": expected a box object, got " + json_type_name(box.type()));
    }

    [[noreturn]] void fail(const char * field, const std::string & problem) const {
        throw SubmissionError(context_ + ", field '" + field + "': " + problem);
    }

    const Json * optional(const char * field) const { return box_.find(field); }

    const Json & required(const char * field) const {
        const Json * v = box_.find(field);
        if (!v) fail(field, "missing");
        return *v;
    }

    std::string string(const char * field) const {
        const Json & v = required(field);
        if (!v.is_string()) fail(field, std::string("expected a string, got ") + json_type_name(v.type()));
        return v.as_string();
    }

    double number(const char * field, const Json & v) const {
        if (!v.is_number()) fail(field, std::string("expected a number, got ") + json_type_name(v.type()));
        return v.as_double();
    }

    // A list of exactly n numbers; finite unless NaN and infinity are allowed (velocity).
    std::vector<double> numbers(const char * field, const Json & v, size_t n, bool finite) const {
        if (!v.is_array() || v.size() != n)
            fail(field, "expected an array of " + std::to_string(n) + " numbers");
        std::vector<double> out;
        for (const Json & e : v.as_array()) {
            double d = number(field, e);
            if (finite && !std::isfinite(d)) fail(field, "must not be NaN or infinite");
            out.push_back(d);
        }
        return out;
    }

    Vec3 vec3(const char * field, const Json & v) const {
        std::vector<double> d = numbers(field, v, 3, true);
        return {d[0], d[1], d[2]};
    }

private:
    std::string context_;
    const Json & box_;
};

EvalBox read_box(const std::string & source, const std::string & sample_token, size_t index, const Json & json) {
    BoxReader r(source, sample_token, index, json);
    EvalBox b;
    b.sample_token = r.string("sample_token");
    // The devkit matches boxes by this field but filters them by their key: both must agree.
    if (b.sample_token != sample_token)
        r.fail("sample_token", "is " + quote(b.sample_token) + ", but the box is listed under " + quote(sample_token));
    b.translation = r.vec3("translation", r.required("translation"));
    b.size = r.vec3("size", r.required("size"));
    if (b.size.x <= 0 || b.size.y <= 0 || b.size.z <= 0) r.fail("size", "every size must be > 0");
    std::vector<double> q = r.numbers("rotation", r.required("rotation"), 4, true);
    b.rotation = {q[0], q[1], q[2], q[3]};
    std::vector<double> v = r.numbers("velocity", r.required("velocity"), 2, false);
    b.velocity = {v[0], v[1]};
    if (const Json * e = r.optional("ego_translation")) b.ego_translation = r.vec3("ego_translation", *e);
    if (const Json * n = r.optional("num_pts")) {
        const bool integral = n->is_number() && n->as_double() == std::floor(n->as_double()) &&
                              std::fabs(n->as_double()) < 9e18;  // fits int64
        if (!integral) r.fail("num_pts", "expected an integer");
        b.num_pts = n->as_int64();
    }
    std::string name = r.string("detection_name");
    std::optional<ObjectClass> cls = class_from_name(name);
    if (!cls) r.fail("detection_name", "unknown class " + quote(name));
    b.detection_name = *cls;
    if (const Json * s = r.optional("detection_score")) {
        b.detection_score = r.number("detection_score", *s);
        if (!std::isfinite(b.detection_score)) r.fail("detection_score", "must not be NaN or infinite");
    }
    b.attribute_name = r.string("attribute_name");
    if (!is_attribute_name(b.attribute_name)) r.fail("attribute_name", "unknown attribute " + quote(b.attribute_name));
    return b;
}

Json numbers_json(std::initializer_list<double> values) {
    Json a = Json::array();
    for (double d : values) a.push_back(d);
    return a;
}

Json box_json(const EvalBox & b) {
    Json o = Json::object();
    o.set("sample_token", b.sample_token);
    o.set("translation", numbers_json({b.translation.x, b.translation.y, b.translation.z}));
    o.set("size", numbers_json({b.size.x, b.size.y, b.size.z}));
    o.set("rotation", numbers_json({b.rotation.w, b.rotation.x, b.rotation.y, b.rotation.z}));
    o.set("velocity", numbers_json({b.velocity.x, b.velocity.y}));
    o.set("ego_translation", numbers_json({b.ego_translation.x, b.ego_translation.y, b.ego_translation.z}));
    o.set("num_pts", b.num_pts);
    o.set("detection_name", class_name(b.detection_name));
    o.set("detection_score", b.detection_score);
    o.set("attribute_name", b.attribute_name);
    return o;
}

size_t sample_index(const NuScenesDataset & ds, const std::string & token) {
    std::optional<size_t> i = ds.find(NuTable::sample, token);
    if (!i) throw DatasetError(ds.table_path(NuTable::sample) + ": unknown sample token " + quote(token));
    return *i;
}

}  // namespace

void EvalBoxes::add_boxes(const std::string & sample_token, std::vector<EvalBox> boxes) {
    auto [it, inserted] = index_.emplace(sample_token, samples_.size());
    if (inserted) {
        samples_.push_back({sample_token, std::move(boxes)});
        return;
    }
    std::vector<EvalBox> & dst = samples_[it->second].boxes;
    dst.insert(dst.end(), std::make_move_iterator(boxes.begin()), std::make_move_iterator(boxes.end()));
}

const std::vector<EvalBox> & EvalBoxes::boxes(std::string_view sample_token) const {
    static const std::vector<EvalBox> kNone;
    auto it = index_.find(std::string(sample_token));
    return it == index_.end() ? kNone : samples_[it->second].boxes;
}

size_t EvalBoxes::num_boxes() const {
    size_t n = 0;
    for (const Sample & s : samples_) n += s.boxes.size();
    return n;
}

DetectionSubmission parse_detection_submission(std::string_view json_text, const std::string & source,
                                               int max_boxes_per_sample) {
    Json doc;
    try {
        doc = parse_json(json_text, source);
    } catch (const JsonError & e) {
        throw SubmissionError(e.what());
    }
    if (!doc.is_object()) throw SubmissionError(source + ": expected a JSON object with 'meta' and 'results'");
    const Json * results = doc.find("results");
    if (!results)
        throw SubmissionError(source + ": no field 'results' (the submission format is "
                                       "{\"meta\": {...}, \"results\": {sample_token: [box, ...]}})");
    if (!results->is_object())
        throw SubmissionError(source + ": 'results' must be an object mapping sample tokens to box lists");
    const Json * meta = doc.find("meta");
    if (!meta) throw SubmissionError(source + ": no field 'meta'");
    if (!meta->is_object()) throw SubmissionError(source + ": 'meta' must be an object");

    // Python keeps a repeated key at its first position with its last value; so do we.
    std::vector<std::pair<std::string, std::vector<EvalBox>>> samples;
    std::unordered_map<std::string, size_t> position;
    for (const Json::Member & m : results->as_object()) {
        if (!m.second.is_array())
            throw SubmissionError(source + ": results[" + quote(m.first) + "]: expected a list of boxes, got " +
                                  json_type_name(m.second.type()));
        std::vector<EvalBox> boxes;
        for (size_t i = 0; i < m.second.size(); ++i) boxes.push_back(read_box(source, m.first, i, m.second.at(i)));
        auto [it, inserted] = position.emplace(m.first, samples.size());
        if (inserted) samples.emplace_back(m.first, std::move(boxes));
        else samples[it->second].second = std::move(boxes);
    }
    for (const auto & [token, boxes] : samples)
        if (boxes.size() > static_cast<size_t>(max_boxes_per_sample))
            throw SubmissionError(source + ": results[" + quote(token) + "] has " + std::to_string(boxes.size()) +
                                  " boxes; at most " + std::to_string(max_boxes_per_sample) +
                                  " per sample are allowed");

    DetectionSubmission out;
    out.meta = *meta;
    for (auto & [token, boxes] : samples) out.results.add_boxes(token, std::move(boxes));
    return out;
}

DetectionSubmission load_detection_submission(const std::string & path, int max_boxes_per_sample) {
    std::string text;
    try {
        text = read_file_text(path);
    } catch (const std::runtime_error & e) {
        throw SubmissionError(e.what());
    }
    return parse_detection_submission(text, path, max_boxes_per_sample);
}

Json detection_submission_json(const DetectionSubmission & submission) {
    Json results = Json::object();
    for (const EvalBoxes::Sample & s : submission.results.samples()) {
        Json boxes = Json::array();
        for (const EvalBox & b : s.boxes) boxes.push_back(box_json(b));
        results.set(s.token, std::move(boxes));
    }
    Json doc = Json::object();
    doc.set("meta", submission.meta);
    doc.set("results", std::move(results));
    return doc;
}

void save_detection_submission(const std::string & path, const DetectionSubmission & submission) {
    write_file_atomic(path, write_json(detection_submission_json(submission)));
}

Vec3 annotation_velocity(const NuScenesDataset & ds, size_t annotation, double max_time_diff) {
    const NuScenesTables & t = ds.tables();
    const NuSampleAnnotation & current = t.sample_annotation[annotation];
    const bool has_prev = !current.prev.empty(), has_next = !current.next.empty();
    constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
    if (!has_prev && !has_next) return {kNaN, kNaN, kNaN};

    const NuSampleAnnotation & first =
        has_prev ? t.sample_annotation[ds.index(NuTable::sample_annotation, current.prev)] : current;
    const NuSampleAnnotation & last =
        has_next ? t.sample_annotation[ds.index(NuTable::sample_annotation, current.next)] : current;
    const Vec3 diff = last.translation - first.translation;
    // Seconds first, then the difference, in the devkit's order of rounding.
    auto seconds = [&](const NuSampleAnnotation & a) {
        return 1e-6 * static_cast<double>(t.sample[ds.index(NuTable::sample, a.sample_token)].timestamp);
    };
    const double time_last = seconds(last);
    const double time_first = seconds(first);
    const double dt = time_last - time_first;
    if (has_prev && has_next) max_time_diff *= 2;
    if (dt > max_time_diff) return {kNaN, kNaN, kNaN};
    return {diff.x / dt, diff.y / dt, diff.z / dt};
}

EvalBoxes load_gt_boxes(const NuScenesDataset & ds, const std::vector<std::string> & sample_tokens) {
    const NuScenesTables & t = ds.tables();
    EvalBoxes gt;
    for (const std::string & token : sample_tokens) {
        std::vector<EvalBox> boxes;
        for (size_t ann : ds.annotations_of(sample_index(ds, token))) {
            std::optional<ObjectClass> cls = class_from_category(ds.category_name(ann));
            if (!cls) continue;
            const NuSampleAnnotation & a = t.sample_annotation[ann];
            if (a.attribute_tokens.size() > 1)
                throw DatasetError(ds.table_path(NuTable::sample_annotation) + ": annotation " + quote(a.token) +
                                   " has " + std::to_string(a.attribute_tokens.size()) +
                                   " attributes; evaluation allows at most one");
            EvalBox b;
            b.sample_token = token;
            b.translation = a.translation;
            b.size = a.size;
            b.rotation = a.rotation;
            const Vec3 v = annotation_velocity(ds, ann);
            b.velocity = {v.x, v.y};
            b.num_pts = a.num_lidar_pts + a.num_radar_pts;
            b.detection_name = *cls;
            b.detection_score = -1.0;
            if (!a.attribute_tokens.empty())
                b.attribute_name = t.attribute[ds.index(NuTable::attribute, a.attribute_tokens[0])].name;
            boxes.push_back(std::move(b));
        }
        gt.add_boxes(token, std::move(boxes));
    }
    return gt;
}

void add_center_dist(const NuScenesDataset & ds, EvalBoxes & boxes) {
    for (EvalBoxes::Sample & s : boxes.samples()) {
        std::optional<size_t> lidar = ds.key_frame(sample_index(ds, s.token), "LIDAR_TOP");
        if (!lidar)
            throw DatasetError(ds.table_path(NuTable::sample_data) + ": sample " + quote(s.token) +
                               " has no LIDAR_TOP key frame to measure distances from");
        const Vec3 ego = ds.ego_pose_of(*lidar).translation;
        for (EvalBox & b : s.boxes) b.ego_translation = b.translation - ego;
    }
}

bool box_contains_point(const Box3D & box, const Vec3 & point) {
    // Edges from corner 0 along the box's x (corner 4), y (corner 1) and z (corner 3) axes.
    const std::array<Vec3, 8> c = box.corners();
    const Vec3 v = point - c[0];
    for (int corner : {4, 1, 3}) {
        const Vec3 edge = c[corner] - c[0];
        const double proj = edge.dot(v);
        if (!(proj >= 0 && proj <= edge.dot(edge))) return false;
    }
    return true;
}

FilterCounts filter_eval_boxes(const NuScenesDataset & ds, EvalBoxes & boxes,
                               const std::array<double, kNumObjectClasses> & max_dist) {
    const NuScenesTables & t = ds.tables();
    FilterCounts counts;
    for (EvalBoxes::Sample & s : boxes.samples()) {
        std::vector<EvalBox> & list = s.boxes;
        counts.total += list.size();
        auto drop = [&](auto predicate) {
            list.erase(std::remove_if(list.begin(), list.end(), predicate), list.end());
        };

        drop([&](const EvalBox & b) { return !(b.ego_dist() < max_dist[static_cast<int>(b.detection_name)]); });
        counts.after_distance += list.size();

        drop([](const EvalBox & b) { return b.num_pts == 0; });
        counts.after_points += list.size();

        std::vector<Box3D> racks;
        for (size_t ann : ds.annotations_of(sample_index(ds, s.token)))
            if (ds.category_name(ann) == "static_object.bicycle_rack") {
                const NuSampleAnnotation & a = t.sample_annotation[ann];
                racks.push_back({a.translation, a.size, a.rotation});
            }
        drop([&](const EvalBox & b) {
            if (b.detection_name != ObjectClass::bicycle && b.detection_name != ObjectClass::motorcycle) return false;
            return std::any_of(racks.begin(), racks.end(),
                               [&](const Box3D & rack) { return box_contains_point(rack, b.translation); });
        });
        counts.after_bike_racks += list.size();
    }
    return counts;
}

}  // namespace rs
