// Shared set-up for the UI tests: private settings, the Vulkan check (skip, or fail under CI=true),
// and waiting for frames to reach the view.
#pragma once

#include <QString>

namespace rs {

class MainWindow;

// Points QSettings at a fresh temporary folder; call before QApplication exists.
void isolate_settings(const char * test_name);
bool running_under_ci();
// Empty when a Vulkan device can render offscreen; else the reason.
QString vulkan_unavailable_reason();
// Waits until the view has drawn the mailbox's newest frame (or the timeout passes).
bool wait_for_view(MainWindow & window, int timeout_ms = 20000);

}  // namespace rs

// QSKIP with the reason, or QFAIL under CI=true, when Vulkan is missing.
#define RS_REQUIRE_VULKAN(reason)                                                       \
    do {                                                                                \
        const QString why_ = (reason);                                                  \
        if (!why_.isEmpty()) {                                                          \
            if (rs::running_under_ci()) QFAIL(qPrintable("no Vulkan under CI: " + why_)); \
            QSKIP(qPrintable("no Vulkan device: " + why_));                              \
        }                                                                               \
    } while (false)
