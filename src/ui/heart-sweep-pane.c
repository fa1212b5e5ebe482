/* heart-sweep-pane.c: the chart with the monitor sweep beside it, or
 * below it where there is no room beside
 *
 * GTK 4.8 has no breakpoints, and a box that changed its orientation from
 * the window's width would do so a frame late and after the side panel
 * folded or not. The pane decides in its own allocation instead: from
 * HEART_SWEEP_PANE_BESIDE_WIDTH on the sweep stands at the right, the
 * chart's height, else it lies below the chart at its natural height
 * (docs/desktop.md, "The monitor trace").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-sweep-pane.h"

#define SPACING 12
/* The sweep's share of the width beside the chart, and its bounds */
#define BESIDE_SHARE 0.3
#define BESIDE_MIN 380
#define BESIDE_MAX 560
/* Below the chart, the sweep's share of the height at most */
#define BELOW_SHARE 0.3

struct _HeartSweepPane
{
  GtkWidget  parent_instance;

  GtkWidget *start_child;
  GtkWidget *end_child;
  gboolean   beside;
};

enum {
  PROP_0,
  PROP_START_CHILD,
  PROP_END_CHILD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HeartSweepPane, heart_sweep_pane, GTK_TYPE_WIDGET)

static gboolean
shown (GtkWidget *child)
{
  return child != NULL && gtk_widget_get_visible (child);
}

static int
beside_width (int width)
{
  return CLAMP ((int) (width * BESIDE_SHARE), BESIDE_MIN, BESIDE_MAX);
}

static gboolean
fits_beside (HeartSweepPane *self,
             int             width)
{
  return shown (self->start_child) && shown (self->end_child) && width >= HEART_SWEEP_PANE_BESIDE_WIDTH;
}

static void
measure_child (GtkWidget      *child,
               GtkOrientation  orientation,
               int             for_size,
               int            *minimum,
               int            *natural)
{
  *minimum = *natural = 0;
  if (shown (child))
    gtk_widget_measure (child, orientation, for_size, minimum, natural, NULL, NULL);
}

static void
heart_sweep_pane_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  HeartSweepPane *self = HEART_SWEEP_PANE (widget);
  int start_min, start_nat, end_min, end_nat;
  gboolean both = shown (self->start_child) && shown (self->end_child);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      measure_child (self->start_child, orientation, -1, &start_min, &start_nat);
      measure_child (self->end_child, orientation, -1, &end_min, &end_nat);
      /* Below the chart needs no more width than either; and the natural
       * width is the chart's alone, so that the side panel folds where it
       * did without the sweep (heart-window.ui folds it by natural widths) */
      *minimum = MAX (start_min, end_min);
      *natural = shown (self->start_child) ? MAX (start_nat, *minimum) : end_nat;
      return;
    }

  if (for_size >= 0 && fits_beside (self, for_size))
    {
      int sweep_width = beside_width (for_size);

      measure_child (self->start_child, orientation, for_size - sweep_width - SPACING, &start_min, &start_nat);
      measure_child (self->end_child, orientation, sweep_width, &end_min, &end_nat);
      *minimum = MAX (start_min, end_min);
      *natural = MAX (start_nat, end_nat);
      return;
    }
  measure_child (self->start_child, orientation, for_size, &start_min, &start_nat);
  measure_child (self->end_child, orientation, for_size, &end_min, &end_nat);
  *minimum = start_min + end_min + (both ? SPACING : 0);
  *natural = start_nat + end_nat + (both ? SPACING : 0);
}

static GtkSizeRequestMode
heart_sweep_pane_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
heart_sweep_pane_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  HeartSweepPane *self = HEART_SWEEP_PANE (widget);
  int start_min, start_nat, end_min, end_nat;

  self->beside = fits_beside (self, width);
  if (!shown (self->end_child))
    {
      if (shown (self->start_child))
        gtk_widget_allocate (self->start_child, width, height, -1, NULL);
      return;
    }
  if (!shown (self->start_child))
    {
      gtk_widget_allocate (self->end_child, width, height, -1, NULL);
      return;
    }

  if (self->beside)
    {
      int sweep_width = beside_width (width);
      int chart_width = width - sweep_width - SPACING;

      gtk_widget_allocate (self->start_child, chart_width, height, -1, NULL);
      gtk_widget_allocate (self->end_child, sweep_width, height, -1,
                           gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (chart_width + SPACING, 0)));
      return;
    }

  /* below: the sweep at its natural height, but no more than its share
   * nor what the chart's minimum leaves, and not under its own minimum */
  measure_child (self->start_child, GTK_ORIENTATION_VERTICAL, width, &start_min, &start_nat);
  measure_child (self->end_child, GTK_ORIENTATION_VERTICAL, width, &end_min, &end_nat);
  {
    int sweep_height = MAX (MIN (MIN (end_nat, (int) (height * BELOW_SHARE)), height - SPACING - start_min),
                            end_min);
    int chart_height = MAX (height - SPACING - sweep_height, 0);

    gtk_widget_allocate (self->start_child, width, chart_height, -1, NULL);
    gtk_widget_allocate (self->end_child, width, sweep_height, -1,
                         gsk_transform_translate (NULL, &GRAPHENE_POINT_INIT (0, chart_height + SPACING)));
  }
}

