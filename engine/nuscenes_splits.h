// Dataset splits for evaluation and training: the devkit's predefined nuScenes scene lists
// (utils/splits.py: train, val, test, mini_train, mini_val) and a dataset's own
// <dataroot>/<version>/splits.json, which our generated datasets carry.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/nuscenes_reader.h"

namespace rs {

// train (700 scenes), val (150), test (150), mini_train (8), mini_val (2).
bool is_predefined_split(std::string_view split);
// Scene names ("scene-0061", ...) of a predefined split in the devkit's order; std::invalid_argument
// for any other name.
std::vector<std::string> predefined_split_scenes(std::string_view split);

// A dataset's own splits, in file order: {"train": ["scene name", ...], "val": [...], ...}.
using SceneSplits = std::vector<std::pair<std::string, std::vector<std::string>>>;

std::string custom_splits_path(const std::string & dataroot, const std::string & version);
// Every member must be a list of strings; DatasetError naming `source` and the split otherwise.
SceneSplits parse_custom_splits(std::string_view json_text, const std::string & source);
// Writes <dataroot>/<version>/splits.json atomically.
void write_custom_splits(const std::string & dataroot, const std::string & version, const SceneSplits & splits);

// Scene names of `split` for this dataset. The dataset's splits.json wins when it names the split:
// generated datasets reuse names like scene-0001 that the devkit's hard-coded lists would claim
// (the devkit itself prefers its own lists). Otherwise a predefined split, which must fit the version
// as in the devkit (train/val: *trainval, mini_*: *mini, test: *test). DatasetError when neither applies.
std::vector<std::string> split_scene_names(const NuScenesDataset & ds, const std::string & split);

// Sample tokens of the split's scenes in sample-table order, as the devkit's load_gt collects them.
// Split scenes absent from the dataset are skipped, as in the devkit.
std::vector<std::string> split_sample_tokens(const NuScenesDataset & ds, const std::string & split);

}  // namespace rs
