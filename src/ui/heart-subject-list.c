/* heart-subject-list.c: the window's subject switcher
 *
 * One row per subject of the run: its name, its heart rate now and a
 * sparkline of the last two minutes, kept up to date from the subject's
 * source, whichever subject the window shows. Choosing a row only says
 * so ("selected"): the window decides what follows (docs/desktop.md,
 * "Subjects").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "heart-subject-list.h"

#include <glib/gi18n.h>

#include "heart-label.h"
#include "heart-sparkline.h"

/* What a row's sparkline spans, in simulation time */
#define SPARKLINE_SECONDS 120.0
/* So that the line has room beside the heart rate */
#define SPARKLINE_HEIGHT 28

typedef struct
{
  GtkWidget   *row;
  GtkLabel    *bpm_label;
  GtkWidget   *sparkline;
  HeartSource *source;
  gulong       sample_id;
  char        *name;
  int          shown_bpm;   /* -1 before the first sample */
} SubjectRow;

struct _HeartSubjectList
{
  GtkWidget   parent_instance;

  GPtrArray  *rows;         /* SubjectRow, in the cohort's order */
  guint       selected;

  /* template widgets */
  GtkListBox *list_box;
};

enum {
  PROP_0,
  PROP_SELECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (HeartSubjectList, heart_subject_list, GTK_TYPE_WIDGET)

static void
subject_row_free (gpointer data)
{
  SubjectRow *row = data;

  g_clear_signal_handler (&row->sample_id, row->source);
  g_clear_object (&row->source);
  g_free (row->name);
  g_free (row);
}

char *
heart_subject_dup_display_name (HeartSubject *subject)
{
  const HeartSubjectSpec *spec = heart_subject_get_spec (subject);

  if (spec->name != NULL)
    return g_strdup (spec->name);
  /* Translators: a simulated person of several, by number */
  return g_strdup_printf (_("Subject %u"), spec->id);
}

/* The heart rate in words and figures, when it changes */
static void
show_bpm (SubjectRow *row,
          int         bpm)
{
  if (bpm == row->shown_bpm)
    return;
  row->shown_bpm = bpm;
  if (bpm <= 0)
    {
      gtk_label_set_label (row->bpm_label, "—");
      /* Translators: a row of the subject list before a heart rate is known; %s is the subject's name */
      heart_widget_set_accessible_printf (row->row, _("%s, no heart rate yet"), row->name);
      return;
    }
  heart_label_set_printf (row->bpm_label, "%d", bpm);
  /* Translators: a row of the subject list: its name and heart rate */
  heart_widget_set_accessible_printf (row->row, g_dngettext (GETTEXT_PACKAGE, "%s, %d beat per minute",
                                                             "%s, %d beats per minute", bpm),
                                      row->name, bpm);
}

static void
on_sample (HeartSource       *source,
           const HeartSample *sample,
           SubjectRow        *row)
{
  show_bpm (row, sample->bpm);
  heart_sparkline_update (HEART_SPARKLINE (row->sparkline));
}

static GtkWidget *
make_row_child (SubjectRow *row)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *name = gtk_label_new (row->name);
  GtkWidget *unit = gtk_label_new (_("bpm"));
  GtkWidget *figures = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (name, "subject-name");
  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_size_request (row->sparkline, -1, SPARKLINE_HEIGHT);
  gtk_box_append (GTK_BOX (text), name);
  gtk_box_append (GTK_BOX (text), row->sparkline);

  row->bpm_label = GTK_LABEL (gtk_label_new ("—"));
  gtk_widget_add_css_class (GTK_WIDGET (row->bpm_label), "subject-bpm");
  gtk_widget_add_css_class (GTK_WIDGET (row->bpm_label), "numeric");
  gtk_label_set_xalign (row->bpm_label, 1);
  gtk_label_set_width_chars (row->bpm_label, 3);
  gtk_widget_add_css_class (unit, "subject-unit");
  gtk_label_set_xalign (GTK_LABEL (unit), 1);
  gtk_widget_set_valign (figures, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (figures), GTK_WIDGET (row->bpm_label));
  gtk_box_append (GTK_BOX (figures), unit);

  gtk_box_append (GTK_BOX (box), text);
  gtk_box_append (GTK_BOX (box), figures);
  return box;
}

static SubjectRow *
subject_row_new (HeartSubject *subject,
                 HeartHistory *history)
{
  SubjectRow *row = g_new0 (SubjectRow, 1);
  const HeartSample *sample;

  row->name = heart_subject_dup_display_name (subject);
  row->source = g_object_ref (heart_subject_get_source (subject));
  row->sparkline = heart_sparkline_new (history, SPARKLINE_SECONDS);
  row->shown_bpm = -1;
  row->row = gtk_list_box_row_new ();
  gtk_widget_add_css_class (row->row, "subject-row");
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row->row), make_row_child (row));
  sample = heart_source_get_current_sample (row->source);
  show_bpm (row, sample != NULL && sample->seq > 0 ? sample->bpm : 0);
  row->sample_id = g_signal_connect (row->source, "sample", G_CALLBACK (on_sample), row);
  return row;
}

