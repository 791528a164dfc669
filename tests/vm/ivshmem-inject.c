// SPDX-License-Identifier: GPL-2.0
/*
 * ivshmem-inject: fire a guest's ivshmem-doorbell MSI-X vector from the host,
 * COUNT times at RATE Hz, so interrupts arrive at times the guest does not
 * choose. With -v given several times, each tick fires every one of those
 * vectors in turn (irqlab compare fires its engine and native vectors so).
 *
 * It asks ivshmem-server's control socket for the guest peer's eventfds
 * ("fds ID", after "list" when no peer id is given) and writes them itself:
 * a round trip through the server per interrupt ("notify") would cap the
 * rate and add the server's scheduling to the timing.
 *
 * Pacing uses absolute deadlines (start + i/RATE on CLOCK_MONOTONIC), so a
 * late wake-up delays one write instead of shifting all later ones. RATE 0
 * writes back to back.
 *
 * An eventfd is a counter: QEMU reads and clears it, then raises the vector
 * once, so writes that land before QEMU has read the counter coalesce into
 * one interrupt. That is inherent to the device; this tool counts writes
 * (sent=) and leaves delivered-vs-sent to the guest. To tell where a loss
 * happened, it also counts the writes that found the counter still non-zero
 * (unread=): those merged with an earlier write on the host side, so QEMU
 * raised at most sent - unread interrupts (give or take a read that lands
 * between the check and the write).
 *
 * Output, one line on stdout once the run ends (also when it ends early):
 *   sent=N requested=N peer=ID vector=V rate=R elapsed_us=T max_late_us=L
 *   unread=U
 * max_late_us is the worst lateness of a write against its deadline. Exit
 * status 0 only when all writes succeeded; errors go to stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Same bounds as ivshmem-server: 16-bit peer ids, at most 1024 vectors. */
#define MAX_PEER_ID 0xffff
#define MAX_VECTORS 1024
#define NSEC_PER_SEC 1000000000ULL
#define MAX_TICK_VECTORS 8

struct conn {
	int sock;
	size_t len;
	char buf[4096];
	int fds[MAX_VECTORS];
	size_t nfds;
};

static volatile sig_atomic_t stop_sig;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("ivshmem-inject: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ivshmem-inject -c CONTROL -v VECTOR [-v VECTOR...] -n COUNT [-r RATE]\n"
		"                      [-p PEER]\n"
		"  -c CONTROL  ivshmem-server control socket (its -c option)\n"
		"  -v VECTOR   MSI-X vector to fire, 0..VECTORS-1; up to 8, fired in turn\n"
		"  -n COUNT    number of eventfd writes (per vector)\n"
		"  -r RATE     writes per second; 0 = back to back (default 0)\n"
		"  -p PEER     guest peer id (default: the only peer the server has)\n"
		"Prints \"sent=N requested=N peer=ID vector=V rate=R elapsed_us=T\n"
		"max_late_us=L unread=U\" on stdout; exits non-zero if any write failed.\n");
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9') /* strtoull would accept "-1" and " 1" */
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static void on_signal(int sig)
{
	stop_sig = sig;
}

static void send_line(struct conn *c, const char *line)
{
	size_t len = strlen(line), off = 0;

	while (off < len) {
		ssize_t n = send(c->sock, line + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("control socket: send: %s", n < 0 ? strerror(errno) : "closed");
		off += (size_t)n;
	}
}

/*
 * Reads one reply line into `line` (without the newline). Uses recvmsg() for
 * everything, because the server attaches the eventfds to the bytes of its
 * "ok N" line and a plain recv() would discard them.
 */
static void recv_line(struct conn *c, char *line, size_t cap)
{
	char *nl;
	size_t len;

	while (!(nl = memchr(c->buf, '\n', c->len))) {
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(int) * MAX_VECTORS)];
		} ctrl;
		struct iovec iov = { .iov_base = c->buf + c->len,
				     .iov_len = sizeof(c->buf) - c->len };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = ctrl.buf,
				      .msg_controllen = sizeof(ctrl.buf) };
		ssize_t n;

		if (c->len == sizeof(c->buf))
			die("control socket: reply line too long");
		n = recvmsg(c->sock, &msg, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("control socket: recv: %s", strerror(errno));
		if (n == 0)
			die("control socket: server closed the connection");
		if (msg.msg_flags & MSG_CTRUNC)
			die("control socket: too many file descriptors in reply");
		for (struct cmsghdr *h = CMSG_FIRSTHDR(&msg); h; h = CMSG_NXTHDR(&msg, h)) {
			size_t k;

			if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
				continue;
			k = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			if (k > MAX_VECTORS - c->nfds)
				die("control socket: too many file descriptors in reply");
			memcpy(&c->fds[c->nfds], CMSG_DATA(h), k * sizeof(int));
			c->nfds += k;
		}
		c->len += (size_t)n;
	}
	/* Server lines are short; a longer one only shows up cut in a message. */
	len = (size_t)(nl - c->buf) < cap - 1 ? (size_t)(nl - c->buf) : cap - 1;
	memcpy(line, c->buf, len);
	line[len] = '\0';
	c->len -= (size_t)(nl + 1 - c->buf);
	memmove(c->buf, nl + 1, c->len);
}

