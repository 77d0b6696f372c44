/*
 * jobq-panel.js -- the jobq job status panel as one self-contained ES module.
 *
 *   import { mount } from "/jobs/jobq-panel.js";
 *   const panel = mount(document.getElementById("jobs"), { api: "/api" });
 *   // later: panel.unmount();
 *
 * Options (all optional):
 *   api       base path of the jobq API (default "/api"); must be a path on
 *             this site ("/admin/jobq/api"), never another origin
 *   files     base URL of the flat-file download location (default: the
 *             "files/" folder beside this module, i.e. "/jobs/files/")
 *   routing   "hash" (default): the view lives in location.hash
 *             (#/  #/?status=failed&type=T  #/job/{id}), so the back button
 *             and bookmarks work; "none": the panel keeps its view to itself
 *             (use this when the host page uses the hash for its own routes)
 *   css       true (default): add jobq-panel.css (beside this module) to the
 *             document once; false if the host page links it itself
 *   pageSize  jobs per list page (default 25, at most 500)
 *   title     heading text (default "Jobs"); "" leaves the heading out
 *
 * No dependencies, nothing from another origin, no inline styles or
 * scripts (it runs under "Content-Security-Policy: default-src 'self'").
 * Everything the API returns is put into the page as text, never as HTML.
 */

const STATUSES = ["queued", "running", "succeeded", "failed", "canceled"];
const ACTIVE = new Set(["queued", "running"]);
const DETAIL_POLL_MS = 750;   /* the live bar: more than once a second */
const IDLE_POLL_MS = 5000;    /* list, stats and finished jobs */
const CSS_URL = new URL("jobq-panel.css", import.meta.url).href;
const FILES_URL = new URL("files/", import.meta.url).href;
const ID_RE = /^[0-9A-Za-z-]{1,64}$/;

/* A site-local path: "/x/y" but not "//host" or "/\host". */
export function safePath(p) {
	return typeof p === "string" && /^\/(?![\/\\])[^\s]*$/.test(p);
}

function h(tag, attrs, ...kids) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === null || v === undefined || v === false)
			continue;
		if (k === "class")
			e.className = v;
		else if (k === "text")
			e.textContent = v;
		else if (k.startsWith("on"))
			e.addEventListener(k.slice(2), v);
		else
			e.setAttribute(k, v === true ? "" : String(v));
	}
	for (const kid of kids.flat()) {
		if (kid === null || kid === undefined || kid === false)
			continue;
		e.append(kid instanceof Node ? kid : String(kid));
	}
	return e;
}

const dateFmt = new Intl.DateTimeFormat(undefined, {
	year: "numeric", month: "short", day: "numeric",
	hour: "2-digit", minute: "2-digit", second: "2-digit",
});

/* <time> in the viewer's local zone, the exact UTC value in its title. */
function timeEl(iso) {
	if (!iso)
		return h("span", { class: "jq-none", text: "—" });
	const d = new Date(iso);
	if (Number.isNaN(d.getTime()))
		return h("span", { text: iso });
	return h("time", { datetime: iso, title: iso, text: dateFmt.format(d) });
}

export function formatDuration(ms) {
	if (ms === null || ms === undefined || !Number.isFinite(ms))
		return "—";
	if (ms < 1000)
		return `${Math.round(ms)} ms`;
	let s = Math.round(ms / 1000);
	if (s < 60)
		return `${(ms / 1000).toFixed(1)} s`;
	const d = Math.floor(s / 86400); s -= d * 86400;
	const hh = Math.floor(s / 3600); s -= hh * 3600;
	const m = Math.floor(s / 60); s -= m * 60;
	return [d && `${d} d`, hh && `${hh} h`, m && `${m} min`, s && `${s} s`]
	    .filter(Boolean).join(" ");
}

function pct(p) {
	const n = Number(p);
	return Number.isFinite(n) ? Math.max(0, Math.min(100, Math.round(n))) : 0;
}

function badge(status) {
	return h("span", { class: `jq-badge jq-s-${STATUSES.includes(status) ? status : "unknown"}`,
	    text: status });
}

