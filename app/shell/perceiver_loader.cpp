#include "app/shell/perceiver_loader.h"

#include <QThread>

#include "models/bevformer/bevformer_perceiver.h"

namespace rs {

PerceiverLoader::PerceiverLoader(const QString & weights_path, QObject * parent)
    : QObject(parent), weights_path_(weights_path) {}

PerceiverLoader::~PerceiverLoader() {
    cancelled_ = true;
    if (worker_.joinable()) worker_.join();
}

void PerceiverLoader::start() {
    worker_ = std::thread([this] {
        try {
            perceiver_ = open_bevformer_perceiver(weights_path_.toStdString(), {}, QThread::idealThreadCount());
        } catch (const std::exception & e) {
            error_ = QString::fromStdString(e.what());
        }
        if (cancelled_) perceiver_.reset();
        // Queued to the loader's (UI) thread; the members above are written before the emit.
        Q_EMIT finished();
    });
}

}  // namespace rs