/* The test box has exactly one guest; more peers make the target ambiguous. */
static unsigned long find_only_peer(struct conn *c)
{
	char line[256];
	unsigned long id = 0, npeers = 0;

	send_line(c, "list\n");
	for (;;) {
		char *save, *tok;
		uint64_t v;

		recv_line(c, line, sizeof(line));
		if (!strcmp(line, "ok"))
			break;
		if (!strncmp(line, "error", 5))
			die("list: server says: %s", line);
		tok = strtok_r(line, " ", &save);
		if (!tok || strcmp(tok, "peer"))
			die("list: unexpected reply: %s", line);
		tok = strtok_r(NULL, " ", &save);
		if (!tok || !parse_u64(tok, MAX_PEER_ID, &v))
			die("list: unexpected peer id in reply");
		id = (unsigned long)v;
		npeers++;
	}
	if (npeers != 1)
		die("the server has %lu peers; pick one with -p", npeers);
	return id;
}

static void get_fds(struct conn *c, unsigned long peer)
{
	char line[256];
	uint64_t n;

	snprintf(line, sizeof(line), "fds %lu\n", peer);
	send_line(c, line);
	recv_line(c, line, sizeof(line));
	if (strncmp(line, "ok ", 3) || !parse_u64(line + 3, MAX_VECTORS, &n))
		die("fds %lu: server says: %s", peer, line);
	if (n != c->nfds)
		die("fds %lu: server announced %llu eventfds, sent %zu", peer,
		    (unsigned long long)n, c->nfds);
}

static uint64_t ts_ns(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * NSEC_PER_SEC + (uint64_t)t->tv_nsec;
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return ts_ns(&t);
}

/* Sleeps until `deadline` (CLOCK_MONOTONIC ns); false if a signal stopped us. */
static bool sleep_until(uint64_t deadline)
{
	struct timespec t = { .tv_sec = (time_t)(deadline / NSEC_PER_SEC),
			      .tv_nsec = (long)(deadline % NSEC_PER_SEC) };
	int err;

	do {
		if (stop_sig)
			return false;
		err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
	} while (err == EINTR);
	if (err)
		die("clock_nanosleep: %s", strerror(err));
	return !stop_sig;
}

