/*
 * relay/notify/mattermost_slash.c — markdown for people: the slash
 * command's answers (the zones in incident, one zone in detail, the
 * peers, the help) and the side-panel card of every decision message
 * (relay/notify/mattermost.h).
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

/* ------------------------------------------------------ tables and help */

/* A relay that has not caught up says so, and nothing else: an empty
 * list from it would read as "all clear". */
static void
mm_syncing(struct buf *b, const json_t *doc)
{
	buf_printf(b, ":hourglass_flowing_sand: This relay has not caught "
	    "up with its peers yet (syncing): it signs no decision and shows "
	    "none until it has");
	if (mm_jstr(doc, "message")) {
		buf_printf(b, ": ");
		md_code(b, mm_jstr(doc, "message"), MATTERMOST_NOTE_MAX);
	}
	buf_printf(b, ". Ask again in a moment.");
}

char *
mattermost_zones_table(const json_t *zones, const struct mattermost_style *st)
{
	struct buf b = { 0 };
	json_t *list = json_object_get(zones, "zones"), *z;
	size_t i;
	char t[32];
	long long n;

	(void)st;
	if (incident_text_syncing(zones)) {
		mm_syncing(&b, zones);
		return buf_take(&b);
	}
	if (json_array_size(list) == 0) {
		buf_printf(&b, ":white_check_mark: No zone is in incident "
		    "on this relay.");
		return buf_take(&b);
	}
	buf_printf(&b, "| Zone | State | Since | Recommending | "
	    "Observing | NTA until |\n|:--|:--|:--|--:|--:|:--|\n");
	json_array_foreach(list, i, z) {
		long long rec = mm_jcount(z, "recommending"), q = mm_jcount(z, "quorum"),
		    obs = mm_jcount(z, "observing");
		if (i == MM_TABLE_MAX) {
			buf_printf(&b, "\n… and %zu more zones",
			    json_array_size(list) - i);
			break;
		}
		buf_printf(&b, "| ");
		md_code(&b, mm_zone(z), 256);
		if (incident_text_id(z)) {
			buf_printf(&b, " (");
			mm_incident(&b, z, false, "incident");
			buf_printf(&b, ")");
		}
		buf_printf(&b, " | %s %s", mm_state_emoji(mm_jstr(z, "state")),
		    mattermost_state_label(mm_jstr(z, "state")));
		mm_phase(&b, z);
		buf_printf(&b, " | ");
		buf_printf(&b, "%s | ", mm_jint(z, "since", &n) ?
		    mattermost_time(n, t, sizeof(t)) : "-");
		if (rec >= 0 && q >= 0)
			buf_printf(&b, "%lld (quorum %lld) | ", rec, q);
		else if (rec >= 0)
			buf_printf(&b, "%lld | ", rec);
		else
			buf_printf(&b, "- | ");
		if (obs >= 0)
			buf_printf(&b, "%lld | ", obs);
		else
			buf_printf(&b, "- | ");
		buf_printf(&b, "%s |\n", mm_jint(z, "nta_until", &n) ?
		    mattermost_time(n, t, sizeof(t)) : "-");
	}
	return buf_take(&b);
}

