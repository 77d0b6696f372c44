# tests/panel/stack-panel.sh -- sourced by the panel tests after
# tests/lib.sh: starts the real stack on loopback from the shipped configs.
#
#   panel_stack_start   jobq-worker + jobq-fcgi (JOBQ_TEST_JOBS=1) on one
#                       database, nginx with nginx/jobq-auth.conf, jobq.conf
#                       and jobq-panel.conf (placeholders filled in), plus a
#                       /media/ location serving PUBLISH_DIR (the images the
#                       content workflow publishes; PUBLIC_BASE_URL=/media)
#   sets BASE (http://127.0.0.1:PORT), AUTH (user:password), OUTDIR
#   (OUTPUT_DIR), IMGROOT (IMAGE_ROOT), WWWDIR (the panel's files), JOBQ_DB,
#   SOCK (the responder's socket); every process is tracked.
#
#   panel_backend_start   the same without nginx (for the Apache test)

# panel_tap FILE [PREFIX]: turns the browser script's "PASS name" /
# "FAIL name" lines into TAP results (PREFIX before each name); other lines
# become comments.
panel_tap() {
	local line
	while IFS= read -r line; do
		case $line in
		"PASS "*) ok "1 = 1" "${2:-}${line#PASS }" ;;
		"FAIL "*) ok "1 = 0" "${2:-}${line#FAIL }" ;;
		*) echo "# $line" ;;
		esac
	done <"$1"
}

panel_env() {
	export JOBQ_DB="$T/jobs.db" JOBQ_TEST_JOBS=1 JOBQ_SYNCHRONOUS=normal
	export OUTPUT_DIR="$OUTDIR" IMAGE_ROOT="$IMGROOT" PUBLISH_DIR="$T/publish"
	export PUBLIC_BASE_URL=/media IMAGE_PUBLISHER=local CONTENT_PROVIDER=template
	export JOBQ_BACKOFF_BASE_MS=200 JOBQ_BACKOFF_MAX_MS=1000
}

panel_backend_start() {
	OUTDIR="$T/output" IMGROOT="$T/images"
	mkdir -p "$OUTDIR" "$IMGROOT" "$T/publish" "$T/nginx"
	chmod 0755 "$OUTDIR" "$IMGROOT" "$T/publish"
	# As in production: job folders are 0750 and flat files 0640, readable
	# by the web server through the output folder's (setgid) group.
	if [ "$(id -u)" -eq 0 ]; then
		chgrp www-data "$OUTDIR"
		chmod 2750 "$OUTDIR"
	fi
	panel_env
	# The panel as installed: a copy the web server's user can read even
	# when the source tree sits in a folder only root may enter.
	WWWDIR="$T/www"
	cp -R "$top_srcdir/www" "$WWWDIR"
	rm -f "$WWWDIR/local.mk"
	chmod -R u+w,a+rX "$WWWDIR"
	jobqctl migrate >/dev/null || { echo "# jobqctl migrate failed"; return 1; }

	jobq-worker --concurrency 2 --poll-interval 200 >"$T/worker.log" 2>&1 &
	track $!
	SOCK="$T/fcgi.sock"
	jobq-fcgi --listen "$SOCK" --socket-mode 0666 --threads 4 >"$T/fcgi.log" 2>&1 &
	track $!
	wait_for 10 test -S "$SOCK" || { echo "# jobq-fcgi did not listen"; cat "$T/fcgi.log"; return 1; }
	AUTH="admin:panel-secret"
}

panel_stack_start() {
	local port sock conf
	panel_backend_start || return 1
	sock=$SOCK
	AUTH="admin:panel-secret"
	printf '%s:{PLAIN}%s\n' "${AUTH%%:*}" "${AUTH#*:}" >"$T/nginx/htpasswd"
	chmod 0644 "$T/nginx/htpasswd"
	cp /etc/nginx/fastcgi_params /etc/nginx/mime.types "$T/nginx/"
	for f in jobq-auth.conf jobq.conf jobq-panel.conf; do
		sed -e "s|@SOCKET@|$sock|g" -e "s|@HTPASSWD@|$T/nginx/htpasswd|g" \
		    -e "s|@WWWDIR@|$WWWDIR|g" -e "s|@OUTPUT_DIR@|$OUTDIR|g" \
		    "$top_srcdir/nginx/$f" >"$T/nginx/$f"
	done
	port=$(free_port)
	conf="$T/nginx/nginx.conf"
	cat >"$conf" <<NGINX
daemon off;
$( [ "$(id -u)" -eq 0 ] && echo "user www-data www-data;" )
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx-error.log warn;
events { worker_connections 256; }
http {
    include mime.types;
    default_type application/octet-stream;
    access_log $T/nginx-access.log;
    client_body_temp_path $T/nginx/body;
    fastcgi_temp_path $T/nginx/fastcgi;
    proxy_temp_path $T/nginx/proxy;
    uwsgi_temp_path $T/nginx/uwsgi;
    scgi_temp_path $T/nginx/scgi;
    server {
        listen 127.0.0.1:$port;
        server_name localhost;
        include jobq-auth.conf;
        include jobq.conf;
        include jobq-panel.conf;
        location /media/ {
            alias $T/publish/;
        }
    }
}
NGINX
	"$NGINX" -p "$T/nginx" -c "$conf" -t >"$T/nginx-t.log" 2>&1 ||
		{ echo "# nginx -t failed:"; sed 's/^/#   /' "$T/nginx-t.log"; return 1; }
	"$NGINX" -p "$T/nginx" -c "$conf" >>"$T/nginx-error.log" 2>&1 &
	track $!
	BASE="http://127.0.0.1:$port"
	wait_for 10 curl -sf -u "$AUTH" "$BASE/api/health" ||
		{ echo "# the stack did not answer /api/health"; tail "$T/nginx-error.log" "$T/fcgi.log"; return 1; }
	return 0
}
