/* heart-scenario-file.h: scenario files (JSON) and the bundled scenarios
 *
 * The format is docs/scenarios.md, with a JSON Schema at
 * data/scenarios/scenario.schema.json. A file is checked whole before
 * anything uses it; an error names the file, the line, the field and the
 * reason: "work.json:12: phases[1].duration: must be more than 0".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "heart-scenario.h"

G_BEGIN_DECLS

#define HEART_SCENARIO_ERROR (heart_scenario_error_quark ())

typedef enum {
  HEART_SCENARIO_ERROR_INVALID,    /* not JSON, or not a valid scenario */
  HEART_SCENARIO_ERROR_NOT_FOUND,  /* no bundled scenario of that name */
} HeartScenarioError;

#define HEART_SCENARIO_MAX_FILE_BYTES (1024 * 1024)

GQuark         heart_scenario_error_quark   (void);
/* @where names the data in messages (a file name, "upload") */
HeartScenario *heart_scenario_parse         (const char *data,
                                             gsize length,
                                             const char *where,
                                             GError **error);
HeartScenario *heart_scenario_load_file     (const char *path,
                                             GError **error);
/* Names of the scenarios compiled into the program, NULL-terminated */
char         **heart_scenario_list_bundled  (void);
HeartScenario *heart_scenario_load_bundled  (const char *name,
                                             GError **error);
/* A bundled name, or else a file path */
HeartScenario *heart_scenario_load          (const char *name_or_path,
                                             GError **error);

G_END_DECLS
