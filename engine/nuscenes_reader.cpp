#include "engine/nuscenes_reader.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "engine/json.h"

namespace rs {

namespace {

// Tokens in messages are cut short: a hostile file can hold megabyte-long "tokens".
std::string quote_token(std::string_view s) {
    constexpr size_t kMax = 80;
    std::string out = "'";
    out.append(s.substr(0, kMax));
    if (s.size() > kMax) out += "...";
    return out + "'";
}

std::string record_context(const std::string & source, NuTable table, size_t index, std::string_view token) {
    std::string s = source + ": table " + nu_table_name(table) + ", record #" + std::to_string(index);
    if (!token.empty()) s += " (token " + quote_token(token) + ")";
    return s;
}

std::string format_number(double d) {
    std::string s;
    append_json_number(s, d);
    return s;
}

// Reads the fields of one record, turning every problem into a DatasetError with full context.
// Strings are moved out of the record, which is consumed.
class RecordReader {
public:
    RecordReader(const std::string & source, NuTable table, size_t index, Json & record,
                 const LoadOptions & opt)
        : source_(source), table_(table), index_(index), record_(record), opt_(opt) {
        if (!record.is_object())
            throw DatasetError(record_context(source_, table_, index_, {}) + ": expected an object, got " +
                               json_type_name(record.type()));
        token_ = string("token");
    }

    const std::string & token() const { return token_; }

    [[noreturn]] void fail(const char * field, const std::string & problem) const {
        throw DatasetError(record_context(source_, table_, index_, token_) + ", field '" + field + "': " + problem);
    }

    std::string string(const char * field) {
        Json & v = get(field);
        if (!v.is_string()) fail(field, std::string("expected a string, got ") + json_type_name(v.type()));
        return std::move(v.as_string());
    }

    bool boolean(const char * field) const {
        const Json & v = get(field);
        if (!v.is_bool()) fail(field, std::string("expected a bool, got ") + json_type_name(v.type()));
        return v.as_bool();
    }

    int64_t integer(const char * field, bool non_negative = false) const {
        return integer_value(field, get(field), non_negative);
    }

    std::optional<int64_t> optional_integer(const char * field) const {
        const Json * v = record_.find(field);
        if (!v) return std::nullopt;
        return integer_value(field, *v, false);
    }

    std::vector<std::string> strings(const char * field) {
        Json & v = get(field);
        if (!v.is_array()) fail(field, std::string("expected an array of strings, got ") + json_type_name(v.type()));
        std::vector<std::string> out;
        out.reserve(v.size());
        for (Json & e : v.as_array()) {
            if (!e.is_string())
                fail(field, std::string("expected an array of strings, got an element of type ") +
                                json_type_name(e.type()));
            out.push_back(std::move(e.as_string()));
        }
        return out;
    }

    Vec3 vec3(const char * field, bool non_negative = false) const {
        std::array<double, 3> a = numbers<3>(field, get(field));
        if (non_negative)
            for (double d : a)
                if (d < 0) fail(field, "negative value " + format_number(d));
        return {a[0], a[1], a[2]};
    }

    Quat quat(const char * field) const {
        std::array<double, 4> a = numbers<4>(field, get(field));
        Quat q{a[0], a[1], a[2], a[3]};
        double norm = q.norm();
        if (!(std::abs(norm - 1.0) <= opt_.quaternion_tolerance))
            fail(field, "quaternion norm " + format_number(norm) + " is not 1 (tolerance " +
                            format_number(opt_.quaternion_tolerance) + ")");
        return q;
    }

    // [] for sensors without intrinsics, else a 3x3 row-major matrix.
    std::optional<Mat3> intrinsic(const char * field) const {
        const Json & v = get(field);
        if (!v.is_array()) fail(field, std::string("expected [] or a 3x3 array, got ") + json_type_name(v.type()));
        if (v.size() == 0) return std::nullopt;
        if (v.size() != 3) fail(field, "expected [] or a 3x3 array, got " + std::to_string(v.size()) + " rows");
        Mat3 k;
        for (int r = 0; r < 3; ++r) {
            std::array<double, 3> row = numbers<3>(field, v.at(r));
            for (int c = 0; c < 3; ++c) k(r, c) = row[c];
        }
        return k;
    }

private:
    Json & get(const char * field) const {
        Json * v = record_.find(field);
        if (!v) fail(field, "missing field");
        return *v;
    }

