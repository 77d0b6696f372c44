/*
 * app.js -- starts the panel on /jobs/ (index.html): reads the API base
 * path from ?api= or the element's data-api attribute, the flat-file base
 * from ?files= or data-files, and ?embed=1 (no heading, for iframes).
 */
import { mount, safePath } from "./jobq-panel.js";

const el = document.getElementById("jobq");
const q = new URLSearchParams(location.search);
const pick = (param, attr) => {
	const v = q.get(param) ?? el.dataset[attr];
	return v && safePath(v) ? v : undefined;
};
const embed = q.get("embed") === "1";
if (embed)
	document.documentElement.classList.add("jq-embedded");
const opts = { css: false, title: embed ? "" : "Jobs" };
const api = pick("api", "api");
const files = pick("files", "files");
if (api) opts.api = api;
if (files) opts.files = files;
try {
	mount(el, opts);
} catch (e) {
	el.textContent = String(e.message || e);
}
