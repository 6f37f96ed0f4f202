// Loads a nuScenes folder on a worker thread (load_nuscenes with a JobContext), reporting
// progress and honouring cancel; results come back to the UI thread through queued signals.
#pragma once

#include <QObject>
#include <QString>

#include <memory>
#include <thread>

#include "engine/job.h"
#include "engine/nuscenes_reader.h"

namespace rs {

class DatasetLoader : public QObject {
    Q_OBJECT
public:
    DatasetLoader(const QString & dataroot, const QString & version, QObject * parent = nullptr);
    ~DatasetLoader() override;  // cancels and waits for the worker

    // The version folder to read: `version` when given, else v1.0-trainval, v1.0-mini, v1.0-test,
    // or any other v1.0-* folder with a scene table; empty when there is none.
    static QString detect_version(const QString & dataroot);

    void start();
    void cancel() { job_.cancel(); }
    // After finished(): the dataset, or null with error() set (or cancelled()).
    std::shared_ptr<NuScenesDataset> take_dataset() { return std::move(dataset_); }
    QString error() const { return error_; }
    bool cancelled() const { return cancelled_; }
    QString dataroot() const { return dataroot_; }
    QString version() const { return version_; }

Q_SIGNALS:
    void progress(qint64 done, qint64 total, const QString & stage);
    void finished();

private:
    QString dataroot_, version_, error_;
    bool cancelled_ = false;
    JobContext job_;
    std::shared_ptr<NuScenesDataset> dataset_;
    std::thread worker_;
};

}  // namespace rs