    int64_t integer_value(const char * field, const Json & v, bool non_negative) const {
        if (!v.is_number()) fail(field, std::string("expected an integer, got ") + json_type_name(v.type()));
        int64_t i = 0;
        try {
            i = v.as_int64();
        } catch (const JsonError & e) {
            fail(field, e.what());
        }
        if (non_negative && i < 0) fail(field, "negative value " + std::to_string(i));
        return i;
    }

    template <size_t N>
    std::array<double, N> numbers(const char * field, const Json & v) const {
        std::string expected = "expected " + std::to_string(N) + " numbers";
        if (!v.is_array()) fail(field, expected + ", got " + json_type_name(v.type()));
        if (v.size() != N) fail(field, expected + ", got " + std::to_string(v.size()) + " elements");
        std::array<double, N> out;
        for (size_t i = 0; i < N; ++i) {
            const Json & e = v.at(i);
            if (!e.is_number()) fail(field, expected + ", got an element of type " + json_type_name(e.type()));
            out[i] = e.as_double();
            if (!std::isfinite(out[i])) fail(field, "non-finite number " + format_number(out[i]));
        }
        return out;
    }

    const std::string & source_;
    NuTable table_;
    size_t index_;
    Json & record_;
    const LoadOptions & opt_;
    std::string token_;
};

void read_record(RecordReader & r, NuAttribute & a) {
    a.token = r.token();
    a.name = r.string("name");
    a.description = r.string("description");
}

void read_record(RecordReader & r, NuCalibratedSensor & c) {
    c.token = r.token();
    c.sensor_token = r.string("sensor_token");
    c.translation = r.vec3("translation");
    c.rotation = r.quat("rotation");
    c.camera_intrinsic = r.intrinsic("camera_intrinsic");
}

void read_record(RecordReader & r, NuCategory & c) {
    c.token = r.token();
    c.name = r.string("name");
    c.description = r.string("description");
    c.index = r.optional_integer("index");
}

void read_record(RecordReader & r, NuEgoPose & e) {
    e.token = r.token();
    e.timestamp = r.integer("timestamp");
    e.rotation = r.quat("rotation");
    e.translation = r.vec3("translation");
}

void read_record(RecordReader & r, NuInstance & i) {
    i.token = r.token();
    i.category_token = r.string("category_token");
    i.nbr_annotations = r.integer("nbr_annotations", true);
    i.first_annotation_token = r.string("first_annotation_token");
    i.last_annotation_token = r.string("last_annotation_token");
}

void read_record(RecordReader & r, NuLog & l) {
    l.token = r.token();
    l.logfile = r.string("logfile");
    l.vehicle = r.string("vehicle");
    l.date_captured = r.string("date_captured");
    l.location = r.string("location");
}

void read_record(RecordReader & r, NuMap & m) {
    m.category = r.string("category");
    m.token = r.token();
    m.filename = r.string("filename");
    m.log_tokens = r.strings("log_tokens");
}

void read_record(RecordReader & r, NuSample & s) {
    s.token = r.token();
    s.timestamp = r.integer("timestamp");
    s.prev = r.string("prev");
    s.next = r.string("next");
    s.scene_token = r.string("scene_token");
}

void read_record(RecordReader & r, NuSampleAnnotation & a) {
    a.token = r.token();
    a.sample_token = r.string("sample_token");
    a.instance_token = r.string("instance_token");
    a.visibility_token = r.string("visibility_token");
    a.attribute_tokens = r.strings("attribute_tokens");
    a.translation = r.vec3("translation");
    a.size = r.vec3("size", true);
    a.rotation = r.quat("rotation");
    a.prev = r.string("prev");
    a.next = r.string("next");
    a.num_lidar_pts = r.integer("num_lidar_pts", true);
    a.num_radar_pts = r.integer("num_radar_pts", true);
}

void read_record(RecordReader & r, NuSampleData & d) {
    d.token = r.token();
    d.sample_token = r.string("sample_token");
    d.ego_pose_token = r.string("ego_pose_token");
    d.calibrated_sensor_token = r.string("calibrated_sensor_token");
    d.timestamp = r.integer("timestamp");
    d.fileformat = r.string("fileformat");
    d.is_key_frame = r.boolean("is_key_frame");
    d.height = r.integer("height", true);
    d.width = r.integer("width", true);
    d.filename = r.string("filename");
    d.prev = r.string("prev");
    d.next = r.string("next");
}

void read_record(RecordReader & r, NuScene & s) {
    s.token = r.token();
    s.log_token = r.string("log_token");
    s.nbr_samples = r.integer("nbr_samples", true);
    s.first_sample_token = r.string("first_sample_token");
    s.last_sample_token = r.string("last_sample_token");
    s.name = r.string("name");
    s.description = r.string("description");
}

void read_record(RecordReader & r, NuSensor & s) {
    s.token = r.token();
    s.channel = r.string("channel");
    s.modality = r.string("modality");
    if (s.modality != "camera" && s.modality != "lidar" && s.modality != "radar")
        r.fail("modality", "expected camera, lidar or radar, got " + quote_token(s.modality));
}

void read_record(RecordReader & r, NuVisibility & v) {
    v.description = r.string("description");
    v.token = r.token();
    v.level = r.string("level");
}

// Each JSON record is released once converted, so a large table never exists twice in full.
template <class Record>
void read_records(Json & doc, NuTable table, const std::string & source, const LoadOptions & opt,
                  std::vector<Record> & out) {
    out.reserve(out.size() + doc.size());
    Json::Array & records = doc.as_array();
    for (size_t i = 0; i < records.size(); ++i) {
        RecordReader reader(source, table, i, records[i], opt);
        Record rec;
        read_record(reader, rec);
        out.push_back(std::move(rec));
        records[i] = Json();
    }
}

std::string read_table_file(const std::string & path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw DatasetError(path + ": missing table file");
    std::FILE * f = std::fopen(path.c_str(), "rb");
    if (!f) throw DatasetError(path + ": cannot open table file: " + std::strerror(errno));
    std::string text;
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed) throw DatasetError(path + ": cannot read table file");
    return text;
}

}  // namespace

