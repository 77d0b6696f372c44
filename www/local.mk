# www: the job status panel (issue 7) -- static files, no build step.
# make install puts every file of www/ into $(pkgdatadir)/www/ (see
# deploy/local.mk); nginx/jobq-panel.conf and apache/jobq-panel.conf serve
# it at /jobs/ and OUTPUT_DIR at /jobs/files/, behind the API's auth.
JOBQ_WWW_FILES = \
	www/index.html www/app.js www/page.css www/favicon.svg \
	www/jobq-panel.js www/jobq-panel.css \
	www/embed-example.html www/embed-example.js www/embed-example.css
EXTRA_DIST += $(JOBQ_WWW_FILES) nginx/jobq-panel.conf apache/jobq-panel.conf

# The panel in headless Chromium against nginx + jobq-fcgi + jobq-worker
# (playwright-core is installed from npm at test time into
# tests/panel/npm/ of the build folder; screenshots go to
# tests/panel/artifacts/), and the Apache snippet over HTTP.
TESTS += tests/panel/panel.sh tests/panel/apache.sh
EXTRA_DIST += tests/panel/panel.sh tests/panel/apache.sh tests/panel/stack-panel.sh \
	tests/panel/panel.mjs tests/panel/smoke.mjs tests/panel/package.json

clean-local: clean-panel
clean-panel:
	-rm -rf tests/panel/npm tests/panel/artifacts
.PHONY: clean-panel
# apache.sh uses the playwright-core that panel.sh installs.
tests/panel/apache.log: tests/panel/panel.log