int main(int argc, char **argv)
{
	const char *ctl_path = NULL;
	uint64_t vectors[MAX_TICK_VECTORS], count = UINT64_MAX, rate = 0, peer = UINT64_MAX;
	size_t nvectors = 0, v;
	char vector_list[MAX_TICK_VECTORS * 8] = "";
	uint64_t sent = 0, start, end, max_late = 0, unread = 0;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct sigaction sa = { .sa_handler = on_signal };
	static struct conn c; /* 20 KiB of buffers: keep them off the stack */
	const char *failure = NULL;
	int opt, efds[MAX_TICK_VECTORS], write_errno = 0;

	/*
	 * A caller that gives up or stops early (run.sh's agent) still learns
	 * how many writes went out: stop between writes and report, also when
	 * the signal comes before the first one (the control socket's calls
	 * retry on EINTR; no SA_RESTART).
	 */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	while ((opt = getopt(argc, argv, "c:v:n:r:p:h")) != -1) {
		switch (opt) {
		case 'c': ctl_path = optarg; break;
		case 'v':
			if (nvectors == MAX_TICK_VECTORS)
				die("-v: at most %d vectors", MAX_TICK_VECTORS);
			if (!parse_u64(optarg, MAX_VECTORS - 1, &vectors[nvectors++]))
				die("-v: not a vector number: %s", optarg);
			break;
		case 'n':
			if (!parse_u64(optarg, UINT32_MAX, &count))
				die("-n: need a count 0..%u, got %s", UINT32_MAX, optarg);
			break;
		case 'r':
			/* The period must stay >= 1 ns for the deadline math. */
			if (!parse_u64(optarg, NSEC_PER_SEC, &rate))
				die("-r: need a rate 0..%llu Hz, got %s", NSEC_PER_SEC, optarg);
			break;
		case 'p':
			if (!parse_u64(optarg, MAX_PEER_ID, &peer))
				die("-p: not a peer id: %s", optarg);
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!ctl_path || !nvectors || count == UINT64_MAX || optind != argc) {
		usage(stderr);
		return 2;
	}

	if (strlen(ctl_path) >= sizeof(addr.sun_path))
		die("control socket path too long: %s", ctl_path);
	memcpy(addr.sun_path, ctl_path, strlen(ctl_path) + 1);
	c.sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c.sock < 0)
		die("socket: %s", strerror(errno));
	if (connect(c.sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		die("%s: %s", ctl_path, strerror(errno));
	if (peer == UINT64_MAX)
		peer = find_only_peer(&c);
	get_fds(&c, (unsigned long)peer);
	for (v = 0; v < nvectors; v++) {
		size_t used = strlen(vector_list);

		if (vectors[v] >= c.nfds)
			die("-v %llu: peer %llu has %zu vectors", (unsigned long long)vectors[v],
			    (unsigned long long)peer, c.nfds);
		efds[v] = c.fds[vectors[v]];
		snprintf(vector_list + used, sizeof(vector_list) - used, "%s%llu", v ? "," : "",
			 (unsigned long long)vectors[v]);
	}
	/* The server owns the peer's eventfds; we are done with it. */
	close(c.sock);

	start = now_ns();
	for (uint64_t i = 0; i < count; i++) {
		const uint64_t one = 1;
		struct pollfd pfd = { .events = POLLIN };
		ssize_t n;

		if (rate) {
			/* Exact for any i: whole seconds, then the remainder. */
			uint64_t deadline = start + i / rate * NSEC_PER_SEC +
					    i % rate * NSEC_PER_SEC / rate;
			uint64_t t;

			if (!sleep_until(deadline))
				break;
			t = now_ns();
			if (t - deadline > max_late)
				max_late = t - deadline;
		} else if (stop_sig) {
			break;
		}
		for (v = 0; v < nvectors && !failure; v++) {
			pfd.fd = efds[v];
			if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN))
				unread++;
			do
				n = write(efds[v], &one, sizeof(one));
			while (n < 0 && errno == EINTR && !stop_sig);
			if (n != (ssize_t)sizeof(one)) {
				/* The fd is non-blocking: EAGAIN means the counter is full. */
				write_errno = n < 0 ? errno : EIO;
				failure = "eventfd write";
			}
		}
		if (failure)
			break;
		sent++;
	}
	end = now_ns();

	printf("sent=%llu requested=%llu peer=%llu vector=%s rate=%llu elapsed_us=%llu max_late_us=%llu unread=%llu\n",
	       (unsigned long long)sent, (unsigned long long)count,
	       (unsigned long long)peer, vector_list,
	       (unsigned long long)rate, (unsigned long long)((end - start) / 1000),
	       (unsigned long long)(max_late / 1000), (unsigned long long)unread);
	if (fflush(stdout) != 0 || ferror(stdout))
		die("stdout: %s", strerror(errno));
	if (failure)
		die("%s after %llu of %llu writes: %s", failure, (unsigned long long)sent,
		    (unsigned long long)count, strerror(write_errno));
	if (sent != count)
		die("stopped by SIG%s after %llu of %llu writes", sigabbrev_np(stop_sig),
		    (unsigned long long)sent, (unsigned long long)count);
	return 0;
}
