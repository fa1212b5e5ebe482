/* heart-export-dialog.h: the dialog that exports the last minutes of samples
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "heart-history.h"

G_BEGIN_DECLS

#define HEART_TYPE_EXPORT_DIALOG (heart_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (HeartExportDialog, heart_export_dialog, HEART, EXPORT_DIALOG, AdwWindow)

/* A modal dialog, transient for @parent, not shown yet: present it. It asks
 * for how many minutes of @history ("history", construct only) and in
 * which format (CSV or JSON Lines, generate's sample rows), then "Export…"
 * asks for a file and writes it (docs/desktop.md, The window).
 *
 * On success the dialog emits "exported" (GFile *file, const char *message)
 * and closes: @message is what was written, for a toast ("Exported 1200
 * samples, the last 10 min, to heartsim-2026-12-06-1705.csv"), plain text,
 * to be escaped for an AdwToast title, which libadwaita 1.2 reads as
 * markup. On failure it stays open and shows the error, which names the
 * file and the reason. */
HeartExportDialog *heart_export_dialog_new            (GtkWindow         *parent,
                                                       HeartHistory      *history);
HeartHistory      *heart_export_dialog_get_history    (HeartExportDialog *self);

/* What "Export…" does once a file is chosen, without the file chooser (for
 * tests): writes the minutes and format set to @file, then emits
 * "exported" and closes, or shows the error and returns FALSE */
gboolean           heart_export_dialog_export_to_file (HeartExportDialog *self,
                                                       GFile             *file);

G_END_DECLS
