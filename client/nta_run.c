/*
 * client/nta_run.c — run a resolver control program, bounded in time and
 * output (see nta_run.h).
 */
#define _GNU_SOURCE   /* pipe2, execvpe */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client/nta_run.h"
#include "lib/buf.h"

extern char **environ;

/* Output of a command: at most NTA_RUN_OUT_MAX bytes kept. */
struct nta_run_buf {
	struct buf b;
	bool truncated;
};

static void
nta_run_buf_add(struct nta_run_buf *b, const char *s, size_t n)
{
	if (b->b.len + n > NTA_RUN_OUT_MAX) {
		b->truncated = true;
		n = NTA_RUN_OUT_MAX - b->b.len;
	}
	buf_add(&b->b, s, n);
}

static long long
nta_run_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child, between fork and exec: async-signal-safe calls only. */
static void __attribute__((noreturn))
nta_run_child(char *const argv[], char *const envp[], int out_w, int err_w)
{
	const char *msg;
	struct sigaction sa;
	sigset_t none;
	int devnull;

	setpgid(0, 0);   /* so that a timeout can kill the whole group */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if ((devnull = open("/dev/null", O_RDONLY)) < 0 ||
	    dup2(devnull, STDIN_FILENO) < 0 || dup2(out_w, STDOUT_FILENO) < 0 ||
	    dup2(err_w, STDERR_FILENO) < 0)
		_exit(126);
	if (envp != NULL)
		execvpe(argv[0], argv, envp);
	else
		execvp(argv[0], argv);
	/* strerror() is not async-signal-safe: the usual cases, fixed text */
	msg = errno == ENOENT ? "cannot execute: no such file or command\n" :
	    errno == EACCES ? "cannot execute: permission denied\n" :
	    errno == ENOEXEC ? "cannot execute: not an executable format\n" :
	    "cannot execute\n";
	if (write(STDERR_FILENO, msg, strlen(msg)) < 0)
		_exit(127);
	_exit(127);
}

/* Read the child's two pipes (fd[0] out, fd[1] err; each set to -1 when
 * closed here) into bo and be until both close or the deadline passes
 * (r->timed_out). 0, or -1 with why filled (poll failed). */
static int
nta_run_collect(int fd[2], long long deadline, struct nta_run_buf *bo,
    struct nta_run_buf *be, struct nta_run_result *r, char *why, size_t whylen)
{
	struct pollfd pfd[2];
	char chunk[8192];
	int n, wait_ms;
	ssize_t got;

	pfd[0].fd = fd[0];
	pfd[1].fd = fd[1];
	pfd[0].events = pfd[1].events = POLLIN;
	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		wait_ms = (int)(deadline - nta_run_ms());
		if (wait_ms <= 0) {
			r->timed_out = true;
			return 0;
		}
		n = poll(pfd, 2, wait_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, whylen, "poll: %s", strerror(errno));
			return -1;
		}
		for (int i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			got = read(pfd[i].fd, chunk, sizeof(chunk));
			if (got < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (got <= 0) {
				close(pfd[i].fd);
				pfd[i].fd = fd[i] = -1;
				continue;
			}
			nta_run_buf_add(i == 0 ? bo : be, chunk, (size_t)got);
		}
	}
	return 0;
}

/* Both streams closed (or time is up): reap pid, still within the bound;
 * past it, or timed out already, kill its group. 0 with *status, or -1
 * with why filled. */
static int
nta_run_reap(pid_t pid, long long deadline, struct nta_run_result *r,
    int *status, char *why, size_t whylen)
{
	pid_t w;

	while (!r->timed_out) {
		w = waitpid(pid, status, WNOHANG);
		if (w == pid)
			return 0;
		if (w < 0 && errno != EINTR) {
			snprintf(why, whylen, "waitpid: %s", strerror(errno));
			return -1;
		}
		if (nta_run_ms() < deadline) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };
			nanosleep(&ts, NULL);
			continue;
		}
		r->timed_out = true;
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return 0;
}

/* The exit status and both outputs (moved out of bo and be) into r. */
static int
nta_run_fill(int status, struct nta_run_buf *bo, struct nta_run_buf *be,
    struct nta_run_result *r, char *why, size_t whylen)
{
	if (WIFEXITED(status))
		r->status = WEXITSTATUS(status);
	else {
		r->status = -1;
		r->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	}
	r->truncated = bo->truncated || be->truncated;
	if (bo->b.data == NULL)
		nta_run_buf_add(bo, "", 0);
	if (be->b.data == NULL)
		nta_run_buf_add(be, "", 0);
	if (bo->b.failed || be->b.failed) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	r->out = bo->b.data;
	r->out_len = bo->b.len;
	r->err = be->b.data;
	r->err_len = be->b.len;
	bo->b.data = be->b.data = NULL;
	return 0;
}

