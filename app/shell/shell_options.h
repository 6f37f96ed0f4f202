// Command line of `roadsight`: [DIR] or --dataset DIR [--version V], --weights FILE|shipped,
// --screenshot PATH [--size WxH] [--frames N], --bench-frames N, plus Qt's --help and --version.
#pragma once

#include <QSize>
#include <QString>
#include <QStringList>

namespace rs {

struct ShellOptions {
    QString dataset;
    QString version;
    QString weights;     // BEVFormer safetensors to run on dataset frames; "shipped" = the bundled one
    QString screenshot;
    QSize size;          // window size; invalid = remembered geometry
    int frames = 30;     // source frames to show before the screenshot
    int bench_frames = 0;
    QSize camera_size{512, 288};  // Live Sim image size per camera
};

// Parses `arguments` (argv as QStringList); prints help/version and exits like QCommandLineParser::process.
// Returns false with `error` set on a malformed value.
bool parse_shell_options(const QStringList & arguments, ShellOptions & out, QString & error);

}  // namespace rs
