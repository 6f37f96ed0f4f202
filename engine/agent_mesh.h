// Shapes for annotated objects: built from boxes (and cones for traffic cones) in the object's box
// frame and clipped to its annotation box, so every triangle carries the object's instance id and
// stays inside the box the dataset records.
#pragma once

#include "engine/agent_catalog.h"
#include "engine/scene_mesh.h"

namespace rs {

void add_agent_mesh(const AgentState & agent, const AgentLook & look, SceneMesh & out);

}  // namespace rs
