// SPDX-License-Identifier: GPL-2.0
/*
 * ivshmem-server: the server side of QEMU's ivshmem-doorbell protocol.
 *
 * Debian ships QEMU without contrib/ivshmem-server, and ivshmem-doorbell
 * refuses to start without a server, so the test box carries this one.
 *
 * Protocol (QEMU docs/specs/ivshmem-spec.rst): every message is one
 * little-endian int64 on a UNIX stream socket, optionally carrying one file
 * descriptor via SCM_RIGHTS. On connect a client receives
 *   0 (protocol version), its own peer id, -1 + the shared-memory fd,
 *   for every existing peer: that peer's id once per vector + an eventfd,
 *   its own id once per vector + its own eventfds (vector order matters).
 * Existing peers receive the new peer's id once per vector + its eventfds;
 * when a peer goes away the others receive its id without an fd.
 *
 * The server owns every eventfd it hands out, so a host process can fire a
 * guest's MSI-X vector by writing 1 to that guest's eventfd: an interrupt
 * source outside the guest, at times the guest does not choose. Such an
 * injector talks to the optional control socket (-c), a line protocol:
 *   list             -> "peer ID VECTORS" per peer, then "ok"
 *   notify ID VEC    -> writes 1 to peer ID's eventfd VEC, then "ok"
 *   fds ID           -> "ok N" carrying peer ID's N eventfds (SCM_RIGHTS,
 *                       in vector order) so the injector can write them
 *                       itself, without a round trip through this server
 * Errors are answered with "error: ...". One request per line.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* The doorbell register addresses a peer in 16 bits (peer << 16 | vector). */
#define MAX_PEER_ID 0xffff
/* MSI-X allows 2048 vectors; QEMU's ivshmem allocates one table entry each. */
#define MAX_VECTORS 1024
#define MAX_CTL_CLIENTS 8
#define CTL_LINE_MAX 128

struct peer {
	int sock;
	long id;
	int *efd; /* nvec eventfds, owned here; QEMU gets duplicates */
};

struct ctl_client {
	int sock;
	size_t len;
	char buf[CTL_LINE_MAX];
};

static struct {
	const char *sock_path, *ctl_path, *pidfile;
	size_t shm_size;
	unsigned int nvec;
	bool foreground, verbose;
	int ready_fd;
} opt = { .shm_size = 1 << 20, .nvec = 1, .ready_fd = -1 };

static int shm_fd = -1, listen_fd = -1, ctl_fd = -1;
static struct peer *peers;
static size_t npeers, cap_peers;
static struct ctl_client ctl_clients[MAX_CTL_CLIENTS];
static long next_id;
static volatile sig_atomic_t stop;

static void logmsg(const char *fmt, ...)
{
	va_list ap;

	if (!opt.verbose)
		return;
	va_start(ap, fmt);
	fputs("ivshmem-server: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("ivshmem-server: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ivshmem-server -S SOCKET [-l SIZE] [-n VECTORS] [-c CONTROL]\n"
		"                      [-p PIDFILE] [-F] [-r FD] [-v]\n"
		"  -S SOCKET   UNIX socket QEMU connects to (chardev socket,path=)\n"
		"  -l SIZE     shared memory size, power of two, suffix k/M/G (1M)\n"
		"  -n VECTORS  eventfds per peer; must equal ivshmem-doorbell vectors= (1)\n"
		"  -c CONTROL  UNIX socket for host-side injectors (list/notify/fds)\n"
		"  -p PIDFILE  write the server pid here once listening\n"
		"  -F          stay in the foreground (default: daemonize; the parent\n"
		"              exits 0 only once the server is listening)\n"
		"  -r FD       write a newline to FD and close it once listening\n"
		"  -v          log connects and disconnects to stderr\n");
}

static bool parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return false;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end || !v || v > SIZE_MAX)
		return false;
	*out = v;
	return true;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max)
		return false;
	*out = v;
	return true;
}

/* One message per sendmsg(): QEMU pairs each received fd with its int64. */
static int send_msg(int sock, long val, int fd)
{
	int64_t le = (int64_t)htole64((uint64_t)val);
	struct iovec iov = { .iov_base = &le, .iov_len = sizeof(le) };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctrl;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&ctrl, 0, sizeof(ctrl));
		msg.msg_control = ctrl.buf;
		msg.msg_controllen = sizeof(ctrl.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(le) ? 0 : -1;
}

