// The pure parts under the view: near-plane clipping of projected boxes and the view layout.
#include <QTest>

#include "app/shell/box_projection.h"
#include "app/shell/view_layout.h"

using namespace rs;

class OverlayMathTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void box_in_front_projects_all_edges();
    void box_behind_camera_is_dropped();
    void straddling_box_is_clipped_at_near_plane();
    void layout_keeps_cells_inside_and_disjoint();
};

namespace {

// A camera at the origin looking along world +x (camera z), image x = world -y, image y = world -z.
CameraView forward_camera() {
    CameraView v;
    Mat3 r;
    r.m = {0, 0, 1, -1, 0, 0, 0, -1, 0};  // columns: camera x, y, z in world
    v.camera_to_world = {{0, 0, 0}, Quat::from_matrix(r)};
    v.intrinsics = {100, 100, 160, 90};
    v.width = 320;
    v.height = 180;
    v.near_plane = 0.5;
    return v;
}

Box3D box_at(double x) { return {{x, 0, 0}, {2, 4, 1.5}, Quat{}}; }

}  // namespace

void OverlayMathTest::box_in_front_projects_all_edges() {
    std::vector<PixelSegment> edges = project_box_edges(box_at(20), forward_camera());
    QCOMPARE(int(edges.size()), 12);
    for (const PixelSegment & e : edges) {
        QVERIFY(e.a.x > 100 && e.a.x < 220);
        QVERIFY(e.a.y > 50 && e.a.y < 130);
    }
}

void OverlayMathTest::box_behind_camera_is_dropped() {
    QVERIFY(project_box_edges(box_at(-10), forward_camera()).empty());
}

void OverlayMathTest::straddling_box_is_clipped_at_near_plane() {
    // Spans x in [-2, 2]: the back face is behind the camera, four edges cross the near plane.
    std::vector<PixelSegment> edges = project_box_edges(box_at(0), forward_camera());
    QCOMPARE(int(edges.size()), 8);  // front face (4) + four clipped lengthwise edges
    for (const PixelSegment & e : edges) {
        QVERIFY(std::isfinite(e.a.x) && std::isfinite(e.b.x));
        // Nothing may land on the wrong side of the image centre the way unclipped corners do.
        QVERIFY(std::fabs(e.a.y - 90) <= 0.75 / 0.5 * 100 + 1e-6);
    }
}

void OverlayMathTest::layout_keeps_cells_inside_and_disjoint() {
    for (QSize s : {QSize(1338, 907), QSize(2400, 700), QSize(640, 480), QSize(320, 200)}) {
        ViewLayout l = ViewLayout::compute(float(s.width()), float(s.height()), 16.0f / 9.0f);
        for (int i = 0; i < 6; ++i) {
            const Rect & c = l.cells[size_t(i)];
            QVERIFY(c.x >= 0 && c.y >= 0 && c.x + c.w <= s.width() + 0.5f && c.y + c.h <= s.height() + 0.5f);
            QVERIFY(std::fabs(c.w / c.h - 16.0f / 9.0f) < 0.01f);
            for (int j = i + 1; j < 6; ++j) {
                const Rect & d = l.cells[size_t(j)];
                bool apart = c.x + c.w <= d.x || d.x + d.w <= c.x || c.y + c.h <= d.y || d.y + d.h <= c.y;
                QVERIFY(apart);
            }
        }
        QVERIFY(l.bev.w > 0 && l.bev.h > 0);
        QVERIFY(l.cells[0].y < l.cells[3].y);  // front row above back row
    }
}

QTEST_GUILESS_MAIN(OverlayMathTest)
#include "test_ui_overlay_math.moc"
