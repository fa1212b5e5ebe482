/* main.c: one binary, three modes
 *
 *   heartsim              the desktop app (headless when there is no display)
 *   heartsim --headless   simulator + server, no display, no GTK initialisation
 *   heartsim generate …   write a dataset as fast as the machine allows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <locale.h>
#include <string.h>

#include "heart-generate.h"
#include "heart-headless.h"
#if HEART_HAVE_GUI
# include "heart-application.h"
#endif

static gboolean
has_argument (int argc, char **argv, const char *wanted)
{
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--"))
        break;
      if (g_str_equal (argv[i], wanted))
        return TRUE;
    }
  return FALSE;
}

static gboolean
display_available (void)
{
  const char *wayland = g_getenv ("WAYLAND_DISPLAY");
  const char *x11 = g_getenv ("DISPLAY");

  return (wayland != NULL && *wayland != '\0') || (x11 != NULL && *x11 != '\0');
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");

  if (argc > 1 && g_str_equal (argv[1], "generate"))
    return heart_generate_main (argc - 1, argv + 1);

  if (has_argument (argc, argv, "--headless"))
    return heart_headless_main (argc, argv);

#if HEART_HAVE_GUI
  if (display_available ())
    return heart_application_main (argc, argv);
  g_printerr ("heartsim: no display found, running headless (heartsim --help-headless for options)\n");
#else
  (void) display_available;
#endif
  return heart_headless_main (argc, argv);
}
