// Opens a perception model (BEVFormer weights) on a worker thread; the result comes back to the
// UI thread through a queued signal. Loading is one LibTorch call that cannot stop half-way, so
// cancel() only drops its result.
#pragma once

#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <thread>

#include "engine/perceiver.h"

namespace rs {

class PerceiverLoader : public QObject {
    Q_OBJECT
public:
    PerceiverLoader(const QString & weights_path, QObject * parent = nullptr);
    ~PerceiverLoader() override;  // waits for the worker

    void start();
    void cancel() { cancelled_ = true; }
    bool cancelled() const { return cancelled_; }
    // After finished(): the model, or null with error() set (or cancelled()).
    std::shared_ptr<Perceiver> take_perceiver() { return std::move(perceiver_); }
    QString error() const { return error_; }
    QString weights_path() const { return weights_path_; }

Q_SIGNALS:
    void finished();

private:
    QString weights_path_, error_;
    std::atomic<bool> cancelled_{false};
    std::shared_ptr<Perceiver> perceiver_;
    std::thread worker_;
};

}  // namespace rs
