/* heart-settings.c: the app's GSettings as one object with properties
 *
 * Every property is stored as a GValue and bound to the key of the same name,
 * so a change from either side (the UI, dconf, another instance) reaches the
 * other, and each property notifies only when its value really changes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-settings.h"

#include <sys/random.h>

struct _HeartSettings
{
  GObject    parent_instance;

  GSettings *settings;
  GValue     values[22];   /* indexed by PROP_*, one per key */
};

enum {
  PROP_0,
  PROP_SERVE,
  PROP_PORT,
  PROP_LISTEN_ALL_INTERFACES,
  PROP_TOKEN,
  PROP_AUTOSTART,
  PROP_INTERVAL_MS,
  PROP_BASELINE_BPM,
  PROP_STRESS_LEVEL,
  PROP_STRESS_EVENT_LEVEL,
  PROP_RANDOM_EVENTS,
  PROP_RANDOM_EVENTS_PER_HOUR,
  PROP_CHART_WINDOW_SECONDS,
  PROP_CHART_SHOW_BREATHING,
  PROP_CHART_SHOW_SKIN_CONDUCTANCE,
  PROP_SHOW_WAVEFORMS,
  PROP_SHOW_WAVEFORMS_NARROW,
  PROP_REPLAY_SPEED,
  PROP_REPLAY_LOOP,
  PROP_WINDOW_WIDTH,
  PROP_WINDOW_HEIGHT,
  PROP_WINDOW_MAXIMIZED,
  N_PROPS
};

G_STATIC_ASSERT (N_PROPS <= G_N_ELEMENTS (((HeartSettings *) NULL)->values));

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HeartSettings, heart_settings, G_TYPE_OBJECT)

static void
heart_settings_constructed (GObject *object)
{
  HeartSettings *self = HEART_SETTINGS (object);

  G_OBJECT_CLASS (heart_settings_parent_class)->constructed (object);

  self->settings = g_settings_new (APP_ID);

  /* The key names are the property names */
  for (guint i = 1; i < N_PROPS; i++)
    g_settings_bind (self->settings, properties[i]->name,
                     self, properties[i]->name,
                     G_SETTINGS_BIND_DEFAULT);

  /* A server reachable from other machines needs a secret; make one the
   * first time rather than ever running with an empty one. */
  if (heart_settings_get_token (self)[0] == '\0')
    heart_settings_regenerate_token (self);
}

static void
heart_settings_dispose (GObject *object)
{
  HeartSettings *self = HEART_SETTINGS (object);

  if (self->settings != NULL)
    for (guint i = 1; i < N_PROPS; i++)
      g_settings_unbind (self, properties[i]->name);
  g_clear_object (&self->settings);
  G_OBJECT_CLASS (heart_settings_parent_class)->dispose (object);
}

static void
heart_settings_finalize (GObject *object)
{
  HeartSettings *self = HEART_SETTINGS (object);

  for (guint i = 1; i < N_PROPS; i++)
    g_value_unset (&self->values[i]);
  G_OBJECT_CLASS (heart_settings_parent_class)->finalize (object);
}

static void
heart_settings_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  HeartSettings *self = HEART_SETTINGS (object);

  if (prop_id == 0 || prop_id >= N_PROPS)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  g_value_copy (&self->values[prop_id], value);
}

static void
heart_settings_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  HeartSettings *self = HEART_SETTINGS (object);
  GValue *stored;

  if (prop_id == 0 || prop_id >= N_PROPS)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }

  stored = &self->values[prop_id];
  if (g_param_values_cmp (pspec, stored, value) == 0)
    return;
  g_value_copy (value, stored);
  g_object_notify_by_pspec (object, pspec);
}

#define FLAGS (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)

