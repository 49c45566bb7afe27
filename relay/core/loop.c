/*
 * relay/core/loop.c — poll(2) loop with timers and signalfd.
 *
 * Small by design: a relay has a few dozen descriptors and timers, so
 * arrays and linear scans are the simple, fast choice.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "relay/core/loop.h"

#define LOOP_FDS_MAX 256
#define LOOP_TIMERS_MAX 1024
#define LOOP_PREPARE_MAX 64
#define LOOP_SIGNALS_MAX 8

struct watch {
	int fd;
	short events;
	loop_fd_cb cb;
	void *arg;
};

struct timer {
	long id;
	long long due;
	loop_timer_cb cb;
	void *arg;
};

struct loop {
	struct watch fds[LOOP_FDS_MAX];
	int nfds;
	struct timer timers[LOOP_TIMERS_MAX];
	int ntimers;
	long next_timer_id;
	struct { loop_prepare_cb cb; void *arg; } prepare[LOOP_PREPARE_MAX];
	int nprepare;
	struct { int signo; loop_signal_cb cb; void *arg; } signals[LOOP_SIGNALS_MAX];
	int nsignals;
	int sigfd;
	sigset_t sigmask;
	bool stop;
	/* how busy: time outside poll(2) over LOOP_BUSY_WINDOW_MS windows */
	long long win_start_ns;     /* the current window began */
	long long busy_ns;          /* its time spent working so far */
	int busy_pct;               /* the last complete window; -1: none yet */
};

#define LOOP_BUSY_WINDOW_MS 250

static long long
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Count one turn's work (woke .. slept); close the window when it ends. */
static void
account(struct loop *l, long long woke, long long slept)
{
	long long span;

	l->busy_ns += slept - woke;
	span = slept - l->win_start_ns;
	if (span >= LOOP_BUSY_WINDOW_MS * 1000000LL) {
		long long pct = l->busy_ns * 100 / span;
		l->busy_pct = (int)(pct > 100 ? 100 : pct);
		l->win_start_ns = slept;
		l->busy_ns = 0;
	}
}

int
loop_busy_pct(const struct loop *l)
{
	return l->busy_pct;
}

long long
loop_now_ms(void)
{
	return mono_ns() / 1000000;
}

struct loop *
loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->sigfd = -1;
	l->next_timer_id = 1;
	l->busy_pct = -1;
	sigemptyset(&l->sigmask);
	return l;
}

void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	if (l->sigfd >= 0)
		close(l->sigfd);
	free(l);
}

static struct watch *
find(struct loop *l, int fd)
{
	for (int i = 0; i < l->nfds; i++)
		if (l->fds[i].fd == fd)
			return &l->fds[i];
	return NULL;
}

int
loop_fd_add(struct loop *l, int fd, short events, loop_fd_cb cb, void *arg)
{
	struct watch *w = find(l, fd);

	if (w == NULL) {
		if (l->nfds == LOOP_FDS_MAX)
			return -1;
		w = &l->fds[l->nfds++];
	}
	*w = (struct watch){ fd, events, cb, arg };
	return 0;
}

void
loop_fd_events(struct loop *l, int fd, short events)
{
	struct watch *w = find(l, fd);

	if (w)
		w->events = events;
}

void
loop_fd_del(struct loop *l, int fd)
{
	struct watch *w = find(l, fd);

	if (w) {
		/* Mark, compact after dispatch: loop_run may be iterating. */
		w->fd = -1;
		w->cb = NULL;
	}
}

long
loop_timer_add(struct loop *l, long ms, loop_timer_cb cb, void *arg)
{
	if (l->ntimers == LOOP_TIMERS_MAX)
		return -1;
	l->timers[l->ntimers] = (struct timer){ l->next_timer_id, loop_now_ms() + ms,
	    cb, arg };
	l->ntimers++;
	return l->next_timer_id++;
}

void
loop_timer_cancel(struct loop *l, long id)
{
	for (int i = 0; i < l->ntimers; i++)
		if (l->timers[i].id == id) {
			l->timers[i] = l->timers[--l->ntimers];
			return;
		}
}

int
loop_prepare_add(struct loop *l, loop_prepare_cb cb, void *arg)
{
	if (l->nprepare == LOOP_PREPARE_MAX)
		return -1;
	l->prepare[l->nprepare].cb = cb;
	l->prepare[l->nprepare].arg = arg;
	l->nprepare++;
	return 0;
}

