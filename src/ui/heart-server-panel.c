/* heart-server-panel.c: the side panel's server group
 *
 * Shows what the server does: whether it listens, where, and how many
 * clients it has. The switch is the app.serve action.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-server-panel.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "heart-label.h"

struct _HeartServerPanel
{
  GtkWidget            parent_instance;

  HeartServer         *server;
  GError              *server_error;
  GSignalGroup        *server_signals;
  GPtrArray           *url_rows;
  char                *shown_urls_key;   /* what the URL rows were built from */
  guint                clients_update_id;

  /* template widgets */
  AdwPreferencesGroup *server_group;
  AdwActionRow        *serve_row;
  AdwActionRow        *clients_row;
  GtkLabel            *clients_label;
};

enum {
  PROP_0,
  PROP_SERVER,
  PROP_SERVER_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HeartServerPanel, heart_server_panel, GTK_TYPE_WIDGET)

static gboolean
is_loopback_url (const char *url)
{
  return strstr (url, "://127.") != NULL || strstr (url, "://[::1]") != NULL
         || strstr (url, "://localhost") != NULL;
}

static GtkWidget *
url_button (const char *icon_name,
            const char *tooltip,
            const char *action,
            const char *url)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  /* an icon alone says nothing to a screen reader */
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  gtk_widget_add_css_class (button, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", url);
  return button;
}

static GtkWidget *
url_row_new (const char *url)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), url);
  adw_preferences_row_set_title_selectable (ADW_PREFERENCES_ROW (row), TRUE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               is_loopback_url (url) ? _("This computer")
                                                     : _("Other devices on your network"));
  gtk_widget_add_css_class (row, "url-row");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             url_button ("edit-copy-symbolic", _("Copy Address"), "win.copy-url", url));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             url_button ("adw-external-link-symbolic", _("Open Dashboard in Browser"),
                                         "win.open-url", url));
  return row;
}

static void
show_urls (HeartServerPanel *self,
           char            **urls)
{
  g_autofree char *key = urls != NULL ? g_strjoinv (" ", urls) : g_strdup ("");

  /* Client counts notify often; the rows only change with the address */
  if (g_strcmp0 (key, self->shown_urls_key) == 0)
    return;
  g_free (self->shown_urls_key);
  self->shown_urls_key = g_steal_pointer (&key);

  for (guint i = 0; i < self->url_rows->len; i++)
    adw_preferences_group_remove (self->server_group, g_ptr_array_index (self->url_rows, i));
  g_ptr_array_set_size (self->url_rows, 0);

  /* Rows can only be appended, and the client count belongs last */
  g_object_ref (self->clients_row);
  adw_preferences_group_remove (self->server_group, GTK_WIDGET (self->clients_row));
  for (guint i = 0; urls != NULL && urls[i] != NULL; i++)
    {
      GtkWidget *row = url_row_new (urls[i]);

      g_ptr_array_add (self->url_rows, row);
      adw_preferences_group_add (self->server_group, row);
    }
  adw_preferences_group_add (self->server_group, GTK_WIDGET (self->clients_row));
  g_object_unref (self->clients_row);
}

static void
update_server_status (HeartServerPanel *self)
{
  gboolean listening = self->server != NULL && heart_server_get_listening (self->server);
  g_auto(GStrv) urls = NULL;
  g_autofree char *subtitle = NULL;

  if (listening)
    {
      urls = heart_server_dup_urls (self->server);
      subtitle = g_strdup_printf (_("Listening on port %u"), heart_server_get_port (self->server));
    }
  else if (self->server_error != NULL)
    subtitle = g_strdup (_("Not listening: the port is not available"));
  else
    subtitle = g_strdup (_("Other programs cannot read the heart rate"));

  adw_action_row_set_subtitle (self->serve_row, subtitle);
  show_urls (self, urls);

  gtk_widget_set_visible (GTK_WIDGET (self->clients_row), listening);
  heart_label_set_printf (self->clients_label, _("%u WebSocket · %u SSE"),
                          self->server != NULL ? heart_server_get_websocket_clients (self->server) : 0,
                          self->server != NULL ? heart_server_get_sse_clients (self->server) : 0);
}

static gboolean
update_clients_now (gpointer user_data)
{
  HeartServerPanel *self = user_data;

  self->clients_update_id = 0;
  update_server_status (self);
  return G_SOURCE_REMOVE;
}

/* A thousand clients connecting is a thousand notifications: show the count
 * a few times a second rather than relayout for each. */
static void
on_clients_changed (HeartServerPanel *self)
{
  if (self->clients_update_id == 0)
    self->clients_update_id = g_timeout_add (250, update_clients_now, self);
}