/* Tell `to` about every vector of `about` (or that it left, if gone). */
static int advertise(const struct peer *to, const struct peer *about, bool gone)
{
	if (gone)
		return send_msg(to->sock, about->id, -1);
	for (unsigned int v = 0; v < opt.nvec; v++)
		if (send_msg(to->sock, about->id, about->efd[v]) < 0)
			return -1;
	return 0;
}

static void free_peer(struct peer *p)
{
	close(p->sock);
	for (unsigned int v = 0; v < opt.nvec; v++)
		if (p->efd[v] >= 0)
			close(p->efd[v]);
	free(p->efd);
}

static struct peer *find_peer(long id)
{
	for (size_t i = 0; i < npeers; i++)
		if (peers[i].id == id)
			return &peers[i];
	return NULL;
}

/*
 * Ids keep counting up instead of reusing the lowest free one, so that an
 * injector holding a stale id cannot hit the guest that replaced it.
 */
static long alloc_id(void)
{
	for (long tries = 0; tries <= MAX_PEER_ID; tries++) {
		long id = next_id;

		next_id = (next_id + 1) & MAX_PEER_ID;
		if (!find_peer(id))
			return id;
	}
	return -1;
}

static void remove_peer(size_t idx)
{
	struct peer gone = peers[idx];

	logmsg("peer %ld disconnected", gone.id);
	peers[idx] = peers[--npeers];
	for (size_t i = 0; i < npeers; i++)
		advertise(&peers[i], &gone, true); /* a dead one is found by poll */
	free_peer(&gone);
}

static bool grow_peers(void)
{
	struct peer *bigger;

	if (npeers < cap_peers)
		return true;
	bigger = reallocarray(peers, cap_peers * 2 + 4, sizeof(*peers));
	if (!bigger)
		return false;
	peers = bigger;
	cap_peers = cap_peers * 2 + 4;
	return true;
}

static void accept_peer(void)
{
	struct peer p;

	p.sock = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (p.sock < 0)
		return;
	p.id = alloc_id();
	p.efd = malloc(opt.nvec * sizeof(int));
	if (p.id < 0 || !p.efd || !grow_peers()) {
		fprintf(stderr, "ivshmem-server: refusing a peer: out of ids or memory\n");
		free(p.efd);
		close(p.sock);
		return;
	}
	for (unsigned int v = 0; v < opt.nvec; v++)
		p.efd[v] = -1;
	for (unsigned int v = 0; v < opt.nvec; v++) {
		p.efd[v] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (p.efd[v] < 0) {
			fprintf(stderr, "ivshmem-server: eventfd: %s\n", strerror(errno));
			free_peer(&p);
			return;
		}
	}
	/* QEMU reads these three synchronously while realizing the device. */
	if (send_msg(p.sock, 0, -1) < 0 || send_msg(p.sock, p.id, -1) < 0 ||
	    send_msg(p.sock, -1, shm_fd) < 0) {
		free_peer(&p);
		return;
	}
	/* A failed send to an old peer is noticed when poll() reports it gone. */
	for (size_t i = 0; i < npeers; i++)
		advertise(&peers[i], &p, false);
	peers[npeers++] = p;
	for (size_t i = 0; i + 1 < npeers; i++)
		if (advertise(&p, &peers[i], false) < 0)
			goto fail;
	/* Own vectors last: QEMU takes them as its receive side, in order. */
	if (advertise(&p, &p, false) < 0)
		goto fail;
	logmsg("peer %ld connected", p.id);
	return;
fail:
	remove_peer(npeers - 1);
}

static void ctl_reply(int sock, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		(void)!send(sock, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1,
			    MSG_NOSIGNAL);
}

static void ctl_send_fds(int sock, const struct peer *p)
{
	char line[32];
	struct iovec iov = { .iov_base = line };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	size_t len = CMSG_SPACE(opt.nvec * sizeof(int));
	struct cmsghdr *c;
	char *buf = calloc(1, len);

	if (!buf) {
		ctl_reply(sock, "error: out of memory\n");
		return;
	}
	iov.iov_len = (size_t)snprintf(line, sizeof(line), "ok %u\n", opt.nvec);
	msg.msg_control = buf;
	msg.msg_controllen = len;
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(opt.nvec * sizeof(int));
	memcpy(CMSG_DATA(c), p->efd, opt.nvec * sizeof(int));
	(void)!sendmsg(sock, &msg, MSG_NOSIGNAL);
	free(buf);
}

