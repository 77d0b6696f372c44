# deploy: what `make install` puts beside the programs (systemd units,
# tmpfiles.d, sysusers.d, logrotate, the environment file, the web-server
# examples, the panel, the docs), the quick start, and their tests
# (issue 6).  Paths in the shipped files are substituted from configure
# at build time, so prefix, sysconfdir, localstatedir and DESTDIR hold.
#
# Where things go (Debian layout with --prefix=/usr --sysconfdir=/etc
# --localstatedir=/var):
#   $(sysconfdir)/jobq/jobq.env             the environment file (never overwritten)
#   $(systemdsystemunitdir)/jobq-*.{socket,service}
#   $(tmpfilesdir)/jobq.conf, $(sysusersdir)/jobq.conf
#   $(sysconfdir)/logrotate.d/jobq
#   $(docdir)/*.md, $(docdir)/examples/{nginx,apache}/, spawn-fcgi.example
#   $(pkgdatadir)/www/                      the job status panel
# Override a folder on the make command line, e.g.
#   make install systemdsystemunitdir=/lib/systemd/system

systemdsystemunitdir = $(prefix)/lib/systemd/system
tmpfilesdir = $(prefix)/lib/tmpfiles.d
sysusersdir = $(prefix)/lib/sysusers.d
logrotatedir = $(sysconfdir)/logrotate.d
jobqconfdir = $(sysconfdir)/jobq
jobqexampledir = $(docdir)/examples
# The database, flat files and published images.
jobqstatedir = $(localstatedir)/lib/jobq
# The responder's socket.  /var/run is /run on Debian (and systemd warns
# about /var/run in units), so that spelling becomes /run.
jobqrundir = $(patsubst /var/run%,/run%,$(runstatedir))/jobq

DEPLOY_IN = \
	deploy/systemd/jobq-fcgi.socket.in deploy/systemd/jobq-fcgi.service.in \
	deploy/systemd/jobq-worker.service.in deploy/tmpfiles.d/jobq.conf.in \
	deploy/sysusers.d/jobq.conf.in deploy/spawn-fcgi.example.in

nodist_systemdsystemunit_DATA = deploy/jobq-fcgi.socket \
	deploy/jobq-fcgi.service deploy/jobq-worker.service
DEPLOY_GEN = $(nodist_systemdsystemunit_DATA) deploy/tmpfiles/jobq.conf \
	deploy/sysusers/jobq.conf deploy/spawn-fcgi.example deploy/jobq.env.out \
	$(DEPLOY_EXAMPLES:%=deploy/examples/%)
# The shipped web-server files, installed with this installation's paths.
DEPLOY_EXAMPLES = nginx/jobq.conf nginx/jobq-auth.conf nginx/jobq-panel.conf \
	apache/jobq-fcgid.conf apache/jobq-proxy-fcgi.conf apache/jobq-panel.conf

EXTRA_DIST += $(DEPLOY_IN) deploy/logrotate/jobq deploy/quickstart.sh tests/packages.txt
CLEANFILES += $(DEPLOY_GEN) deploy/paths
all-local: $(DEPLOY_GEN)

