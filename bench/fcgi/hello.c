/*
 * hello.c -- the ceiling of the stack: a minimal threaded libfcgi
 * responder that answers every request with a fixed JSON body (202 for a
 * POST, after reading its body), behind the same nginx as jobq-fcgi.
 *   hello SOCKET THREADS
 */
#include <fcgiapp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int listen_fd;

static void *
serve(void *arg)
{
	FCGX_Request r;
	char buf[4096];

	(void)arg;
	FCGX_InitRequest(&r, listen_fd, 0);
	while (FCGX_Accept_r(&r) >= 0) {
		const char *m = FCGX_GetParam("REQUEST_METHOD", r.envp);
		int post = m && strcmp(m, "POST") == 0;

		while (FCGX_GetStr(buf, sizeof(buf), r.in) > 0)
			;
		FCGX_PutS(post ? "Status: 202 Accepted\r\n" : "Status: 200 OK\r\n", r.out);
		FCGX_PutS("Content-Type: application/json; charset=utf-8\r\n\r\n"
		    "{\"hello\":\"world\"}\n", r.out);
		FCGX_Finish_r(&r);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int n = argc > 2 ? atoi(argv[2]) : 4;
	pthread_t t[64];

	if (argc < 2 || n < 1 || n > 64 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: hello SOCKET [THREADS]\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	unlink(argv[1]);
	listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(argv[1], 0666) < 0 || listen(listen_fd, 1024) < 0) {
		perror(argv[1]);
		return 1;
	}
	FCGX_Init();
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, serve, NULL);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return 0;
}
