// F1: the keyboard and mouse reference, generated from the window's actions plus the view's own
// keys (driving, BEV mouse), so it never disagrees with the menus.
#pragma once

#include <QDialog>
#include <QList>

class QAction;

namespace rs {

class ShortcutsDialog : public QDialog {
    Q_OBJECT
public:
    ShortcutsDialog(const QList<QAction *> & actions, QWidget * parent = nullptr);
};

}  // namespace rs
