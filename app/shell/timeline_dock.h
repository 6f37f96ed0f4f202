// Dataset playback controls: play/pause, step, ±10, first/last, speed, loop and a scrubber over
// the scene's key frames. Playback waits the real time between samples, divided by the speed.
#pragma once

#include <QDockWidget>
#include <QTimer>

#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QSlider;
class QToolButton;

namespace rs {

class TimelineDock : public QDockWidget {
    Q_OBJECT
public:
    explicit TimelineDock(QWidget * parent = nullptr);

    // Sample times (s) of the scene; resets to the first sample and stops.
    void set_times(const std::vector<double> & times);
    int position() const { return position_; }
    int count() const { return int(times_.size()); }
    bool playing() const { return playing_; }
    double speed() const;
    bool loop() const;
    void set_loop(bool on);
    void set_speed_index(int index);
    int speed_index() const;

public Q_SLOTS:
    void set_position(int position);
    void step(int delta);
    void set_playing(bool on);
    void toggle_playing();
    void go_first() { set_position(0); }
    void go_last() { set_position(count() - 1); }

Q_SIGNALS:
    void position_changed(int position);
    void playing_changed(bool playing);

private:
    void advance();
    void schedule_next();
    void refresh();

    std::vector<double> times_;
    int position_ = 0;
    bool playing_ = false;
    QTimer timer_;
    QToolButton * play_ = nullptr;
    QSlider * slider_ = nullptr;
    QLabel * label_ = nullptr;
    QComboBox * speed_ = nullptr;
    QCheckBox * loop_ = nullptr;
};

}  // namespace rs
