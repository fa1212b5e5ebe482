/* heart-server-history.c: GET /api/history and SSE resume, written in slices
 *
 * A full answer is 10,000 samples, about 2.4 MB of JSON or 1.8 MB of SSE
 * events. Formatting one at once held the main loop for ~30 ms, and libsoup
 * kept every byte until the client read it, so a few hundred clients asking
 * at once stalled every other client for seconds and cost hundreds of MB
 * (docs/api.md, History answers). Here each answer is a job that is written
 * a slice at a time:
 *
 *   - a slice is at most HEART_BACKFILL_SLICE_SAMPLES samples, formatted in one
 *     turn of an idle source below the live fan-out; the jobs take turns
 *     round-robin, so no answer delays another by more than a slice;
 *   - the next slice of a job is formatted only once libsoup has written the
 *     previous one to the socket ("wrote-body-data"), and the response body
 *     does not accumulate, so a job holds at most one slice;
 *   - at most HEART_BACKFILL_MAX_IN_FLIGHT slices wait in libsoup at once, all
 *     jobs together; the other jobs wait their turn holding no data;
 *   - a slice not written within the stall timeout cuts the connection.
 *
 * An answer holds the samples in the history when it was asked for: its seq
 * range is fixed then, and the samples are read from the ring as the slices
 * are formatted. The ring may move on meanwhile; a sample that is about to
 * leave it while an answer still owes it is first copied to a list shared by
 * all jobs ("evicted"), so the answer is exactly what was asked for. That
 * list is bounded too: an answer that falls a whole history (10,000 new
 * samples) behind is cut. A cut /api/history answer ends without its last
 * chunk, so the client sees an incomplete response, never a wrong "count".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sys/socket.h>

#include "heart-sample-fields.h"
#include "heart-server-connections.h"
#include "heart-server-history.h"
#include "heart-server-json.h"
#include "heart-server-peer.h"
#include "heart-server-sources.h"

typedef enum {
  JOB_HISTORY,   /* the /api/history JSON document */
  JOB_SSE,       /* "id:/data:" events, then the stream goes on live */
} JobKind;

typedef struct
{
  HeartBackfill     *backfill;
  JobKind            kind;
  SoupServerMessage *msg;         /* JOB_HISTORY: written by libsoup */
  HeartPeer         *stream;      /* JOB_SSE: written by us */
  char              *peer;
  GString           *head;        /* JSON before the first sample; NULL once sent */
  guint64            after_seq;   /* every sample up to this one is formatted */
  guint64            end_seq;     /* the last sample of the answer, fixed at request time */
  guint              owed;        /* /api/history: samples still to send */
  gboolean           first;       /* /api/history: no sample sent yet (no comma) */
  gboolean           queued;      /* waits for its turn in backfill->ready */
  gboolean           in_flight;   /* a slice is with libsoup, not yet written */
  gboolean           formatted;   /* everything is handed to libsoup */
  guint64            written;     /* body bytes libsoup wrote to the socket */
  guint64            target;      /* body length when the last slice was appended */
  gint64             since_us;    /* monotonic time the slice in flight was appended */
  HeartBackfillDone    done;
  gpointer           done_data;
} Job;

struct _HeartBackfill
{
  HeartHistory   *history;
  GPtrArray      *jobs;          /* Job *, every live job */
  GQueue          ready;         /* Job *, waiting for a turn, oldest first */
  guint           in_flight;
  GSource        *turn;
  GSource        *watch;
  guint           stall_timeout_ms;

  /* samples that left the ring while a job still owed them: increasing
   * seqs from index evicted_start */
  GArray         *evicted;
  guint           evicted_start;
};

static void job_free (Job *job);
static void update_watch (HeartBackfill *self);

static GSocket *
message_socket (SoupServerMessage *msg)
{
  return heart_connections_get_socket (msg);
}

static char *
describe_peer (SoupServerMessage *msg)
{
  GSocketAddress *address = soup_server_message_get_remote_address (msg);

  if (address == NULL)
    return g_strdup ("unknown peer");
  return g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));
}

static const char *
job_kind_name (Job *job)
{
  return job->kind == JOB_HISTORY ? "history" : "SSE";
}

/* ---- the samples an answer owes ----------------------------------------- */

static guint
evicted_len (HeartBackfill *self)
{
  return self->evicted->len - self->evicted_start;
}

static const HeartSample *
evicted_get (HeartBackfill *self,
             guint        index)
{
  return &g_array_index (self->evicted, HeartSample, self->evicted_start + index);
}

/* Index of the first sample with seq > @seq in the ring (seqs increase
 * along it) */