# The worker's stop timeout: JOBQ_SHUTDOWN_GRACE of the shipped
# environment file plus a 15 s margin (the units say why).
deploy_edit = grace=`$(SED) -n 's/^JOBQ_SHUTDOWN_GRACE=\([0-9]*\)$$/\1/p' $(srcdir)/deploy/jobq.env`; \
	$(SED) -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@bindir[@]|$(bindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' -e 's|@docdir[@]|$(docdir)|g' \
	-e 's|@pkgdatadir[@]|$(pkgdatadir)|g' \
	-e 's|@jobqstatedir[@]|$(jobqstatedir)|g' -e 's|@jobqrundir[@]|$(jobqrundir)|g' \
	-e "s|@stop_timeout[@]|$$(($${grace:-30} + 15))|g" \
	-e 's|@SBINDIR[@]|$(sbindir)|g' -e 's|@SOCKET[@]|$(jobqrundir)/fcgi.sock|g' \
	-e 's|@DB[@]|$(jobqstatedir)/jobs.db|g' -e 's|@WWWDIR[@]|$(pkgdatadir)/www|g' \
	-e 's|@OUTPUT_DIR[@]|$(jobqstatedir)/output|g'

# Rebuilt whenever a folder changes, also on the make command line
# (make install prefix=/opt/jobq).
deploy/paths: deploy-force
	@$(MKDIR_P) deploy; echo '$(sbindir) $(sysconfdir) $(docdir) $(pkgdatadir) $(jobqstatedir) $(jobqrundir)' >$@.$$$$; \
	if cmp -s $@.$$$$ $@; then rm -f $@.$$$$; else mv $@.$$$$ $@; fi
deploy-force:
.PHONY: deploy-force

deploy/jobq-fcgi.socket deploy/jobq-fcgi.service deploy/jobq-worker.service: deploy/paths $(srcdir)/deploy/jobq.env
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(deploy_edit) $(srcdir)/deploy/systemd/$(@F).in >$@.$$$$ && mv $@.$$$$ $@
deploy/jobq-fcgi.socket: $(srcdir)/deploy/systemd/jobq-fcgi.socket.in
deploy/jobq-fcgi.service: $(srcdir)/deploy/systemd/jobq-fcgi.service.in
deploy/jobq-worker.service: $(srcdir)/deploy/systemd/jobq-worker.service.in
deploy/tmpfiles/jobq.conf: $(srcdir)/deploy/tmpfiles.d/jobq.conf.in deploy/paths
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(deploy_edit) $(srcdir)/deploy/tmpfiles.d/jobq.conf.in >$@.$$$$ && mv $@.$$$$ $@
deploy/sysusers/jobq.conf: $(srcdir)/deploy/sysusers.d/jobq.conf.in deploy/paths
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(deploy_edit) $(srcdir)/deploy/sysusers.d/jobq.conf.in >$@.$$$$ && mv $@.$$$$ $@
deploy/spawn-fcgi.example: $(srcdir)/deploy/spawn-fcgi.example.in deploy/paths
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(deploy_edit) $(srcdir)/deploy/spawn-fcgi.example.in >$@.$$$$ && mv $@.$$$$ $@
# The environment file with the state folder of this configuration.
deploy/jobq.env.out: $(srcdir)/deploy/jobq.env deploy/paths
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(SED) -e 's|/var/lib/jobq|$(jobqstatedir)|g' $(srcdir)/deploy/jobq.env >$@.$$$$ && mv $@.$$$$ $@
# The shipped web-server files with this installation's socket, programs
# and database filled in.
# (The Basic-auth user file lives in the server's own folder.)
$(DEPLOY_EXAMPLES:%=deploy/examples/%): deploy/paths
	$(AM_V_GEN)$(MKDIR_P) $(@D) && case $@ in \
	    */apache/*) f=apache/`basename $@`; h='$(sysconfdir)/apache2/jobq.htpasswd';; \
	    *) f=nginx/`basename $@`; h='$(sysconfdir)/nginx/jobq.htpasswd';; \
	esac && $(deploy_edit) -e "s|@HTPASSWD[@]|$$h|g" $(srcdir)/$$f >$@.$$$$ && mv $@.$$$$ $@
deploy/examples/nginx/jobq.conf: $(srcdir)/nginx/jobq.conf
deploy/examples/nginx/jobq-auth.conf: $(srcdir)/nginx/jobq-auth.conf
deploy/examples/nginx/jobq-panel.conf: $(srcdir)/nginx/jobq-panel.conf
deploy/examples/apache/jobq-fcgid.conf: $(srcdir)/apache/jobq-fcgid.conf
deploy/examples/apache/jobq-proxy-fcgi.conf: $(srcdir)/apache/jobq-proxy-fcgi.conf
deploy/examples/apache/jobq-panel.conf: $(srcdir)/apache/jobq-panel.conf

install-data-local: $(DEPLOY_GEN)
	$(MKDIR_P) '$(DESTDIR)$(tmpfilesdir)' '$(DESTDIR)$(sysusersdir)' \
		'$(DESTDIR)$(logrotatedir)' '$(DESTDIR)$(jobqconfdir)' \
		'$(DESTDIR)$(jobqexampledir)/nginx' '$(DESTDIR)$(jobqexampledir)/apache'
	$(INSTALL_DATA) deploy/tmpfiles/jobq.conf '$(DESTDIR)$(tmpfilesdir)/jobq.conf'
	$(INSTALL_DATA) deploy/sysusers/jobq.conf '$(DESTDIR)$(sysusersdir)/jobq.conf'
	$(INSTALL_DATA) $(srcdir)/deploy/logrotate/jobq '$(DESTDIR)$(logrotatedir)/jobq'
	$(INSTALL_DATA) deploy/spawn-fcgi.example '$(DESTDIR)$(jobqexampledir)/spawn-fcgi.example'
	$(INSTALL_DATA) deploy/jobq.env.out '$(DESTDIR)$(jobqexampledir)/jobq.env'
	for f in $(DEPLOY_EXAMPLES); do \
		$(INSTALL_DATA) deploy/examples/$$f '$(DESTDIR)$(jobqexampledir)/'$$f || exit 1; \
	done
	@# The environment file holds secrets once edited: never overwrite it.
	if test -f '$(DESTDIR)$(jobqconfdir)/jobq.env'; then \
		echo "keeping $(DESTDIR)$(jobqconfdir)/jobq.env (the shipped one is $(jobqexampledir)/jobq.env)"; \
	else \
		$(INSTALL) -m 0640 deploy/jobq.env.out '$(DESTDIR)$(jobqconfdir)/jobq.env'; \
	fi
	@# Every Markdown document, and the status panel once it exists.
	$(MKDIR_P) '$(DESTDIR)$(docdir)'
	for f in $(srcdir)/docs/*.md; do \
		$(INSTALL_DATA) $$f '$(DESTDIR)$(docdir)/' || exit 1; \
	done
	@# The status panel: the files www/local.mk lists.
	$(MKDIR_P) '$(DESTDIR)$(pkgdatadir)/www'
	for f in $(JOBQ_WWW_FILES); do \
		$(INSTALL_DATA) $(srcdir)/$$f '$(DESTDIR)$(pkgdatadir)/www/' || exit 1; \
	done

uninstall-local:
	rm -f '$(DESTDIR)$(tmpfilesdir)/jobq.conf' '$(DESTDIR)$(sysusersdir)/jobq.conf' \
		'$(DESTDIR)$(logrotatedir)/jobq' '$(DESTDIR)$(jobqexampledir)/spawn-fcgi.example'
	for f in $(DEPLOY_EXAMPLES); do rm -f '$(DESTDIR)$(jobqexampledir)/'$$f; done
	@# An edited environment file stays.
	if cmp -s '$(DESTDIR)$(jobqconfdir)/jobq.env' '$(DESTDIR)$(jobqexampledir)/jobq.env'; then \
		rm -f '$(DESTDIR)$(jobqconfdir)/jobq.env'; \
	fi
	rm -f '$(DESTDIR)$(jobqexampledir)/jobq.env'
	for f in $(srcdir)/docs/*.md; do rm -f '$(DESTDIR)$(docdir)/'`basename $$f`; done
	rm -rf '$(DESTDIR)$(pkgdatadir)/www'
	-rmdir '$(DESTDIR)$(jobqexampledir)/nginx' '$(DESTDIR)$(jobqexampledir)/apache' \
		'$(DESTDIR)$(jobqexampledir)' '$(DESTDIR)$(jobqconfdir)' '$(DESTDIR)$(pkgdatadir)' 2>/dev/null

# Tests: the quick start end to end, make install into a DESTDIR,
# systemd-analyze verify of the installed units, and every command of the
# README and docs/.
TESTS += tests/deploy/units.sh tests/deploy/install.sh tests/deploy/quickstart.sh \
	tests/deploy/doctest.sh tests/deploy/spawn.sh
EXTRA_DIST += tests/deploy/units.sh tests/deploy/install.sh tests/deploy/quickstart.sh \
	tests/deploy/doctest.sh tests/deploy/doctest.py tests/deploy/doclinks.py tests/deploy/spawn.sh
