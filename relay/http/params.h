/*
 * relay/http/params.h — the query parameters of the HTTP API: those of
 * GET /v1/events (zone, kind, since, limit), each validated, and none at
 * all on the other routes.
 *
 * Part of the server (relay/http/server.h). An unknown parameter, one
 * given twice, an empty value or a bad one makes the request a 400 whose
 * message names it; client text in messages goes through http_sanitise().
 */
#ifndef NTARELAY_RELAY_HTTP_PARAMS_H
#define NTARELAY_RELAY_HTTP_PARAMS_H

#include <stdbool.h>

#include <microhttpd.h>

#include "relay/http/http.h"
#include "relay/http/respond.h"

/* q filled from con's query (defaults first: any zone and kind, since 0,
 * HTTP_EVENTS_LIMIT_DEFAULT). false with the reason in err (a 400). */
bool http_params_events(struct MHD_Connection *con,
    struct http_events_query *q, char err[HTTP_MESSAGE_MAX]);

/* true when con has no query parameter; else false, err names it. */
bool http_params_none(struct MHD_Connection *con, char err[HTTP_MESSAGE_MAX]);

#endif