static guint
ring_first_after (HeartHistory *history,
                  guint64       seq)
{
  guint low = 0, high = heart_history_get_length (history);

  while (low < high)
    {
      guint mid = low + (high - low) / 2;

      if (heart_history_peek (history, mid)->seq <= seq)
        low = mid + 1;
      else
        high = mid;
    }
  return low;
}

static guint
evicted_first_after (HeartBackfill *self,
                     guint64      seq)
{
  guint low = 0, high = evicted_len (self);

  while (low < high)
    {
      guint mid = low + (high - low) / 2;

      if (evicted_get (self, mid)->seq <= seq)
        low = mid + 1;
      else
        high = mid;
    }
  return low;
}

/* Drops the evicted samples no job owes any more */
static void
trim_evicted (HeartBackfill *self)
{
  guint64 oldest_owed = G_MAXUINT64;

  for (guint i = 0; i < self->jobs->len; i++)
    {
      Job *job = self->jobs->pdata[i];

      if (!job->formatted)
        oldest_owed = MIN (oldest_owed, job->after_seq + 1);
    }
  while (evicted_len (self) > 0 && evicted_get (self, 0)->seq < oldest_owed)
    self->evicted_start++;
  /* compact once the dropped part is the bigger one */
  if (self->evicted_start > 0 && self->evicted_start >= evicted_len (self))
    {
      g_array_remove_range (self->evicted, 0, self->evicted_start);
      self->evicted_start = 0;
    }
}

static gboolean
is_owed (HeartBackfill *self,
         guint64      seq)
{
  for (guint i = 0; i < self->jobs->len; i++)
    {
      Job *job = self->jobs->pdata[i];

      if (!job->formatted && job->after_seq < seq && seq <= job->end_seq)
        return TRUE;
    }
  return FALSE;
}

static void cut (Job *job, const char *why);

/* Copies the oldest sample of a full ring, which the next push overwrites,
 * if a job owes it. Runs after every sample and when a job starts, so every
 * sample a job owes is in the ring or in the evicted list. */
static void
rescue (HeartBackfill *self)
{
  const HeartSample *oldest;

  if (self->jobs->len == 0 && evicted_len (self) == 0)
    return;

  trim_evicted (self);
  oldest = heart_history_peek (self->history, 0);
  if (oldest == NULL ||
      heart_history_get_length (self->history) < heart_history_get_capacity (self->history) ||
      (evicted_len (self) > 0 && evicted_get (self, evicted_len (self) - 1)->seq >= oldest->seq) ||
      !is_owed (self, oldest->seq))
    return;

  /* The answers owing the oldest evicted sample are a whole history behind:
   * they are cut, as a WebSocket client that falls out of its frame ring,
   * which bounds the list. Each round cuts at least one. */
  while (evicted_len (self) >= HEART_BACKFILL_EVICTED_MAX)
    {
      guint64 first = evicted_get (self, 0)->seq;

      /* backwards: a cut removes the job (swapping the last one in) */
      for (guint i = self->jobs->len; i > 0; i--)
        {
          Job *job = self->jobs->pdata[i - 1];

          if (!job->formatted && job->after_seq < first)
            cut (job, "fell a whole history behind");
        }
      trim_evicted (self);
    }
  if (is_owed (self, oldest->seq))
    g_array_append_vals (self->evicted, oldest, 1);
}

void
heart_backfill_pushed (HeartBackfill *self)
{
  rescue (self);
}

static void
append_sample (Job               *job,
               const HeartSample *sample,
               GString           *out)
{
  if (job->kind == JOB_SSE)
    {
      heart_sse_append_event (out, sample);
      return;
    }
  if (!job->first)
    g_string_append_c (out, ',');
  job->first = FALSE;
  heart_sample_append_json (sample, HEART_SAMPLE_JSON_WIRE, out);
  job->owed--;
}

/* Formats up to one slice of the samples @job owes, oldest first, from the
 * evicted list and then the ring. Returns how many. */
static guint
format_samples (HeartBackfill *self,
                Job         *job,
                GString     *out)
{
  guint n = 0;

  for (guint i = evicted_first_after (self, job->after_seq);
       i < evicted_len (self) && n < HEART_BACKFILL_SLICE_SAMPLES; i++, n++)
    {
      const HeartSample *sample = evicted_get (self, i);

      if (sample->seq > job->end_seq)
        break;
      append_sample (job, sample, out);
      job->after_seq = sample->seq;
    }

  for (guint i = ring_first_after (self->history, job->after_seq);
       n < HEART_BACKFILL_SLICE_SAMPLES; i++, n++)
    {
      const HeartSample *sample = heart_history_peek (self->history, i);

      if (sample == NULL || sample->seq > job->end_seq)
        break;
      append_sample (job, sample, out);
      job->after_seq = sample->seq;
    }
  return n;
}