static void
on_row_selected (HeartSubjectList *self,
                 GtkListBoxRow    *row)
{
  if (row == NULL)
    return;
  heart_subject_list_set_selected (self, (guint) gtk_list_box_row_get_index (row));
}

/* ---------------------------------------------------------------- GObject */

static void
heart_subject_list_dispose (GObject *object)
{
  HeartSubjectList *self = HEART_SUBJECT_LIST (object);
  GtkWidget *child;

  /* before the rows go: no sample may reach a freed row */
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), HEART_TYPE_SUBJECT_LIST);
  /* the template's top widget is a child, not only a template child */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (heart_subject_list_parent_class)->dispose (object);
}

static void
heart_subject_list_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  HeartSubjectList *self = HEART_SUBJECT_LIST (object);

  switch (prop_id)
    {
    case PROP_SELECTED:
      g_value_set_uint (value, self->selected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_subject_list_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  HeartSubjectList *self = HEART_SUBJECT_LIST (object);

  switch (prop_id)
    {
    case PROP_SELECTED:
      heart_subject_list_set_selected (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heart_subject_list_class_init (HeartSubjectListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = heart_subject_list_dispose;
  object_class->get_property = heart_subject_list_get_property;
  object_class->set_property = heart_subject_list_set_property;

  properties[PROP_SELECTED] =
    g_param_spec_uint ("selected", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/heartsim/Heartsim/ui/heart-subject-list.ui");
  gtk_widget_class_bind_template_child (widget_class, HeartSubjectList, list_box);
  gtk_widget_class_bind_template_callback (widget_class, on_row_selected);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "heartsubjectlist");
}

static void
heart_subject_list_init (HeartSubjectList *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new_with_free_func (subject_row_free);
}

void
heart_subject_list_set_cohort (HeartSubjectList *self,
                               HeartCohort      *cohort,
                               GListModel       *histories)
{
  guint n;

  g_return_if_fail (HEART_IS_SUBJECT_LIST (self));
  g_return_if_fail (HEART_IS_COHORT (cohort));
  g_return_if_fail (G_IS_LIST_MODEL (histories));
  g_return_if_fail (self->rows->len == 0);

  n = heart_cohort_get_n_subjects (cohort);
  g_return_if_fail (g_list_model_get_n_items (histories) == n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(HeartHistory) history = g_list_model_get_item (histories, i);
      SubjectRow *row = subject_row_new (heart_cohort_get_subject (cohort, i), history);

      g_ptr_array_add (self->rows, row);
      gtk_list_box_append (self->list_box, row->row);
    }
  gtk_list_box_select_row (self->list_box, GTK_LIST_BOX_ROW (heart_subject_list_get_row (self, self->selected)));
}

guint
heart_subject_list_get_selected (HeartSubjectList *self)
{
  g_return_val_if_fail (HEART_IS_SUBJECT_LIST (self), 0);
  return self->selected;
}

void
heart_subject_list_set_selected (HeartSubjectList *self,
                                 guint             index)
{
  GtkWidget *row;

  g_return_if_fail (HEART_IS_SUBJECT_LIST (self));
  g_return_if_fail (index < MAX (self->rows->len, 1));

  row = heart_subject_list_get_row (self, index);
  if (row != NULL && !gtk_list_box_row_is_selected (GTK_LIST_BOX_ROW (row)))
    gtk_list_box_select_row (self->list_box, GTK_LIST_BOX_ROW (row));
  if (self->selected == index)
    return;
  self->selected = index;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

static SubjectRow *
row_at (HeartSubjectList *self,
        guint             index)
{
  return index < self->rows->len ? g_ptr_array_index (self->rows, index) : NULL;
}

GtkWidget *
heart_subject_list_get_row (HeartSubjectList *self,
                            guint             index)
{
  g_return_val_if_fail (HEART_IS_SUBJECT_LIST (self), NULL);
  return row_at (self, index) != NULL ? row_at (self, index)->row : NULL;
}

const char *
heart_subject_list_get_bpm_text (HeartSubjectList *self,
                                 guint             index)
{
  g_return_val_if_fail (HEART_IS_SUBJECT_LIST (self), NULL);
  return row_at (self, index) != NULL ? gtk_label_get_label (row_at (self, index)->bpm_label) : NULL;
}

GtkWidget *
heart_subject_list_get_sparkline (HeartSubjectList *self,
                                  guint             index)
{
  g_return_val_if_fail (HEART_IS_SUBJECT_LIST (self), NULL);
  return row_at (self, index) != NULL ? row_at (self, index)->sparkline : NULL;
}
