/*
 * client/nta_sync.c — one pass of `ntactl nta sync` (see nta_sync.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "client/cli.h"
#include "client/httpc.h"
#include "client/nta_state.h"
#include "client/nta_sync.h"
#include "client/nta_zones.h"

#define NTA_MSG_MAX 1024
#define NTA_NOTE_MAX 256
#define NTA_NOTE_URL_MAX 120
/* A URL goes into a note only when made of these (no shell or glob
 * metacharacter, no userinfo "@", no query): else the note leaves it out. */
#define NTA_NOTE_URL_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
    "0123456789.-_:/"

struct nta_pass {
	struct nta_driver *d;
	const struct nta_sync_opts *o;
	json_t *report, *actions, *drift, *errors;
	long long now;
	bool relay_ok;
	struct nta_answer answer;
	struct nta_present present;
	struct nta_state loaded;   /* as read */
	struct nta_state work;     /* as it becomes */
	struct nta_state saved;    /* as last written */
	int lock;
	bool unfixed;              /* drift left as it is */
	bool failed;               /* an error */
};

/* ---------------------------------------------------------------- report */

/* s as a JSON string; bytes that are not UTF-8 (a program's output) as '?'. */
static json_t *
nta_pass_text(const char *s)
{
	json_t *j = json_string(s ? s : "");
	char *c;

	if (j != NULL || (c = strdup(s)) == NULL)
		return j;
	for (size_t i = 0; c[i]; i++)
		if ((unsigned char)c[i] >= 0x80)
			c[i] = '?';
	j = json_string(c);
	free(c);
	return j;
}

static void
nta_pass_error(struct nta_pass *p, const char *zone, const char *msg)
{
	json_t *e = json_pack("{s:o,s:o}", "zone", zone ? json_string(zone) :
	    json_null(), "message", nta_pass_text(msg));

	p->failed = true;
	if (e != NULL)
		json_array_append_new(p->errors, e);
}

static void
nta_pass_drift(struct nta_pass *p, const char *zone, const char *kind,
    bool fixed, const char *msg)
{
	json_t *e = json_pack("{s:o,s:s,s:b,s:o}", "zone", nta_pass_text(zone),
	    "kind", kind, "fixed", fixed, "message", nta_pass_text(msg));

	if (!fixed)
		p->unfixed = true;
	if (e != NULL)
		json_array_append_new(p->drift, e);
}

/* Steals commands. */
static void
nta_pass_action(struct nta_pass *p, const char *action, const char *zone,
    long long lifetime, long long until, const char *reason, json_t *commands)
{
	json_t *e = json_pack("{s:s,s:s}", "action", action, "zone", zone);

	if (e == NULL) {
		json_decref(commands);
		return;
	}
	if (lifetime > 0)
		json_object_set_new(e, "lifetime", json_integer(lifetime));
	if (until > 0)
		json_object_set_new(e, "until", json_integer(until));
	json_object_set_new(e, "reason", nta_pass_text(reason));
	json_object_set_new(e, "commands", commands ? commands : json_array());
	json_array_append_new(p->actions, e);
}

/* ---------------------------------------------------------------- relay */