/* ---- jobs ------------------------------------------------------------------ */

/* Cuts the connection; libsoup's pending write fails and the message emits
 * "finished". The job is gone at once. */
static void
cut (Job        *job,
     const char *why)
{
  SoupServerMessage *msg;
  GSocket *socket;

  g_message ("Dropping %s client %s: %s", job_kind_name (job), job->peer, why);
  if (job->stream != NULL)
    {
      HeartPeer *stream = job->stream;

      job_free (job);
      heart_peer_abort (stream);
      return;
    }
  msg = g_object_ref (job->msg);
  socket = message_socket (msg);
  job_free (job);
  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  /* a paused message would never try the socket: give it the last chunk */
  soup_message_body_complete (soup_server_message_get_response_body (msg));
  soup_server_message_unpause (msg);
  g_object_unref (msg);
}

static gboolean on_turn (gpointer data);

static void
schedule_turn (HeartBackfill *self)
{
  if (self->turn != NULL || g_queue_is_empty (&self->ready) ||
      self->in_flight >= HEART_BACKFILL_MAX_IN_FLIGHT)
    return;
  /* below the live fan-out (G_PRIORITY_DEFAULT_IDLE): bulk comes last */
  self->turn = heart_source_idle (G_PRIORITY_DEFAULT_IDLE + 10, on_turn, self);
}

static void
enqueue (HeartBackfill *self,
         Job         *job)
{
  job->queued = TRUE;
  g_queue_push_tail (&self->ready, job);
  schedule_turn (self);
}

static void
finish (Job *job)
{
  HeartBackfillDone done = job->done;
  gpointer done_data = job->done_data;
  guint64 last_seq = job->end_seq;

  job_free (job);
  if (done != NULL)
    done (done_data, last_seq);
}

static void wrote_slice (Job *job);

/* An SSE slice goes to the client's queue as one chunk; the queue says
 * when it is written. Last: the job may be done when this returns. */
static void
send_slice (Job     *job,
            GString *out)
{
  g_autoptr(GBytes) chunk = heart_peer_frame_string (HEART_PEER_SSE, out);

  if (!heart_peer_send (job->stream, chunk))
    cut (job, "its stream is closing");
  else if (heart_peer_get_blocked_since (job->stream) == 0)
    wrote_slice (job);
}

/* One slice of @job handed to libsoup, or to the client's queue */
static void
write_slice (HeartBackfill *self,
             Job         *job)
{
  /* a sample is ~190 bytes of JSON, an event ~180: no regrowth */
  GString *out = g_string_sized_new (HEART_BACKFILL_SLICE_SAMPLES * 240);
  g_autoptr(GBytes) bytes = NULL;
  guint n;

  if (job->head != NULL)
    {
      g_string_append_len (out, job->head->str, job->head->len);
      g_string_free (job->head, TRUE);
      job->head = NULL;
    }

  /* a short slice means nothing more up to end_seq is left to find */
  n = format_samples (self, job, out);
  job->formatted = n < HEART_BACKFILL_SLICE_SAMPLES || job->after_seq >= job->end_seq;
  trim_evicted (self);  /* what this job no longer owes goes */

  if (job->kind == JOB_HISTORY && job->formatted)
    {
      if (job->owed > 0)
        {
          g_string_free (out, TRUE);
          cut (job, "samples it owed left the history");
          return;
        }
      g_string_append (out, "]}");
    }

  /* an empty chunk would end the stream */
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      finish (job);
      return;
    }

  job->in_flight = TRUE;
  job->since_us = g_get_monotonic_time ();
  self->in_flight++;
  update_watch (self);
  if (job->stream != NULL)
    {
      send_slice (job, out);
      return;
    }

  {
    SoupMessageBody *body = soup_server_message_get_response_body (job->msg);

    bytes = g_string_free_to_bytes (out);
    soup_message_body_append_bytes (body, bytes);
    if (job->formatted)
      soup_message_body_complete (body);
    job->target = (guint64) body->length;
    soup_server_message_unpause (job->msg);
  }
}

