/*
 * relay/notify/mattermost.c — what the relay says about a decision change
 * and about a verified event: the attachment and the one-line text of
 * each (formats in relay/notify/mattermost.h and docs/OPERATIONS.md).
 * relay/notify/mattermost_post.c wraps them into webhook payloads and REST
 * API v4 post bodies; relay/notify/mattermost_slash.c answers the slash
 * command with the same building blocks (mattermost_md.h).
 *
 * Event-sourced strings go through md_code() only.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "relay/core/metrics.h"
#include "relay/notify/mattermost.h"
#include "relay/notify/mattermost_md.h"
#include "lib/incident_text.h"

/* The fields of a decision's attachment, in the order people read them:
 * state, since, quorum, recovery, unreachable, NTA until and lifetime,
 * evidence, veto, operators, the zone operator. 0, or -1 (no memory). */
static int
mm_decision_fields(json_t *fields, struct buf *b, const json_t *doc,
    const char *prev, const char *base)
{
	const char *state = mm_jstr(doc, "state");
	char t[32];
	long long n;
	json_t *v;

	buf_printf(b, "%s", mattermost_state_label(state));
	mm_phase(b, doc);
	mm_was(b, prev, state);
	if (mm_field(fields, "State", b, true) != 0)
		return -1;
	if (mm_jint(doc, "since", &n)) {
		buf_printf(b, "%s", mattermost_time(n, t, sizeof(t)));
		if (mm_field(fields, "Since", b, true) != 0)
			return -1;
	}
	mm_count_line(b, doc);
	if (b->len && mm_field(fields, "Quorum", b, false) != 0)
		return -1;
	if (mm_recovery(b, doc, NULL) &&
	    mm_field(fields, "Recovery", b, false) != 0)
		return -1;
	if (mm_unreachable(b, doc) &&
	    mm_field(fields, "Unreachable", b, false) != 0)
		return -1;
	if (mm_jint(doc, "nta_until", &n)) {
		buf_printf(b, "%s", mattermost_time(n, t, sizeof(t)));
		if (mm_field(fields, "NTA until", b, true) != 0)
			return -1;
	}
	if (mm_jint(doc, "lifetime", &n)) {
		mm_duration(n, t, sizeof(t));
		buf_printf(b, "%s", t);
		if (mm_field(fields, "NTA lifetime", b, true) != 0)
			return -1;
	}
	if (json_array_size(json_object_get(doc, "fingerprints"))) {
		mm_fingerprints(b, json_object_get(doc, "fingerprints"));
		if (mm_field(fields, "Evidence (failure fingerprints)", b, false) != 0)
			return -1;
	}
	if (json_is_object(v = json_object_get(doc, "veto"))) {
		mm_veto(b, v, base, doc);
		if (mm_field(fields, "Veto", b, false) != 0)
			return -1;
	}
	if (json_array_size(v = json_object_get(doc, "operators"))) {
		mm_operators(b, v, base, doc);
		if (mm_field(fields, "Operators", b, false) != 0)
			return -1;
	}
	if (json_is_object(v = json_object_get(doc, "statement"))) {
		mm_statement(b, v, base, doc);
		if (mm_field(fields, "Zone operator", b, false) != 0)
			return -1;
	}
	return 0;
}

