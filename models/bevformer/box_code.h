// BEVFormer's 10-number box code (core/bbox/util.py normalize_bbox / denormalize_bbox), shared by
// the head's decoding and the training targets.
//
// A box is 9 numbers in the lidar frame, mmdet3d v0.17.1 convention:
//   cx, cy, cz (gravity centre, m), w, l, h (nuScenes size order, m), yaw, vx, vy (m/s)
// where yaw = -yaw_nus - pi/2 and yaw_nus is the nuScenes heading expressed in the lidar frame
// (the official GT converter stores it so; decoding to nuScenes undoes it).
// Its code is cx, cy, log w, log l, cz, log h, sin yaw, cos yaw, vx, vy.
#pragma once

#include <torch/types.h>

namespace rs {

constexpr int kBoxDims = 9;
constexpr int kBoxCodeDims = 10;
constexpr int kCodeVelocity = 8;  // vx, vy: the code's last two numbers

// boxes [..., 9] -> codes [..., 10]; sizes must be positive.
torch::Tensor normalize_boxes(const torch::Tensor & boxes);
// codes [..., 10] -> boxes [..., 9]; sizes are exp of the log sizes, yaw = atan2(sin, cos).
torch::Tensor denormalize_boxes(const torch::Tensor & codes);

}  // namespace rs