/* GET /v1/zones into p->answer; false with why (for a person) if not. */
static bool
nta_pass_fetch(struct nta_pass *p, char *why, size_t whylen)
{
	struct httpc_response r = { 0 };
	char err[HTTPC_ERR_MAX], text[HTTPC_ERR_MAX];
	char *url = NULL, *token = NULL;
	bool ok = false;

	if ((url = httpc_build_url(p->o->relay, "/v1/zones", NULL, 0, err,
	    sizeof(err))) == NULL) {
		snprintf(why, whylen, "relay unreachable: %s", err);
		goto out;
	}
	if (httpc_token_load(p->o->token_file, &token, err, sizeof(err)) != 0) {
		snprintf(why, whylen, "relay unreachable: token: %s", err);
		goto out;
	}
	if (httpc_get(url, token, &r, err, sizeof(err)) != 0) {
		snprintf(why, whylen, "relay unreachable: %s: %s", url, err);
		goto out;
	}
	if (httpc_syncing(&r)) {
		/* a relay that has not caught up with its peers: its list may
		 * miss withdrawals and newer states; like an unreachable relay,
		 * nothing is done on its account (no details: a pass that
		 * repeats it says it once) */
		snprintf(why, whylen, "relay not caught up with its peers yet "
		    "(syncing): %s answered %ld", url, r.status);
		goto out;
	}
	if (r.status != 200) {
		httpc_error_text(&r, text, sizeof(text));
		snprintf(why, whylen, "relay refused: %s answered %ld: %s%s", url,
		    r.status, text, r.status == 401 ? " (give the token with "
		    "--token-file FILE or $" HTTPC_TOKEN_ENV ")" : "");
		goto out;
	}
	if (nta_answer_parse(r.body, r.len, &p->answer, err, sizeof(err)) != 0) {
		snprintf(why, whylen, "relay answer malformed: %s: %s", url, err);
		goto out;
	}
	ok = true;
out:
	httpc_response_free(&r);
	httpc_token_free(token);
	free(url);
	return ok;
}

/* The lifetime to apply for recommended decision z: 0 when none is left. */
static long long
nta_pass_lifetime(const struct nta_pass *p, const struct nta_decision *z)
{
	long long l = z->lifetime, left = z->nta_until - p->answer.now;

	/* nta_until is on the relay's clock: what is left of it is counted on
	 * the same clock, so skew between the two hosts does not matter. */
	if (left < l)
		l = left;
	if (p->o->max_lifetime < l)
		l = p->o->max_lifetime;
	if (NTA_LIFETIME_MAX < l)
		l = NTA_LIFETIME_MAX;
	return l > 0 ? l : 0;
}

/* The decision that recommends an NTA for zone now, or NULL. */
static const struct nta_decision *
nta_pass_recommended(const struct nta_pass *p, const char *zone)
{
	const struct nta_decision *z = nta_answer_find(&p->answer, zone);

	if (z == NULL || !z->recommended || strcmp(zone, ".") == 0 ||
	    nta_pass_lifetime(p, z) <= 0)
		return NULL;
	return z;
}

/* The note a resolver keeps with the NTA on z until until (nta_driver.h):
 * "ntarelay incident ID until TIME URL"; ASCII, no shell metacharacter
 * (the incident is hex, the time digits, the URL checked). */
static void
nta_pass_note(const struct nta_pass *p, const struct nta_decision *z,
    long long until, char *out, size_t len)
{
	const char *url = p->o->public_url ? p->o->public_url : p->o->relay;
	size_t n = url ? strlen(url) : 0;
	char when[32];

	while (n > 0 && url[n - 1] == '/')
		n--;
	if (n > NTA_NOTE_URL_MAX || strspn(url, NTA_NOTE_URL_CHARS) < n)
		n = 0;
	nta_time_text(until, when, sizeof(when));
	snprintf(out, len, "ntarelay%s%s until %s%s%.*s", z->incident[0] ?
	    " incident " : "", z->incident, when, n ? " " : "", (int)n,
	    n ? url : "");
}

/* When the relay last answered (0: not known). */
static long long
nta_pass_last_ok(const struct nta_pass *p)
{
	long long t = p->loaded.relay_ok_at;

	if (t > 0)
		return t;
	/* before the first pass that recorded it: an NTA added means the
	 * relay answered then */
	for (size_t i = 0; i < p->loaded.n; i++)
		if (p->loaded.v[i].added_at > t)
			t = p->loaded.v[i].added_at;
	return t;
}

/* True when the relay has been silent longer than --stale-after; why
 * says so. */
