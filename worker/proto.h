/*
 * proto.h -- the frames the supervisor and its job processes (runners)
 * exchange over a socketpair: an 8-byte header (body length, kind) and a
 * body.  Runners never touch the database; everything they need from it
 * (checkpoints) and everything they report (progress, outcome) goes
 * through these frames.
 */
#ifndef JOBQ_WORKER_PROTO_H
#define JOBQ_WORKER_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_MAX_BODY (64u << 20)   /* a frame larger than this is a bug */

enum proto_kind {
	/* supervisor -> runner */
	P_JOB = 1,        /* id \0 type \0 attempt \0 payload */
	P_CKPT_VALUE,     /* status byte (0 found, 1 absent, 2 error), value */
	P_CKPT_ACK,       /* status byte (0 stored, 1 lease lost) */
	/* runner -> supervisor */
	P_READY,          /* started and waiting for jobs */
	P_PROGRESS,       /* 4-byte percent, message */
	P_CKPT_GET,       /* key */
	P_CKPT_PUT,       /* key \0 value */
	P_RESULT          /* 1-byte enum job_rc, JSON text */
};

struct frame {
	uint8_t kind;
	uint32_t len;
	char *body;       /* NUL-terminated beyond len; owned by the frame */
};

/* A read buffer for one peer. */
struct inbuf {
	char *data;
	size_t len, cap;
};

/* Writes one frame, the body given in up to three parts (NULL parts are
 * skipped).  Blocks until written.  Returns 0, or -1 if the peer is gone. */
int proto_send(int fd, uint8_t kind, const void *a, size_t alen,
    const void *b, size_t blen, const void *c, size_t clen);
/* Formats a job frame (id \0 type \0 attempt \0 payload) into buf, which
 * must hold it.  Returns its length. */
size_t proto_frame(char *buf, size_t size, uint8_t kind, const char *id,
    const char *type, int attempt, const char *payload);
/* Writes all of buf, waiting while the socket is full.  Returns 0 or -1. */
int proto_write(int fd, const char *buf, size_t len);
/* Reads what is available into b (one read).  Returns bytes read, 0 at
 * end of file, -1 on error (EAGAIN/EINTR included). */
long proto_fill(int fd, struct inbuf *b);
/* Takes the next whole frame out of b.  Returns 1 and fills f (free its
 * body), 0 if no whole frame is buffered, -1 if the stream is corrupt. */
int proto_next(struct inbuf *b, struct frame *f);
/* Blocking: reads until one whole frame is in.  Returns 1, 0 at end of
 * file, -1 on error. */
int proto_recv(int fd, struct inbuf *b, struct frame *f);
void proto_inbuf_free(struct inbuf *b);

#endif
