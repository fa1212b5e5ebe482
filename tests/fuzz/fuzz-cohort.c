/* fuzz-cohort.c: heart_cohort_file_parse() (io/heart-cohort-file.c) on an
 * arbitrary cohort file (docs/datasets.md, "Cohort files")
 *
 * The first byte is the subject offset (times 2^24, so that the ids'
 * overflow is reached), the rest is the file. Whatever the file, it is
 * either refused with a message naming it, or every subject has an id of
 * its own and a profile; nothing crashes or leaks. Scenario paths are
 * relative to a folder that does not exist, so only bundled scenarios and
 * absolute paths load.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-cohort-file.h"
#include "fuzz-common.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_glib ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  FuzzInput in = { data, size };
  guint offset = (guint) fuzz_take_byte (&in) << 24;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) specs = heart_cohort_file_parse ((const char *) in.data, in.size, "fuzz.json",
                                                        "/nonexistent-heartsim-fuzz", offset, 1, &error);
  g_autoptr(GHashTable) ids = NULL;

  if (specs == NULL)
    {
      g_assert_nonnull (error);
      g_assert_true (g_str_has_prefix (error->message, "fuzz.json"));
      return 0;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (specs->len, >, 0);
  g_assert_cmpuint (specs->len, <=, HEART_COHORT_MAX_SUBJECTS);
  ids = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint i = 0; i < specs->len; i++)
    {
      const HeartSubjectSpec *spec = g_ptr_array_index (specs, i);

      g_assert_false (g_hash_table_contains (ids, GUINT_TO_POINTER (spec->id)));
      g_hash_table_add (ids, GUINT_TO_POINTER (spec->id));
      g_assert_nonnull (spec->profile);
      g_assert_true (spec->scenario != NULL || (spec->start_offset_s == 0 && !spec->repeat));
    }
  return 0;
}