void parse_nuscenes_table(NuTable table, std::string_view json_text, const std::string & source,
                          NuScenesTables & tables, const LoadOptions & opt) {
    Json doc;
    try {
        doc = parse_json(json_text, source);
    } catch (const JsonError & e) {
        throw DatasetError(std::string(e.what()) + " (table " + nu_table_name(table) + ")");
    }
    if (!doc.is_array())
        throw DatasetError(source + ": table " + nu_table_name(table) + ": expected a JSON array of records, got " +
                           json_type_name(doc.type()));
    switch (table) {
    case NuTable::attribute: read_records(doc, table, source, opt, tables.attribute); break;
    case NuTable::calibrated_sensor: read_records(doc, table, source, opt, tables.calibrated_sensor); break;
    case NuTable::category: read_records(doc, table, source, opt, tables.category); break;
    case NuTable::ego_pose: read_records(doc, table, source, opt, tables.ego_pose); break;
    case NuTable::instance: read_records(doc, table, source, opt, tables.instance); break;
    case NuTable::log: read_records(doc, table, source, opt, tables.log); break;
    case NuTable::map: read_records(doc, table, source, opt, tables.map); break;
    case NuTable::sample: read_records(doc, table, source, opt, tables.sample); break;
    case NuTable::sample_annotation: read_records(doc, table, source, opt, tables.sample_annotation); break;
    case NuTable::sample_data: read_records(doc, table, source, opt, tables.sample_data); break;
    case NuTable::scene: read_records(doc, table, source, opt, tables.scene); break;
    case NuTable::sensor: read_records(doc, table, source, opt, tables.sensor); break;
    case NuTable::visibility: read_records(doc, table, source, opt, tables.visibility); break;
    }
}

// ---- dataset ---------------------------------------------------------------------------------

