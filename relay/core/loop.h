/*
 * relay/core/loop.h — the relay's one event loop: descriptors, timers, signals.
 *
 * Everything the daemon does starts here, on one thread: MQTT links,
 * timers (heartbeat, reconnects, pruning), the HTTP server, signals (via
 * signalfd). A reader follows the daemon from relay/main.c's calls to
 * loop_fd_add() and loop_timer_add(). Callbacks must not block.
 */
#ifndef NTARELAY_RELAY_LOOP_H
#define NTARELAY_RELAY_LOOP_H

#include <stdbool.h>

struct loop;

typedef void (*loop_fd_cb)(void *arg, int fd, short revents);
typedef void (*loop_timer_cb)(void *arg);
typedef void (*loop_prepare_cb)(void *arg);
typedef void (*loop_signal_cb)(void *arg, int signo);

struct loop *loop_new(void);
void loop_free(struct loop *l);

/* Watch fd for events (POLLIN, POLLOUT); replaces an earlier watch of fd. */
int loop_fd_add(struct loop *l, int fd, short events, loop_fd_cb cb, void *arg);
void loop_fd_events(struct loop *l, int fd, short events);
void loop_fd_del(struct loop *l, int fd);

/* One-shot timer after ms milliseconds; returns its id (> 0), or -1. */
long loop_timer_add(struct loop *l, long ms, loop_timer_cb cb, void *arg);
void loop_timer_cancel(struct loop *l, long id);

/* Called before every poll: a source updates its events and timers here. */
int loop_prepare_add(struct loop *l, loop_prepare_cb cb, void *arg);
/* Remove the hook added with cb and arg (not from a prepare callback). */
void loop_prepare_del(struct loop *l, loop_prepare_cb cb, void *arg);

/* Deliver signo through the loop (blocked for the process, read by
 * signalfd). */
int loop_signal_add(struct loop *l, int signo, loop_signal_cb cb, void *arg);

/* Monotonic milliseconds. */
long long loop_now_ms(void);

/* How busy the loop was: the share of the last complete 250 ms window
 * (percent, 0..100) it spent outside poll(2), working; -1 before the first
 * window ends or outside loop_run(). A loop at 100% has more input than it
 * handles: a backlog is draining (relay/fed/catchup.h) or it is overloaded. */
int loop_busy_pct(const struct loop *l);

/* Run until loop_stop(); returns 0, or -1 when poll fails. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);

#endif
