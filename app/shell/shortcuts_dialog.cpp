#include "app/shell/shortcuts_dialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace rs {

namespace {

struct ViewKey {
    const char * keys;
    const char * what;
};

const ViewKey kViewKeys[] = {
    {"W / Up", "Throttle (Live Sim, manual)"},
    {"S / Down", "Brake (Live Sim, manual)"},
    {"A / Left", "Steer left (Live Sim, manual)"},
    {"D / Right", "Steer right (Live Sim, manual)"},
    {"Mouse wheel on BEV", "Zoom the BEV"},
    {"Hover a BEV box", "Show the box's attributes"},
    {"Click, click on BEV", "Measure a distance (ruler on)"},
    {"Right click on BEV", "Clear the ruler"},
};

}  // namespace

ShortcutsDialog::ShortcutsDialog(const QList<QAction *> & actions, QWidget * parent) : QDialog(parent) {
    setWindowTitle(tr("Keyboard and mouse"));
    auto * tree = new QTreeWidget(this);
    tree->setColumnCount(2);
    tree->setHeaderLabels({tr("Keys"), tr("Action")});
    tree->setRootIsDecorated(false);
    tree->setAlternatingRowColors(true);
    for (QAction * a : actions) {
        if (a->shortcut().isEmpty()) continue;
        QString text = a->text().remove(QLatin1Char('&')).remove(QStringLiteral("..."));
        new QTreeWidgetItem(tree, {a->shortcut().toString(QKeySequence::NativeText), text});
    }
    for (const ViewKey & k : kViewKeys) new QTreeWidgetItem(tree, {tr(k.keys), tr(k.what)});
    tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    auto * buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto * layout = new QVBoxLayout(this);
    layout->addWidget(tree);
    layout->addWidget(buttons);
    resize(520, 560);
}

}  // namespace rs