static void
heart_settings_class_init (HeartSettingsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = heart_settings_constructed;
  object_class->dispose = heart_settings_dispose;
  object_class->finalize = heart_settings_finalize;
  object_class->get_property = heart_settings_get_property;
  object_class->set_property = heart_settings_set_property;

  /* Ranges and defaults as in the schema */
  properties[PROP_SERVE] =
    g_param_spec_boolean ("serve", NULL, NULL, TRUE, FLAGS);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 1, 65535, 8000, FLAGS);
  properties[PROP_LISTEN_ALL_INTERFACES] =
    g_param_spec_boolean ("listen-all-interfaces", NULL, NULL, FALSE, FLAGS);
  properties[PROP_TOKEN] =
    g_param_spec_string ("token", NULL, NULL, "", FLAGS);
  properties[PROP_AUTOSTART] =
    g_param_spec_boolean ("autostart", NULL, NULL, TRUE, FLAGS);
  properties[PROP_INTERVAL_MS] =
    g_param_spec_uint ("interval-ms", NULL, NULL, 10, 5000, 500, FLAGS);
  properties[PROP_BASELINE_BPM] =
    g_param_spec_uint ("baseline-bpm", NULL, NULL, 40, 120, 72, FLAGS);
  properties[PROP_STRESS_LEVEL] =
    g_param_spec_double ("stress-level", NULL, NULL, 0, 1, 0, FLAGS);
  properties[PROP_STRESS_EVENT_LEVEL] =
    g_param_spec_double ("stress-event-level", NULL, NULL, 0, 1, 0.8, FLAGS);
  properties[PROP_RANDOM_EVENTS] =
    g_param_spec_boolean ("random-events", NULL, NULL, TRUE, FLAGS);
  properties[PROP_RANDOM_EVENTS_PER_HOUR] =
    g_param_spec_double ("random-events-per-hour", NULL, NULL, 0, 3600, 144, FLAGS);
  properties[PROP_CHART_WINDOW_SECONDS] =
    g_param_spec_uint ("chart-window-seconds", NULL, NULL, 30, 86400, 60, FLAGS);
  properties[PROP_CHART_SHOW_BREATHING] =
    g_param_spec_boolean ("chart-show-breathing", NULL, NULL, TRUE, FLAGS);
  properties[PROP_CHART_SHOW_SKIN_CONDUCTANCE] =
    g_param_spec_boolean ("chart-show-skin-conductance", NULL, NULL, TRUE, FLAGS);
  properties[PROP_SHOW_WAVEFORMS] =
    g_param_spec_boolean ("show-waveforms", NULL, NULL, TRUE, FLAGS);
  properties[PROP_SHOW_WAVEFORMS_NARROW] =
    g_param_spec_boolean ("show-waveforms-narrow", NULL, NULL, FALSE, FLAGS);
  properties[PROP_REPLAY_SPEED] =
    g_param_spec_double ("replay-speed", NULL, NULL, 0.1, 1000, 1, FLAGS);
  properties[PROP_REPLAY_LOOP] =
    g_param_spec_boolean ("replay-loop", NULL, NULL, FALSE, FLAGS);
  properties[PROP_WINDOW_WIDTH] =
    g_param_spec_int ("window-width", NULL, NULL, G_MININT, G_MAXINT, 1180, FLAGS);
  properties[PROP_WINDOW_HEIGHT] =
    g_param_spec_int ("window-height", NULL, NULL, G_MININT, G_MAXINT, 720, FLAGS);
  properties[PROP_WINDOW_MAXIMIZED] =
    g_param_spec_boolean ("window-maximized", NULL, NULL, FALSE, FLAGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
heart_settings_init (HeartSettings *self)
{
  for (guint i = 1; i < N_PROPS; i++)
    {
      g_value_init (&self->values[i], properties[i]->value_type);
      g_param_value_set_default (properties[i], &self->values[i]);
    }
}

HeartSettings *
heart_settings_new (void)
{
  return g_object_new (HEART_TYPE_SETTINGS, NULL);
}

guint
heart_settings_get_port (HeartSettings *self)
{
  g_return_val_if_fail (HEART_IS_SETTINGS (self), 0);
  return g_value_get_uint (&self->values[PROP_PORT]);
}

void
heart_settings_set_port (HeartSettings *self,
                         guint          port)
{
  g_return_if_fail (HEART_IS_SETTINGS (self));
  g_object_set (self, "port", port, NULL);
}

gboolean
heart_settings_get_serve (HeartSettings *self)
{
  g_return_val_if_fail (HEART_IS_SETTINGS (self), FALSE);
  return g_value_get_boolean (&self->values[PROP_SERVE]);
}

gboolean
heart_settings_get_listen_all_interfaces (HeartSettings *self)
{
  g_return_val_if_fail (HEART_IS_SETTINGS (self), FALSE);
  return g_value_get_boolean (&self->values[PROP_LISTEN_ALL_INTERFACES]);
}

const char *
heart_settings_get_token (HeartSettings *self)
{
  const char *token;

  g_return_val_if_fail (HEART_IS_SETTINGS (self), NULL);
  token = g_value_get_string (&self->values[PROP_TOKEN]);
  return token != NULL ? token : "";
}

void
heart_settings_regenerate_token (HeartSettings *self)
{
  g_autofree char *token = heart_settings_generate_token ();

  g_return_if_fail (HEART_IS_SETTINGS (self));
  g_object_set (self, "token", token, NULL);
}

gboolean
heart_settings_get_autostart (HeartSettings *self)
{
  g_return_val_if_fail (HEART_IS_SETTINGS (self), FALSE);
  return g_value_get_boolean (&self->values[PROP_AUTOSTART]);
}

double
heart_settings_get_stress_event_level (HeartSettings *self)
{
  g_return_val_if_fail (HEART_IS_SETTINGS (self), 0);
  return g_value_get_double (&self->values[PROP_STRESS_EVENT_LEVEL]);
}

gboolean
heart_settings_get_random_events (HeartSettings *self)
{
  g_return_val_if_fail (HEART_IS_SETTINGS (self), FALSE);
  return g_value_get_boolean (&self->values[PROP_RANDOM_EVENTS]);
}

double
heart_settings_get_random_events_per_hour (HeartSettings *self)
{
  g_return_val_if_fail (HEART_IS_SETTINGS (self), 0);
  return g_value_get_double (&self->values[PROP_RANDOM_EVENTS_PER_HOUR]);
}

double
heart_settings_get_replay_speed (HeartSettings *self)
{
  g_return_val_if_fail (HEART_IS_SETTINGS (self), 1);
  return g_value_get_double (&self->values[PROP_REPLAY_SPEED]);
}

gboolean
heart_settings_get_replay_loop (HeartSettings *self)
{
  g_return_val_if_fail (HEART_IS_SETTINGS (self), FALSE);
  return g_value_get_boolean (&self->values[PROP_REPLAY_LOOP]);
}

guint
heart_settings_get_chart_window_seconds (HeartSettings *self)
{
  g_return_val_if_fail (HEART_IS_SETTINGS (self), 60);
  return g_value_get_uint (&self->values[PROP_CHART_WINDOW_SECONDS]);
}

void
heart_settings_get_window_state (HeartSettings *self,
                                 int           *width,
                                 int           *height,
                                 gboolean      *maximized)
{
  g_return_if_fail (HEART_IS_SETTINGS (self));

  *width = g_value_get_int (&self->values[PROP_WINDOW_WIDTH]);
  *height = g_value_get_int (&self->values[PROP_WINDOW_HEIGHT]);
  *maximized = g_value_get_boolean (&self->values[PROP_WINDOW_MAXIMIZED]);
}

void
heart_settings_set_window_state (HeartSettings *self,
                                 int            width,
                                 int            height,
                                 gboolean       maximized)
{
  g_return_if_fail (HEART_IS_SETTINGS (self));

  /* One write to the backend instead of three */
  g_settings_delay (self->settings);
  g_object_set (self,
                "window-width", width,
                "window-height", height,
                "window-maximized", maximized,
                NULL);
  g_settings_apply (self->settings);
}

char *
heart_settings_generate_token (void)
{
  guint8 bytes[16];
  GString *token = g_string_sized_new (2 * sizeof bytes);

  if (getrandom (bytes, sizeof bytes, 0) != (ssize_t) sizeof bytes)
    {
      /* Only without /dev/urandom; still unpredictable enough for a LAN demo */
      for (guint i = 0; i < sizeof bytes; i++)
        bytes[i] = g_random_int_range (0, 256);
    }
  for (guint i = 0; i < sizeof bytes; i++)
    g_string_append_printf (token, "%02x", bytes[i]);
  return g_string_free (token, FALSE);
}
