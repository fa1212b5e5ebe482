/* heart-cohort-file.h: cohort files (JSON), and the subjects of --subjects N
 *
 * A cohort file lists the people of a run (docs/datasets.md, "Cohort
 * files"; JSON Schema data/cohort.schema.json). It is checked whole before
 * anything uses it; an error names the file, the line, the subject (its
 * place and id), the field and the reason:
 * "cohort.json:7: subject 2 (id 2): profile: no preset called “athelete” …".
 *
 * Headless, the window and generate make their HeartSubjectSpecs here,
 * from a file or from a count, so that subject N is the same person
 * whichever of them simulates it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "heart-subject.h"

G_BEGIN_DECLS

#define HEART_COHORT_FILE_ERROR (heart_cohort_file_error_quark ())

typedef enum {
  HEART_COHORT_FILE_ERROR_INVALID,   /* not JSON, not a valid cohort, or too big */
} HeartCohortFileError;

/* The most subjects one file or --subjects may name: a run that size is
 * already hours of work (bench/README.md) */
#define HEART_COHORT_MAX_SUBJECTS HEART_SUBJECTS_MAX
#define HEART_COHORT_MAX_FILE_BYTES (64 * 1024 * 1024)

GQuark     heart_cohort_file_error_quark (void);

/* The subjects of the file at @path, as HeartSubjectSpec*, in the file's
 * order (the array frees them). A subject without an "id" gets its place
 * in the list plus @subject_offset; without a "seed",
 * heart_subject_seed (@run_seed, id); without a "profile", the one
 * heart_subject_spec_init() draws for that id. Relative scenario paths are
 * relative to the file's folder. NULL with @error on any problem. */
GPtrArray *heart_cohort_file_load        (const char *path,
                                          guint subject_offset,
                                          guint64 run_seed,
                                          GError **error);
/* The same from @data; @where names it in messages, @base_dir is where
 * relative scenario paths start (NULL: the current folder) */
GPtrArray *heart_cohort_file_parse       (const char *data,
                                          gsize length,
                                          const char *where,
                                          const char *base_dir,
                                          guint subject_offset,
                                          guint64 run_seed,
                                          GError **error);

/* The subjects of --subjects N: ids @subject_offset … @subject_offset + N − 1,
 * each as heart_subject_spec_init() makes it with @profile (NULL: drawn
 * from the seed). NULL with a G_OPTION_ERROR naming the option when N is
 * 0 or over HEART_COHORT_MAX_SUBJECTS, the ids overflow, or @profile is
 * no preset. */
GPtrArray *heart_cohort_subjects_new     (guint n_subjects,
                                          guint subject_offset,
                                          guint64 run_seed,
                                          const char *profile,
                                          GError **error);

G_END_DECLS
