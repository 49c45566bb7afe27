/*
 * relay/core/metrics.c — Prometheus text exposition (format 0.0.4) of the
 * relay's counters.
 *
 * Every labelled family lists all of its label values, zeros included, so
 * that a dashboard sees each series from the first scrape and rate() works
 * from the first event. Label values are escaped as the format requires
 * (backslash, double quote, newline); HELP texts are our own constants.
 *
 * One function per section of families (events, store, links, notifier,
 * trust, backfill, probe, the process), then the collectors of the upper
 * layers (metrics.h), in the order they were added.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/core/metrics.h"

/* The protocol version the relay speaks (docs/PROTOCOL.md: topics
 * ntarelay/v1/..., events "v": 1). */
#define METRICS_PROTOCOL "v1"

static const double probe_bounds[METRICS_PROBE_BUCKETS] = {
	0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
};

/* Append s as a label value: \ " and newline escaped (format 0.0.4). */
static void
metrics_label_value(struct buf *b, const char *s)
{
	const char *p, *run = s;

	/* runs of plain characters in one go: a scrape writes a label value
	 * for every zone in the engine */
	for (p = s; *p; p++) {
		const char *esc = *p == '\\' ? "\\\\" : *p == '"' ? "\\\"" :
		    *p == '\n' ? "\\n" : NULL;
		if (esc == NULL)
			continue;
		buf_add(b, run, (size_t)(p - run));
		buf_add(b, esc, 2);
		run = p + 1;
	}
	buf_add(b, run, (size_t)(p - run));
}

void
metrics_family(struct buf *b, const char *name, const char *type,
    const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
}

/* name{label="value"} v */
static void
metrics_labelled(struct buf *b, const char *name, const char *label,
    const char *value, uint64_t v)
{
	buf_printf(b, "%s{%s=\"", name, label);
	metrics_label_value(b, value);
	buf_printf(b, "\"} %" PRIu64 "\n", v);
}

static void
metrics_plain(struct buf *b, const char *name, const char *type,
    const char *help, uint64_t v)
{
	metrics_family(b, name, type, help);
	buf_printf(b, "%s %" PRIu64 "\n", name, v);
}

/* One family per link field, so that they share one loop. */
static const struct {
	const char *name, *type, *help;
	int field;
} metrics_link_families[] = {
	{ "ntarelay_link_up", "gauge",
	  "Whether the link to the broker is connected (1) or not (0).", 0 },
	{ "ntarelay_link_connects_total", "counter",
	  "Successful connections of the link to its broker.", 1 },
	{ "ntarelay_link_received_total", "counter",
	  "MQTT messages received on the link.", 2 },
	{ "ntarelay_link_published_total", "counter",
	  "Messages published on the link (own and forwarded).", 3 },
	{ "ntarelay_link_outbox", "gauge",
	  "Events published on the link and waiting for PUBACK.", 4 },
	{ "ntarelay_link_refused_total", "counter",
	  "Publications the broker refused (MQTT v5 reason >= 0x80, e.g. its "
	  "ACL); dropped from the link's outbox.", 5 },
	{ "ntarelay_link_junk_dropped_total", "counter",
	  "Events signed by known keys of non-members dropped unverified: "
	  "over the link's budget of verifications for them.", 6 },
	{ "ntarelay_forwards_suppressed_total", "counter",
	  "Forwards held for forward_delay and cancelled because a copy of the "
	  "event came from the link: its broker had it already.", 7 },
};

static uint64_t
metrics_link_field(const struct metrics_link *l, int field)
{
	switch (field) {
	case 0: return l->up ? 1 : 0;
	case 1: return l->connects;
	case 2: return l->received;
	case 3: return l->published;
	case 5: return l->refused;
	case 6: return l->junk_dropped;
	case 7: return l->suppressed;
	default: return l->outbox;
	}
}

