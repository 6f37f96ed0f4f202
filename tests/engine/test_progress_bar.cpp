#include "engine/progress_bar.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace rs {
namespace {

TEST(ProgressBar, FormatsDurations) {
    EXPECT_EQ(format_duration(0), "00:00");
    EXPECT_EQ(format_duration(75.4), "01:15");
    EXPECT_EQ(format_duration(3725), "1:02:05");
    EXPECT_EQ(format_duration(-1), "--:--");
}

// Under ctest stderr is not a terminal: one line per 10 %, with the rate counted from the first
// update (a resumed run starting at step 40 of 100).
TEST(ProgressBar, LogLinesShowRateFromTheFirstUpdate) {
    testing::internal::CaptureStderr();
    {
        ProgressBar bar("train", "samples", 4.0);
        bar.update(40, 100);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        bar.update(50, 100, "loss 0.5");
    }
    const std::string out = testing::internal::GetCapturedStderr();
    if (out.find('\r') != std::string::npos) GTEST_SKIP() << "stderr is a terminal";
    EXPECT_NE(out.find("train ["), std::string::npos) << out;
    EXPECT_NE(out.find(" 50% 50/100"), std::string::npos) << out;
    EXPECT_NE(out.find("loss 0.5"), std::string::npos) << out;
    // 10 steps × 4 samples in about 0.2 s: about 200 samples/s, certainly between 20 and 205.
    const size_t at = out.find(" samples/s");
    ASSERT_NE(at, std::string::npos) << out;
    const double rate = std::stod(out.substr(out.rfind(' ', at - 1) + 1));
    EXPECT_GT(rate, 20.0);
    EXPECT_LT(rate, 205.0);
}

}  // namespace
}  // namespace rs