namespace {

template <class Record>
void index_tokens(const std::vector<Record> & records, NuTable table, const std::string & path,
                  std::unordered_map<std::string_view, size_t> & index) {
    index.reserve(records.size());
    for (size_t i = 0; i < records.size(); ++i) {
        auto [it, inserted] = index.emplace(records[i].token, i);
        if (!inserted)
            throw DatasetError(record_context(path, table, i, records[i].token) +
                               ", field 'token': duplicate token (first at record #" + std::to_string(it->second) +
                               ")");
    }
}

}  // namespace

NuScenesDataset::NuScenesDataset(std::string dataroot, std::string version, NuScenesTables tables,
                                 const LoadOptions & opt)
    : dataroot_(std::move(dataroot)), version_(std::move(version)), tables_(std::move(tables)) {
    build_token_index();
    check_links();
    if (opt.check_files) check_files();
    build_reverse_index();
}

std::string NuScenesDataset::table_path(NuTable table) const {
    return dataroot_ + "/" + version_ + "/" + nu_table_name(table) + ".json";
}

void NuScenesDataset::build_token_index() {
    const NuScenesTables & t = tables_;
    auto add = [&](const auto & records, NuTable table) {
        index_tokens(records, table, table_path(table), token_index_[static_cast<int>(table)]);
    };
    add(t.attribute, NuTable::attribute);
    add(t.calibrated_sensor, NuTable::calibrated_sensor);
    add(t.category, NuTable::category);
    add(t.ego_pose, NuTable::ego_pose);
    add(t.instance, NuTable::instance);
    add(t.log, NuTable::log);
    add(t.map, NuTable::map);
    add(t.sample, NuTable::sample);
    add(t.sample_annotation, NuTable::sample_annotation);
    add(t.sample_data, NuTable::sample_data);
    add(t.scene, NuTable::scene);
    add(t.sensor, NuTable::sensor);
    add(t.visibility, NuTable::visibility);
}

std::optional<size_t> NuScenesDataset::find(NuTable table, std::string_view token) const {
    const auto & index = token_index_[static_cast<int>(table)];
    auto it = index.find(token);
    if (it == index.end()) return std::nullopt;
    return it->second;
}

size_t NuScenesDataset::index(NuTable table, std::string_view token) const {
    std::optional<size_t> i = find(table, token);
    if (!i) throw DatasetError(table_path(table) + ": no record with token " + quote_token(token) + " in table " +
                               nu_table_name(table));
    return *i;
}

