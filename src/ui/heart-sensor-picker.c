/* heart-sensor-picker.c: the dialog that picks a Bluetooth heart-rate strap
 *
 * A list of what the scanner sees, "Any Heart-Rate Strap" first, each row
 * kept up to date as BlueZ changes a device (name, signal, paired,
 * connected). The scanner discovers only while the dialog is shown: a scan
 * costs the adapter power and airtime. Without Bluetooth a status page
 * says why, and the list comes back when the scanner becomes available.
 * docs/desktop.md, Choosing a strap.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-sensor-picker.h"

#include <glib/gi18n.h>

#include "heart-sensor-text.h"

#define ANY_ADDRESS "any"
/* On a row: its address, and the label saying Paired or Connected */
#define ROW_ADDRESS "heart-sensor-address"
#define ROW_STATUS  "heart-sensor-status"

struct _HeartSensorPicker
{
  AdwWindow           parent_instance;

  HeartSensorScanner *scanner;

  /* template widgets */
  AdwWindowTitle     *window_title;
  GtkSpinner         *spinner;
  GtkStack           *stack;
  GtkListBox         *list_box;
  GtkLabel           *empty_label;
  AdwStatusPage      *status_page;
};

enum {
  PROP_0,
  PROP_SCANNER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CHOSEN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HeartSensorPicker, heart_sensor_picker, ADW_TYPE_WINDOW)

/* ---------------------------------------------------------------- rows */

static void
update_device_row (HeartSensorDevice *device,
                   GParamSpec        *pspec,
                   AdwActionRow      *row)
{
  GtkLabel *status = g_object_get_data (G_OBJECT (row), ROW_STATUS);
  const char *name = heart_sensor_device_get_name (device);
  const char *address = heart_sensor_device_get_address (device);
  const char *signal = NULL;
  const char *state = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *description = NULL;

  if (name == NULL || name[0] == '\0')
    name = _("Unnamed strap");
  if (heart_sensor_device_get_connected (device))
    state = _("Connected");
  else if (heart_sensor_device_get_paired (device))
    state = _("Paired");
  /* a connected strap stops advertising: its last signal says nothing */
  if (!heart_sensor_device_get_connected (device))
    signal = heart_sensor_text_signal (heart_sensor_device_get_rssi (device));

  if (signal != NULL)
    /* Translators: a strap's Bluetooth address · how strong its signal is */
    subtitle = g_strdup_printf (_("%s · %s"), address, signal);
  else
    subtitle = g_strdup (address);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_action_row_set_subtitle (row, subtitle);
  gtk_label_set_label (status, state != NULL ? state : "");
  gtk_widget_set_visible (GTK_WIDGET (status), state != NULL);

  description = state != NULL ? g_strdup_printf (_("%s · %s"), subtitle, state) : g_strdup (subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

static GtkWidget *
create_any_row (void)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name ("bluetooth-active-symbolic");
  const char *title = _("Any Heart-Rate Strap");
  const char *subtitle = _("The first one Bluetooth knows that measures heart rate");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle,
                                  -1);
  g_object_set_data_full (G_OBJECT (row), ROW_ADDRESS, g_strdup (ANY_ADDRESS), g_free);
  return row;
}

static GtkWidget *
create_device_row (HeartSensorDevice *device)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *status = gtk_label_new (NULL);

  gtk_widget_add_css_class (status, "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), status);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
  g_object_set_data (G_OBJECT (row), ROW_STATUS, status);
  g_object_set_data_full (G_OBJECT (row), ROW_ADDRESS,
                          g_strdup (heart_sensor_device_get_address (device)), g_free);
  /* the row goes with the device: disconnected when it is finalized */
  g_signal_connect_object (device, "notify", G_CALLBACK (update_device_row), row, 0);
  update_device_row (device, NULL, ADW_ACTION_ROW (row));
  return row;
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  GtkWidget *row = HEART_IS_SENSOR_DEVICE (item) ? create_device_row (item) : create_any_row ();

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  return row;
}

static void
on_row_activated (HeartSensorPicker *self,
                  GtkListBoxRow     *row)
{
  g_autofree char *address = g_strdup (g_object_get_data (G_OBJECT (row), ROW_ADDRESS));

  if (address == NULL)
    return;
  g_object_ref (self);
  g_signal_emit (self, signals[CHOSEN], 0, address);
  gtk_window_close (GTK_WINDOW (self));
  g_object_unref (self);
}

/* ---------------------------------------------------------------- scanner */

static void
show_discovering (HeartSensorPicker *self)
{
  gboolean discovering = heart_sensor_scanner_get_available (self->scanner)
                         && heart_sensor_scanner_get_discovering (self->scanner);

  gtk_spinner_set_spinning (self->spinner, discovering);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), discovering);
  adw_window_title_set_subtitle (self->window_title, discovering ? _("Searching…") : NULL);
}

/* The hint stays while no strap is listed: most advertise only when worn */
static void
show_empty (HeartSensorPicker *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label),
                          g_list_model_get_n_items (G_LIST_MODEL (self->scanner)) == 0);
}

/* The status page once the scanner knows why it cannot scan; while BlueZ
 * has not answered yet, the list (empty) */
static void
show_availability (HeartSensorPicker *self)
{
  const char *reason = heart_sensor_scanner_get_unavailable_reason (self->scanner);

  if (!heart_sensor_scanner_get_available (self->scanner) && reason != NULL)
    {
      adw_status_page_set_description (self->status_page, reason);
      gtk_stack_set_visible_child_name (self->stack, "unavailable");
    }
  else
    gtk_stack_set_visible_child_name (self->stack, "list");
  show_discovering (self);
}

