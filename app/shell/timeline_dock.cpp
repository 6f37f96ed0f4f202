#include "app/shell/timeline_dock.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QStyle>
#include <QToolButton>

#include <algorithm>

namespace rs {

namespace {

constexpr double kSpeeds[] = {0.25, 0.5, 1.0, 2.0, 4.0};
constexpr int kDefaultSpeed = 2;

QToolButton * tool_button(QWidget * parent, QStyle::StandardPixmap icon, const QString & tip) {
    auto * b = new QToolButton(parent);
    b->setIcon(parent->style()->standardIcon(icon));
    b->setToolTip(tip);
    b->setAutoRaise(true);
    b->setFocusPolicy(Qt::NoFocus);  // keys belong to the view's shortcuts
    return b;
}

}  // namespace

TimelineDock::TimelineDock(QWidget * parent) : QDockWidget(tr("Timeline"), parent) {
    setObjectName(QStringLiteral("timeline_dock"));
    auto * body = new QWidget(this);
    auto * row = new QHBoxLayout(body);
    row->setContentsMargins(6, 2, 6, 2);
    QToolButton * first = tool_button(body, QStyle::SP_MediaSkipBackward, tr("First sample (Home)"));
    QToolButton * back = tool_button(body, QStyle::SP_MediaSeekBackward, tr("Previous sample (Left)"));
    play_ = tool_button(body, QStyle::SP_MediaPlay, tr("Play / pause (Space)"));
    QToolButton * forward = tool_button(body, QStyle::SP_MediaSeekForward, tr("Next sample (Right)"));
    QToolButton * last = tool_button(body, QStyle::SP_MediaSkipForward, tr("Last sample (End)"));
    slider_ = new QSlider(Qt::Horizontal, body);
    slider_->setFocusPolicy(Qt::NoFocus);
    slider_->setRange(0, 0);
    label_ = new QLabel(body);
    label_->setMinimumWidth(150);
    label_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    speed_ = new QComboBox(body);
    speed_->setFocusPolicy(Qt::NoFocus);
    for (double s : kSpeeds) speed_->addItem(QStringLiteral("%1×").arg(s));
    speed_->setCurrentIndex(kDefaultSpeed);
    speed_->setToolTip(tr("Playback speed"));
    loop_ = new QCheckBox(tr("Loop"), body);
    loop_->setFocusPolicy(Qt::NoFocus);
    for (QWidget * w : std::initializer_list<QWidget *>{first, back, play_, forward, last}) row->addWidget(w);
    row->addWidget(slider_, 1);
    row->addWidget(label_);
    row->addWidget(speed_);
    row->addWidget(loop_);
    setWidget(body);

    timer_.setSingleShot(true);
    connect(&timer_, &QTimer::timeout, this, &TimelineDock::advance);
    connect(first, &QToolButton::clicked, this, &TimelineDock::go_first);
    connect(last, &QToolButton::clicked, this, &TimelineDock::go_last);
    connect(back, &QToolButton::clicked, this, [this] { step(-1); });
    connect(forward, &QToolButton::clicked, this, [this] { step(1); });
    connect(play_, &QToolButton::clicked, this, &TimelineDock::toggle_playing);
    connect(slider_, &QSlider::valueChanged, this, &TimelineDock::set_position);
    refresh();
}

void TimelineDock::set_times(const std::vector<double> & times) {
    set_playing(false);
    times_ = times;
    position_ = 0;
    slider_->blockSignals(true);
    slider_->setRange(0, std::max(0, count() - 1));
    slider_->setValue(0);
    slider_->blockSignals(false);
    refresh();
}

double TimelineDock::speed() const { return kSpeeds[std::clamp(speed_->currentIndex(), 0, 4)]; }
bool TimelineDock::loop() const { return loop_->isChecked(); }
void TimelineDock::set_loop(bool on) { loop_->setChecked(on); }
void TimelineDock::set_speed_index(int index) { speed_->setCurrentIndex(std::clamp(index, 0, 4)); }
int TimelineDock::speed_index() const { return speed_->currentIndex(); }

void TimelineDock::set_position(int position) {
    if (times_.empty()) return;
    position = std::clamp(position, 0, count() - 1);
    if (position == position_) return;
    position_ = position;
    refresh();
    Q_EMIT position_changed(position_);
}

void TimelineDock::step(int delta) { set_position(position_ + delta); }

void TimelineDock::set_playing(bool on) {
    if (on == playing_) return;
    playing_ = on && count() > 1;
    if (playing_) {
        if (position_ >= count() - 1 && !loop()) set_position(0);
        schedule_next();
    } else {
        timer_.stop();
    }
    refresh();
    Q_EMIT playing_changed(playing_);
}

void TimelineDock::toggle_playing() { set_playing(!playing_); }

void TimelineDock::schedule_next() {
    if (!playing_ || times_.empty()) return;
    int next = position_ + 1 < count() ? position_ + 1 : 0;
    double gap = next > position_ ? times_[size_t(next)] - times_[size_t(position_)] : 0.5;
    timer_.start(std::max(10, int(1000.0 * std::max(gap, 0.02) / speed())));
}

void TimelineDock::advance() {
    if (position_ + 1 < count()) {
        set_position(position_ + 1);
    } else if (loop()) {
        set_position(0);
    } else {
        set_playing(false);
        return;
    }
    schedule_next();
}

void TimelineDock::refresh() {
    play_->setIcon(style()->standardIcon(playing_ ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
    slider_->blockSignals(true);
    slider_->setValue(position_);
    slider_->blockSignals(false);
    if (times_.empty()) {
        label_->setText(tr("no dataset"));
        return;
    }
    label_->setText(tr("%1 / %2   %3 s").arg(position_ + 1).arg(count()).arg(times_[size_t(position_)], 0, 'f', 1));
}

}  // namespace rs