void NuScenesDataset::check_links() const {
    const NuScenesTables & t = tables_;
    // One foreign key of one record: must name a record of `target` ("" only where the schema allows it).
    auto link = [&](NuTable from, size_t i, const std::string & token, const char * field, NuTable target,
                    const std::string & value, bool empty_allowed) {
        if (value.empty() && empty_allowed) return;
        if (find(target, value)) return;
        std::string problem = value.empty() ? std::string("empty, expected a token of table ") + nu_table_name(target)
                                            : quote_token(value) + " is not a token of table " + nu_table_name(target);
        throw DatasetError(record_context(table_path(from), from, i, token) + ", field '" + field + "': " + problem);
    };
    for (size_t i = 0; i < t.calibrated_sensor.size(); ++i) {
        const NuCalibratedSensor & c = t.calibrated_sensor[i];
        link(NuTable::calibrated_sensor, i, c.token, "sensor_token", NuTable::sensor, c.sensor_token, false);
        const NuSensor & s = t.sensor[*find(NuTable::sensor, c.sensor_token)];
        if (s.modality == "camera" && !c.camera_intrinsic)
            throw DatasetError(record_context(table_path(NuTable::calibrated_sensor), NuTable::calibrated_sensor, i,
                                              c.token) +
                               ", field 'camera_intrinsic': empty, but sensor " + quote_token(s.channel) +
                               " is a camera");
    }
    for (size_t i = 0; i < t.instance.size(); ++i) {
        const NuInstance & r = t.instance[i];
        link(NuTable::instance, i, r.token, "category_token", NuTable::category, r.category_token, false);
        link(NuTable::instance, i, r.token, "first_annotation_token", NuTable::sample_annotation,
             r.first_annotation_token, true);
        link(NuTable::instance, i, r.token, "last_annotation_token", NuTable::sample_annotation,
             r.last_annotation_token, true);
    }
    for (size_t i = 0; i < t.map.size(); ++i)
        for (const std::string & log : t.map[i].log_tokens)
            link(NuTable::map, i, t.map[i].token, "log_tokens", NuTable::log, log, false);
    for (size_t i = 0; i < t.sample.size(); ++i) {
        const NuSample & s = t.sample[i];
        link(NuTable::sample, i, s.token, "scene_token", NuTable::scene, s.scene_token, false);
        link(NuTable::sample, i, s.token, "prev", NuTable::sample, s.prev, true);
        link(NuTable::sample, i, s.token, "next", NuTable::sample, s.next, true);
    }
    for (size_t i = 0; i < t.sample_annotation.size(); ++i) {
        const NuSampleAnnotation & a = t.sample_annotation[i];
        const NuTable tab = NuTable::sample_annotation;
        link(tab, i, a.token, "sample_token", NuTable::sample, a.sample_token, false);
        link(tab, i, a.token, "instance_token", NuTable::instance, a.instance_token, false);
        link(tab, i, a.token, "visibility_token", NuTable::visibility, a.visibility_token, true);
        for (const std::string & attr : a.attribute_tokens)
            link(tab, i, a.token, "attribute_tokens", NuTable::attribute, attr, false);
        link(tab, i, a.token, "prev", tab, a.prev, true);
        link(tab, i, a.token, "next", tab, a.next, true);
    }
    for (size_t i = 0; i < t.sample_data.size(); ++i) {
        const NuSampleData & d = t.sample_data[i];
        const NuTable tab = NuTable::sample_data;
        link(tab, i, d.token, "sample_token", NuTable::sample, d.sample_token, false);
        link(tab, i, d.token, "ego_pose_token", NuTable::ego_pose, d.ego_pose_token, false);
        link(tab, i, d.token, "calibrated_sensor_token", NuTable::calibrated_sensor, d.calibrated_sensor_token, false);
        link(tab, i, d.token, "prev", tab, d.prev, true);
        link(tab, i, d.token, "next", tab, d.next, true);
    }
    for (size_t i = 0; i < t.scene.size(); ++i) {
        const NuScene & s = t.scene[i];
        link(NuTable::scene, i, s.token, "log_token", NuTable::log, s.log_token, false);
        link(NuTable::scene, i, s.token, "first_sample_token", NuTable::sample, s.first_sample_token, true);
        link(NuTable::scene, i, s.token, "last_sample_token", NuTable::sample, s.last_sample_token, true);
    }
}

void NuScenesDataset::check_files() const {
    auto check = [&](NuTable table, size_t i, const std::string & token, const std::string & filename) {
        std::string path = dataroot_ + "/" + filename;
        std::error_code ec;
        if (filename.empty() || !std::filesystem::is_regular_file(path, ec))
            throw DatasetError(record_context(table_path(table), table, i, token) + ", field 'filename': file '" +
                               path + "' not found");
    };
    for (size_t i = 0; i < tables_.sample_data.size(); ++i)
        check(NuTable::sample_data, i, tables_.sample_data[i].token, tables_.sample_data[i].filename);
    for (size_t i = 0; i < tables_.map.size(); ++i)
        check(NuTable::map, i, tables_.map[i].token, tables_.map[i].filename);
}

