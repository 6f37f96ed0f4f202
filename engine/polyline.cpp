#include "engine/polyline.h"

#include <algorithm>
#include <cmath>

#include "engine/vec2_ops.h"

namespace rs {

using namespace vec2_ops;

Polyline::Polyline(std::vector<Vec2> points) {
    // Drop repeated points: a zero-length segment has no tangent.
    for (const Vec2 & p : points)
        if (points_.empty() || distance(points_.back(), p) > 1e-6) points_.push_back(p);
    arc_.resize(points_.size());
    double s = 0;
    for (size_t i = 0; i < points_.size(); ++i) {
        if (i > 0) s += distance(points_[i - 1], points_[i]);
        arc_[i] = s;
    }
}

int Polyline::segment_at(double s) const {
    int n = int(points_.size());
    if (n < 2) return 0;
    auto it = std::upper_bound(arc_.begin(), arc_.end(), s);
    int i = int(it - arc_.begin()) - 1;
    return std::clamp(i, 0, n - 2);
}

Vec2 Polyline::point_at(double s) const {
    if (points_.empty()) return {};
    if (points_.size() == 1) return points_[0];
    int i = segment_at(s);
    double seg = arc_[i + 1] - arc_[i];
    double t = (s - arc_[i]) / seg;
    return points_[i] + (points_[i + 1] - points_[i]) * t;
}

Vec2 Polyline::tangent_at(double s) const {
    if (points_.size() < 2) return {1, 0};
    int i = segment_at(s);
    return normalized(points_[i + 1] - points_[i]);
}

double Polyline::heading_at(double s) const { return heading_of(tangent_at(s)); }

Polyline::Projection Polyline::project(Vec2 p) const { return project_between(p, -1e18, 1e18); }

Polyline::Projection Polyline::project_between(Vec2 p, double s_lo, double s_hi) const {
    Projection best;
    best.distance = 1e18;
    int n = int(points_.size());
    if (n < 2) {
        if (n == 1) best.distance = distance(points_[0], p);
        return best;
    }
    int first = segment_at(s_lo), last = segment_at(s_hi);
    for (int i = first; i <= last; ++i) {
        Vec2 a = points_[i], d = points_[i + 1] - a;
        double len2 = dot(d, d);
        double t = std::clamp(dot(p - a, d) / len2, 0.0, 1.0);
        Vec2 q = a + d * t;
        double dist = distance(p, q);
        if (dist < best.distance) {
            best.distance = dist;
            best.s = arc_[i] + t * (arc_[i + 1] - arc_[i]);
            best.lateral = cross(d, p - a) >= 0 ? dist : -dist;
        }
    }
    return best;
}

Polyline Polyline::offset(double d) const {
    int n = int(points_.size());
    std::vector<Vec2> out(n);
    for (int i = 0; i < n; ++i) {
        Vec2 t_in = i > 0 ? normalized(points_[i] - points_[i - 1]) : normalized(points_[1] - points_[0]);
        Vec2 t_out = i + 1 < n ? normalized(points_[i + 1] - points_[i]) : t_in;
        Vec2 bis = normalized(t_in + t_out);
        // Scale by 1/cos(half turn) so both adjacent segments stay exactly d away.
        double c = std::max(0.5, dot(bis, t_out));
        out[i] = points_[i] + left_of(bis) * (d / c);
    }
    return Polyline(std::move(out));
}

Polyline Polyline::reversed() const {
    std::vector<Vec2> r(points_.rbegin(), points_.rend());
    return Polyline(std::move(r));
}

double Polyline::max_curvature() const {
    double best = 0;
    for (size_t i = 1; i + 1 < points_.size(); ++i) {
        Vec2 a = points_[i] - points_[i - 1], b = points_[i + 1] - points_[i];
        double turn = std::fabs(std::atan2(cross(a, b), dot(a, b)));
        double span = 0.5 * (vec2_ops::length(a) + vec2_ops::length(b));
        best = std::max(best, turn / span);
    }
    return best;
}

std::vector<Vec2> sample_bezier(Vec2 p0, Vec2 p1, Vec2 p2, Vec2 p3, double step) {
    double chord = distance(p0, p1) + distance(p1, p2) + distance(p2, p3);
    int n = std::max(2, int(std::ceil(chord / step)));
    std::vector<Vec2> pts;
    pts.reserve(n + 1);
    for (int i = 0; i <= n; ++i) {
        double t = double(i) / n, u = 1 - t;
        pts.push_back(p0 * (u * u * u) + p1 * (3 * u * u * t) + p2 * (3 * u * t * t) + p3 * (t * t * t));
    }
    return pts;
}

}  // namespace rs
