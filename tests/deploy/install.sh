#!/usr/bin/env bash
# make install: the build tree's configuration installs programs, units,
# configs and docs into a DESTDIR; a fresh configure with the Debian layout
# (--prefix=/usr --sysconfdir=/etc --localstatedir=/var) puts every file
# where Debian expects it with those paths substituted; an edited
# environment file survives reinstall and uninstall; uninstall removes the
# rest.
. "$top_srcdir/tests/lib.sh"

# 1. The build tree, as configured.
d1="$T/d1"
check "make install DESTDIR (build tree)" make -s -C "$top_builddir" install DESTDIR="$d1"
for p in jobqctl jobq-fcgi jobq-worker; do
	f=$(find "$d1" -name "$p" -type f -perm -u+x | head -1)
	ok "-n \"$f\"" "$p installed and executable"
	[ -n "$f" ] && check "$p --version runs from the DESTDIR" "$f" --version
done

# 2. The Debian layout, from a fresh configure (programs are not built:
#    install-data installs everything but them).
b="$T/build"
mkdir -p "$b"
check "configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var" \
	sh -c "cd '$b' && '$top_srcdir/configure' -q --prefix=/usr --sysconfdir=/etc --localstatedir=/var"
d="$T/d2"
check "make install-data DESTDIR" make -s -C "$b" install-data DESTDIR="$d"
for f in /usr/lib/systemd/system/jobq-fcgi.socket /usr/lib/systemd/system/jobq-fcgi.service \
	/usr/lib/systemd/system/jobq-worker.service /usr/lib/tmpfiles.d/jobq.conf \
	/usr/lib/sysusers.d/jobq.conf /etc/logrotate.d/jobq /etc/jobq/jobq.env \
	/usr/share/doc/jobq/README.md /usr/share/doc/jobq/operations.md \
	/usr/share/doc/jobq/examples/jobq.env /usr/share/doc/jobq/examples/spawn-fcgi.example \
	/usr/share/doc/jobq/examples/nginx/jobq.conf /usr/share/doc/jobq/examples/nginx/jobq-auth.conf \
	/usr/share/doc/jobq/examples/apache/jobq-fcgid.conf \
	/usr/share/doc/jobq/examples/apache/jobq-proxy-fcgi.conf; do
	ok "-f '$d$f'" "installs $f"
done
check "the panel in /usr/share/jobq/www" test -f "$d/usr/share/jobq/www/index.html" -a -f "$d/usr/share/jobq/www/app.js"
ok "! -e '$d/usr/share/jobq/www/local.mk'" "no build files among the panel's"
for f in nginx/jobq-panel.conf apache/jobq-panel.conf; do
	ok "-f '$d/usr/share/doc/jobq/examples/$f'" "installs examples/$f"
done
check "panel example serves /usr/share/jobq/www" grep -q '/usr/share/jobq/www' "$d/usr/share/doc/jobq/examples/nginx/jobq-panel.conf"
has() { grep -qx -- "$2" "$d$1"; }
check "worker unit runs /usr/sbin/jobq-worker" has /usr/lib/systemd/system/jobq-worker.service "ExecStart=/usr/sbin/jobq-worker"
check "responder unit runs /usr/sbin/jobq-fcgi" has /usr/lib/systemd/system/jobq-fcgi.service "ExecStart=/usr/sbin/jobq-fcgi"
check "units read /etc/jobq/jobq.env" has /usr/lib/systemd/system/jobq-worker.service "EnvironmentFile=/etc/jobq/jobq.env"
check "units may write /var/lib/jobq" has /usr/lib/systemd/system/jobq-worker.service "ReadWritePaths=/var/lib/jobq"
check "socket in /run/jobq" has /usr/lib/systemd/system/jobq-fcgi.socket "ListenStream=/run/jobq/fcgi.sock"
check "environment file: JOBQ_DB under /var/lib/jobq" has /etc/jobq/jobq.env "JOBQ_DB=/var/lib/jobq/jobs.db"
check "environment file: OUTPUT_DIR under /var/lib/jobq" has /etc/jobq/jobq.env "OUTPUT_DIR=/var/lib/jobq/output"
is "$(stat -c %a "$d/etc/jobq/jobq.env")" 640 "environment file is 0640 (it holds secrets)"
check "nginx example points at the socket" grep -q "fastcgi_pass unix:/run/jobq/fcgi.sock;" "$d/usr/share/doc/jobq/examples/nginx/jobq.conf"
check "mod_fcgid example runs /usr/sbin/jobq-fcgi" grep -q '/usr/sbin/jobq-fcgi' "$d/usr/share/doc/jobq/examples/apache/jobq-fcgid.conf"
left=$(grep -rlE '@[A-Za-z_]+@' "$d" 2>/dev/null | grep -v -e '/www/' -e '\.md$' || true)
is "$left" "" "no @placeholder@ left in installed files"
check "spawn-fcgi example is valid sh" sh -n "$d/usr/share/doc/jobq/examples/spawn-fcgi.example"
if command -v logrotate >/dev/null; then
	# The jobq user exists only where sysusers.d created it: elsewhere the
	# file is parsed with root standing in for it.
	owner=jobq
	id jobq >/dev/null 2>&1 || owner=root
	sed -e "s|/var/log/jobq|$T/log|" -e "s|create 0640 jobq jobq|create 0640 $owner $owner|" \
		"$d/etc/logrotate.d/jobq" >"$T/logrotate.conf"
	check "logrotate parses its file" logrotate -d -s "$T/logrotate.state" "$T/logrotate.conf"
fi

# 3. prefix on the make command line also reaches the substituted files.
check "make install-data prefix=/opt/jobq" make -s -C "$b" install-data prefix=/opt/jobq DESTDIR="$T/d3"
check "... the unit follows" grep -qx "ExecStart=/opt/jobq/sbin/jobq-worker" "$T/d3/opt/jobq/lib/systemd/system/jobq-worker.service"

# 4. An edited environment file is kept by reinstall and uninstall.
echo "OPENAI_API_KEY=sk-edited" >>"$d/etc/jobq/jobq.env"
make -s -C "$b" install-data DESTDIR="$d" >/dev/null 2>&1
check "reinstall keeps the edited environment file" grep -q sk-edited "$d/etc/jobq/jobq.env"
mkdir -p "$d/usr/bin" "$d/usr/sbin" "$d/usr/libexec/jobq"   # the programs' folders (not installed here)
check "make uninstall" make -s -C "$b" uninstall DESTDIR="$d"
is "$(cd "$d" && find . -type f | sort | tr '\n' ' ')" "./etc/jobq/jobq.env " \
	"uninstall removes everything but the edited environment file"
done_testing
