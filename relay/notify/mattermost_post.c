/*
 * relay/notify/mattermost_post.c — the bodies sent to Mattermost: incoming
 * webhook payloads, REST API v4 posts, and the root post of an incident's
 * thread (bot mode), edited in place (relay/notify/mattermost.h).
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

/* -------------------------------------------------------------- payloads */

/* text bounded by Mattermost's limit, on a UTF-8 boundary */
static json_t *
mm_bounded(const char *text)
{
	size_t n = strlen(text);

	return json_stringn(text, mm_utf8_cut(text, n, MATTERMOST_TEXT_MAX));
}

static int
mm_props(json_t *props, const char *card, const char *key)
{
	if (card && json_object_set_new(props, "card", mm_bounded(card)) != 0)
		return -1;
	if (key && json_object_set_new(props, "ntarelay_key", json_string(key)) != 0)
		return -1;
	return 0;
}

json_t *
mattermost_webhook(const char *text, json_t *attachment, const char *card,
    const char *key, const struct mattermost_style *st)
{
	json_t *w = json_object(), *props = json_object();

	if (w == NULL || props == NULL)
		goto bad;
	if (json_object_set_new(w, "text", mm_bounded(text ? text : "")) != 0)
		goto bad;
	if (st && st->username && st->username[0] &&
	    json_object_set_new(w, "username", json_string(st->username)) != 0)
		goto bad;
	if (st && st->icon_url && st->icon_url[0] &&
	    json_object_set_new(w, "icon_url", json_string(st->icon_url)) != 0)
		goto bad;
	if (st && st->channel && st->channel[0] &&
	    json_object_set_new(w, "channel", json_string(st->channel)) != 0)
		goto bad;
	if (attachment) {
		if (json_object_set_new(w, "attachments", json_pack("[o]",
		    attachment)) != 0) {
			attachment = NULL;
			goto bad;
		}
		attachment = NULL;
	}
	if (mm_props(props, card, key) != 0)
		goto bad;
	if (json_object_set_new(w, "props", props) != 0) {
		props = NULL;
		goto bad;
	}
	return w;
bad:
	json_decref(attachment);
	json_decref(props);
	json_decref(w);
	return NULL;
}

json_t *
mattermost_post(const char *channel_id, const char *message, json_t *attachment,
    const char *card, const char *key)
{
	json_t *p = json_object(), *props = json_object();

	if (p == NULL || props == NULL)
		goto bad;
	if (json_object_set_new(p, "channel_id", json_string(channel_id ?
	    channel_id : "")) != 0 ||
	    json_object_set_new(p, "message", mm_bounded(message ? message : "")) != 0)
		goto bad;
	if (attachment) {
		if (json_object_set_new(props, "attachments", json_pack("[o]",
		    attachment)) != 0) {
			attachment = NULL;
			goto bad;
		}
		attachment = NULL;
	}
	if (mm_props(props, card, key) != 0)
		goto bad;
	if (json_object_set_new(p, "props", props) != 0) {
		props = NULL;
		goto bad;
	}
	return p;
bad:
	json_decref(attachment);
	json_decref(props);
	json_decref(p);
	return NULL;
}

json_t *
mattermost_root_post(const char *channel_id, const json_t *doc, const char *zone,
    const char *fingerprint, const char *first, const char *key,
    const struct mattermost_style *st)
{
	struct buf b = { 0 };
	const char *state = doc ? mm_jstr(doc, "state") : NULL;
	json_t *att = NULL, *post = NULL;
	char *msg = NULL, t[32];
	long long n;

	buf_printf(&b, "#### %s Incident ", doc ? mm_state_emoji(state) :
	    ":mag:");
	md_code(&b, zone, 256);
	buf_printf(&b, " — %s\n", doc ? mattermost_state_label(state) :
	    "opened");
	if (doc && incident_text_incident(doc)) {
		/* which incident this thread is: one thread, one incident */
		mm_incident(&b, doc, true, "Incident");
		buf_printf(&b, "\n");
	}
	if (doc) {
		buf_printf(&b, "State **%s**", mattermost_state_label(state));
		mm_phase(&b, doc);
		if (mm_jint(doc, "since", &n))
			buf_printf(&b, " since %s", mattermost_time(n, t,
			    sizeof(t)));
		if (mm_jcount(doc, "recommending") >= 0 || mm_jcount(doc, "observing") >= 0) {
			buf_printf(&b, " · ");
			mm_count_line(&b, doc);
		}
		if (mm_jint(doc, "nta_until", &n))
			buf_printf(&b, " · NTA until %s", mattermost_time(n, t,
			    sizeof(t)));
	} else {
		buf_printf(&b, "First signal: ");
		md_text(&b, first ? first : "an event", 64, false);
		buf_printf(&b, ". The relay has no decision for the zone "
		    "yet.");
	}
	if (fingerprint && *fingerprint) {
		buf_printf(&b, " · failure ");
		md_short(&b, fingerprint);
	}
	if (doc) {
		size_t before = b.len;
		buf_printf(&b, "\n");
		if (mm_recovery(&b, doc, NULL))
			buf_printf(&b, ".");
		else
			mm_cut(&b, before);
		before = b.len;
		buf_printf(&b, "\n");
		if (!mm_unreachable(&b, doc))
			mm_cut(&b, before);
	}
	if (doc && state && (strcmp(state, "resolved") == 0 ||
	    strcmp(state, "clear") == 0))
		buf_printf(&b, "\n_This incident is over and its thread "
		    "closed: a new failure of the zone opens a new incident and a "
		    "new thread._");
	else
		buf_printf(&b, "\n_This post is edited as the relay's "
		    "decision changes; the thread tells the story._");
	if ((msg = buf_take(&b)) == NULL)
		goto out;
	if (doc && (att = mattermost_decision_attachment(doc, NULL, st)) == NULL)
		goto out;
	post = mattermost_post(channel_id, msg, att, NULL, key);
out:
	buf_free(&b);
	free(msg);
	return post;
}