/* A progress bar: role=progressbar with its value; the fill's width is
 * set through the CSSOM, which a style-src 'self' policy allows. */
function progressBar(job, label) {
	const p = pct(job.progress);
	const fill = h("span", { class: "jq-bar-fill" });
	fill.style.width = `${job.status === "succeeded" ? 100 : p}%`;
	const text = job.progress_message ? `${p}% — ${job.progress_message}` : `${p}%`;
	return h("span", {
		class: `jq-bar jq-bar-${job.status}`, role: "progressbar",
		"aria-valuemin": 0, "aria-valuemax": 100,
		"aria-valuenow": job.status === "succeeded" ? 100 : p,
		"aria-valuetext": text, "aria-label": label,
	}, fill);
}

class ApiError extends Error {
	constructor(status, code, message) {
		super(message);
		this.status = status;
		this.code = code;
	}
}

export function mount(root, options = {}) {
	if (!(root instanceof Element))
		throw new TypeError("jobq-panel: mount() needs an element");
	const opt = {
		api: "/api", files: FILES_URL, routing: "hash", css: true,
		pageSize: 25, title: "Jobs", ...options,
	};
	if (!safePath(opt.api))
		throw new TypeError(`jobq-panel: api must be a path on this site, got ${opt.api}`);
	const api = opt.api.replace(/\/+$/, "");
	const files = String(opt.files).replace(/\/*$/, "/");
	const pageSize = Math.max(1, Math.min(500, Number(opt.pageSize) || 25));

	if (opt.css && !document.querySelector(`link[data-jobq-panel]`)) {
		document.head.append(h("link", { rel: "stylesheet", href: CSS_URL, "data-jobq-panel": "" }));
	}

	/* ---- state ---- */
	let route = { view: "list", status: "", type: "", id: "" };
	let cursors = [null];   /* cursor of each list page seen so far */
	let page = 0;
	let timer = null;
	let gen = 0;            /* bumps on every view change: late answers are dropped */
	let lastAnnounce = "";
	let knownTypes = new Set();
	let alive = true;

	async function call(method, path) {
		let res;
		try {
			res = await fetch(api + path, {
				method, credentials: "same-origin", cache: "no-store",
				headers: { Accept: "application/json" },
			});
		} catch (e) {
			throw new ApiError(0, "network", "The jobq API cannot be reached.");
		}
		let body = null;
		try {
			body = await res.json();
		} catch (e) {
			body = null;
		}
		if (!res.ok) {
			const err = body && body.error ? body.error : {};
			throw new ApiError(res.status, err.code || "http_" + res.status,
			    err.message || `The API answered ${res.status}.`);
		}
		if (body === null)
			throw new ApiError(res.status, "bad_answer", "The API answered something that is not JSON.");
		return body;
	}

	/* ---- skeleton ---- */
	root.classList.add("jobq-panel");
	root.replaceChildren();
	const uid = "jq" + Math.random().toString(36).slice(2, 8);
	const heading = opt.title ? h("h1", { class: "jq-title", text: opt.title }) : null;
	const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || "local time";
	const notice = h("div", { class: "jq-notice", role: "status", "aria-live": "polite" });
	/* Progress announcements: one region that stays in the page, so
	 * screen readers hear its changes. */
	const live = h("p", { class: "jq-live jq-sr", "aria-live": "polite", "aria-atomic": "true" });
	const alertBox = h("div", { class: "jq-alert", role: "alert" });
	const statsBox = h("section", { class: "jq-stats", "aria-labelledby": uid + "-stats" },
	    h("h2", { id: uid + "-stats", class: "jq-h2", text: "Queue" }));
	const main = h("div", { class: "jq-main" });
	root.append(...[heading, alertBox, notice, live, statsBox, main,
	    h("p", { class: "jq-foot", text: `Times are shown in your time zone (${tz}).` })].filter(Boolean));

	function showError(e) {
		alertBox.textContent = e && e.message ? e.message : String(e);
		alertBox.hidden = false;
	}
	function clearError() {
		alertBox.textContent = "";
		alertBox.hidden = true;
	}
	clearError();

	/* ---- routing ---- */
	function parseHash() {
		const raw = location.hash.replace(/^#/, "");
		const [path, query] = raw.split("?");
		const q = new URLSearchParams(query || "");
		const m = /^\/job\/([^/]+)$/.exec(path || "");
		if (m && ID_RE.test(decodeURIComponent(m[1])))
			return { view: "job", id: decodeURIComponent(m[1]), status: "", type: "" };
		return { view: "list", id: "", status: q.get("status") || "", type: q.get("type") || "" };
	}
	function hashFor(r) {
		if (r.view === "job")
			return `#/job/${encodeURIComponent(r.id)}`;
		const q = new URLSearchParams();
		if (r.status) q.set("status", r.status);
		if (r.type) q.set("type", r.type);
		const s = q.toString();
		return s ? `#/?${s}` : "#/";
	}
	function go(r) {
		if (opt.routing === "hash") {
			const want = hashFor(r);
			if (location.hash !== want) {
				location.hash = want;   /* hashchange renders */
				return;
			}
		}
		route = r;
		render();
	}
	function onHash() {
		route = parseHash();
		render();
	}
	function jobLink(id, text, cls) {
		const a = h("a", { href: opt.routing === "hash" ? `#/job/${encodeURIComponent(id)}` : "#",
		    class: cls, text });
		if (opt.routing !== "hash") {
			a.addEventListener("click", (ev) => {
				ev.preventDefault();
				go({ view: "job", id, status: "", type: "" });
			});
		}
		return a;
	}

	/* ---- polling ---- */
	function schedule(fn, ms) {
		clearTimeout(timer);
		timer = setTimeout(() => {
			if (!alive)
				return;
			if (document.hidden) {
				schedule(fn, ms);
				return;
			}
			fn();
		}, ms);
	}

	/* ---- stats ---- */
	let statsAt = 0;
	async function loadStats() {
		let s;
		statsAt = Date.now();
		try {
			s = await call("GET", "/jobs/stats");
		} catch (e) {
			showError(e);
			return null;
		}
		Object.keys(s.by_type || {}).forEach((t) => knownTypes.add(t));
		const counts = s.counts || {};
		const tiles = h("ul", { class: "jq-tiles" },
		    STATUSES.map((st) => h("li", { class: `jq-tile jq-t-${st}` },
			h("span", { class: "jq-tile-n", "data-status": st, text: String(counts[st] ?? 0) }),
			h("span", { class: "jq-tile-l", text: st }))),
		    h("li", { class: "jq-tile" },
			h("span", { class: "jq-tile-n", "data-total": "", text: String(s.total ?? 0) }),
			h("span", { class: "jq-tile-l", text: "total" })));
		const workers = (Array.isArray(s.workers) ? s.workers : []).filter((w) => w && w.alive !== false);
		const age = s.oldest_queued_age_seconds;
		const facts = h("p", { class: "jq-facts" },
		    `Workers: ${workers.length}${workers.length && workers.length <= 3 ? " (" + workers.map((w) => w.id || w.host).join(", ") + ")" : ""}`,
		    " · Oldest waiting job: ",
		    age === null || age === undefined ? "none" : formatDuration(age * 1000));
		statsBox.replaceChildren(statsBox.firstChild, tiles, facts);
		return s;
	}

	/* ---- list view ---- */
	function filterForm() {
		const sSel = h("select", { id: uid + "-status", name: "status" },
		    h("option", { value: "", text: "All statuses" }),
		    STATUSES.map((s) => h("option", { value: s, text: s, selected: route.status === s })));
		const types = [...knownTypes];
		if (route.type && !knownTypes.has(route.type))
			types.push(route.type);
		const tSel = h("select", { id: uid + "-type", name: "type" },
		    h("option", { value: "", text: "All types" }),
		    types.sort().map((t) => h("option", { value: t, text: t, selected: route.type === t })));
		const apply = () => go({ view: "list", id: "", status: sSel.value, type: tSel.value });
		sSel.addEventListener("change", apply);
		tSel.addEventListener("change", apply);
		return h("form", { class: "jq-filters", role: "search", "aria-label": "Filter jobs",
		    onsubmit: (ev) => { ev.preventDefault(); apply(); } },
		    h("div", { class: "jq-field" }, h("label", { for: sSel.id, text: "Status" }), sSel),
		    h("div", { class: "jq-field" }, h("label", { for: tSel.id, text: "Type" }), tSel),
		    h("button", { type: "button", class: "jq-btn jq-btn-quiet", text: "Refresh",
			onclick: () => renderList(true) }));
	}

	function jobRow(j) {
		const active = ACTIVE.has(j.status);
		return h("tr", { "data-id": j.id, "data-status": j.status },
		    h("td", { "data-label": "Job" }, jobLink(j.id, j.id.slice(0, 8) + "…" + j.id.slice(-4), "jq-id")),
		    h("td", { "data-label": "Type", text: j.type }),
		    h("td", { "data-label": "Status" }, badge(j.status),
			j.cancel_requested && active ? h("span", { class: "jq-small", text: " cancel requested" }) : null),
		    h("td", { "data-label": "Progress" }, progressBar(j, `Progress of job ${j.id}`),
			h("span", { class: "jq-small", text: ` ${j.status === "succeeded" ? 100 : pct(j.progress)}%` })),
		    h("td", { "data-label": "Attempts", text: `${j.attempts ?? 0}/${j.max_attempts ?? "?"}` }),
		    h("td", { "data-label": "Created" }, timeEl(j.created_at)));
	}

	async function renderList(keepPage) {
		const my = ++gen;
		if (!keepPage) {
			cursors = [null];
			page = 0;
		}
		const q = new URLSearchParams({ limit: String(pageSize) });
		if (route.status) q.set("status", route.status);
		if (route.type) q.set("type", route.type);
		if (cursors[page]) q.set("cursor", cursors[page]);
		const [list] = await Promise.all([
			call("GET", "/jobs?" + q.toString()).catch((e) => { showError(e); return null; }),
			loadStats(),
		]);
		if (my !== gen || !alive)
			return;
		if (list) {
			clearError();
			cursors[page + 1] = list.next_cursor || null;
			const jobs = Array.isArray(list.jobs) ? list.jobs : [];
			const caption = h("caption", { class: "jq-caption" },
			    `${route.status || "All"} jobs${route.type ? " of type " + route.type : ""}, newest first, page ${page + 1}`);
			const table = jobs.length ? h("table", { class: "jq-table" }, caption,
			    h("thead", {}, h("tr", {}, ["Job", "Type", "Status", "Progress", "Attempts", "Created"]
				.map((c) => h("th", { scope: "col", text: c })))),
			    h("tbody", {}, jobs.map(jobRow)))
			    : h("p", { class: "jq-empty", text: "No jobs match." });
			const prev = h("button", { type: "button", class: "jq-btn", text: "← Newer",
			    disabled: page === 0, onclick: () => { page--; renderList(true); } });
			const next = h("button", { type: "button", class: "jq-btn", text: "Older →",
			    disabled: !list.next_cursor, onclick: () => { page++; renderList(true); } });
			const focused = document.activeElement;
			const keepFocus = focused && main.contains(focused) ? focused.textContent : null;
			const focusRow = focused && main.contains(focused) && focused.classList.contains("jq-id")
			    ? focused.closest("tr")?.dataset.id : null;
			const form = filterForm();
			main.replaceChildren(
			    h("section", { class: "jq-list", "aria-labelledby": uid + "-list" },
				h("h2", { id: uid + "-list", class: "jq-h2", text: "Jobs" }),
				form, table,
				h("nav", { class: "jq-pager", "aria-label": "Pages" }, prev,
				    h("span", { class: "jq-small", text: `Page ${page + 1}` }), next)));
			/* A refresh must not throw keyboard users back to the top. */
			if (focused && focused.id && document.getElementById(focused.id) && focused.id.startsWith(uid))
				document.getElementById(focused.id).focus();
			else if (focusRow)
				main.querySelector(`tr[data-id="${CSS.escape(focusRow)}"] a.jq-id`)?.focus();
			else if (keepFocus === "Older →" && !next.disabled) next.focus();
			else if (keepFocus === "← Newer" && !prev.disabled) prev.focus();
		}
		const anyActive = list && (list.jobs || []).some((j) => ACTIVE.has(j.status));
		schedule(() => renderList(true), anyActive ? 2000 : IDLE_POLL_MS);
	}

	/* ---- detail view ---- */
	function field(label, value) {
		return [h("dt", { text: label }), h("dd", {}, value)];
	}

	function resultBox(job) {
		const r = job.result;
		if (r === null || r === undefined)
			return null;
		const parts = [];
		if (typeof r === "object" && typeof r.flatfile === "string" &&
		    /^[A-Za-z0-9._\/-]+$/.test(r.flatfile) && !r.flatfile.split("/").includes("..")) {
			const href = files + r.flatfile.split("/").map(encodeURIComponent).join("/");
			parts.push(h("p", {}, h("a", { class: "jq-btn jq-download", href,
			    download: `${job.id}-flatfile.txt`, text: "Download flat file" }),
			    h("span", { class: "jq-small", text: ` ${r.flatfile}` })));
		}
		const facts = [];
		for (const [k, label] of [["products", "Products"], ["images_published", "Images published"],
		    ["images_reused", "Images reused"], ["provider", "Provider"]]) {
			if (r[k] !== undefined && r[k] !== null)
				facts.push(...field(label, String(r[k])));
		}
		if (r.duration_ms !== undefined)
			facts.push(...field("Duration", formatDuration(r.duration_ms)));
		if (facts.length)
			parts.push(h("dl", { class: "jq-dl" }, facts));
		const items = Array.isArray(r.items) ? r.items : [];
		if (items.length) {
			parts.push(h("ul", { class: "jq-items" }, items.map((it) => {
				const urls = (Array.isArray(it.image_urls) ? it.image_urls : [])
				    .filter((u) => typeof u === "string" && /^(https?:\/\/|\/(?![\/\\]))/i.test(u));
				return h("li", { class: "jq-item" },
				    h("p", { class: "jq-item-h" }, h("strong", { text: it.sku || "?" }),
					it.item_name ? " — " + it.item_name : ""),
				    urls.length ? h("ul", { class: "jq-thumbs", "aria-label": `Images of ${it.sku || "item"}` },
					urls.map((u, i) => h("li", {}, h("a", { href: u, target: "_blank", rel: "noopener" },
					    h("img", { src: u, alt: `${it.sku || "item"} image ${i + 1}`,
						loading: "lazy", width: 96, height: 96 })))))
				    : h("p", { class: "jq-small", text: "No images." }));
			})));
		}
		parts.push(h("details", {}, h("summary", { text: "Result as JSON" }),
		    h("pre", { class: "jq-pre", text: JSON.stringify(r, null, 2) })));
		return h("section", { class: "jq-result", "aria-labelledby": uid + "-res" },
		    h("h3", { id: uid + "-res", text: "Result" }), parts);
	}

	function errorBox(job) {
		const e = job.error;
		if (e === null || e === undefined)
			return null;
		const code = typeof e === "object" ? e.code : null;
		const msg = typeof e === "object" ? (e.message ?? JSON.stringify(e)) : String(e);
		return h("section", { class: "jq-error", "aria-labelledby": uid + "-err" },
		    h("h3", { id: uid + "-err", text: job.status === "failed" ? "Error" : "Last error" }),
		    code ? h("p", {}, h("code", { text: code })) : null,
		    h("pre", { class: "jq-pre", text: msg }));
	}

	async function act(job, what) {
		const btns = main.querySelectorAll(".jq-actions button");
		btns.forEach((b) => { b.disabled = true; });
		try {
			const j = await call("POST", `/jobs/${encodeURIComponent(job.id)}/${what}`);
			clearError();
			notice.textContent = what === "cancel"
			    ? (j.status === "canceled" ? "Job canceled." : "Cancel requested; the worker stops the job.")
			    : "Job queued again.";
			renderJob(j);
		} catch (e) {
			showError(e.status === 409
			    ? `Cannot ${what} this job now: ${e.message}` : e);
			loadJob(false);
		}
	}

	function announce(job) {
		/* Say status changes and every 10 %, not every poll. */
		const p = pct(job.progress);
		const key = `${job.status}:${Math.floor(p / 10)}`;
		if (key === lastAnnounce)
			return;
		lastAnnounce = key;
		live.textContent = job.status === "running"
			    ? `Running, ${p}%${job.progress_message ? ": " + job.progress_message : ""}`
			    : `Job ${job.status}.`;
	}

	/* While a job runs, only its bar, message and facts change: update
	 * those in place (the bar animates; focus and reading position stay). */
	function updateJob(existing, job) {
		const p = job.status === "succeeded" ? 100 : pct(job.progress);
		const bar = existing.querySelector(".jq-progress [role=progressbar]");
		bar.setAttribute("aria-valuenow", String(p));
		bar.setAttribute("aria-valuetext", job.progress_message ? `${p}% — ${job.progress_message}` : `${p}%`);
		bar.firstChild.style.width = `${p}%`;
		existing.querySelector(".jq-pct").textContent = `${p}%`;
		existing.querySelector(".jq-msg").textContent = job.progress_message || "";
		existing.querySelector(".jq-facts-box .jq-dl").replaceWith(factsList(job));
		existing.dataset.updated = job.updated_at || "";
		announce(job);
	}

	function factsList(job) {
		return h("dl", { class: "jq-dl" },
		    field("Status", job.status + (job.cancel_requested && ACTIVE.has(job.status) ? " (cancel requested)" : "")),
		    field("Attempts", `${job.attempts ?? 0} of ${job.max_attempts ?? "?"}`),
		    field("Priority", String(job.priority ?? 0)),
		    field("Worker", job.worker || "—"),
		    field("Submitted by", job.submitted_by || "—"),
		    field("Created", timeEl(job.created_at)),
		    field("Due", timeEl(job.run_at)),
		    field("Started", timeEl(job.started_at)),
		    field("Finished", timeEl(job.finished_at)),
		    field("Next attempt", timeEl(job.next_attempt_at)),
		    field("Updated", timeEl(job.updated_at)),
		    field("Waited", formatDuration(job.wait_ms)),
		    field("Ran", formatDuration(job.run_ms)));
	}

	function renderJob(job) {
		const existing = main.querySelector(".jq-detail");
		const sameJob = existing && existing.dataset.id === job.id;
		const shape = [job.status, !!job.cancel_requested, job.attempts, JSON.stringify(job.error),
		    job.result === null || job.result === undefined ? "" : JSON.stringify(job.result)].join("|");
		if (sameJob && existing.dataset.shape === shape) {
			if (existing.dataset.updated !== (job.updated_at || ""))
				updateJob(existing, job);
			return;
		}
		const focusedAction = document.activeElement && document.activeElement.dataset
		    ? document.activeElement.dataset.action : null;
		const canCancel = ACTIVE.has(job.status) && !job.cancel_requested;
		const canRetry = job.status === "failed" || job.status === "canceled";
		const back = opt.routing === "hash"
		    ? h("a", { href: hashFor({ view: "list", status: route.status, type: route.type }), class: "jq-back", text: "← All jobs" })
		    : h("a", { href: "#", class: "jq-back", text: "← All jobs",
			onclick: (ev) => { ev.preventDefault(); go({ view: "list", status: "", type: "", id: "" }); } });
		const p = job.status === "succeeded" ? 100 : pct(job.progress);
		const detail = h("section", { class: "jq-detail", "data-id": job.id, "data-status": job.status,
		    "data-shape": shape, "data-updated": job.updated_at || "",
		    "aria-labelledby": uid + "-job" },
		    back,
		    h("h2", { id: uid + "-job", class: "jq-h2", tabindex: "-1" },
			h("span", { text: job.type + " " }), badge(job.status)),
		    h("p", { class: "jq-small jq-mono", text: job.id }),
		    h("div", { class: "jq-progress" },
			h("div", { class: "jq-progress-head" },
			    h("span", { id: uid + "-pl", text: "Progress" }),
			    h("span", { class: "jq-pct", text: `${p}%` })),
			progressBar(job, "Job progress"),
			h("p", { class: "jq-msg", text: job.progress_message || "" })),
		    h("div", { class: "jq-actions" },
			h("button", { type: "button", class: "jq-btn jq-btn-danger", "data-action": "cancel",
			    disabled: !canCancel, onclick: () => act(job, "cancel"),
			    text: job.cancel_requested && ACTIVE.has(job.status) ? "Cancel requested" : "Cancel job" }),
			h("button", { type: "button", class: "jq-btn", "data-action": "retry",
			    disabled: !canRetry, onclick: () => act(job, "retry"), text: "Retry job" })),
		    errorBox(job),
		    resultBox(job),
		    h("section", { class: "jq-facts-box", "aria-labelledby": uid + "-det" },
			h("h3", { id: uid + "-det", text: "Details" }),
			factsList(job)),
		    job.payload !== undefined ? h("details", {}, h("summary", { text: "Payload" }),
			h("pre", { class: "jq-pre", text: JSON.stringify(job.payload, null, 2) })) : null);
		/* Keep what the reader opened (details) and where the keyboard is. */
		if (sameJob) {
			const open = [...existing.querySelectorAll("details")].map((d) => d.open);
			detail.querySelectorAll("details").forEach((d, i) => { if (open[i]) d.open = true; });
		}
		main.replaceChildren(detail);
		if (focusedAction) {
			const b = detail.querySelector(`[data-action="${focusedAction}"]`);
			(b && !b.disabled ? b : detail.querySelector("h2")).focus();
		} else if (!sameJob) {
			detail.querySelector("h2").focus({ preventScroll: true });
		}
		announce(job);
	}

	async function loadJob(first) {
		const my = gen;
		let job;
		try {
			job = await call("GET", `/jobs/${encodeURIComponent(route.id)}`);
		} catch (e) {
			if (my !== gen)
				return;
			if (e.status === 404) {
				main.replaceChildren(h("section", { class: "jq-detail" },
				    h("h2", { class: "jq-h2", text: "Job not found" }),
				    h("p", { text: `There is no job ${route.id}.` }),
				    h("p", {}, h("a", { href: hashFor({ view: "list" }), class: "jq-back", text: "← All jobs" }))));
				return;
			}
			showError(e);
			schedule(() => loadJob(false), IDLE_POLL_MS);
			return;
		}
		if (my !== gen || !alive)
			return;
		clearError();
		renderJob(job);
		if (first || Date.now() - statsAt >= IDLE_POLL_MS)
			loadStats();
		schedule(() => loadJob(false), ACTIVE.has(job.status) ? DETAIL_POLL_MS : IDLE_POLL_MS);
	}

	function render() {
		gen++;
		clearTimeout(timer);
		notice.textContent = "";
		lastAnnounce = "";
		if (route.view === "job") {
			/* Never show the previous job under the new one's address. */
			const cur = main.querySelector(".jq-detail");
			if (!cur || cur.dataset.id !== route.id)
				main.replaceChildren(h("p", { class: "jq-loading", role: "status", text: "Loading job…" }));
			loadJob(true);
		} else {
			renderList(false);
		}
	}

	/* Back from a hidden tab: fetch at once instead of waiting. */
	const onVisible = () => {
		if (document.hidden || !alive)
			return;
		if (route.view === "job")
			loadJob(false);
		else
			renderList(true);
	};
	document.addEventListener("visibilitychange", onVisible);
	if (opt.routing === "hash") {
		window.addEventListener("hashchange", onHash);
		route = parseHash();
	}
	render();

	return {
		refresh: render,
		show(id) { go(id ? { view: "job", id, status: "", type: "" } : { view: "list", id: "", status: "", type: "" }); },
		unmount() {
			alive = false;
			clearTimeout(timer);
			window.removeEventListener("hashchange", onHash);
			document.removeEventListener("visibilitychange", onVisible);
			root.replaceChildren();
			root.classList.remove("jobq-panel");
		},
	};
}
