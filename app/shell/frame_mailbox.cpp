#include "app/shell/frame_mailbox.h"

#include <utility>

namespace rs {

void FrameMailbox::set_listener(std::function<void()> listener) {
    std::lock_guard<std::mutex> lock(mutex_);
    listener_ = std::move(listener);
}

void FrameMailbox::post(ViewFramePtr frame) {
    std::function<void()> listener;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        frame_ = std::move(frame);
        ++sequence_;
        listener = listener_;
    }
    if (listener) listener();
}

ViewFramePtr FrameMailbox::latest() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return frame_;
}

uint64_t FrameMailbox::sequence() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return sequence_;
}

void FrameMailbox::clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    frame_.reset();
    ++sequence_;
}

}  // namespace rs