/* ---------------------------------------------------------------- GtkWidget */

/* Discovery while the dialog is on screen, and only then */
static void
heart_sensor_picker_map (GtkWidget *widget)
{
  HeartSensorPicker *self = HEART_SENSOR_PICKER (widget);

  GTK_WIDGET_CLASS (heart_sensor_picker_parent_class)->map (widget);
  heart_sensor_scanner_set_discovering (self->scanner, TRUE);
}

static void
heart_sensor_picker_unmap (GtkWidget *widget)
{
  HeartSensorPicker *self = HEART_SENSOR_PICKER (widget);

  heart_sensor_scanner_set_discovering (self->scanner, FALSE);
  GTK_WIDGET_CLASS (heart_sensor_picker_parent_class)->unmap (widget);
}

/* ---------------------------------------------------------------- GObject */

static void
heart_sensor_picker_constructed (GObject *object)
{
  HeartSensorPicker *self = HEART_SENSOR_PICKER (object);
  g_autoptr(GListStore) models = g_list_store_new (G_TYPE_LIST_MODEL);
  g_autoptr(GtkStringList) any = gtk_string_list_new ((const char *[]) { ANY_ADDRESS, NULL });
  g_autoptr(GtkFlattenListModel) rows = NULL;

  G_OBJECT_CLASS (heart_sensor_picker_parent_class)->constructed (object);
  g_return_if_fail (HEART_IS_SENSOR_SCANNER (self->scanner));

  /* "Any" first, then each strap the scanner lists */
  g_list_store_append (models, any);
  g_list_store_append (models, self->scanner);
  rows = gtk_flatten_list_model_new (G_LIST_MODEL (g_steal_pointer (&models)));
  gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (rows), create_row, self, NULL);

  g_signal_connect_object (self->scanner, "notify::available", G_CALLBACK (show_availability),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->scanner, "notify::unavailable-reason", G_CALLBACK (show_availability),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->scanner, "notify::discovering", G_CALLBACK (show_discovering),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->scanner, "items-changed", G_CALLBACK (show_empty),
                           self, G_CONNECT_SWAPPED);
  show_availability (self);
  show_empty (self);
}

static void
heart_sensor_picker_dispose (GObject *object)
{
  HeartSensorPicker *self = HEART_SENSOR_PICKER (object);

  if (self->list_box != NULL)
    gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), HEART_TYPE_SENSOR_PICKER);
  g_clear_object (&self->scanner);
  G_OBJECT_CLASS (heart_sensor_picker_parent_class)->dispose (object);
}

static void
heart_sensor_picker_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  HeartSensorPicker *self = HEART_SENSOR_PICKER (object);

  switch (prop_id)
    {
    case PROP_SCANNER:
      g_value_set_object (value, self->scanner);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_sensor_picker_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  HeartSensorPicker *self = HEART_SENSOR_PICKER (object);

  switch (prop_id)
    {
    case PROP_SCANNER:
      self->scanner = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_sensor_picker_class_init (HeartSensorPickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = heart_sensor_picker_constructed;
  object_class->dispose = heart_sensor_picker_dispose;
  object_class->get_property = heart_sensor_picker_get_property;
  object_class->set_property = heart_sensor_picker_set_property;
  widget_class->map = heart_sensor_picker_map;
  widget_class->unmap = heart_sensor_picker_unmap;

  properties[PROP_SCANNER] =
    g_param_spec_object ("scanner", NULL, NULL, HEART_TYPE_SENSOR_SCANNER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHOSEN] =
    g_signal_new ("chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/heartsim/Heartsim/ui/heart-sensor-picker.ui");
  gtk_widget_class_bind_template_child (widget_class, HeartSensorPicker, window_title);
  gtk_widget_class_bind_template_child (widget_class, HeartSensorPicker, spinner);
  gtk_widget_class_bind_template_child (widget_class, HeartSensorPicker, stack);
  gtk_widget_class_bind_template_child (widget_class, HeartSensorPicker, list_box);
  gtk_widget_class_bind_template_child (widget_class, HeartSensorPicker, empty_label);
  gtk_widget_class_bind_template_child (widget_class, HeartSensorPicker, status_page);
  gtk_widget_class_bind_template_callback_full (widget_class, "on_row_activated", G_CALLBACK (on_row_activated));

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
heart_sensor_picker_init (HeartSensorPicker *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

HeartSensorPicker *
heart_sensor_picker_new (GtkWindow          *parent,
                         HeartSensorScanner *scanner)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (HEART_IS_SENSOR_SCANNER (scanner), NULL);

  return g_object_new (HEART_TYPE_SENSOR_PICKER,
                       "transient-for", parent,
                       "scanner", scanner,
                       NULL);
}

HeartSensorScanner *
heart_sensor_picker_get_scanner (HeartSensorPicker *self)
{
  g_return_val_if_fail (HEART_IS_SENSOR_PICKER (self), NULL);
  return self->scanner;
}

GtkWidget *
heart_sensor_picker_find_row (HeartSensorPicker *self,
                              const char        *address)
{
  g_return_val_if_fail (HEART_IS_SENSOR_PICKER (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       row != NULL; row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (g_object_get_data (G_OBJECT (row), ROW_ADDRESS), address) == 0)
      return row;
  return NULL;
}