void
loop_prepare_del(struct loop *l, loop_prepare_cb cb, void *arg)
{
	for (int i = 0; i < l->nprepare; i++)
		if (l->prepare[i].cb == cb && l->prepare[i].arg == arg) {
			memmove(&l->prepare[i], &l->prepare[i + 1],
			    (size_t)(l->nprepare - i - 1) * sizeof(l->prepare[0]));
			l->nprepare--;
			return;
		}
}

static void
on_signalfd(void *arg, int fd, short revents)
{
	struct loop *l = arg;
	struct signalfd_siginfo si;

	(void)revents;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		for (int i = 0; i < l->nsignals; i++)
			if (l->signals[i].signo == (int)si.ssi_signo)
				l->signals[i].cb(l->signals[i].arg, (int)si.ssi_signo);
}

int
loop_signal_add(struct loop *l, int signo, loop_signal_cb cb, void *arg)
{
	int fd;

	if (l->nsignals == LOOP_SIGNALS_MAX)
		return -1;
	sigaddset(&l->sigmask, signo);
	if (sigprocmask(SIG_BLOCK, &l->sigmask, NULL) != 0)
		return -1;
	if ((fd = signalfd(l->sigfd, &l->sigmask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0)
		return -1;
	if (l->sigfd < 0 && loop_fd_add(l, fd, POLLIN, on_signalfd, l) != 0) {
		close(fd);
		return -1;
	}
	l->sigfd = fd;
	l->signals[l->nsignals].signo = signo;
	l->signals[l->nsignals].cb = cb;
	l->signals[l->nsignals].arg = arg;
	l->nsignals++;
	return 0;
}

void
loop_stop(struct loop *l)
{
	l->stop = true;
}

/* Run the timers that are due; a callback may add or cancel timers. */
static void
run_timers(struct loop *l)
{
	long long now = loop_now_ms();

	for (int i = 0; i < l->ntimers;) {
		if (l->timers[i].due <= now) {
			struct timer t = l->timers[i];
			l->timers[i] = l->timers[--l->ntimers];
			t.cb(t.arg);
			i = 0; /* the array changed: rescan */
			continue;
		}
		i++;
	}
}

static int
next_timeout(struct loop *l)
{
	long long now = loop_now_ms(), first = -1;

	for (int i = 0; i < l->ntimers; i++)
		if (first < 0 || l->timers[i].due < first)
			first = l->timers[i].due;
	/* with no timer, or a far one, wake once a minute at most: the
	 * timers are the only work poll(2) cannot announce */
	if (first < 0)
		return 60000;
	return first <= now ? 0 : (int)(first - now > 60000 ? 60000 : first - now);
}

int
loop_run(struct loop *l)
{
	struct pollfd pfd[LOOP_FDS_MAX];
	long long woke = mono_ns();

	l->stop = false;
	l->win_start_ns = woke;
	l->busy_ns = 0;
	l->busy_pct = -1;
	while (!l->stop) {
		int n = 0, rc;
		long long slept;

		for (int i = 0; i < l->nprepare; i++)
			l->prepare[i].cb(l->prepare[i].arg);
		/* compact deleted watches */
		for (int i = 0; i < l->nfds;) {
			if (l->fds[i].fd < 0)
				l->fds[i] = l->fds[--l->nfds];
			else
				i++;
		}
		for (int i = 0; i < l->nfds; i++) {
			pfd[n].fd = l->fds[i].fd;
			pfd[n].events = l->fds[i].events;
			pfd[n].revents = 0;
			n++;
		}
		slept = mono_ns();
		account(l, woke, slept);
		rc = poll(pfd, (nfds_t)n, next_timeout(l));
		woke = mono_ns();
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (int i = 0; i < n && !l->stop; i++) {
			struct watch *w;
			if (pfd[i].revents == 0)
				continue;
			/* the watch may have been removed by an earlier callback */
			if ((w = find(l, pfd[i].fd)) == NULL || w->cb == NULL)
				continue;
			w->cb(w->arg, pfd[i].fd, pfd[i].revents);
		}
		run_timers(l);
	}
	return 0;
}
