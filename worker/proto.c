/*
 * proto.c -- framing between the supervisor and its runners (proto.h).
 */
#include "worker/proto.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define HDR 8

/* Writes every byte of iov (n entries, modified), waiting out EINTR and
 * a full non-blocking socket.  Returns 0, or -1 with errno. */
static int
writev_all(int fd, struct iovec *iov, int n)
{
	for (int i = 0; i < n;) {
		ssize_t w = writev(fd, iov + i, n - i);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				struct pollfd p = {.fd = fd, .events = POLLOUT};
				poll(&p, 1, 1000);
				continue;
			}
			return -1;
		}
		while (i < n && (size_t)w >= iov[i].iov_len) {
			w -= (ssize_t)iov[i].iov_len;
			i++;
		}
		if (i < n) {
			iov[i].iov_base = (char *)iov[i].iov_base + w;
			iov[i].iov_len -= (size_t)w;
		}
	}
	return 0;
}

int
proto_send(int fd, uint8_t kind, const void *a, size_t alen,
    const void *b, size_t blen, const void *c, size_t clen)
{
	unsigned char hdr[HDR] = {0};
	size_t total = alen + blen + clen;
	struct iovec iov[4];
	int n = 0;

	if (total > PROTO_MAX_BODY)
		return -1;
	hdr[0] = (unsigned char)(total >> 24);
	hdr[1] = (unsigned char)(total >> 16);
	hdr[2] = (unsigned char)(total >> 8);
	hdr[3] = (unsigned char)total;
	hdr[4] = kind;
	iov[n++] = (struct iovec){hdr, HDR};
	if (a && alen)
		iov[n++] = (struct iovec){(void *)a, alen};
	if (b && blen)
		iov[n++] = (struct iovec){(void *)b, blen};
	if (c && clen)
		iov[n++] = (struct iovec){(void *)c, clen};
	return writev_all(fd, iov, n);
}

size_t
proto_frame(char *buf, size_t size, uint8_t kind, const char *id,
    const char *type, int attempt, const char *payload)
{
	int n = snprintf(buf + HDR, size - HDR, "%s%c%s%c%d%c%s", id, 0, type, 0,
	    attempt, 0, payload);
	uint32_t len = n < 0 ? 0 : (uint32_t)n;

	memset(buf, 0, HDR);
	buf[0] = (char)(len >> 24);
	buf[1] = (char)(len >> 16);
	buf[2] = (char)(len >> 8);
	buf[3] = (char)len;
	buf[4] = (char)kind;
	return HDR + len;
}

int
proto_write(int fd, const char *buf, size_t len)
{
	struct iovec iov = {(void *)buf, len};

	return writev_all(fd, &iov, 1);
}

long
proto_fill(int fd, struct inbuf *b)
{
	if (b->cap - b->len < 65536) {
		size_t ncap = b->cap ? b->cap * 2 : 131072;
		while (ncap - b->len < 65536)
			ncap *= 2;
		char *nd = realloc(b->data, ncap);
		if (nd == NULL) {
			errno = ENOMEM;
			return -1;
		}
		b->data = nd;
		b->cap = ncap;
	}
	ssize_t r = read(fd, b->data + b->len, b->cap - b->len);
	if (r > 0)
		b->len += (size_t)r;
	return (long)r;
}

int
proto_next(struct inbuf *b, struct frame *f)
{
	const unsigned char *h = (const unsigned char *)b->data;
	uint32_t len;

	if (b->len < HDR)
		return 0;
	len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
	if (len > PROTO_MAX_BODY)
		return -1;
	if (b->len < HDR + (size_t)len)
		return 0;
	if ((f->body = malloc((size_t)len + 1)) == NULL)
		return -1;
	f->kind = h[4];
	f->len = len;
	memcpy(f->body, b->data + HDR, len);
	f->body[len] = '\0';
	b->len -= HDR + (size_t)len;
	memmove(b->data, b->data + HDR + len, b->len);
	return 1;
}

int
proto_recv(int fd, struct inbuf *b, struct frame *f)
{
	for (;;) {
		int rc = proto_next(b, f);
		if (rc != 0)
			return rc;
		long r = proto_fill(fd, b);
		if (r == 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

void
proto_inbuf_free(struct inbuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
