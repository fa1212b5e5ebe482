/* heart-export-dialog.c: the dialog that exports the last minutes of samples
 *
 * How many minutes (up to what the history covers) and which format, then
 * a file from a native chooser; the rows are generate's, written by
 * heart-history-export.c. docs/desktop.md, The window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-export-dialog.h"

#include <glib/gi18n.h>
#include <math.h>

#include "heart-history-export.h"

#define DEFAULT_MINUTES 10
/* the history notifies nobody on a push, by design (heart-history.c): what
 * it covers is read again this often while the dialog is shown */
#define REFRESH_SECONDS 1

/* the rows of the format combo row, in the .ui's order */
enum {
  FORMAT_CSV,
  FORMAT_JSONL,
};

struct _HeartExportDialog
{
  AdwWindow             parent_instance;

  HeartHistory         *history;
  GtkFileChooserNative *chooser;
  guint                 refresh_id;

  /* template widgets */
  GtkButton            *cancel_button;
  GtkButton            *export_button;
  AdwActionRow         *minutes_row;
  GtkSpinButton        *minutes_spin;
  GtkAdjustment        *minutes_adjustment;
  AdwComboRow          *format_row;
  GtkLabel             *error_label;
};

enum {
  PROP_0,
  PROP_HISTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  EXPORTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HeartExportDialog, heart_export_dialog, ADW_TYPE_WINDOW)

/* A length of simulation time: "45 s", "12 min", "12 min 30 s", "1 h 23 min" */
static char *
format_span (double seconds)
{
  guint whole = (guint) MAX (floor (seconds + 0.5), 0);

  if (whole < 60)
    /* Translators: a length of time in seconds */
    return g_strdup_printf (_("%u s"), whole);
  if (whole < 3600 && whole % 60 == 0)
    /* Translators: a length of time in minutes */
    return g_strdup_printf (_("%u min"), whole / 60);
  if (whole < 3600)
    /* Translators: a length of time in minutes and seconds */
    return g_strdup_printf (_("%u min %u s"), whole / 60, whole % 60);
  /* Translators: a length of time in hours and minutes */
  return g_strdup_printf (_("%u h %u min"), whole / 3600, whole / 60 % 60);
}

static HeartDatasetFormat
get_format (HeartExportDialog *self)
{
  return adw_combo_row_get_selected (self->format_row) == FORMAT_JSONL ? HEART_DATASET_JSONL
                                                                       : HEART_DATASET_CSV;
}

/* The spin button goes up to what the history covers, in whole minutes
 * rounded up, so that all of it can be asked for */
static void
show_covered (HeartExportDialog *self)
{
  double covered = heart_history_export_covered (self->history);
  double upper = MAX (ceil (covered / 60 - 1e-9), 1);
  g_autofree char *span = NULL;
  g_autofree char *subtitle = NULL;

  gtk_adjustment_set_upper (self->minutes_adjustment, upper);
  if (gtk_adjustment_get_value (self->minutes_adjustment) > upper)
    gtk_adjustment_set_value (self->minutes_adjustment, upper);
  if (heart_history_get_length (self->history) > 0)
    {
      span = format_span (covered);
      /* Translators: the simulation time the history holds, "12 min 30 s" */
      subtitle = g_strdup_printf (_("The history holds the last %s"), span);
    }
  else
    subtitle = g_strdup (_("Nothing to export yet: the history is empty"));
  if (g_strcmp0 (adw_action_row_get_subtitle (self->minutes_row), subtitle) != 0)
    adw_action_row_set_subtitle (self->minutes_row, subtitle);
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), heart_history_get_length (self->history) > 0);
}

static gboolean
refresh (gpointer user_data)
{
  show_covered (HEART_EXPORT_DIALOG (user_data));
  return G_SOURCE_CONTINUE;
}

static char *
describe (const HeartHistoryExport *summary,
          GFile                    *file)
{
  g_autofree char *basename = g_file_get_basename (file);
  g_autofree char *name = g_filename_display_name (basename);
  g_autofree char *span = format_span (summary->span_s);
  g_autofree char *requested = NULL;

  if (!summary->short_of_request)
    /* Translators: how many samples, the simulation time they cover ("10 min"), the file */
    return g_strdup_printf (ngettext ("Exported %u sample, the last %s, to %s",
                                      "Exported %u samples, the last %s, to %s",
                                      summary->n_samples),
                            summary->n_samples, span, name);
  requested = format_span (summary->requested_s);
  /* Translators: what the history held ("12 min"), what was asked ("1 h 0 min"),
   * how many samples, the file */
  return g_strdup_printf (ngettext ("The history held only %s of the %s asked: exported its %u sample to %s",
                                    "The history held only %s of the %s asked: exported its %u samples to %s",
                                    summary->n_samples),
                          span, requested, summary->n_samples, name);
}