static void
metrics_events(const struct metrics *m, struct buf *out)
{
	int k, e;

	metrics_family(out, "ntarelay_events_accepted_total", "counter",
	    "Events verified, accepted and stored, by kind.");
	for (k = 0; k < KIND__COUNT; k++)
		metrics_labelled(out, "ntarelay_events_accepted_total", "kind",
		    kind_name((enum kind)k), m->accepted[k]);

	metrics_family(out, "ntarelay_events_rejected_total", "counter",
	    "Events rejected, by reason (the protocol's error names).");
	for (e = PROTO_OK + 1; e < PROTO_E__COUNT; e++)
		metrics_labelled(out, "ntarelay_events_rejected_total", "reason",
		    proto_errname((enum proto_err)e), m->rejected[e]);

	metrics_plain(out, "ntarelay_events_duplicate_total", "counter",
	    "Events dropped by id as already known, before verification.",
	    m->duplicates);
	metrics_plain(out, "ntarelay_events_forwarded_total", "counter",
	    "Copies of events forwarded to other links.", m->forwarded);
	metrics_plain(out, "ntarelay_seq_gaps_total", "counter",
	    "Events accepted with a gap in their chain before them.",
	    m->seq_gaps);
	metrics_plain(out, "ntarelay_equivocations_total", "counter",
	    "Equivocations detected (same signer and seq, different event).",
	    m->equivocations);
	metrics_plain(out, "ntarelay_own_events_total", "counter",
	    "Events signed by this relay.", m->own_events);
	metrics_plain(out, "ntarelay_decision_changes_total", "counter",
	    "Decision changes published by the quorum engine.", m->decisions);
	metrics_plain(out, "ntarelay_submissions_total", "counter",
	    "Events submitted on the control socket and accepted.",
	    m->submissions);
	metrics_plain(out, "ntarelay_submissions_refused_total", "counter",
	    "Submissions on the control socket refused.",
	    m->submissions_refused);
}

static void
metrics_store(const struct metrics *m, struct buf *out)
{
	metrics_plain(out, "ntarelay_store_events", "gauge",
	    "Events held in the store.", m->stored_events);
	metrics_plain(out, "ntarelay_store_writable", "gauge",
	    "Whether the store writes (1) or a write failed and the relay holds "
	    "its input, links paused, until a retry succeeds (0).",
	    m->store_writable);
	metrics_plain(out, "ntarelay_store_write_failures_total", "counter",
	    "Writes of the store that failed (disk full, I/O error, file size "
	    "limit, lock timeout); each rolled a loop turn back.",
	    m->store_write_failures);
	metrics_plain(out, "ntarelay_store_held_events", "gauge",
	    "Events received and acknowledged, held in memory until the store "
	    "writes again.", m->store_held);
	metrics_plain(out, "ntarelay_store_held_dropped_total", "counter",
	    "Events that could not be held for a retry (memory cap): peers keep "
	    "them, and backfill asks for them.", m->store_held_dropped);
	metrics_plain(out, "ntarelay_own_events_refused_total", "counter",
	    "Events of the relay's own (probe observations) not signed "
	    "because the store could not write.", m->own_events_refused);
}

static void
metrics_links(const struct metrics *m, struct buf *out)
{
	size_t i, n = m->nlinks < CONFIG_LINKS_MAX ? m->nlinks : CONFIG_LINKS_MAX;
	int k;

	for (k = 0; k < (int)(sizeof(metrics_link_families) /
	    sizeof(metrics_link_families[0])); k++) {
		metrics_family(out, metrics_link_families[k].name,
		    metrics_link_families[k].type, metrics_link_families[k].help);
		for (i = 0; i < n; i++) {
			/* The name is a fixed array: never read past it. */
			char name[sizeof(m->links[i].name) + 1];
			memcpy(name, m->links[i].name, sizeof(m->links[i].name));
			name[sizeof(m->links[i].name)] = '\0';
			metrics_labelled(out, metrics_link_families[k].name,
			    "link", name, metrics_link_field(&m->links[i],
			    metrics_link_families[k].field));
		}
	}
}