static void ctl_command(int sock, char *line)
{
	char *save, *cmd = strtok_r(line, " \t\r", &save);
	char *a1 = strtok_r(NULL, " \t\r", &save);
	char *a2 = strtok_r(NULL, " \t\r", &save);
	unsigned long id, vec;
	struct peer *p = NULL;

	if (!cmd)
		return;
	if (!strcmp(cmd, "list") && !a1) {
		for (size_t i = 0; i < npeers; i++)
			ctl_reply(sock, "peer %ld %u\n", peers[i].id, opt.nvec);
		ctl_reply(sock, "ok\n");
		return;
	}
	if (a1 && parse_uint(a1, MAX_PEER_ID, &id))
		p = find_peer((long)id);
	if (!strcmp(cmd, "notify") && a1 && a2 && !strtok_r(NULL, " \t\r", &save)) {
		const uint64_t one = 1;

		if (!p)
			ctl_reply(sock, "error: no peer %s\n", a1);
		else if (!parse_uint(a2, opt.nvec - 1, &vec))
			ctl_reply(sock, "error: no vector %s (have %u)\n", a2, opt.nvec);
		else if (write(p->efd[vec], &one, sizeof(one)) != sizeof(one))
			ctl_reply(sock, "error: eventfd write: %s\n", strerror(errno));
		else
			ctl_reply(sock, "ok\n");
		return;
	}
	if (!strcmp(cmd, "fds") && a1 && !a2) {
		if (!p)
			ctl_reply(sock, "error: no peer %s\n", a1);
		else
			ctl_send_fds(sock, p);
		return;
	}
	ctl_reply(sock, "error: usage: list | notify ID VECTOR | fds ID\n");
}

/* Returns false when the control client should be dropped. */
static bool ctl_read(struct ctl_client *c)
{
	ssize_t n = recv(c->sock, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);
	char *nl;

	if (n <= 0)
		return n < 0 && (errno == EINTR || errno == EAGAIN);
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	while ((nl = strchr(c->buf, '\n'))) {
		*nl = '\0';
		ctl_command(c->sock, c->buf);
		c->len -= (size_t)(nl + 1 - c->buf);
		memmove(c->buf, nl + 1, c->len + 1);
	}
	if (c->len == sizeof(c->buf) - 1) {
		ctl_reply(c->sock, "error: line too long\n");
		return false;
	}
	return true;
}

static void ctl_accept(void)
{
	int sock = accept4(ctl_fd, NULL, NULL, SOCK_CLOEXEC);

	if (sock < 0)
		return;
	for (int i = 0; i < MAX_CTL_CLIENTS; i++) {
		if (ctl_clients[i].sock < 0) {
			ctl_clients[i].sock = sock;
			ctl_clients[i].len = 0;
			return;
		}
	}
	ctl_reply(sock, "error: too many control clients\n");
	close(sock);
}

static int listen_unix(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path))
		die("socket path too long: %s", path);
	memcpy(addr.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	/* A stale socket file from a killed server would make bind() fail. */
	unlink(path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 16) < 0)
		die("%s: %s", path, strerror(errno));
	return fd;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void serve(void)
{
	const size_t fixed = 2;
	struct pollfd *pfd = NULL;
	sigset_t block, orig;
	struct sigaction sa = { .sa_handler = on_signal };

	/* Blocked except inside ppoll(), so a signal cannot slip in unnoticed. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	while (!stop) {
		size_t n = fixed + MAX_CTL_CLIENTS + npeers;

		free(pfd);
		pfd = calloc(n, sizeof(*pfd));
		if (!pfd)
			die("out of memory");
		pfd[0] = (struct pollfd){ .fd = listen_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = ctl_fd, .events = POLLIN };
		for (int i = 0; i < MAX_CTL_CLIENTS; i++)
			pfd[fixed + i] = (struct pollfd){ .fd = ctl_clients[i].sock, .events = POLLIN };
		for (size_t i = 0; i < npeers; i++)
			pfd[fixed + MAX_CTL_CLIENTS + i] =
				(struct pollfd){ .fd = peers[i].sock, .events = POLLIN };
		if (ppoll(pfd, n, NULL, &orig) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		/*
		 * QEMU never sends anything after connecting, so a readable peer
		 * socket means EOF or an error: the peer is gone. Walk backwards
		 * because remove_peer() moves the last peer into the hole.
		 */
		for (size_t i = npeers; i-- > 0;) {
			char junk[64];
			ssize_t r;

			if (!pfd[fixed + MAX_CTL_CLIENTS + i].revents)
				continue;
			r = recv(peers[i].sock, junk, sizeof(junk), MSG_DONTWAIT);
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
				remove_peer(i);
		}
		for (int i = 0; i < MAX_CTL_CLIENTS; i++) {
			if (pfd[fixed + i].revents && !ctl_read(&ctl_clients[i])) {
				close(ctl_clients[i].sock);
				ctl_clients[i].sock = -1;
			}
		}
		if (pfd[1].revents)
			ctl_accept();
		if (pfd[0].revents)
			accept_peer();
	}
	free(pfd);
}

