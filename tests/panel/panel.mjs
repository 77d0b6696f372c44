// tests/panel/panel.mjs -- drives the job status panel in headless Chromium
// against the running stack (tests/panel/panel.sh starts it).  Prints
// "PASS name" / "FAIL name" lines (panel.sh turns them into TAP) and saves
// screenshots into PANEL_ART.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(process.env.PANEL_NODE_DIR + "/");
const { chromium } = require("playwright-core");

const BASE = process.env.PANEL_BASE;
const USER = process.env.PANEL_USER;
const PASS = process.env.PANEL_PASS;
const ART = process.env.PANEL_ART;
const AUTHZ = "Basic " + Buffer.from(`${USER}:${PASS}`).toString("base64");
const TZ = "Asia/Tokyo";

let failures = 0;
function t(cond, name, why) {
	if (cond) {
		console.log(`PASS ${name}`);
	} else {
		failures++;
		console.log(`FAIL ${name}`);
		if (why !== undefined)
			console.log(`  ${typeof why === "string" ? why : JSON.stringify(why)}`.slice(0, 600));
	}
	return cond;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function api(method, path, body) {
	const res = await fetch(BASE + "/api" + path, {
		method,
		headers: { Authorization: AUTHZ, "Content-Type": "application/json" },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const j = await res.json();
	if (!res.ok)
		throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(j)}`);
	return j;
}
const submit = async (type, payload, extra = {}) =>
	(await api("POST", "/jobs", { type, payload, ...extra })).job_id;
async function waitJob(id, pred, ms = 30000) {
	const end = Date.now() + ms;
	let j;
	while (Date.now() < end) {
		j = await api("GET", `/jobs/${id}`);
		if (pred(j))
			return j;
		await sleep(100);
	}
	throw new Error(`job ${id} stuck: ${JSON.stringify(j)}`);
}

async function step(name, fn) {
	try {
		await fn();
	} catch (e) {
		t(false, `${name} (ran to the end)`, String(e && e.stack ? e.stack : e));
	}
}

const browser = await chromium.launch({
	executablePath: process.env.PANEL_CHROMIUM || "/usr/bin/chromium",
	args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run"],
});
const cspViolations = [];
const pageErrors = [];
function watch(page) {
	page.on("console", (m) => {
		if (/Content Security Policy|Refused to/i.test(m.text()))
			cspViolations.push(m.text());
	});
	page.on("pageerror", (e) => pageErrors.push(String(e)));
	return page;
}
const ctxOpts = { httpCredentials: { username: USER, password: PASS }, timezoneId: TZ, locale: "en-GB" };
const desk = await browser.newContext({ ...ctxOpts, viewport: { width: 1280, height: 900 } });
const page = watch(await desk.newPage());
page.setDefaultTimeout(15000);
const shot = (p, name, full = true) => p.screenshot({ path: `${ART}/${name}.png`, fullPage: full });
const rows = (p) => p.locator(".jq-table tbody tr");
const badgeText = (p) => p.locator(".jq-detail h2 .jq-badge").textContent();
// Opens one job and waits until the panel shows that job.
async function openJob(p, id) {
	await p.goto(`${BASE}/jobs/#/job/${id}`);
	await p.locator(`.jq-detail[data-id="${id}"]`).waitFor();
}

// ---- jobs to look at -------------------------------------------------------
const later = new Date(Date.now() + 3600e3).toISOString();
const futureIds = [];
for (let i = 0; i < 27; i++)
	futureIds.push(await submit("test_sleep", { ms: 10 }, { run_at: later }));
const ckptId = await submit("test_ckpt", {}, { max_attempts: 1 });
const contentId = await submit("generate_amazon_content", {
	marketplace: "US", product_type: "home",
	products: [{ sku: "MUG-001", title: "Stoneware mug", brand: "Acme",
		features: ["11 oz", "dishwasher safe"], images: ["mug/front.png", "mug/side.png"],
		price: "12.99", quantity: 10 }],
});
const ckpt = await waitJob(ckptId, (j) => j.status === "failed");
const content = await waitJob(contentId, (j) => !["queued", "running"].includes(j.status));
t(content.status === "succeeded", "the content job succeeded (setup)", content.error);

// ---- list, stats, pagination ----------------------------------------------
await step("list", async () => {
	await page.goto(BASE + "/jobs/");
	await rows(page).first().waitFor();
	const stats = await api("GET", "/jobs/stats");
	await page.waitForFunction((n) => document.querySelector('[data-status="queued"].jq-tile-n')?.textContent === String(n),
	    stats.counts.queued);
	t(true, "stats tiles show the API's queued count");
	t(await page.locator("[data-total]").textContent() === String(stats.total), "stats tiles show the total");
	t(await rows(page).count() === 25, "the first page holds 25 jobs", await rows(page).count());
	const first = await rows(page).evaluateAll((rs) => rs.map((r) => r.dataset.id));
	t(first[0] === contentId, "newest job first", first[0]);
	await shot(page, "01-list-desktop");
	await page.getByRole("button", { name: "Older →" }).click();
	await page.waitForFunction(() => document.querySelector(".jq-pager span")?.textContent === "Page 2");
	const second = await rows(page).evaluateAll((rs) => rs.map((r) => r.dataset.id));
	t(second.length === stats.total - 25, "page 2 (next_cursor) holds the rest", second.length);
	t(second.every((id) => !first.includes(id)), "pages do not overlap");
	t(await page.getByRole("button", { name: "Older →" }).isDisabled(), "no page after the last");
	await page.getByRole("button", { name: "← Newer" }).click();
	await page.waitForFunction(() => document.querySelector(".jq-pager span")?.textContent === "Page 1");
	t(true, "back to page 1");
});

await step("filters", async () => {
	await page.getByLabel("Status").selectOption("failed");
	await page.waitForFunction(() => location.hash === "#/?status=failed");
	await page.waitForFunction(() => [...document.querySelectorAll(".jq-table tbody tr")].length > 0 &&
	    [...document.querySelectorAll(".jq-table tbody tr")].every((r) => r.dataset.status === "failed"));
	const ids = await rows(page).evaluateAll((rs) => rs.map((r) => r.dataset.id));
	t(ids.length === 1 && ids[0] === ckptId, "status filter shows only the failed job", ids);
	await shot(page, "02-list-filter-failed");
	await page.getByLabel("Status").selectOption("");
	await page.getByLabel("Type").selectOption("generate_amazon_content");
	await page.waitForFunction(() => location.hash === "#/?type=generate_amazon_content");
	// Wait for the filtered page itself: the previous filter's single row
	// would satisfy a bare row count before the new list has loaded.
	await page.waitForFunction(() => {
		const rs = [...document.querySelectorAll(".jq-table tbody tr")];
		return rs.length === 1 && rs.every((r) =>
		    r.querySelector('td[data-label="Type"]')?.textContent === "generate_amazon_content");
	});
	const types = await page.locator('.jq-table td[data-label="Type"]').allTextContents();
	t(types.length === 1 && types[0] === "generate_amazon_content", "type filter", types);
	await page.getByLabel("Type").selectOption("");
	await page.waitForFunction(() => document.querySelectorAll(".jq-table tbody tr").length === 25);
	t(true, "clearing the filters shows all jobs again");
});

await step("keyboard", async () => {
	await page.getByLabel("Type").focus();
	let onLink = false;
	for (let i = 0; i < 6 && !onLink; i++) {
		await page.keyboard.press("Tab");
		onLink = await page.evaluate(() => document.activeElement?.classList.contains("jq-id"));
	}
	t(onLink, "Tab reaches the first job link");
	const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
	t(outline !== "none", "the focused link has a visible focus outline", outline);
	await page.keyboard.press("Enter");
	await page.waitForFunction((id) => location.hash === `#/job/${id}`, contentId);
	await page.locator(".jq-detail h2").waitFor();
	t(await page.evaluate(() => document.activeElement?.tagName) === "H2", "Enter opens the job; focus moves to its heading");
});

// ---- live progress ---------------------------------------------------------
await step("progress", async () => {
	const id = await submit("test_sleep", { ms: 6000 });
	const polls = [];
	const onReq = (r) => {
		if (r.method() === "GET" && new URL(r.url()).pathname === `/api/jobs/${id}`)
			polls.push(Date.now());
	};
	page.on("request", onReq);
	await openJob(page, id);
	const bar = page.locator(".jq-progress [role=progressbar]");
	await bar.waitFor();
	const samples = [];
	const t0 = Date.now();
	let midShot = false;
	while (Date.now() - t0 < 20000) {
		const s = await page.evaluate(() => {
			const bar = document.querySelector(".jq-progress [role=progressbar]");
			const st = document.querySelector(".jq-detail")?.dataset.status;
			if (st === "running" && !window.jqBar)
				window.jqBar = bar;
			return {
				v: Number(bar?.getAttribute("aria-valuenow")), st,
				same: st !== "running" || window.jqBar === bar,
				live: document.querySelector(".jq-live")?.textContent,
			};
		});
		samples.push({ t: Date.now() - t0, ...s });
		if (!midShot && s.st === "running" && s.v >= 30) {
			midShot = true;
			await shot(page, "03-detail-running");
		}
		if (s.st === "succeeded")
			break;
		await sleep(100);
	}
	const last = samples[samples.length - 1];
	t(last.st === "succeeded" && last.v === 100, "the bar reaches 100 % and the job shows succeeded", last);
	const mid = samples.filter((s) => s.st === "running" && s.v > 0 && s.v < 100);
	const changes = [];
	for (let i = 1; i < samples.length; i++)
		if (samples[i].v !== samples[i - 1].v && samples[i].st === "running")
			changes.push(samples[i].t);
	t(mid.length > 0 && new Set(mid.map((s) => s.v)).size >= 4, "the bar moves through intermediate values while running",
	    [...new Set(mid.map((s) => s.v))]);
	let gap = 0;
	for (let i = 1; i < changes.length; i++)
		gap = Math.max(gap, changes[i] - changes[i - 1]);
	page.off("request", onReq);
	// The page asks for the job more than once a second while it runs ...
	const iv = polls.slice(1).map((x, i) => x - polls[i]).sort((a, b) => a - b);
	const median = iv.length ? iv[Math.floor(iv.length / 2)] : Infinity;
	t(iv.length >= 5 && median <= 1000, "the job is fetched at least once a second while running",
	    { polls: polls.length, median });
	// ... and the bar follows (a generous margin for a loaded machine).
	t(changes.length >= 4 && gap <= 2500, "the bar moves every second or so (largest gap under 2.5 s)",
	    { changes: changes.length, gap });
	t(samples.every((s) => s.same), "while running, the bar is updated in place (not rebuilt)");
	t((await page.locator(".jq-live").getAttribute("aria-live")) === "polite" &&
	    samples.some((s) => /^Running, \d+%/.test(s.live || "")), "progress is announced (aria-live)",
	    [...new Set(samples.map((s) => s.live))]);
	t(/succeeded/.test(await page.locator(".jq-live").textContent()), "the live region says the job succeeded");
	await shot(page, "04-detail-succeeded");
});

// ---- cancel a queued job, and a running one ------------------------------
await step("cancel", async () => {
	const id = futureIds[0];
	await openJob(page, id);
	t(await badgeText(page) === "queued", "the future job shows queued");
	t(await page.getByRole("button", { name: "Retry job" }).isDisabled(), "retry is disabled for a queued job");
	await page.getByRole("button", { name: "Cancel job" }).click();
	await page.waitForFunction(() => document.querySelector(".jq-detail")?.dataset.status === "canceled");
	t((await api("GET", `/jobs/${id}`)).status === "canceled", "cancel button: the queued job is canceled in the API");
	t(/canceled/i.test(await page.locator(".jq-notice").textContent()), "the panel says so");
	t(await page.getByRole("button", { name: "Retry job" }).isEnabled(), "retry is enabled for a canceled job");
	await shot(page, "05-detail-canceled");

	const run = await submit("test_sleep", { ms: 30000 });
	await openJob(page, run);
	await page.waitForFunction(() => document.querySelector(".jq-detail")?.dataset.status === "running");
	await page.getByRole("button", { name: "Cancel job" }).click();
	await page.waitForFunction(() => document.querySelector(".jq-detail")?.dataset.status === "canceled",
	    null, { timeout: 15000 });
	t(true, "cancel button stops a running job (canceled)");
});

// ---- retry a failed job ----------------------------------------------------
await step("retry", async () => {
	await openJob(page, ckptId);
	t(await badgeText(page) === "failed", "the failed job shows failed");
	const errText = await page.locator(".jq-error").textContent();
	t(errText.includes(ckpt.error.message), "its error is shown", errText);
	t(await page.getByRole("button", { name: "Cancel job" }).isDisabled(), "cancel is disabled for a failed job");
	await shot(page, "06-detail-failed");
	await page.getByRole("button", { name: "Retry job" }).click();
	await page.waitForFunction(() => document.querySelector(".jq-detail")?.dataset.status === "succeeded",
	    null, { timeout: 20000 });
	const j = await api("GET", `/jobs/${ckptId}`);
	t(j.status === "succeeded", "retry button: the job ran again and succeeded", j.status);
	await shot(page, "07-detail-retried");
});

// ---- result: flat file and thumbnails, local times ------------------------
await step("result", async () => {
	await openJob(page, contentId);
	const link = page.getByRole("link", { name: "Download flat file" });
	await link.waitFor();
	const href = new URL(await link.getAttribute("href"), BASE);
	t(href.origin === BASE && href.pathname === `/jobs/files/${content.result.flatfile}`,
	    "download link points into /jobs/files/", href.href);
	const [dl] = await Promise.all([page.waitForEvent("download"), link.click()]);
	const body = readFileSync(await dl.path(), "utf8");
	t(body.startsWith("TemplateType=fptcustom") && body.includes("MUG-001"), "the flat file downloads through the auth",
	    body.slice(0, 80));
	const urls = content.result.items.flatMap((it) => it.image_urls);
	const thumbs = page.locator(".jq-thumbs img");
	await page.waitForFunction(() => [...document.querySelectorAll(".jq-thumbs img")].every((i) => i.complete));
	const loaded = await thumbs.evaluateAll((is) => is.map((i) => i.naturalWidth));
	t(urls.length === 2 && loaded.length === urls.length && loaded.every((w) => w > 0),
	    "published image thumbnails load", { urls, loaded });
	const alts = await thumbs.evaluateAll((is) => is.map((i) => i.alt));
	t(alts.every((a) => /MUG-001/.test(a)), "thumbnails have alt text", alts);
	// Times in the viewer's zone (the context runs in Asia/Tokyo).
	const tm = page.locator(".jq-detail time").first();
	const iso = await tm.getAttribute("datetime");
	const want = new Intl.DateTimeFormat("en-GB", { timeZone: TZ, year: "numeric", month: "short", day: "numeric",
		hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(new Date(iso));
	// The same moment written in UTC must differ (Tokyo is 9 h ahead); a
	// substring test of "HH:MM" would match by chance when the minute
	// equals the UTC hour (02:17:17 holds 17:17).
	const utc = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", year: "numeric", month: "short", day: "numeric",
		hour: "2-digit", minute: "2-digit", second: "2-digit" }).format(new Date(iso));
	const got = await tm.textContent();
	t(got === want && got !== utc, "times are shown in the viewer's time zone", { iso, got, want, utc });
	await shot(page, "08-detail-result");
});

// ---- configurable API base --------------------------------------------------
await step("api-param", async () => {
	await page.goto(`${BASE}/jobs/?api=/no-such-api`);
	await page.locator(".jq-alert:not([hidden])").waitFor();
	t(true, "?api= changes the API base path (a wrong one shows an error)");
	await page.goto(`${BASE}/jobs/?api=/api&embed=1`);
	await rows(page).first().waitFor();
	t(await page.locator("h1").count() === 0, "?embed=1 leaves the page heading out");
});

// ---- embedded in an admin page ----------------------------------------------
await step("embed", async () => {
	await page.goto(`${BASE}/jobs/embed-example.html`);
	const emb = page.locator("#jobq-embedded");
	await emb.locator(".jq-table tbody tr").first().waitFor();
	t(true, "the module mounts inside the example admin page");
	await emb.locator("a.jq-id").first().click();
	await emb.locator(".jq-detail").waitFor();
	t(await page.evaluate(() => location.hash) === "", "routing: none leaves the host page's hash alone");
	const frame = page.frameLocator("iframe.admin-frame");
	await frame.locator(".jq-stats .jq-tiles").waitFor();
	t(await frame.getByLabel("Status").inputValue() === "failed", "the iframe URL scheme opens the failed-jobs list");
	await shot(page, "09-embed-example");
});

// ---- phone width ------------------------------------------------------------
await step("phone", async () => {
	const phone = await browser.newContext({ ...ctxOpts, viewport: { width: 390, height: 844 }, hasTouch: true });
	const p = watch(await phone.newPage());
	p.setDefaultTimeout(15000);
	const noHScroll = () => p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
	await p.goto(BASE + "/jobs/");
	await rows(p).first().waitFor();
	t(await noHScroll(), "phone width (390 px): the list has no horizontal scroll",
	    await p.evaluate(() => document.documentElement.scrollWidth));
	const w = await rows(p).first().evaluate((r) => r.getBoundingClientRect().width);
	t(w <= 390, "phone width: jobs are cards within the screen", w);
	await shot(p, "10-phone-list", false);
	await p.goto(`${BASE}/jobs/#/job/${contentId}`);
	await p.getByRole("link", { name: "Download flat file" }).waitFor();
	t(await noHScroll(), "phone width: the job view has no horizontal scroll",
	    await p.evaluate(() => document.documentElement.scrollWidth));
	const btn = await p.getByRole("button", { name: "Retry job" }).boundingBox();
	t(btn && btn.height >= 40, "phone width: buttons are big enough to tap", btn);
	await shot(p, "11-phone-detail");
	await p.goto(`${BASE}/jobs/embed-example.html`);
	await p.locator("#jobq-embedded .jq-table tbody tr").first().waitFor();
	t(await noHScroll(), "phone width: the embed example has no horizontal scroll");
	await phone.close();
});

t(cspViolations.length === 0, "no Content-Security-Policy violations", cspViolations);
t(pageErrors.length === 0, "no script errors", pageErrors);
await browser.close();
process.exit(failures ? 1 : 0);
