// Hands the newest ViewFrame from a worker thread to the UI thread: the worker swaps a pointer in
// under a mutex, the UI takes the latest one when it paints. Older frames are simply dropped.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>

#include "app/shell/view_frame.h"

namespace rs {

class FrameMailbox {
public:
    // Called on the posting thread after every post; must only schedule work on the UI thread.
    void set_listener(std::function<void()> listener);
    void post(ViewFramePtr frame);
    ViewFramePtr latest() const;
    uint64_t sequence() const;  // grows by one per post
    void clear();

private:
    mutable std::mutex mutex_;
    ViewFramePtr frame_;
    uint64_t sequence_ = 0;
    std::function<void()> listener_;
};

}  // namespace rs