int
nta_run(char *const argv[], char *const envp[], int timeout,
    struct nta_run_result *r, char *why, size_t whylen)
{
	struct nta_run_buf bo = { 0 }, be = { 0 };
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, rd[2];
	long long deadline;
	int status = 0, rc = -1;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (argv == NULL || argv[0] == NULL) {
		snprintf(why, whylen, "no program to run");
		return -1;
	}
	if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		goto out;
	}
	fflush(NULL);
	if ((pid = fork()) < 0) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		nta_run_child(argv, envp, po[1], pe[1]);
	setpgid(pid, pid);   /* either side may win the race; both agree */
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	deadline = nta_run_ms() + (long long)timeout * 1000;
	rd[0] = po[0];
	rd[1] = pe[0];
	if (nta_run_collect(rd, deadline, &bo, &be, r, why, whylen) != 0) {
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
	} else if (nta_run_reap(pid, deadline, r, &status, why, whylen) == 0) {
		rc = nta_run_fill(status, &bo, &be, r, why, whylen);
	}
	po[0] = rd[0];   /* -1 when closed by nta_run_collect */
	pe[0] = rd[1];
out:
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	if (rc != 0)
		memset(r, 0, sizeof(*r));
	free(bo.b.data);
	free(be.b.data);
	return rc;
}

bool
nta_run_ok(const struct nta_run_result *r)
{
	return r->status == 0 && !r->timed_out && !r->truncated && r->signal == 0;
}

void
nta_run_result_free(struct nta_run_result *r)
{
	if (r == NULL)
		return;
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
	r->out_len = r->err_len = 0;
}

static void
nta_run_append(char *out, size_t len, size_t *at, char c)
{
	if (*at + 1 < len) {
		out[*at] = c;
		out[++*at] = '\0';
	}
}

void
nta_run_format(char *const argv[], char *out, size_t len)
{
	size_t at = 0;
	const char *s;
	bool quote;

	if (len == 0)
		return;
	out[0] = '\0';
	for (size_t i = 0; argv[i] != NULL; i++) {
		if (i > 0)
			nta_run_append(out, len, &at, ' ');
		s = argv[i];
		quote = s[0] == '\0' || s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789._/@:=+-,")] != '\0';
		if (quote)
			nta_run_append(out, len, &at, '\'');
		for (; *s; s++) {
			unsigned char c = (unsigned char)*s;
			if (c == '\'' && quote) {
				/* 'it'\''s' */
				nta_run_append(out, len, &at, '\'');
				nta_run_append(out, len, &at, '\\');
				nta_run_append(out, len, &at, '\'');
				nta_run_append(out, len, &at, '\'');
			} else
				nta_run_append(out, len, &at,
				    (c < 0x20 || c == 0x7f) ? '?' : (char)c);
		}
		if (quote)
			nta_run_append(out, len, &at, '\'');
	}
}

void
nta_run_describe(const struct nta_run_result *r, int timeout, char *out,
    size_t len)
{
	const char *text = r->err_len > 0 ? r->err : r->out;
	size_t n = r->err_len > 0 ? r->err_len : r->out_len, i, j = 0;
	char shown[320];

	/* Lines joined with " / ", control characters as '?', bounded. */
	for (i = 0; text != NULL && i < n && j + 4 < sizeof(shown); i++) {
		unsigned char c = (unsigned char)text[i];
		if (c == '\n') {
			if (i + 1 < n && j > 0) {
				memcpy(shown + j, " / ", 3);
				j += 3;
			}
			continue;
		}
		shown[j++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	shown[j] = '\0';
	if (r->timed_out)
		snprintf(out, len, "timed out after %d s%s%s", timeout,
		    j ? ": " : "", shown);
	else if (r->signal)
		snprintf(out, len, "killed by signal %d%s%s", r->signal,
		    j ? ": " : "", shown);
	else if (r->truncated)
		snprintf(out, len, "output larger than %d bytes", NTA_RUN_OUT_MAX);
	else
		snprintf(out, len, "exit status %d%s%s", r->status,
		    j ? ": " : "", shown);
}