static bool
nta_pass_stale(const struct nta_pass *p, char *why, size_t whylen)
{
	long long last = nta_pass_last_ok(p);
	char when[32];

	if (p->relay_ok || p->o->stale_after <= 0 || last <= 0 ||
	    p->now - last <= p->o->stale_after)
		return false;
	nta_time_text(last, when, sizeof(when));
	snprintf(why, whylen, "the relay has not answered since %s, longer than "
	    "--stale-after (%lld s): nobody vouches for this NTA any more", when,
	    p->o->stale_after);
	return true;
}

/* Why zone is not (or no longer) recommended, for a person. */
static void
nta_pass_why_not(const struct nta_pass *p, const char *zone, char *out,
    size_t len)
{
	const struct nta_decision *z = nta_answer_find(&p->answer, zone);

	if (z == NULL)
		snprintf(out, len, "no longer listed by the relay (clear)");
	else if (strcmp(zone, ".") == 0)
		snprintf(out, len, "the root never gets an NTA");
	else if (z->recommended)
		snprintf(out, len, "the decision's nta_until has passed");
	else if (!nta_zones_state_known(z->state))
		snprintf(out, len, "state %s (unknown: not a recommendation)",
		    z->state);
	else
		snprintf(out, len, "state %s", z->state);
}

/* ---------------------------------------------------------------- state */

static int
nta_pass_cmp(const void *a, const void *b)
{
	const struct nta_record *x = a, *y = b;
	int c = strcmp(x->driver, y->driver);

	return c ? c : strcmp(x->zone, y->zone);
}