void NuScenesDataset::build_reverse_index() {
    const NuScenesTables & t = tables_;
    sample_data_sensor_.resize(t.sample_data.size());
    sample_data_ego_pose_.resize(t.sample_data.size());
    sample_data_calibrated_sensor_.resize(t.sample_data.size());
    sample_data_.assign(t.sample.size(), {});
    for (size_t i = 0; i < t.sample_data.size(); ++i) {
        const NuSampleData & d = t.sample_data[i];
        size_t cs = *find(NuTable::calibrated_sensor, d.calibrated_sensor_token);
        sample_data_calibrated_sensor_[i] = cs;
        sample_data_ego_pose_[i] = *find(NuTable::ego_pose, d.ego_pose_token);
        sample_data_sensor_[i] = *find(NuTable::sensor, t.calibrated_sensor[cs].sensor_token);
        if (!d.is_key_frame) continue;
        const std::string & channel = t.sensor[sample_data_sensor_[i]].channel;
        std::vector<ChannelData> & data = sample_data_[*find(NuTable::sample, d.sample_token)];
        bool replaced = false;
        for (ChannelData & c : data)
            if (c.channel == channel) {
                c.sample_data = i;
                replaced = true;
            }
        if (!replaced) data.push_back({channel, i});
    }
    annotations_.assign(t.sample.size(), {});
    annotation_category_.resize(t.sample_annotation.size());
    for (size_t i = 0; i < t.sample_annotation.size(); ++i) {
        const NuSampleAnnotation & a = t.sample_annotation[i];
        annotations_[*find(NuTable::sample, a.sample_token)].push_back(i);
        const NuInstance & inst = t.instance[*find(NuTable::instance, a.instance_token)];
        annotation_category_[i] = *find(NuTable::category, inst.category_token);
    }
    log_map_.assign(t.log.size(), std::nullopt);
    for (size_t m = 0; m < t.map.size(); ++m)
        for (const std::string & log : t.map[m].log_tokens) log_map_[*find(NuTable::log, log)] = m;
}

std::optional<size_t> NuScenesDataset::key_frame(size_t sample, std::string_view channel) const {
    for (const ChannelData & c : sample_data_[sample])
        if (c.channel == channel) return c.sample_data;
    return std::nullopt;
}

const std::string & NuScenesDataset::category_name(size_t annotation) const {
    return tables_.category[annotation_category_[annotation]].name;
}

const NuSensor & NuScenesDataset::sensor_of(size_t sample_data) const {
    return tables_.sensor[sample_data_sensor_[sample_data]];
}

const NuEgoPose & NuScenesDataset::ego_pose_of(size_t sample_data) const {
    return tables_.ego_pose[sample_data_ego_pose_[sample_data]];
}

const NuCalibratedSensor & NuScenesDataset::calibrated_sensor_of(size_t sample_data) const {
    return tables_.calibrated_sensor[sample_data_calibrated_sensor_[sample_data]];
}

Pose NuScenesDataset::ego_to_global(size_t sample_data) const {
    const NuEgoPose & e = ego_pose_of(sample_data);
    return {e.translation, e.rotation};
}

Pose NuScenesDataset::sensor_to_ego(size_t sample_data) const {
    const NuCalibratedSensor & c = calibrated_sensor_of(sample_data);
    return {c.translation, c.rotation};
}

Box3D NuScenesDataset::annotation_box(size_t annotation) const {
    const NuSampleAnnotation & a = tables_.sample_annotation[annotation];
    return {a.translation, a.size, a.rotation};
}

Box3D NuScenesDataset::box_in_sensor(size_t annotation, size_t sample_data) const {
    return annotation_box(annotation).in_frame(ego_to_global(sample_data)).in_frame(sensor_to_ego(sample_data));
}

std::optional<ProjectedBox> NuScenesDataset::project_annotation(size_t annotation, size_t sample_data) const {
    const NuCalibratedSensor & c = calibrated_sensor_of(sample_data);
    if (!c.camera_intrinsic) return std::nullopt;
    return project_box(box_in_sensor(annotation, sample_data), *c.camera_intrinsic);
}

NuScenesDataset load_nuscenes(const std::string & dataroot, const std::string & version, const LoadOptions & opt) {
    NuScenesTables tables;
    for (int t = 0; t < kNumNuTables; ++t) {
        if (opt.job) {
            opt.job->checkpoint();
            opt.job->report(t, kNumNuTables + 1, std::string("reading ") + kNuTableNames[t]);
        }
        std::string path = dataroot + "/" + version + "/" + kNuTableNames[t] + ".json";
        parse_nuscenes_table(static_cast<NuTable>(t), read_table_file(path), path, tables, opt);
    }
    if (opt.job) {
        opt.job->checkpoint();
        opt.job->report(kNumNuTables, kNumNuTables + 1, "indexing");
    }
    NuScenesDataset dataset(dataroot, version, std::move(tables), opt);
    if (opt.job) opt.job->report(kNumNuTables + 1, kNumNuTables + 1, "done");
    return dataset;
}

}  // namespace rs
