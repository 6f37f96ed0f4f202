#include "app/shell/dataset_loader.h"

#include <QDir>
#include <QFileInfo>

namespace rs {

DatasetLoader::DatasetLoader(const QString & dataroot, const QString & version, QObject * parent)
    : QObject(parent),
      dataroot_(dataroot),
      version_(version),
      job_([this](int64_t done, int64_t total, const std::string & stage) {
          Q_EMIT progress(done, total, QString::fromStdString(stage));
      }) {}

DatasetLoader::~DatasetLoader() {
    job_.cancel();
    if (worker_.joinable()) worker_.join();
}

QString DatasetLoader::detect_version(const QString & dataroot) {
    QDir root(dataroot);
    auto has_tables = [&](const QString & v) { return QFileInfo::exists(root.filePath(v + QStringLiteral("/scene.json"))); };
    for (const char * v : {"v1.0-trainval", "v1.0-mini", "v1.0-test"})
        if (has_tables(QString::fromLatin1(v))) return QString::fromLatin1(v);
    const QStringList dirs = root.entryList({QStringLiteral("v1.0-*")}, QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString & d : dirs)
        if (has_tables(d)) return d;
    return {};
}

void DatasetLoader::start() {
    if (version_.isEmpty()) version_ = detect_version(dataroot_);
    worker_ = std::thread([this] {
        if (version_.isEmpty()) {
            error_ = tr("%1 holds no nuScenes tables (no v1.0-*/scene.json)").arg(dataroot_);
        } else {
            try {
                LoadOptions opt;
                opt.job = &job_;
                dataset_ = std::make_shared<NuScenesDataset>(
                    load_nuscenes(dataroot_.toStdString(), version_.toStdString(), opt));
            } catch (const JobCancelled &) {
                cancelled_ = true;
            } catch (const std::exception & e) {
                error_ = QString::fromStdString(e.what());
            }
        }
        // Queued to the loader's (UI) thread; the members above are written before the emit.
        Q_EMIT finished();
    });
}

}  // namespace rs