/* Write p->work if it differs from what was last written. */
static int
nta_pass_save(struct nta_pass *p)
{
	char why[NTA_MSG_MAX], msg[NTA_MSG_MAX + 64];

	if (p->o->dry_run || nta_state_equal(&p->work, &p->saved))
		return 0;
	if (p->work.n > 1)
		qsort(p->work.v, p->work.n, sizeof(*p->work.v), nta_pass_cmp);
	if (nta_state_save(p->o->state_path, &p->work, why, sizeof(why)) != 0) {
		snprintf(msg, sizeof(msg), "state file not written: %s", why);
		nta_pass_error(p, NULL, msg);
		return -1;
	}
	nta_state_free(&p->saved);
	if (nta_state_copy(&p->saved, &p->work) != 0) {
		nta_pass_error(p, NULL, "out of memory");
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- the rules */

/* Remove (or forget, when the resolver no longer has it) our record r. */
static void
nta_pass_remove(struct nta_pass *p, const struct nta_record *r, bool present,
    const char *reason)
{
	char why[NTA_MSG_MAX];
	json_t *cmds = json_array();

	if (!present) {
		nta_pass_action(p, "forget", r->zone, 0, r->until, reason, cmds);
		nta_state_del(&p->work, r->zone, r->driver);
		return;
	}
	if (nta_driver_remove(p->d, r->zone, reason, p->o->dry_run, cmds, why,
	    sizeof(why)) != 0) {
		json_decref(cmds);
		nta_pass_error(p, r->zone, why);
		return;
	}
	nta_pass_action(p, "remove", r->zone, 0, r->until, reason, cmds);
	nta_state_del(&p->work, r->zone, r->driver);
}

/* Our record r (a copy): keep, renew, re-add or remove it. */
static void
nta_pass_ours(struct nta_pass *p, struct nta_record r)
{
	const struct nta_decision *z;
	bool present = nta_present_has(&p->present, r.zone), renew = false;
	char why[NTA_MSG_MAX], reason[NTA_MSG_MAX + 128], when[32];
	char note[NTA_NOTE_MAX];
	const char *action = "renew";
	long long life, until;
	json_t *cmds;

	if (nta_pass_stale(p, reason, sizeof(reason))) {
		nta_pass_remove(p, &r, present, reason);
		return;
	}
	if (!p->relay_ok) {
		if (r.until > p->now)
			return;
		nta_time_text(r.until, when, sizeof(when));
		snprintf(reason, sizeof(reason), "its lifetime ended at %s "
		    "(removed although the relay could not be asked: that is "
		    "not a relay decision)", when);
		nta_pass_remove(p, &r, present, reason);
		return;
	}
	if ((z = nta_pass_recommended(p, r.zone)) == NULL) {
		nta_pass_why_not(p, r.zone, why, sizeof(why));
		snprintf(reason, sizeof(reason), "no longer recommended: %s", why);
		nta_pass_remove(p, &r, present, reason);
		return;
	}
	if (!present && z->recovering && nta_driver_rechecks(p->d))
		return;   /* the resolver lifted it: the zone validates again */
	life = nta_pass_lifetime(p, z);
	until = p->now + life;
	nta_pass_note(p, z, until, note, sizeof(note));
	if (r.until <= p->now) {
		snprintf(reason, sizeof(reason), "its lifetime ended, the quorum "
		    "still holds: %s", z->reason);
		renew = true;
	} else if (!present) {
		snprintf(reason, sizeof(reason), "recommended and added by ntactl, "
		    "but missing on the resolver (reloaded or restarted?)");
		action = "add";
	} else if (until + NTA_SYNC_SLACK < r.until) {
		snprintf(reason, sizeof(reason), "the decision now ends earlier: %s",
		    z->reason);
		renew = true;
	} else if ((r.until - p->now) * 2 < r.lifetime &&
	    until > r.until + NTA_SYNC_SLACK) {
		snprintf(reason, sizeof(reason), "less than half its lifetime left, "
		    "the quorum still holds: %s", z->reason);
		renew = true;
	} else
		return;   /* in step */
	cmds = json_array();
	if (nta_driver_add(p->d, r.zone, life, until, z->reason, note, renew,
	    present, p->o->dry_run, cmds, why, sizeof(why)) != 0) {
		json_decref(cmds);
		nta_pass_error(p, r.zone, why);
		if (!renew)
			nta_pass_drift(p, r.zone, "missing", false, reason);
		return;
	}
	if (!renew)
		nta_pass_drift(p, r.zone, "missing", true, "recommended and added "
		    "by ntactl, but missing on the resolver (reloaded or "
		    "restarted?): re-added");
	r.until = until;
	r.lifetime = life;
	if (nta_state_put(&p->work, &r) != 0)
		nta_pass_error(p, r.zone, "out of memory");
	nta_pass_action(p, action, r.zone, life, until, renew ? reason :
	    z->reason, cmds);
}

/* Every recommended zone that is not ours: add it, or say why not. */
static void
nta_pass_new(struct nta_pass *p)
{
	const struct nta_decision *z;
	struct nta_record rec;
	char why[NTA_MSG_MAX], note[NTA_NOTE_MAX];
	size_t i, nadd = 0, *adds;
	json_t *cmds;

	if ((adds = calloc(p->answer.n + 1, sizeof(*adds))) == NULL) {
		nta_pass_error(p, NULL, "out of memory");
		return;
	}
	for (i = 0; i < p->answer.n; i++) {
		z = &p->answer.v[i];
		if (!z->recommended ||
		    nta_state_find(&p->loaded, z->zone, nta_driver_name(p->d)))
			continue;
		if (strcmp(z->zone, ".") == 0) {
			nta_pass_drift(p, z->zone, "refused", false, "the relay "
			    "recommends an NTA for the root: refused, the root never "
			    "gets one");
			continue;
		}
		if (nta_pass_lifetime(p, z) <= 0)
			continue;   /* the decision has ended: nothing to add */
		if (nta_present_has(&p->present, z->zone)) {
			nta_pass_drift(p, z->zone, "foreign_recommended", false,
			    "recommended, and present on the resolver, but not added "
			    "by ntactl: left alone (ntactl will never remove it)");
			continue;
		}
		memset(&rec, 0, sizeof(rec));
		snprintf(rec.zone, sizeof(rec.zone), "%s", z->zone);
		snprintf(rec.driver, sizeof(rec.driver), "%s", nta_driver_name(p->d));
		rec.added_at = p->now;
		rec.lifetime = nta_pass_lifetime(p, z);
		rec.until = p->now + rec.lifetime;
		if (nta_state_put(&p->work, &rec) != 0) {
			nta_pass_error(p, z->zone, "out of memory");
			continue;
		}
		adds[nadd++] = i;
	}
	/* Recorded first: a crash after this leaves a record of an NTA that
	 * may be missing (re-added or forgotten next pass), never an NTA that
	 * no record names. */
	if (nadd > 0 && nta_pass_save(p) != 0) {
		for (i = 0; i < nadd; i++)
			nta_state_del(&p->work, p->answer.v[adds[i]].zone,
			    nta_driver_name(p->d));
		free(adds);
		return;
	}
	for (i = 0; i < nadd; i++) {
		const struct nta_record *r;
		z = &p->answer.v[adds[i]];
		r = nta_state_find(&p->work, z->zone, nta_driver_name(p->d));
		cmds = json_array();
		if (r != NULL)
			nta_pass_note(p, z, r->until, note, sizeof(note));
		if (r == NULL || nta_driver_add(p->d, z->zone, r->lifetime, r->until,
		    z->reason, note, false, false, p->o->dry_run, cmds, why,
		    sizeof(why)) != 0) {
			json_decref(cmds);
			nta_pass_error(p, z->zone, r ? why : "out of memory");
			nta_state_del(&p->work, z->zone, nta_driver_name(p->d));
			continue;
		}
		nta_pass_action(p, "add", z->zone, r->lifetime, r->until, z->reason,
		    cmds);
	}
	free(adds);
}

/* NTAs on the resolver that are neither ours nor recommended. */
static void
nta_pass_foreign(struct nta_pass *p)
{
	const char *zone;

	for (size_t i = 0; i < p->present.n; i++) {
		zone = p->present.zone[i];
		if (zone != NULL && (nta_state_find(&p->loaded, zone,
		    nta_driver_name(p->d)) != NULL ||
		    nta_pass_recommended(p, zone) != NULL))
			continue;   /* ours, or reported as foreign_recommended */
		nta_pass_drift(p, zone ? zone : p->present.raw[i], "foreign", false,
		    "present, not recommended, not ours: left alone");
	}
}

/* ---------------------------------------------------------------- the pass */

/* The end of the pass for the driver (nta_driver_commit): its commands in
 * the report's "commit". 0, or -1 (an error said: the state file must
 * keep what it had). */
static int
nta_pass_commit(struct nta_pass *p)
{
	char why[NTA_MSG_MAX], msg[NTA_MSG_MAX + 128];
	json_t *cmds = json_array();

	if (cmds == NULL) {
		nta_pass_error(p, NULL, "out of memory");
		return -1;
	}
	json_object_set_new(p->report, "commit", cmds);
	switch (nta_driver_commit(p->d, p->o->dry_run, cmds, why, sizeof(why))) {
	case 0:
		return 0;
	case 1:   /* applied, a later step failed (a reload) */
		nta_pass_error(p, NULL, why);
		return 0;
	default:
		snprintf(msg, sizeof(msg), "%s; the state file keeps what it had "
		    "(tried again next pass)", why);
		nta_pass_error(p, NULL, msg);
		return -1;
	}
}

/* A new pass of d with o: its report, with the lists it fills. -1 when
 * out of memory. */
static int
nta_pass_init(struct nta_pass *p, struct nta_driver *d,
    const struct nta_sync_opts *o)
{
	memset(p, 0, sizeof(*p));
	p->d = d;
	p->o = o;
	p->lock = -1;
	p->now = (long long)time(NULL);
	p->report = json_object();
	p->actions = json_array();
	p->drift = json_array();
	p->errors = json_array();
	if (p->report == NULL || p->actions == NULL || p->drift == NULL ||
	    p->errors == NULL) {
		json_decref(p->report);
		json_decref(p->actions);
		json_decref(p->drift);
		json_decref(p->errors);
		return -1;
	}
	json_object_set_new(p->report, "actions", p->actions);
	json_object_set_new(p->report, "drift", p->drift);
	json_object_set_new(p->report, "errors", p->errors);
	json_object_set_new(p->report, "relay", json_string(o->relay));
	json_object_set_new(p->report, "driver", json_string(nta_driver_name(d)));
	json_object_set_new(p->report, "dry_run", json_boolean(o->dry_run));
	json_object_set_new(p->report, "now", json_integer(p->now));
	json_object_set_new(p->report, "relay_ok", json_false());
	return 0;
}

int
nta_sync_pass(struct nta_driver *d, const struct nta_sync_opts *o,
    json_t **report)
{
	struct nta_pass p;
	char why[NTA_MSG_MAX], msg[NTA_MSG_MAX + 64];
	struct nta_state snapshot = { 0 };
	int rc;

	*report = NULL;
	if (nta_pass_init(&p, d, o) != 0)
		return CLI_ERR;

	/* The state first, under its lock: without it nothing may change. */
	if (!o->dry_run && (p.lock = nta_state_lock(o->state_path,
	    NTA_SYNC_LOCK_WAIT, why, sizeof(why))) < 0) {
		snprintf(msg, sizeof(msg), "state file lock: %s", why);
		nta_pass_error(&p, NULL, msg);
		goto out;
	}
	if (nta_state_load(o->state_path, &p.loaded, why, sizeof(why)) != 0) {
		snprintf(msg, sizeof(msg), "state file: %s; nothing changed", why);
		nta_pass_error(&p, NULL, msg);
		goto out;
	}
	if (p.loaded.n > 1)
		qsort(p.loaded.v, p.loaded.n, sizeof(*p.loaded.v), nta_pass_cmp);
	if (nta_state_copy(&p.work, &p.loaded) != 0 ||
	    nta_state_copy(&p.saved, &p.loaded) != 0 ||
	    nta_state_copy(&snapshot, &p.loaded) != 0) {
		nta_pass_error(&p, NULL, "out of memory");
		goto out;
	}

	p.relay_ok = nta_pass_fetch(&p, why, sizeof(why));
	json_object_set_new(p.report, "relay_ok", json_boolean(p.relay_ok));
	if (!p.relay_ok) {
		char stale[NTA_MSG_MAX];
		snprintf(msg, sizeof(msg), "%s; %s", why, nta_pass_stale(&p, stale,
		    sizeof(stale)) ? "silent longer than --stale-after: every NTA "
		    "of ours removed" : "no NTA added or removed");
		nta_pass_error(&p, NULL, msg);
	}
	if (nta_driver_list(d, &p.present, why, sizeof(why)) != 0) {
		snprintf(msg, sizeof(msg), "cannot list the resolver's NTAs: %s; "
		    "nothing changed", why);
		nta_pass_error(&p, NULL, msg);
		goto out;
	}

	for (size_t i = 0; i < snapshot.n; i++)
		if (strcmp(snapshot.v[i].driver, nta_driver_name(d)) == 0)
			nta_pass_ours(&p, snapshot.v[i]);
	if (p.relay_ok && o->stale_after > 0)
		p.work.relay_ok_at = p.now;
	if (p.relay_ok) {
		nta_pass_new(&p);
		nta_pass_foreign(&p);
	}
	if (nta_pass_commit(&p) == 0)
		nta_pass_save(&p);
out:
	rc = p.failed ? CLI_ERR : p.unfixed ? CLI_NO : CLI_OK;
	nta_state_unlock(p.lock);
	nta_state_free(&snapshot);
	nta_state_free(&p.loaded);
	nta_state_free(&p.work);
	nta_state_free(&p.saved);
	nta_present_free(&p.present);
	nta_answer_free(&p.answer);
	*report = p.report;
	return rc;
}