static gboolean
on_turn (gpointer data)
{
  HeartBackfill *self = data;
  Job *job;

  if (self->in_flight >= HEART_BACKFILL_MAX_IN_FLIGHT || g_queue_is_empty (&self->ready))
    {
      heart_source_done (&self->turn);
      return G_SOURCE_REMOVE;
    }

  job = g_queue_pop_head (&self->ready);
  job->queued = FALSE;
  write_slice (self, job);

  if (self->in_flight >= HEART_BACKFILL_MAX_IN_FLIGHT || g_queue_is_empty (&self->ready))
    {
      heart_source_done (&self->turn);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* The slice in flight is on the socket: the next, or the end */
static void
wrote_slice (Job *job)
{
  HeartBackfill *self = job->backfill;

  job->in_flight = FALSE;
  self->in_flight--;
  if (job->formatted)
    finish (job);
  else
    enqueue (self, job);
  schedule_turn (self);
}

/* libsoup wrote part of the body to the socket */
static void
on_wrote (SoupServerMessage *msg,
          guint              size,
          Job               *job)
{
  job->written += size;
  if (job->in_flight && job->written >= job->target)
    wrote_slice (job);
}

/* The client left, or the answer is complete: no more pausing or unpausing */
static void
on_finished (SoupServerMessage *msg,
             Job               *job)
{
  HeartBackfill *self = job->backfill;

  job_free (job);
  schedule_turn (self);
}

static void
job_free (Job *job)
{
  HeartBackfill *self = job->backfill;

  g_ptr_array_remove_fast (self->jobs, job);
  if (job->queued)
    g_queue_remove (&self->ready, job);
  if (job->in_flight)
    self->in_flight--;
  if (job->msg != NULL)
    {
      g_signal_handlers_disconnect_by_data (job->msg, job);
      g_object_unref (job->msg);
    }
  if (job->head != NULL)
    g_string_free (job->head, TRUE);
  g_free (job->peer);
  g_free (job);
  update_watch (self);
}

/* @msg for an answer libsoup writes, @stream for one we write */
static Job *
job_new (HeartBackfill       *self,
         JobKind            kind,
         SoupServerMessage *msg,
         HeartPeer         *stream,
         guint64            after_seq,
         guint64            end_seq)
{
  Job *job = g_new0 (Job, 1);

  job->backfill = self;
  job->kind = kind;
  job->stream = stream;
  job->peer = stream != NULL ? g_strdup (heart_peer_get_description (stream)) : describe_peer (msg);
  job->after_seq = after_seq;
  job->end_seq = end_seq;
  job->first = TRUE;
  g_ptr_array_add (self->jobs, job);
  if (msg != NULL)
    {
      job->msg = g_object_ref (msg);
      g_signal_connect (msg, "wrote-body-data", G_CALLBACK (on_wrote), job);
      g_signal_connect (msg, "finished", G_CALLBACK (on_finished), job);
    }
  /* what the job owes now is safe from the next push */
  rescue (self);
  enqueue (self, job);
  update_watch (self);
  return job;
}

/* ---- the stall watch ------------------------------------------------------- */

static gboolean
on_watch (gpointer data)
{
  HeartBackfill *self = data;
  gint64 now = g_get_monotonic_time ();
  gint64 limit = (gint64) self->stall_timeout_ms * 1000;

  /* backwards: a cut removes the job (swapping the last one in) */
  for (guint i = self->jobs->len; i > 0; i--)
    {
      Job *job = self->jobs->pdata[i - 1];

      if (job->in_flight && now - job->since_us >= limit)
        {
          g_autofree char *why = g_strdup_printf ("not reading for %u ms", self->stall_timeout_ms);

          cut (job, why);
        }
    }
  return G_SOURCE_CONTINUE;
}

/* A timer while some slice is in flight, none otherwise */
static void
update_watch (HeartBackfill *self)
{
  if (self->in_flight > 0 && self->watch == NULL)
    self->watch = heart_source_timeout (CLAMP (self->stall_timeout_ms / 4, 20, 1000),
                                        G_PRIORITY_DEFAULT_IDLE, on_watch, self);
  else if (self->in_flight == 0)
    heart_source_clear (&self->watch);
}

/* ---- public ------------------------------------------------------------------ */

static void
prepare_stream (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  /* HTTP/1.0 has no chunks: the end of the connection ends the answer */
  soup_message_headers_set_encoding (headers,
                                     soup_server_message_get_http_version (msg) == SOUP_HTTP_1_0
                                       ? SOUP_ENCODING_EOF : SOUP_ENCODING_CHUNKED);
  /* otherwise every written slice stays in memory */
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);
}

void
heart_backfill_add_history (HeartBackfill       *self,
                          SoupServerMessage *msg,
                          guint64            since,
                          guint              limit)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const HeartSample *oldest = heart_history_peek (self->history, 0);
  const HeartSample *latest = heart_history_get_latest (self->history);
  guint first = ring_first_after (self->history, since);
  guint count = MIN (heart_history_get_length (self->history) - first, limit);
  GString *head = g_string_sized_new (160);
  Job *job;

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_replace (headers, "Content-Type", "application/json");
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  prepare_stream (msg);

  g_string_append_printf (head,
                          "{\"since\":%" G_GUINT64_FORMAT ",\"limit\":%u,\"count\":%u"
                          ",\"oldest_seq\":%" G_GUINT64_FORMAT ",\"latest_seq\":%" G_GUINT64_FORMAT
                          ",\"samples\":[",
                          since, limit, count,
                          oldest ? oldest->seq : 0, latest ? latest->seq : 0);

  /* HEAD: the headers of the answer only */
  if (soup_server_message_get_method (msg) == SOUP_METHOD_HEAD)
    {
      g_string_free (head, TRUE);
      return;
    }

  if (count == 0)
    {
      SoupMessageBody *body = soup_server_message_get_response_body (msg);
      g_autoptr(GBytes) bytes = NULL;

      g_string_append (head, "]}");
      bytes = g_string_free_to_bytes (head);
      soup_message_body_append_bytes (body, bytes);
      soup_message_body_complete (body);
      return;
    }

  /* a client that stops reading shows within a bounded kernel buffer, not
   * after megabytes of autotuned one (docs/api.md, Slow clients) */
  if (message_socket (msg) != NULL)
    g_socket_set_option (message_socket (msg), SOL_SOCKET, SO_SNDBUF, HEART_SERVER_CLIENT_SNDBUF, NULL);

  job = job_new (self, JOB_HISTORY, msg, NULL, heart_history_peek (self->history, first)->seq - 1,
                 heart_history_peek (self->history, first + count - 1)->seq);
  job->head = head;
  job->owed = count;
}

