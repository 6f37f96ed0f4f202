// Writes nuScenes v1.0 tables as the real files look: one JSON list per table, 1-space indentation,
// fields in the real files' order, floats as Python writes them. Same tables -> same bytes.
#pragma once

#include <string>

#include "engine/dataset_error.h"
#include "engine/job.h"
#include "engine/nuscenes_tables.h"

namespace rs {

// The text of one table file.
std::string nuscenes_table_json(const NuScenesTables & tables, NuTable table);

// Writes <dir>/<version>/<table>.json for all 13 tables, creating the folders. Each file goes to a
// temporary name first and is renamed over the target when complete, so a failure never leaves a
// truncated table behind. Throws DatasetError naming the path on I/O errors.
void write_nuscenes(const NuScenesTables & tables, const std::string & dir, const std::string & version,
                    const JobContext * job = nullptr);

}  // namespace rs