static void
metrics_notify(const struct metrics *m, struct buf *out)
{
	static const char *const results[4] = { "answered",
	    "unauthorized", "bad_request", "unavailable" };

	metrics_plain(out, "ntarelay_notify_queue_depth", "gauge",
	    "Mattermost messages waiting in the queue.", m->notify_queue);
	metrics_plain(out, "ntarelay_notify_sent_total", "counter",
	    "Mattermost messages delivered.", m->notify_sent);
	metrics_plain(out, "ntarelay_notify_retried_total", "counter",
	    "Mattermost deliveries that failed and will be retried (5xx, 429, "
	    "network errors, timeouts).", m->notify_retried);
	metrics_plain(out, "ntarelay_notify_dropped_total", "counter",
	    "Mattermost messages given up: refused by the server (4xx), dropped "
	    "from a full queue, or unreadable.", m->notify_dropped);
	metrics_family(out, "ntarelay_slash_requests_total", "counter",
	    "Mattermost slash command requests, by result.");
	for (int k = 0; k < 4; k++)
		metrics_labelled(out, "ntarelay_slash_requests_total",
		    "result", results[k], m->slash[k]);
}

static void
metrics_trust(const struct metrics *m, struct buf *out)
{
	metrics_plain(out, "ntarelay_trust_rebuilds_total", "counter",
	    "Rebuilds of the trust index (one per loop turn that imported trust "
	    "events, and at start, reload and certificate or vouch changes).",
	    m->trust_rebuilds);
	metrics_plain(out, "ntarelay_trust_pooled_total", "counter",
	    "Trust events of non-members kept aside, not imported.",
	    m->trust_pooled);
	metrics_plain(out, "ntarelay_trust_pool_size", "gauge",
	    "Trust events of non-members held aside now.", m->trust_pool);
	metrics_plain(out, "ntarelay_trust_pool_evictions_total", "counter",
	    "Trust events of non-members dropped from the full pool, oldest "
	    "first.", m->trust_pool_evicted);
	metrics_plain(out, "ntarelay_cert_conflicts_total", "counter",
	    "key_certs by a member root for a key another member operator "
	    "holds (stored, logged as a possible attack).", m->cert_conflicts);
}

static void
metrics_backfill(const struct metrics *m, struct buf *out)
{
	static const char *const why[METRICS_BF__COUNT] = { "malformed",
	    "range", "key_not_member", "requester_rate", "link_rate" };

	metrics_plain(out, "ntarelay_backfill_answered_total", "counter",
	    "Backfill requests answered.", m->backfill_answered);
	metrics_family(out, "ntarelay_backfill_refused_total", "counter",
	    "Backfill requests not answered, by reason.");
	for (int k = 0; k < METRICS_BF__COUNT; k++)
		metrics_labelled(out, "ntarelay_backfill_refused_total",
		    "reason", why[k], m->backfill_refused[k]);
	metrics_plain(out, "ntarelay_backfill_truncated_total", "counter",
	    "Backfill answers cut at the byte limit per request.",
	    m->backfill_truncated);
	metrics_plain(out, "ntarelay_backfill_sent_bytes_total", "counter",
	    "Envelope bytes sent in backfill answers.", m->backfill_sent_bytes);
}

static void
metrics_probe(const struct metrics *m, struct buf *out)
{
	const struct metrics_histogram *h = &m->probe_duration;
	uint64_t below = 0;

	metrics_plain(out, "ntarelay_probe_rounds_total", "counter",
	    "Probes of a watched zone that ended (one per zone per "
	    "probe_interval).", m->probe_rounds);
	metrics_family(out, "ntarelay_probe_duration_seconds", "histogram",
	    "How long the probe of a watched zone took.");
	for (int i = 0; i < METRICS_PROBE_BUCKETS; i++) {
		below += h->le[i];
		buf_printf(out, "ntarelay_probe_duration_seconds_bucket{le=\"%g\"} "
		    "%" PRIu64 "\n", probe_bounds[i], below);
	}
	buf_printf(out, "ntarelay_probe_duration_seconds_bucket{le=\"+Inf\"} "
	    "%" PRIu64 "\n", h->count);
	buf_printf(out, "ntarelay_probe_duration_seconds_sum %.6f\n", h->sum);
	buf_printf(out, "ntarelay_probe_duration_seconds_count %" PRIu64 "\n",
	    h->count);
}