gboolean
heart_backfill_add_sse (HeartBackfill       *self,
                      HeartPeer         *stream,
                      guint64            since,
                      HeartBackfillDone    done,
                      gpointer           done_data)
{
  const HeartSample *latest = heart_history_get_latest (self->history);
  guint first = ring_first_after (self->history, since);
  Job *job;

  if (latest == NULL || first >= heart_history_get_length (self->history))
    return FALSE;

  /* from the ring's first, not from @since: older samples kept for other
   * answers are not this one's */
  job = job_new (self, JOB_SSE, NULL, stream, heart_history_peek (self->history, first)->seq - 1, latest->seq);
  job->done = done;
  job->done_data = done_data;
  return TRUE;
}

static Job *
find_sse_job (HeartBackfill *self,
              HeartPeer   *stream)
{
  for (guint i = 0; i < self->jobs->len; i++)
    {
      Job *job = self->jobs->pdata[i];

      if (job->stream == stream)
        return job;
    }
  return NULL;
}

void
heart_backfill_drained (HeartBackfill *self,
                      HeartPeer   *stream)
{
  Job *job = find_sse_job (self, stream);

  if (job != NULL && job->in_flight)
    wrote_slice (job);
}

void
heart_backfill_cancel (HeartBackfill *self,
                     HeartPeer   *stream)
{
  for (guint i = 0; i < self->jobs->len; i++)
    {
      Job *job = self->jobs->pdata[i];

      if (job->stream == stream)
        {
          job_free (job);
          schedule_turn (self);
          return;
        }
    }
}

void
heart_backfill_set_stall_timeout (HeartBackfill *self,
                                guint        timeout_ms)
{
  self->stall_timeout_ms = timeout_ms;
  heart_source_clear (&self->watch);
  update_watch (self);
}

HeartBackfill *
heart_backfill_new (HeartHistory *history)
{
  HeartBackfill *self = g_new0 (HeartBackfill, 1);

  self->history = g_object_ref (history);
  self->jobs = g_ptr_array_new ();
  g_queue_init (&self->ready);
  self->evicted = g_array_new (FALSE, FALSE, sizeof (HeartSample));
  self->stall_timeout_ms = HEART_SERVER_STALL_TIMEOUT_MS;
  return self;
}

/* Forgets every job; their messages are left to libsoup (no unpausing:
 * they may be finished or about to be) */
void
heart_backfill_free (HeartBackfill *self)
{
  while (self->jobs->len > 0)
    job_free (self->jobs->pdata[self->jobs->len - 1]);
  heart_source_clear (&self->turn);
  heart_source_clear (&self->watch);
  g_ptr_array_unref (self->jobs);
  g_array_unref (self->evicted);
  g_clear_object (&self->history);
  g_free (self);
}