json_t *
mattermost_decision_attachment(const json_t *doc, const char *prev,
    const struct mattermost_style *st)
{
	struct buf b = { 0 };
	const char *state = mm_jstr(doc, "state"), *zone = mm_zone(doc), *ev;
	char title[400], fallback[400], link[700], basebuf[512];
	const char *base = mm_base(st, basebuf, sizeof(basebuf));
	json_t *fields = json_array(), *a = NULL;
	long long n;
	char *text = NULL, *pretext = NULL;

	if (fields == NULL)
		return NULL;
	snprintf(title, sizeof(title), "%.254s — %s", zone,
	    mattermost_state_label(state));
	if (prev && *prev && state && strcmp(prev, state) == 0)
		snprintf(fallback, sizeof(fallback), "%.254s: %s (updated)", zone,
		    mattermost_state_label(state));
	else if (prev && *prev)
		snprintf(fallback, sizeof(fallback), "%.254s: %s (was: %s)", zone,
		    mattermost_state_label(state), mattermost_state_label(prev));
	else
		snprintf(fallback, sizeof(fallback), "%.254s: %s", zone,
		    mattermost_state_label(state));

	if (mm_decision_fields(fields, &b, doc, prev, base) != 0)
		goto out;
	if (mm_jstr(doc, "reason")) {
		md_code(&b, mm_jstr(doc, "reason"), MATTERMOST_NOTE_MAX);
		if ((text = buf_take(&b)) == NULL)
			goto out;
	}
	ev = mm_jstr(doc, "decision_event");
	if (base && ev && strlen(ev) == 64 && strspn(ev, "0123456789abcdef") == 64)
		snprintf(link, sizeof(link), "%s/v1/events/%s", base, ev);
	else
		link[0] = '\0';
	if (!mm_jint(doc, "changed", &n) && !mm_jint(doc, "since", &n))
		n = 0;
	a = mm_attachment(fallback, mattermost_state_color(state), title,
	    link[0] ? link : NULL, text, fields, n, st);
	fields = NULL;
	/* the incident it is about, above the attachment */
	mm_incident(&b, doc, true, "Incident");
	if (a && b.len) {
		if ((pretext = buf_take(&b)) == NULL ||
		    json_object_set_new(a, "pretext", json_string(pretext)) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
out:
	buf_free(&b);
	json_decref(fields);
	free(text);
	free(pretext);
	return a;
}

/* " (was: failing)" for a change of phase within nta_recommended, else as
 * mm_was(). */
static void
mm_was_phase(struct buf *b, const char *prev, const char *prev_phase,
    const json_t *doc)
{
	const char *state = mm_jstr(doc, "state"), *phase = mm_jstr(doc, "phase");

	if (prev && state && strcmp(prev, state) == 0 && prev_phase && phase &&
	    strcmp(prev_phase, phase) != 0 &&
	    strspn(prev_phase, "abcdefghijklmnopqrstuvwxyz_") == strlen(prev_phase))
		buf_printf(b, " (was: %.16s)", prev_phase);
	else
		mm_was(b, prev, state);
}

char *
mattermost_decision_text(const json_t *doc, const char *prev)
{
	return mattermost_change_text(doc, prev, NULL);
}

char *
mattermost_change_text(const json_t *doc, const char *prev,
    const char *prev_phase)
{
	struct buf b = { 0 };
	const char *state = mm_jstr(doc, "state");
	size_t before;
	long long n;
	char t[32];

	buf_printf(&b, "%s ", mm_state_emoji(state));
	md_code(&b, mm_zone(doc), 256);
	buf_printf(&b, ": **%s**", mattermost_state_label(state));
	mm_phase(&b, doc);
	mm_was_phase(&b, prev, prev_phase, doc);
	before = b.len;
	buf_printf(&b, " — ");
	if (mm_recovery(&b, doc, prev_phase)) {
		/* the progress says it all */
	} else if (mm_jcount(doc, "recommending") >= 0 ||
	    mm_jcount(doc, "observing") >= 0) {
		mm_count_line(&b, doc);
	} else {
		mm_cut(&b, before);
	}
	if (mm_jint(doc, "nta_until", &n))
		buf_printf(&b, "; NTA until %s", mattermost_time(n, t,
		    sizeof(t)));
	if (json_is_object(json_object_get(doc, "veto"))) {
		buf_printf(&b, "; **veto** by ");
		md_operator(&b, doc, mm_jstr(json_object_get(doc, "veto"), "origin"));
	}
	before = b.len;
	buf_printf(&b, "; ");
	if (!mm_unreachable(&b, doc))
		mm_cut(&b, before);
	if (incident_text_incident(doc)) {
		buf_printf(&b, " · ");
		mm_incident(&b, doc, false, "incident");
		if (state && strcmp(state, "resolved") == 0)
			buf_printf(&b, " closed");
	}
	return buf_take(&b);
}

/* ---------------------------------------------------------------- events */

static const char *
mm_kind_title(const char *kind)
{
	if (kind == NULL)
		return "Event";
	if (strcmp(kind, "observation") == 0) return "Observation";
	if (strcmp(kind, "assessment") == 0) return "Assessment";
	if (strcmp(kind, "zone_statement") == 0) return "Zone statement";
	if (strcmp(kind, "withdraw") == 0) return "Withdrawal";
	if (strcmp(kind, "vouch") == 0) return "Vouch";
	if (strcmp(kind, "unvouch") == 0) return "Unvouch";
	if (strcmp(kind, "key_cert") == 0) return "Key certificate";
	if (strcmp(kind, "key_revoke") == 0) return "Key revocation";
	if (strcmp(kind, "heartbeat") == 0) return "Heartbeat";
	if (strcmp(kind, "decision") == 0) return "Decision";
	return "Event";
}

static const char *
mm_event_color(const json_t *p)
{
	const char *kind = mm_jstr(p, "kind"), *v;

	if (kind == NULL)
		return MM_GREY;
	if (strcmp(kind, "assessment") == 0 && (v = mm_jstr(p, "verdict"))) {
		if (strcmp(v, "attack") == 0 || strcmp(v, "likely_attack") == 0)
			return "#C62828";
		if (strcmp(v, "accident") == 0 || strcmp(v, "likely_accident") == 0)
			return "#EF6C00";
		return MM_GREY;
	}
	if (strcmp(kind, "zone_statement") == 0 && (v = mm_jstr(p, "status"))) {
		if (strcmp(v, "attack_suspected") == 0)
			return "#C62828";
		if (strcmp(v, "accident_confirmed") == 0)
			return "#EF6C00";
		if (strcmp(v, "resolved") == 0)
			return "#2E7D32";
		return "#F9A825";
	}
	if (strcmp(kind, "observation") == 0 && (v = mm_jstr(p, "state"))) {
		if (strcmp(v, "bogus") == 0)
			return "#F9A825";
		if (strcmp(v, "secure") == 0)
			return "#2E7D32";
		return MM_GREY;
	}
	if (strcmp(kind, "decision") == 0)
		return mattermost_state_color(mm_jstr(p, "state"));
	if (strcmp(kind, "key_revoke") == 0 || strcmp(kind, "unvouch") == 0)
		return "#C62828";
	return MM_GREY;
}

/* The short description after the kind: "accident, recommends an NTA for
 * 1 h" (markdown); empty when there is none. */
static void
mm_event_summary(struct buf *b, const json_t *p)
{
	const char *kind = mm_jstr(p, "kind");
	long long n;
	char t[32];

	if (kind == NULL)
		return;
	if (strcmp(kind, "assessment") == 0) {
		md_text(b, mm_jstr(p, "verdict"), 32, false);
		if (json_is_true(json_object_get(p, "recommend_nta"))) {
			buf_printf(b, ", recommends an NTA");
			if (mm_jint(p, "lifetime", &n))
				buf_printf(b, " for %s", mm_duration(n, t, sizeof(t)));
		} else
			buf_printf(b, ", no NTA");
	} else if (strcmp(kind, "zone_statement") == 0) {
		md_text(b, mm_jstr(p, "status"), 32, false);
	} else if (strcmp(kind, "observation") == 0) {
		md_text(b, mm_jstr(p, "state"), 32, false);
		if (mm_jstr(p, "reason") && mm_jstr(p, "reason")[0]) {
			buf_printf(b, ": ");
			md_code(b, mm_jstr(p, "reason"), 120);
		}
	} else if (strcmp(kind, "withdraw") == 0) {
		buf_printf(b, "of ");
		md_short(b, mm_jstr(p, "target"));
	} else if (strcmp(kind, "decision") == 0) {
		md_text(b, mattermost_state_label(mm_jstr(p, "state")), 40, false);
	} else if (mm_jstr(p, "subject")) {
		buf_printf(b, "of ");
		md_subject(b, p);
	}
}

char *
mattermost_event_text(const json_t *p)
{
	return mattermost_event_text_in(p, NULL);
}

char *
mattermost_event_text_in(const json_t *p, const char *incident)
{
	struct buf b = { 0 };
	const char *kind = mm_jstr(p, "kind"), *zone = mm_jstr(p, "zone");
	size_t before;

	buf_printf(&b, "%s **%s**", kind && strcmp(kind, "assessment") == 0 ?
	    ":memo:" : kind && strcmp(kind, "zone_statement") == 0 ?
	    ":loudspeaker:" : kind && strcmp(kind, "withdraw") == 0 ?
	    ":leftwards_arrow_with_hook:" : ":information_source:",
	    mm_kind_title(kind));
	if (zone) {
		buf_printf(&b, " %s ", kind && strcmp(kind,
		    "zone_statement") == 0 ? "for" : "of");
		md_code(&b, zone, 256);
	}
	buf_printf(&b, " by ");
	md_operator(&b, p, mm_jstr(p, "origin"));
	before = b.len;
	buf_printf(&b, ": ");
	mm_event_summary(&b, p);
	if (b.len == before + 2)   /* nothing to say: no colon */
		mm_cut(&b, before);
	if (incident && *incident) {
		buf_printf(&b, " · incident ");
		md_short16(&b, incident);
	}
	return buf_take(&b);
}

/* The fields that only events of p's kind have (verdict, status, the
 * observation's validation, what a withdrawal withdraws...). 0, or -1
 * (no memory). */
static int
mm_event_kind_fields(json_t *fields, struct buf *b, const json_t *p,
    const char *base)
{
	const char *kind = mm_jstr(p, "kind");
	char t[32];
	long long n;
	json_t *v;

	if (kind && strcmp(kind, "assessment") == 0) {
		md_text(b, mm_jstr(p, "verdict"), 32, false);
		if (mm_field(fields, "Verdict", b, true) != 0)
			return -1;
		buf_printf(b, "%s", json_is_true(json_object_get(p,
		    "recommend_nta")) ? "yes" : "no");
		if (mm_jint(p, "lifetime", &n))
			buf_printf(b, ", for %s", mm_duration(n, t, sizeof(t)));
		if (mm_field(fields, "Recommends an NTA", b, true) != 0)
			return -1;
	} else if (kind && strcmp(kind, "zone_statement") == 0) {
		md_text(b, mm_jstr(p, "status"), 32, false);
		if (mm_field(fields, "Status", b, true) != 0)
			return -1;
	} else if (kind && strcmp(kind, "observation") == 0) {
		md_text(b, mm_jstr(p, "state"), 32, false);
		if (mm_field(fields, "Validation", b, true) != 0)
			return -1;
		md_code(b, mm_jstr(p, "vantage"), 64);
		buf_printf(b, " / ");
		md_code(b, mm_jstr(p, "validator"), 64);
		if (mm_field(fields, "Vantage / validator", b, true) != 0)
			return -1;
		if (mm_jstr(p, "reason") && mm_jstr(p, "reason")[0]) {
			md_code(b, mm_jstr(p, "reason"), MATTERMOST_NOTE_MAX);
			if (mm_field(fields, "Reason", b, false) != 0)
				return -1;
		}
		if (json_array_size(v = json_object_get(p, "ede"))) {
			size_t i;
			json_t *e;
			json_array_foreach(v, i, e)
				buf_printf(b, "%s%lld", i ? ", " : "",
				    (long long)json_integer_value(e));
			if (mm_field(fields, "EDE", b, true) != 0)
				return -1;
		}
		if (mm_jstr(p, "fingerprint")) {
			md_short(b, mm_jstr(p, "fingerprint"));
			if (mm_field(fields, "Fingerprint", b, true) != 0)
				return -1;
		}
	} else if (kind && strcmp(kind, "withdraw") == 0) {
		md_id(b, mm_jstr(p, "target"), base);
		if (mm_field(fields, "Withdraws", b, true) != 0)
			return -1;
	} else if (kind && strcmp(kind, "decision") == 0) {
		buf_printf(b, "%s", mattermost_state_label(mm_jstr(p, "state")));
		if (mm_field(fields, "State", b, true) != 0)
			return -1;
	} else if (mm_jstr(p, "subject")) {
		md_subject(b, p);
		if (mm_field(fields, "Subject", b, true) != 0)
			return -1;
	}
	return 0;
}

json_t *
mattermost_event_attachment(const json_t *p, const char *id,
    const struct mattermost_style *st)
{
	struct buf b = { 0 };
	const char *kind = mm_jstr(p, "kind"), *zone = mm_jstr(p, "zone");
	char title[400], link[700], basebuf[512], t[32];
	const char *base = mm_base(st, basebuf, sizeof(basebuf));
	json_t *fields = json_array(), *a = NULL;
	long long n, ts = 0;
	char *fallback = NULL;

	if (fields == NULL)
		return NULL;
	if (zone)
		snprintf(title, sizeof(title), "%s %s %.254s", mm_kind_title(kind),
		    kind && strcmp(kind, "zone_statement") == 0 ? "for" : "of", zone);
	else
		snprintf(title, sizeof(title), "%s", mm_kind_title(kind));
	if (base && id)
		snprintf(link, sizeof(link), "%s/v1/events/%s", base, id);
	else
		link[0] = '\0';

	md_operator(&b, p, mm_jstr(p, "origin"));
	if (mm_field(fields, kind && strcmp(kind, "zone_statement") == 0 ?
	    "Zone operator" : "Operator", &b, true) != 0)
		goto out;
	if (mm_event_kind_fields(fields, &b, p, base) != 0)
		goto out;
	if (mm_jstr(p, "note") && mm_jstr(p, "note")[0]) {
		md_code(&b, mm_jstr(p, "note"), MATTERMOST_NOTE_MAX);
		if (mm_field(fields, "Note", &b, false) != 0)
			goto out;
	}
	md_id(&b, id, base);
	if (mm_jint(p, "seq", &n))
		buf_printf(&b, " (seq %lld)", n);
	if (mm_field(fields, "Event", &b, true) != 0)
		goto out;
	if (mm_jint(p, "ts", &ts)) {
		buf_printf(&b, "%s", mattermost_time(ts, t, sizeof(t)));
		if (mm_field(fields, "Signed", &b, true) != 0)
			goto out;
	}
	/* fallback: the text without markdown */
	buf_printf(&b, "%s", title);
	if (mm_jstr(p, "origin"))
		buf_printf(&b, " by %.12s", mm_jstr(p, "origin"));
	if ((fallback = buf_take(&b)) == NULL)
		goto out;
	a = mm_attachment(fallback, mm_event_color(p), title,
	    link[0] ? link : NULL, NULL, fields, ts, st);
	fields = NULL;
out:
	buf_free(&b);
	json_decref(fields);
	free(fallback);
	return a;
}
