// A 2D polyline with arc-length parametrisation: lanes, road centre lines and sidewalk paths.
#pragma once

#include <vector>

#include "engine/geometry.h"

namespace rs {

class Polyline {
public:
    Polyline() = default;
    explicit Polyline(std::vector<Vec2> points);

    const std::vector<Vec2> & points() const { return points_; }
    const std::vector<double> & arc() const { return arc_; }  // cumulative length at each point
    double length() const { return arc_.empty() ? 0.0 : arc_.back(); }

    // Point and unit tangent at arc length s; s outside [0, length] extrapolates along the end tangents
    // so look-ahead past a lane end stays well defined.
    Vec2 point_at(double s) const;
    Vec2 tangent_at(double s) const;
    double heading_at(double s) const;

    struct Projection {
        double s = 0;         // arc length of the closest point
        double lateral = 0;   // signed offset, left of the direction of travel positive
        double distance = 0;  // unsigned distance to the closest point
    };
    Projection project(Vec2 p) const;
    // Same, searching only segments that overlap [s_lo, s_hi]: cheap tracking of a moving point.
    Projection project_between(Vec2 p, double s_lo, double s_hi) const;

    // Parallel curve at signed distance d (left positive), using vertex normals.
    Polyline offset(double d) const;
    Polyline reversed() const;
    // Largest curvature (1/m) over the polyline, from the turn angle at each interior vertex.
    double max_curvature() const;

private:
    int segment_at(double s) const;

    std::vector<Vec2> points_;
    std::vector<double> arc_;
};

// Cubic Bezier from p0 to p3 sampled every ~`step` metres (by chord length).
std::vector<Vec2> sample_bezier(Vec2 p0, Vec2 p1, Vec2 p2, Vec2 p3, double step);

}  // namespace rs
