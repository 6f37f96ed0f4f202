// Planar vector arithmetic for the world's 2D layout code (roads, lanes, sidewalks). Kept in its own
// namespace so other engine code that defines Vec2 operators never collides with these.
#pragma once

#include <cmath>

#include "engine/geometry.h"

namespace rs {
namespace vec2_ops {

inline Vec2 operator+(Vec2 a, Vec2 b) { return {a.x + b.x, a.y + b.y}; }
inline Vec2 operator-(Vec2 a, Vec2 b) { return {a.x - b.x, a.y - b.y}; }
inline Vec2 operator*(Vec2 a, double s) { return {a.x * s, a.y * s}; }
inline Vec2 operator*(double s, Vec2 a) { return {a.x * s, a.y * s}; }
inline double dot(Vec2 a, Vec2 b) { return a.x * b.x + a.y * b.y; }
inline double cross(Vec2 a, Vec2 b) { return a.x * b.y - a.y * b.x; }
inline double length(Vec2 a) { return std::sqrt(dot(a, a)); }
inline double distance(Vec2 a, Vec2 b) { return length(a - b); }
inline Vec2 normalized(Vec2 a) {
    double n = length(a);
    return n > 0 ? a * (1.0 / n) : a;
}
// Rotated 90 degrees counter-clockwise: the left normal of a direction.
inline Vec2 left_of(Vec2 a) { return {-a.y, a.x}; }
inline Vec2 from_heading(double yaw) { return {std::cos(yaw), std::sin(yaw)}; }
inline double heading_of(Vec2 a) { return std::atan2(a.y, a.x); }
inline Vec2 lerp(Vec2 a, Vec2 b, double t) { return a + (b - a) * t; }

}  // namespace vec2_ops
}  // namespace rs
