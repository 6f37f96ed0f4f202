#include "engine/nuscenes_splits.h"

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <unordered_set>

#include "engine/dataset_error.h"
#include "engine/file_io.h"
#include "engine/json.h"

namespace rs {

namespace {

// The devkit lists scenes by name; every list is ascending, so runs of consecutive scene numbers
// hold them compactly. Checked against the devkit's lists (700 / 150 / 150 / 8 / 2 scenes).
struct SceneRun {
    int first, last;
};

constexpr SceneRun kTrain[] = {
    {1, 2}, {4, 11}, {19, 34}, {41, 76}, {120, 135}, {138, 139}, {149, 152}, {154, 155}, {157, 168}, {170, 185},
    {187, 188}, {190, 196}, {199, 200}, {202, 204}, {206, 214}, {218, 220}, {222, 222}, {224, 264}, {283, 306},
    {315, 318}, {321, 321}, {323, 324}, {328, 328}, {347, 386}, {388, 403}, {405, 408}, {410, 459}, {461, 465},
    {467, 469}, {471, 472}, {474, 480}, {499, 502}, {504, 515}, {517, 518}, {525, 539}, {541, 546}, {566, 566},
    {568, 568}, {570, 578}, {580, 580}, {582, 600}, {639, 679}, {681, 681}, {683, 689}, {695, 698}, {700, 701},
    {703, 719}, {726, 728}, {730, 731}, {733, 741}, {744, 744}, {746, 747}, {749, 752}, {757, 765}, {767, 769},
    {786, 787}, {789, 792}, {803, 806}, {808, 813}, {815, 817}, {819, 822}, {847, 856}, {858, 858}, {860, 866},
    {868, 873}, {875, 878}, {880, 880}, {882, 903}, {945, 945}, {947, 947}, {949, 949}, {952, 953}, {955, 961},
    {975, 984}, {988, 992}, {994, 1025}, {1044, 1058}, {1074, 1102}, {1104, 1110}};

constexpr SceneRun kVal[] = {
    {3, 3}, {12, 18}, {35, 36}, {38, 39}, {92, 110}, {221, 221}, {268, 278}, {329, 332}, {344, 346}, {519, 524},
    {552, 565}, {625, 627}, {629, 630}, {632, 638}, {770, 771}, {775, 775}, {777, 778}, {780, 784}, {794, 800},
    {802, 802}, {904, 917}, {919, 931}, {962, 963}, {966, 969}, {971, 972}, {1059, 1073}};

constexpr SceneRun kTest[] = {
    {77, 91}, {111, 119}, {140, 140}, {142, 148}, {265, 266}, {279, 282}, {307, 314}, {333, 343}, {481, 498},
    {547, 551}, {601, 604}, {606, 624}, {827, 831}, {833, 842}, {844, 846}, {932, 933}, {935, 943}, {1026, 1043}};

constexpr SceneRun kMiniTrain[] = {{61, 61},   {553, 553},   {655, 655},   {757, 757},
                                   {796, 796}, {1077, 1077}, {1094, 1094}, {1100, 1100}};

constexpr SceneRun kMiniVal[] = {{103, 103}, {916, 916}};

struct PredefinedSplit {
    const char * name;
    const SceneRun * runs;
    size_t num_runs;
    const char * version_suffix;  // the devkit's compatibility check on the dataset version
};

template <size_t N>
constexpr PredefinedSplit split_of(const char * name, const SceneRun (&runs)[N], const char * suffix) {
    return {name, runs, N, suffix};
}

const PredefinedSplit kSplits[] = {
    split_of("train", kTrain, "trainval"), split_of("val", kVal, "trainval"), split_of("test", kTest, "test"),
    split_of("mini_train", kMiniTrain, "mini"), split_of("mini_val", kMiniVal, "mini")};

const PredefinedSplit * find_split(std::string_view name) {
    for (const PredefinedSplit & s : kSplits)
        if (name == s.name) return &s;
    return nullptr;
}

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

bool is_predefined_split(std::string_view split) { return find_split(split) != nullptr; }

std::vector<std::string> predefined_split_scenes(std::string_view split) {
    const PredefinedSplit * s = find_split(split);
    if (!s) throw std::invalid_argument("not a predefined nuScenes split: '" + std::string(split) + "'");
    std::vector<std::string> names;
    for (size_t r = 0; r < s->num_runs; ++r)
        for (int n = s->runs[r].first; n <= s->runs[r].last; ++n) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "scene-%04d", n);
            names.emplace_back(buf);
        }
    return names;
}

std::string custom_splits_path(const std::string & dataroot, const std::string & version) {
    return (std::filesystem::path(dataroot) / version / "splits.json").string();
}

SceneSplits parse_custom_splits(std::string_view json_text, const std::string & source) {
    Json doc;
    try {
        doc = parse_json(json_text, source);
    } catch (const JsonError & e) {
        throw DatasetError(e.what());
    }
    if (!doc.is_object()) throw DatasetError(source + ": expected an object mapping split names to scene-name lists");
    SceneSplits out;
    for (const Json::Member & m : doc.as_object()) {
        if (!m.second.is_array())
            throw DatasetError(source + ": split '" + m.first + "' must be a list of scene names");
        std::vector<std::string> names;
        for (const Json & n : m.second.as_array()) {
            if (!n.is_string()) throw DatasetError(source + ": split '" + m.first + "' must hold only strings");
            names.push_back(n.as_string());
        }
        // A repeated split name replaces the earlier one, as Python's json module does.
        bool replaced = false;
        for (auto & [name, list] : out)
            if (name == m.first) {
                list = names;
                replaced = true;
            }
        if (!replaced) out.emplace_back(m.first, std::move(names));
    }
    return out;
}

void write_custom_splits(const std::string & dataroot, const std::string & version, const SceneSplits & splits) {
    Json doc = Json::object();
    for (const auto & [name, scenes] : splits) {
        Json list = Json::array();
        for (const std::string & s : scenes) list.push_back(s);
        doc.set(name, std::move(list));
    }
    JsonWriteOptions opt;
    opt.indent = 2;
    write_file_atomic(custom_splits_path(dataroot, version), write_json(doc, opt));
}

std::vector<std::string> split_scene_names(const NuScenesDataset & ds, const std::string & split) {
    const std::string path = custom_splits_path(ds.dataroot(), ds.version());
    if (std::filesystem::is_regular_file(path)) {
        std::string text;
        try {
            text = read_file_text(path);
        } catch (const std::runtime_error & e) {
            throw DatasetError(e.what());
        }
        for (auto & [name, scenes] : parse_custom_splits(text, path))
            if (name == split) return scenes;
    }
    const PredefinedSplit * s = find_split(split);
    if (!s)
        throw DatasetError("unknown split '" + split + "': not a nuScenes split (train, val, test, mini_train, "
                           "mini_val) and not listed in " + path);
    if (!ends_with(ds.version(), s->version_suffix))
        throw DatasetError("split '" + split + "' needs a dataset version ending in '" + s->version_suffix +
                           "', not '" + ds.version() + "'");
    return predefined_split_scenes(split);
}

std::vector<std::string> split_sample_tokens(const NuScenesDataset & ds, const std::string & split) {
    const std::vector<std::string> names = split_scene_names(ds, split);
    const std::unordered_set<std::string> wanted(names.begin(), names.end());
    const NuScenesTables & t = ds.tables();
    std::vector<std::string> tokens;
    for (const NuSample & s : t.sample)
        if (wanted.count(t.scene[ds.index(NuTable::scene, s.scene_token)].name)) tokens.push_back(s.token);
    return tokens;
}

}  // namespace rs