static void
heart_sweep_pane_dispose (GObject *object)
{
  HeartSweepPane *self = HEART_SWEEP_PANE (object);

  g_clear_pointer (&self->start_child, gtk_widget_unparent);
  g_clear_pointer (&self->end_child, gtk_widget_unparent);
  G_OBJECT_CLASS (heart_sweep_pane_parent_class)->dispose (object);
}

static void
heart_sweep_pane_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  HeartSweepPane *self = HEART_SWEEP_PANE (object);

  switch (prop_id)
    {
    case PROP_START_CHILD:
      g_value_set_object (value, self->start_child);
      break;
    case PROP_END_CHILD:
      g_value_set_object (value, self->end_child);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_sweep_pane_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  HeartSweepPane *self = HEART_SWEEP_PANE (object);

  switch (prop_id)
    {
    case PROP_START_CHILD:
      heart_sweep_pane_set_start_child (self, g_value_get_object (value));
      break;
    case PROP_END_CHILD:
      heart_sweep_pane_set_end_child (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_sweep_pane_class_init (HeartSweepPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = heart_sweep_pane_dispose;
  object_class->get_property = heart_sweep_pane_get_property;
  object_class->set_property = heart_sweep_pane_set_property;
  widget_class->measure = heart_sweep_pane_measure;
  widget_class->get_request_mode = heart_sweep_pane_get_request_mode;
  widget_class->size_allocate = heart_sweep_pane_size_allocate;

  properties[PROP_START_CHILD] =
    g_param_spec_object ("start-child", NULL, NULL, GTK_TYPE_WIDGET,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_END_CHILD] =
    g_param_spec_object ("end-child", NULL, NULL, GTK_TYPE_WIDGET,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "heartsweeppane");
}

static void
heart_sweep_pane_init (HeartSweepPane *self)
{
}

GtkWidget *
heart_sweep_pane_new (void)
{
  return g_object_new (HEART_TYPE_SWEEP_PANE, NULL);
}

GtkWidget *
heart_sweep_pane_get_start_child (HeartSweepPane *self)
{
  g_return_val_if_fail (HEART_IS_SWEEP_PANE (self), NULL);
  return self->start_child;
}

GtkWidget *
heart_sweep_pane_get_end_child (HeartSweepPane *self)
{
  g_return_val_if_fail (HEART_IS_SWEEP_PANE (self), NULL);
  return self->end_child;
}

/* The start child comes first: Tab reaches the chart before the sweep */
static void
set_child (HeartSweepPane *self,
           GtkWidget     **slot,
           GtkWidget      *child,
           GParamSpec     *pspec)
{
  if (*slot == child)
    return;
  g_clear_pointer (slot, gtk_widget_unparent);
  if (child != NULL)
    {
      *slot = child;
      if (slot == &self->start_child)
        gtk_widget_insert_after (child, GTK_WIDGET (self), NULL);
      else
        gtk_widget_insert_before (child, GTK_WIDGET (self), NULL);
    }
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

void
heart_sweep_pane_set_start_child (HeartSweepPane *self,
                                  GtkWidget      *child)
{
  g_return_if_fail (HEART_IS_SWEEP_PANE (self));
  g_return_if_fail (child == NULL || (GTK_IS_WIDGET (child) && gtk_widget_get_parent (child) == NULL));
  set_child (self, &self->start_child, child, properties[PROP_START_CHILD]);
}

void
heart_sweep_pane_set_end_child (HeartSweepPane *self,
                                GtkWidget      *child)
{
  g_return_if_fail (HEART_IS_SWEEP_PANE (self));
  g_return_if_fail (child == NULL || (GTK_IS_WIDGET (child) && gtk_widget_get_parent (child) == NULL));
  set_child (self, &self->end_child, child, properties[PROP_END_CHILD]);
}

gboolean
heart_sweep_pane_get_beside (HeartSweepPane *self)
{
  g_return_val_if_fail (HEART_IS_SWEEP_PANE (self), FALSE);
  return self->beside;
}