int main(int argc, char **argv)
{
	unsigned long ul;
	int c, ready_pipe[2] = { -1, -1 };

	while ((c = getopt(argc, argv, "S:l:n:c:p:Fr:vh")) != -1) {
		switch (c) {
		case 'S': opt.sock_path = optarg; break;
		case 'c': opt.ctl_path = optarg; break;
		case 'p': opt.pidfile = optarg; break;
		case 'F': opt.foreground = true; break;
		case 'v': opt.verbose = true; break;
		case 'l':
			if (!parse_size(optarg, &opt.shm_size) ||
			    (opt.shm_size & (opt.shm_size - 1)))
				die("-l: need a power of two, got %s", optarg);
			break;
		case 'n':
			if (!parse_uint(optarg, MAX_VECTORS, &ul) || !ul)
				die("-n: need 1..%d vectors, got %s", MAX_VECTORS, optarg);
			opt.nvec = (unsigned int)ul;
			break;
		case 'r':
			if (!parse_uint(optarg, INT_MAX, &ul))
				die("-r: not a file descriptor: %s", optarg);
			opt.ready_fd = (int)ul;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!opt.sock_path || optind != argc) {
		usage(stderr);
		return 2;
	}
	for (int i = 0; i < MAX_CTL_CLIENTS; i++)
		ctl_clients[i].sock = -1;

	/*
	 * Daemonize before creating anything, but let the parent exit only when
	 * the child says it is listening: callers can start QEMU right after.
	 */
	if (!opt.foreground) {
		pid_t pid;
		char ok;

		if (pipe2(ready_pipe, O_CLOEXEC) < 0)
			die("pipe: %s", strerror(errno));
		pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid > 0) {
			close(ready_pipe[1]);
			_exit(read(ready_pipe[0], &ok, 1) == 1 ? 0 : 1);
		}
		close(ready_pipe[0]);
		setsid();
	}

	shm_fd = memfd_create("ivshmem", MFD_CLOEXEC);
	if (shm_fd < 0 || ftruncate(shm_fd, (off_t)opt.shm_size) < 0)
		die("shared memory: %s", strerror(errno));
	listen_fd = listen_unix(opt.sock_path);
	if (opt.ctl_path)
		ctl_fd = listen_unix(opt.ctl_path);
	if (opt.pidfile) {
		FILE *f = fopen(opt.pidfile, "w");

		if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0)
			die("%s: %s", opt.pidfile, strerror(errno));
	}
	logmsg("listening on %s (%zu bytes, %u vectors)", opt.sock_path,
	       opt.shm_size, opt.nvec);
	if (opt.ready_fd >= 0) {
		(void)!write(opt.ready_fd, "\n", 1);
		close(opt.ready_fd);
	}
	if (ready_pipe[1] >= 0) {
		/* stderr stays: whoever started us decides where errors go. */
		int devnull = open("/dev/null", O_RDWR);

		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDOUT_FILENO);
			close(devnull);
		}
		(void)!write(ready_pipe[1], "", 1);
		close(ready_pipe[1]);
	}

	serve();

	while (npeers)
		remove_peer(npeers - 1);
	for (int i = 0; i < MAX_CTL_CLIENTS; i++)
		if (ctl_clients[i].sock >= 0)
			close(ctl_clients[i].sock);
	unlink(opt.sock_path);
	if (opt.ctl_path)
		unlink(opt.ctl_path);
	if (opt.pidfile)
		unlink(opt.pidfile);
	return 0;
}
