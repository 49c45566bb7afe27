/*
 * client/incident_bundle.h — the portable incident record (`ntactl
 * incident export` writes it, `ntactl incident verify` checks it).
 *
 * One JSON document (docs/API.md §"Incident records"):
 *   {"format":"ntarelay-incident-record","version":1,
 *    "zone":ZONE,"incident":ID,"net":NET,
 *    "relay":{"url":URL,"operator":OPERATOR},"exported_at":T,
 *    "window":{"from":T,"until":T},
 *    "events":[ENTRY..],   the incident's signed events, oldest first
 *    "trust":[ENTRY..],    the trust events that verify them
 *    "missing":[ID..]}     events a decision names that the relay no
 *                          longer held (pruned)
 * ENTRY: {"id":EVENT_ID,"kind":KIND,"origin":OPERATOR,"ts":T,
 * "envelope":{..}} — the envelope exactly as the relay holds it (GET
 * /v1/events), the rest read from it for people: verify trusts nothing
 * but the envelope and recomputes every field from it.
 */
#ifndef NTARELAY_CLIENT_INCIDENT_BUNDLE_H
#define NTARELAY_CLIENT_INCIDENT_BUNDLE_H

#include <jansson.h>

#define BUNDLE_FORMAT "ntarelay-incident-record"
#define BUNDLE_VERSION 1
#define BUNDLE_MAX (64u << 20)          /* bytes of a bundle read */

/*
 * The ENTRY of envelope object env (borrowed): id, kind, origin and ts
 * read from it without verifying anything. New, or NULL when env is no
 * envelope. When payload is not NULL, *payload is its payload (new).
 */
json_t *bundle_entry(const json_t *env, json_t **payload);

int incident_export(int argc, char **argv);
int incident_verify(int argc, char **argv);

#endif