char *
mattermost_zone_detail(const json_t *doc, const struct mattermost_style *st)
{
	struct buf b = { 0 };
	const char *state = mm_jstr(doc, "state");
	char basebuf[512], t[32];
	const char *base = mm_base(st, basebuf, sizeof(basebuf));
	json_t *v, *h;
	long long n;
	size_t i, start, before;

	if (incident_text_syncing(doc)) {
		mm_syncing(&b, doc);
		return buf_take(&b);
	}
	buf_printf(&b, "#### %s ", mm_state_emoji(state));
	md_code(&b, mm_zone(doc), 256);
	buf_printf(&b, " — %s", mattermost_state_label(state));
	mm_phase(&b, doc);
	buf_printf(&b, "\n");
	if (incident_text_incident(doc)) {
		mm_incident(&b, doc, true, "Incident");
		buf_printf(&b, ".\n");
	}
	if (mm_jint(doc, "since", &n))
		buf_printf(&b, "Since %s. ", mattermost_time(n, t, sizeof(t)));
	mm_count_line(&b, doc);
	buf_printf(&b, "\n");
	if (mm_recovery(&b, doc, NULL))
		buf_printf(&b, ".\n");
	before = b.len;
	buf_printf(&b, "\n");
	if (mm_unreachable(&b, doc))
		buf_printf(&b, "\n");
	else
		mm_cut(&b, before);
	if (mm_jint(doc, "nta_until", &n))
		buf_printf(&b, "\n**NTA until %s**\n", mattermost_time(n, t,
		    sizeof(t)));
	if (json_is_object(v = json_object_get(doc, "veto"))) {
		buf_printf(&b, "\n**Veto**: ");
		mm_veto(&b, v, base, doc);
		buf_printf(&b, "\n");
	}
	if (mm_jstr(doc, "reason")) {
		buf_printf(&b, "\nWhy: ");
		md_code(&b, mm_jstr(doc, "reason"), MATTERMOST_NOTE_MAX);
		buf_printf(&b, "\n");
	}
	if (json_array_size(v = json_object_get(doc, "fingerprints"))) {
		buf_printf(&b, "\nFailure fingerprints: ");
		mm_fingerprints(&b, v);
		buf_printf(&b, "\n");
	}
	if (json_array_size(v = json_object_get(doc, "operators"))) {
		buf_printf(&b, "\n**Operators that count**\n");
		mm_operators(&b, v, base, doc);
	}
	if (json_is_object(v = json_object_get(doc, "statement"))) {
		buf_printf(&b, "\n**Zone operator**: ");
		mm_statement(&b, v, base, doc);
		buf_printf(&b, "\n");
	}
	if (json_array_size(v = json_object_get(doc, "history"))) {
		buf_printf(&b, "\n| Time | State | Decision |\n|:--|:--|:--|\n");
		start = json_array_size(v) > MM_HISTORY_MAX ?
		    json_array_size(v) - MM_HISTORY_MAX : 0;
		for (i = start; i < json_array_size(v); i++) {
			h = json_array_get(v, i);
			buf_printf(&b, "| %s | %s%s | ", mm_jint(h, "ts", &n) ?
			    mattermost_time(n, t, sizeof(t)) : "-",
			    mattermost_state_label(mm_jstr(h, "state")),
			    mm_jstr(h, "phase") && strcmp(mm_jstr(h, "phase"),
			    "recovering") == 0 ? ", recovering" : "");
			md_id(&b, mm_jstr(h, "event"), base);
			buf_printf(&b, " |\n");
		}
	}
	return buf_take(&b);
}

char *
mattermost_peers_table(const json_t *peers)
{
	struct buf b = { 0 };
	json_t *list = json_object_get(peers, "peers"), *p, *k;
	size_t i, j;

	if (json_array_size(list) == 0) {
		buf_printf(&b, "No peers known to this relay.");
		return buf_take(&b);
	}
	buf_printf(&b, "| Operator | Name | Member | Keys | Status |\n"
	    "|:--|:--|:--|--:|:--|\n");
	json_array_foreach(list, i, p) {
		json_t *keys = json_object_get(p, "keys");
		bool flagged = false, member = false;

		if (i == MM_TABLE_MAX) {
			buf_printf(&b, "\n… and %zu more operators",
			    json_array_size(list) - i);
			break;
		}
		json_array_foreach(keys, j, k) {
			const char *s = mm_jstr(k, "status");
			if (s && strcmp(s, "member") == 0)
				member = true;
			if (json_array_size(json_object_get(k, "flags")))
				flagged = true;
		}
		buf_printf(&b, "| ");
		md_short(&b, mm_jstr(p, "operator"));
		buf_printf(&b, " | ");
		/* the local name, else the self-declared one as a hint
		 * (lib/opname.h) */
		if (mm_jstr(p, "local_name"))
			md_code(&b, mm_jstr(p, "local_name"), 32);
		else if (mm_jstr(p, "declared_name") || mm_jstr(p, "name")) {
			buf_printf(&b, "~");
			md_text(&b, mm_jstr(p, "declared_name") ? mm_jstr(p,
			    "declared_name") : mm_jstr(p, "name"), 63, false);
			buf_printf(&b, "?");
		} else
			buf_printf(&b, "-");
		buf_printf(&b, " | %s | %zu | %s |\n",
		    json_is_true(json_object_get(p, "pinned")) ? "pinned" :
		    member ? "vouched" : "no", json_array_size(keys),
		    flagged ? ":warning: flagged (equivocation)" : member ||
		    json_is_true(json_object_get(p, "pinned")) ? "ok" : "-");
	}
	return buf_take(&b);
}

const char *
mattermost_help_text(void)
{
	return "**/nta** asks this ntarelay relay what it knows:\n"
	    "- `status`: the zones in incident, most urgent first\n"
	    "- `status ZONE`: one zone in detail (operators that count, veto, "
	    "zone operator's statement, timeline)\n"
	    "- `status ZONE --public`: the same, shown to the whole channel\n"
	    "- `peers`: the operators of the federation and their keys\n"
	    "- `help`: this text\n"
	    "Answers are visible to you only, unless `--public` is given.";
}