static void
show_error (HeartExportDialog *self,
            const char        *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* ---------------------------------------------------------------- chooser */

static void
on_file_chosen (HeartExportDialog    *self,
                int                   response,
                GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_clear_object (&self->chooser);
  if (file != NULL)
    heart_export_dialog_export_to_file (self, file);
}

static void
on_export_clicked (HeartExportDialog *self)
{
  gboolean jsonl = get_format (self) == HEART_DATASET_JSONL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = g_date_time_format (now, jsonl ? "heartsim-%Y-%m-%d-%H%M.jsonl"
                                                         : "heartsim-%Y-%m-%d-%H%M.csv");
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;

  gtk_file_filter_set_name (filter, jsonl ? _("JSON Lines files") : _("CSV files"));
  gtk_file_filter_add_suffix (filter, jsonl ? "jsonl" : "csv");
  if (!jsonl)
    gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");

  self->chooser = gtk_file_chooser_native_new (_("Export Samples"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_file_chosen), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---------------------------------------------------------------- GtkWidget */

static void
heart_export_dialog_map (GtkWidget *widget)
{
  HeartExportDialog *self = HEART_EXPORT_DIALOG (widget);

  GTK_WIDGET_CLASS (heart_export_dialog_parent_class)->map (widget);
  show_covered (self);
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add_seconds (REFRESH_SECONDS, refresh, self);
}

static void
heart_export_dialog_unmap (GtkWidget *widget)
{
  HeartExportDialog *self = HEART_EXPORT_DIALOG (widget);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  GTK_WIDGET_CLASS (heart_export_dialog_parent_class)->unmap (widget);
}

/* ---------------------------------------------------------------- GObject */

static void
heart_export_dialog_constructed (GObject *object)
{
  HeartExportDialog *self = HEART_EXPORT_DIALOG (object);

  G_OBJECT_CLASS (heart_export_dialog_parent_class)->constructed (object);
  g_return_if_fail (HEART_IS_HISTORY (self->history));

  show_covered (self);
  gtk_adjustment_set_value (self->minutes_adjustment,
                            MIN (DEFAULT_MINUTES, gtk_adjustment_get_upper (self->minutes_adjustment)));
}

static void
heart_export_dialog_dispose (GObject *object)
{
  HeartExportDialog *self = HEART_EXPORT_DIALOG (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), HEART_TYPE_EXPORT_DIALOG);
  g_clear_object (&self->history);
  G_OBJECT_CLASS (heart_export_dialog_parent_class)->dispose (object);
}

static void
heart_export_dialog_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  HeartExportDialog *self = HEART_EXPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_export_dialog_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  HeartExportDialog *self = HEART_EXPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      self->history = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_export_dialog_class_init (HeartExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = heart_export_dialog_constructed;
  object_class->dispose = heart_export_dialog_dispose;
  object_class->get_property = heart_export_dialog_get_property;
  object_class->set_property = heart_export_dialog_set_property;
  widget_class->map = heart_export_dialog_map;
  widget_class->unmap = heart_export_dialog_unmap;

  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, HEART_TYPE_HISTORY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[EXPORTED] =
    g_signal_new ("exported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_FILE, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/heartsim/Heartsim/ui/heart-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, HeartExportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, HeartExportDialog, export_button);
  gtk_widget_class_bind_template_child (widget_class, HeartExportDialog, minutes_row);
  gtk_widget_class_bind_template_child (widget_class, HeartExportDialog, minutes_spin);
  gtk_widget_class_bind_template_child (widget_class, HeartExportDialog, minutes_adjustment);
  gtk_widget_class_bind_template_child (widget_class, HeartExportDialog, format_row);
  gtk_widget_class_bind_template_child (widget_class, HeartExportDialog, error_label);
  gtk_widget_class_bind_template_callback_full (widget_class, "on_export_clicked", G_CALLBACK (on_export_clicked));

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
heart_export_dialog_init (HeartExportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

HeartExportDialog *
heart_export_dialog_new (GtkWindow    *parent,
                         HeartHistory *history)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (HEART_IS_HISTORY (history), NULL);

  return g_object_new (HEART_TYPE_EXPORT_DIALOG,
                       "transient-for", parent,
                       "history", history,
                       NULL);
}

HeartHistory *
heart_export_dialog_get_history (HeartExportDialog *self)
{
  g_return_val_if_fail (HEART_IS_EXPORT_DIALOG (self), NULL);
  return self->history;
}

gboolean
heart_export_dialog_export_to_file (HeartExportDialog *self,
                                    GFile             *file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  HeartHistoryExport summary;
  double minutes;

  g_return_val_if_fail (HEART_IS_EXPORT_DIALOG (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  /* a number typed but not yet confirmed counts */
  gtk_spin_button_update (self->minutes_spin);
  minutes = gtk_spin_button_get_value (self->minutes_spin);
  /* a few MB at most (10,000 samples), written at once: the dialog waits
   * for it as a save does */
  if (!heart_history_export_to_file (self->history, minutes * 60, get_format (self), file, &summary, &error))
    {
      show_error (self, error->message);
      return FALSE;
    }
  show_error (self, NULL);
  message = describe (&summary, file);
  g_object_ref (self);
  g_signal_emit (self, signals[EXPORTED], 0, file, message);
  gtk_window_close (GTK_WINDOW (self));
  g_object_unref (self);
  return TRUE;
}