static void
metrics_process(const struct metrics *m, struct buf *out)
{
	metrics_family(out, "ntarelay_start_time_seconds", "gauge",
	    "Unix time at which the relay started.");
	buf_printf(out, "ntarelay_start_time_seconds %lld\n", m->started);
	metrics_family(out, "ntarelay_build_info", "gauge",
	    "The relay's version and the protocol it speaks; always 1.");
	buf_printf(out, "ntarelay_build_info{version=\"");
	metrics_label_value(out, m->version ? m->version : "unknown");
	buf_printf(out, "\",protocol=\"" METRICS_PROTOCOL "\"} 1\n");
	metrics_plain(out, "ntarelay_loop_busy_percent", "gauge",
	    "Share of the last 250 ms the loop thread spent working rather than "
	    "waiting for input (100: saturated, a backlog draining or more input "
	    "than the relay handles).", m->loop_busy);
}

void
metrics_render(const struct metrics *m, struct buf *out)
{
	metrics_events(m, out);
	metrics_store(m, out);
	metrics_links(m, out);
	metrics_notify(m, out);
	metrics_trust(m, out);
	metrics_backfill(m, out);
	metrics_process(m, out);
	metrics_probe(m, out);
	for (size_t i = 0; i < m->ncollectors; i++)
		m->collectors[i].fn(m->collectors[i].ctx, out);
}

void
metrics_probe_observe(struct metrics *m, double seconds)
{
	struct metrics_histogram *h = &m->probe_duration;
	int i;

	if (!(seconds > 0))
		seconds = 0;
	for (i = 0; i < METRICS_PROBE_BUCKETS && seconds > probe_bounds[i]; i++)
		;
	if (i < METRICS_PROBE_BUCKETS)
		h->le[i]++;
	h->count++;
	h->sum += seconds;
	m->probe_rounds++;
}

int
metrics_collector_add(struct metrics *m, metrics_collect_fn fn, void *ctx)
{
	if (m->ncollectors >= METRICS_COLLECTORS_MAX)
		return -1;
	m->collectors[m->ncollectors].fn = fn;
	m->collectors[m->ncollectors].ctx = ctx;
	m->ncollectors++;
	return 0;
}

void
metrics_collector_del(struct metrics *m, metrics_collect_fn fn, void *ctx)
{
	for (size_t i = 0; i < m->ncollectors; i++)
		if (m->collectors[i].fn == fn && m->collectors[i].ctx == ctx) {
			memmove(&m->collectors[i], &m->collectors[i + 1],
			    (m->ncollectors - i - 1) * sizeof(m->collectors[0]));
			m->ncollectors--;
			return;
		}
}

void
metrics_sample(struct buf *out, const char *name, const char *label,
    const char *value, long long v)
{
	buf_printf(out, "%s{%s=\"", name, label);
	metrics_label_value(out, value);
	buf_printf(out, "\"} %lld\n", v);
}

void
metrics_state_set(struct buf *out, const char *name, const char *label,
    const char *value, const char *const *states, size_t n,
    const char *current)
{
	struct buf head = { 0 };

	/* name{label="value",state=" once, then one line per state */
	buf_printf(&head, "%s{%s=\"", name, label);
	metrics_label_value(&head, value);
	buf_add(&head, "\",state=\"", 9);
	if (head.failed) {
		out->failed = true;
		buf_free(&head);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		buf_add(out, head.data, head.len);
		metrics_label_value(out, states[i]);
		buf_add(out, current != NULL && strcmp(current, states[i]) == 0 ?
		    "\"} 1\n" : "\"} 0\n", 5);
	}
	buf_free(&head);
}
