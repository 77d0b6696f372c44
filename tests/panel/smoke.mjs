// tests/panel/smoke.mjs -- a short look at the panel through another web
// server (apache.sh): the list and stats load, one job reaches succeeded,
// nothing breaks the Content-Security-Policy.  "PASS"/"FAIL" lines.
import { createRequire } from "node:module";

const require = createRequire(process.env.PANEL_NODE_DIR + "/");
const { chromium } = require("playwright-core");
const BASE = process.env.PANEL_BASE;
const ID = process.env.PANEL_JOB;
let failures = 0;
const t = (c, name, why) => {
	console.log(`${c ? "PASS" : "FAIL"} ${name}`);
	if (!c) {
		failures++;
		if (why !== undefined) console.log(`  ${JSON.stringify(why)}`.slice(0, 400));
	}
};
const browser = await chromium.launch({
	executablePath: process.env.PANEL_CHROMIUM || "/usr/bin/chromium",
	args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run"],
});
const bad = [];
try {
	const ctx = await browser.newContext({ viewport: { width: 1024, height: 768 },
		httpCredentials: { username: process.env.PANEL_USER, password: process.env.PANEL_PASS } });
	const page = await ctx.newPage();
	page.setDefaultTimeout(15000);
	page.on("console", (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) bad.push(m.text()); });
	page.on("pageerror", (e) => bad.push(String(e)));
	await page.goto(BASE + "/jobs/");
	await page.locator(`.jq-table tr[data-id="${ID}"]`).waitFor();
	t(true, "the job list loads");
	await page.locator(`.jq-table tr[data-id="${ID}"] a`).click();
	await page.waitForFunction((id) => {
		const d = document.querySelector(".jq-detail");
		return d && d.dataset.id === id && d.dataset.status === "succeeded";
	}, ID);
	t(true, "the job view follows the job to succeeded");
	await page.screenshot({ path: `${process.env.PANEL_ART}/20-apache-detail.png`, fullPage: true });
} catch (e) {
	t(false, "smoke test ran to the end", String(e));
}
t(bad.length === 0, "no CSP violations or script errors", bad);
await browser.close();
process.exit(failures ? 1 : 0);
