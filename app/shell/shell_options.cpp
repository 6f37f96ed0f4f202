#include "app/shell/shell_options.h"

#include <QCommandLineParser>
#include <QRegularExpression>

namespace rs {

namespace {

bool parse_size(const QString & text, QSize & out) {
    static const QRegularExpression re(QStringLiteral("^(\\d+)x(\\d+)$"));
    QRegularExpressionMatch m = re.match(text);
    if (!m.hasMatch()) return false;
    out = QSize(m.captured(1).toInt(), m.captured(2).toInt());
    return out.width() > 0 && out.height() > 0;
}

}  // namespace

bool parse_shell_options(const QStringList & arguments, ShellOptions & out, QString & error) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Roadsight: a desktop studio for driving world models."));
    p.addHelpOption();
    p.addVersionOption();
    QCommandLineOption dataset(QStringLiteral("dataset"), QStringLiteral("Open a nuScenes-format folder."),
                               QStringLiteral("DIR"));
    QCommandLineOption version(QStringLiteral("version-folder"),
                               QStringLiteral("Dataset version folder (default: detected, e.g. v1.0-mini)."),
                               QStringLiteral("V"));
    QCommandLineOption weights(QStringLiteral("weights"),
                               QStringLiteral("Run BEVFormer weights (.safetensors, or 'shipped') on dataset frames."),
                               QStringLiteral("FILE"));
    QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                  QStringLiteral("Show --frames source frames, save the window as PNG, exit."),
                                  QStringLiteral("PATH"));
    QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size, e.g. 1600x1000."),
                            QStringLiteral("WxH"));
    QCommandLineOption frames(QStringLiteral("frames"), QStringLiteral("Frames before --screenshot (default 30; fewer when no more come for 15 s)."),
                              QStringLiteral("N"), QStringLiteral("30"));
    QCommandLineOption bench(QStringLiteral("bench-frames"),
                             QStringLiteral("Render N view frames, print the mean frame time, exit."),
                             QStringLiteral("N"));
    QCommandLineOption camera(QStringLiteral("camera-size"),
                              QStringLiteral("Live Sim image size per camera (default 512x288)."),
                              QStringLiteral("WxH"));
    p.addPositionalArgument(QStringLiteral("dir"), QStringLiteral("A nuScenes-format folder to open (same as --dataset)."),
                            QStringLiteral("[DIR]"));
    p.addOptions({dataset, version, weights, screenshot, size, frames, bench, camera});
    // `--version V` names the dataset version when followed by a value; bare `--version` prints ours.
    QStringList args = arguments;
    for (int i = 1; i + 1 < args.size(); ++i)
        if (args[i] == QStringLiteral("--version") && !args[i + 1].startsWith(QLatin1Char('-')))
            args[i] = QStringLiteral("--version-folder");
    p.process(args);

    out.dataset = p.value(dataset);
    const QStringList positional = p.positionalArguments();
    if (positional.size() > 1 || (positional.size() == 1 && !out.dataset.isEmpty())) {
        error = QStringLiteral("give one dataset folder, as DIR or as --dataset DIR");
        return false;
    }
    if (!positional.isEmpty()) out.dataset = positional.first();
    out.version = p.value(version);
    out.weights = p.value(weights);
    out.screenshot = p.value(screenshot);
    if (p.isSet(size) && !parse_size(p.value(size), out.size)) {
        error = QStringLiteral("--size wants WxH, e.g. 1600x1000");
        return false;
    }
    if (p.isSet(camera) && !parse_size(p.value(camera), out.camera_size)) {
        error = QStringLiteral("--camera-size wants WxH, e.g. 512x288");
        return false;
    }
    bool ok = true;
    out.frames = p.value(frames).toInt(&ok);
    if (!ok || out.frames < 1) {
        error = QStringLiteral("--frames wants a positive number");
        return false;
    }
    if (p.isSet(bench)) {
        out.bench_frames = p.value(bench).toInt(&ok);
        if (!ok || out.bench_frames < 1) {
            error = QStringLiteral("--bench-frames wants a positive number");
            return false;
        }
    }
    return true;
}

}  // namespace rs
