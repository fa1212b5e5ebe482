/* heart-replay-lines.c: a replayed file a line at a time, with bounded memory
 *
 * Through a fixed buffer: a line longer than HEART_REPLAY_LINE_MAX is
 * flagged as soon as it is known to be and its rest skipped without being
 * kept, a budget per call, so neither a long file nor a gigabyte without a
 * newline holds memory or the main loop. docs/replay.md.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "heart-replay-private.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* bytes of an overlong line skipped in one call: a gigabyte without a
 * newline is skipped over many turns of the main loop, never in one */
#define SKIP_BUDGET          (4 * 1024 * 1024)

void
_heart_replay_lines_init (HeartReplayLines *lines)
{
  lines->fd = -1;
  lines->buf = g_malloc (HEART_REPLAY_READ_CHUNK);
  lines->line = g_string_sized_new (256);
}

void
_heart_replay_lines_clear (HeartReplayLines *lines)
{
  if (lines->fd >= 0)
    close (lines->fd);
  lines->fd = -1;
  g_clear_pointer (&lines->buf, g_free);
  if (lines->line != NULL)
    g_string_free (g_steal_pointer (&lines->line), TRUE);
}

void
_heart_replay_lines_reset (HeartReplayLines *lines,
                           goffset           offset,
                           guint64           number)
{
  lines->start = lines->end = 0;
  lines->buf_offset = offset;
  lines->number = number;
  g_string_truncate (lines->line, 0);
  lines->too_long = FALSE;
  lines->skipping = FALSE;
  (void) lseek (lines->fd, offset, SEEK_SET);
}

goffset
_heart_replay_lines_tell (HeartReplayLines *lines)
{
  return lines->buf_offset + (goffset) lines->start;
}

static HeartReplayLineStatus
lines_fill (HeartReplayLines *lines,
            int              *errsv)
{
  ssize_t got;

  lines->buf_offset += (goffset) lines->end;
  lines->start = lines->end = 0;
  do
    got = read (lines->fd, lines->buf, HEART_REPLAY_READ_CHUNK);
  while (got < 0 && errno == EINTR);
  if (got < 0)
    {
      *errsv = errno;
      return HEART_REPLAY_LINE_ERROR;
    }
  lines->end = (gsize) got;
  return got == 0 ? HEART_REPLAY_LINE_EOF : HEART_REPLAY_LINE;
}

/* The rest of an overlong line, a budget at a time */
static HeartReplayLineStatus
lines_skip (HeartReplayLines *lines,
            int              *errsv)
{
  gsize skipped = 0;

  while (lines->skipping)
    {
      char *nl = memchr (lines->buf + lines->start, '\n', lines->end - lines->start);
      HeartReplayLineStatus status;

      if (nl != NULL)
        {
          lines->start = (gsize) (nl - lines->buf) + 1;
          lines->skipping = FALSE;
          break;
        }
      skipped += lines->end - lines->start;
      if (skipped > SKIP_BUDGET)
        {
          lines->start = lines->end;
          return HEART_REPLAY_LINE_AGAIN;
        }
      status = lines_fill (lines, errsv);
      if (status != HEART_REPLAY_LINE)
        {
          lines->skipping = FALSE;
          return status;
        }
    }
  return HEART_REPLAY_LINE;
}

/* The next line, without its newline (and CR). A line longer than LINE_MAX
 * is returned flagged (and empty) as soon as it is known to be, and its
 * rest skipped by the next calls (HEART_REPLAY_LINE_AGAIN while it lasts). */
HeartReplayLineStatus
_heart_replay_lines_next (HeartReplayLines *lines,
                          int              *errsv)
{
  g_string_truncate (lines->line, 0);
  lines->too_long = FALSE;
  lines->newline = FALSE;

  if (lines->skipping)
    {
      HeartReplayLineStatus status = lines_skip (lines, errsv);

      if (status != HEART_REPLAY_LINE)
        return status;
    }
  for (;;)
    {
      char *nl;
      gsize n;
      HeartReplayLineStatus status;

      if (lines->start < lines->end)
        {
          nl = memchr (lines->buf + lines->start, '\n', lines->end - lines->start);
          n = nl ? (gsize) (nl - (lines->buf + lines->start)) : lines->end - lines->start;
          if (lines->line->len + n > HEART_REPLAY_LINE_MAX)
            {
              lines->too_long = TRUE;
              lines->skipping = TRUE;
              lines->number++;
              g_string_truncate (lines->line, 0);
              return HEART_REPLAY_LINE;
            }
          g_string_append_len (lines->line, lines->buf + lines->start, (gssize) n);
          lines->start += n;
          if (nl != NULL)
            {
              lines->start++;
              lines->number++;
              lines->newline = TRUE;
              if (lines->line->len > 0 && lines->line->str[lines->line->len - 1] == '\r')
                g_string_truncate (lines->line, lines->line->len - 1);
              return HEART_REPLAY_LINE;
            }
        }
      status = lines_fill (lines, errsv);
      if (status == HEART_REPLAY_LINE_ERROR)
        return status;
      if (status == HEART_REPLAY_LINE_EOF)
        {
          if (lines->line->len > 0)
            {
              lines->number++;
              return HEART_REPLAY_LINE;
            }
          return HEART_REPLAY_LINE_EOF;
        }
    }
}

gboolean
_heart_replay_line_is_blank (const GString *line)
{
  for (gsize i = 0; i < line->len; i++)
    if (!g_ascii_isspace (line->str[i]))
      return FALSE;
  return TRUE;
}

HeartReplayRead
_heart_replay_lines_read (HeartReplay            *self,
                          HeartReplayLineParser   parse,
                          HeartReplayItem        *item,
                          GError                **error)
{
  for (;;)
    {
      GString *line = self->lines.line;
      int errsv = 0;
      HeartReplayLineStatus status = _heart_replay_lines_next (&self->lines, &errsv);
      gboolean got = FALSE;

      if (status == HEART_REPLAY_LINE_EOF)
        return HEART_REPLAY_READ_END;
      if (status == HEART_REPLAY_LINE_AGAIN)
        return HEART_REPLAY_READ_AGAIN;
      if (status == HEART_REPLAY_LINE_ERROR)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "cannot read %s: %s",
                       self->name, g_strerror (errsv));
          return HEART_REPLAY_READ_FAILED;
        }
      if (self->lines.too_long)
        {
          *error = _heart_replay_line_error (self, "longer than %d bytes", HEART_REPLAY_LINE_MAX);
          return HEART_REPLAY_READ_MALFORMED;
        }
      if (memchr (line->str, '\0', line->len) != NULL || !g_utf8_validate (line->str, (gssize) line->len, NULL))
        {
          *error = _heart_replay_line_error (self, "not text");
          return HEART_REPLAY_READ_MALFORMED;
        }
      if (_heart_replay_line_is_blank (line))
        continue;
      if (!parse (self, item, &got, error))
        return HEART_REPLAY_READ_MALFORMED;
      if (got)
        return HEART_REPLAY_READ_ITEM;
    }
}