static void
heart_server_panel_dispose (GObject *object)
{
  HeartServerPanel *self = HEART_SERVER_PANEL (object);
  GtkWidget *child;

  g_clear_handle_id (&self->clients_update_id, g_source_remove);
  if (self->server_signals != NULL)
    g_signal_group_set_target (self->server_signals, NULL);
  g_clear_object (&self->server_signals);
  g_clear_object (&self->server);
  gtk_widget_dispose_template (GTK_WIDGET (self), HEART_TYPE_SERVER_PANEL);
  /* The template's top widget is a child, not only a template child */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (heart_server_panel_parent_class)->dispose (object);
}

static void
heart_server_panel_finalize (GObject *object)
{
  HeartServerPanel *self = HEART_SERVER_PANEL (object);

  g_clear_pointer (&self->url_rows, g_ptr_array_unref);
  g_clear_pointer (&self->shown_urls_key, g_free);
  g_clear_error (&self->server_error);
  G_OBJECT_CLASS (heart_server_panel_parent_class)->finalize (object);
}

static void
heart_server_panel_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  HeartServerPanel *self = HEART_SERVER_PANEL (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      g_value_set_object (value, self->server);
      break;
    case PROP_SERVER_ERROR:
      g_value_set_boxed (value, self->server_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_server_panel_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  HeartServerPanel *self = HEART_SERVER_PANEL (object);

  switch (prop_id)
    {
    case PROP_SERVER:
      heart_server_panel_set_server (self, g_value_get_object (value));
      break;
    case PROP_SERVER_ERROR:
      heart_server_panel_set_server_error (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_server_panel_class_init (HeartServerPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = heart_server_panel_dispose;
  object_class->finalize = heart_server_panel_finalize;
  object_class->get_property = heart_server_panel_get_property;
  object_class->set_property = heart_server_panel_set_property;

  properties[PROP_SERVER] =
    g_param_spec_object ("server", NULL, NULL, HEART_TYPE_SERVER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER_ERROR] =
    g_param_spec_boxed ("server-error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/heartsim/Heartsim/ui/heart-server-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, HeartServerPanel, server_group);
  gtk_widget_class_bind_template_child (widget_class, HeartServerPanel, serve_row);
  gtk_widget_class_bind_template_child (widget_class, HeartServerPanel, clients_row);
  gtk_widget_class_bind_template_child (widget_class, HeartServerPanel, clients_label);
  gtk_widget_class_set_css_name (widget_class, "heartserverpanel");
}

static void
heart_server_panel_init (HeartServerPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->url_rows = g_ptr_array_new ();

  self->server_signals = g_signal_group_new (HEART_TYPE_SERVER);
  g_signal_group_connect_swapped (self->server_signals, "notify::listening",
                                  G_CALLBACK (update_server_status), self);
  g_signal_group_connect_swapped (self->server_signals, "notify::port",
                                  G_CALLBACK (update_server_status), self);
  g_signal_group_connect_swapped (self->server_signals, "notify::bind-address",
                                  G_CALLBACK (update_server_status), self);
  g_signal_group_connect_swapped (self->server_signals, "notify::websocket-clients",
                                  G_CALLBACK (on_clients_changed), self);
  g_signal_group_connect_swapped (self->server_signals, "notify::sse-clients",
                                  G_CALLBACK (on_clients_changed), self);
  update_server_status (self);
}

GtkWidget *
heart_server_panel_new (void)
{
  return g_object_new (HEART_TYPE_SERVER_PANEL, NULL);
}

HeartServer *
heart_server_panel_get_server (HeartServerPanel *self)
{
  g_return_val_if_fail (HEART_IS_SERVER_PANEL (self), NULL);
  return self->server;
}

void
heart_server_panel_set_server (HeartServerPanel *self,
                               HeartServer      *server)
{
  g_return_if_fail (HEART_IS_SERVER_PANEL (self));
  g_return_if_fail (server == NULL || HEART_IS_SERVER (server));

  if (!g_set_object (&self->server, server))
    return;
  g_signal_group_set_target (self->server_signals, server);
  update_server_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER]);
}

const GError *
heart_server_panel_get_server_error (HeartServerPanel *self)
{
  g_return_val_if_fail (HEART_IS_SERVER_PANEL (self), NULL);
  return self->server_error;
}

void
heart_server_panel_set_server_error (HeartServerPanel *self,
                                     const GError     *error)
{
  g_return_if_fail (HEART_IS_SERVER_PANEL (self));

  if (self->server_error == NULL && error == NULL)
    return;
  g_clear_error (&self->server_error);
  if (error != NULL)
    self->server_error = g_error_copy (error);
  update_server_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_ERROR]);
}

char **
heart_server_panel_dup_shown_urls (HeartServerPanel *self)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **urls;

  for (guint i = 0; i < self->url_rows->len; i++)
    g_strv_builder_add (builder,
                        adw_preferences_row_get_title (g_ptr_array_index (self->url_rows, i)));
  urls = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return urls;
}

const char *
heart_server_panel_get_clients_text (HeartServerPanel *self)
{
  g_return_val_if_fail (HEART_IS_SERVER_PANEL (self), NULL);
  return gtk_label_get_label (self->clients_label);
}
