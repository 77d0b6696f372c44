// embed-example.js -- how an admin page mounts the jobq panel.  A real
// page would import it by its absolute path: "/jobs/jobq-panel.js".
import { mount } from "./jobq-panel.js";

const el = document.getElementById("jobq-embedded");
const panel = mount(el, {
	api: el.dataset.api || "/api",
	routing: "none",   // the host page owns location.hash
	title: "",         // the host page has its own heading
});
// panel.show(id) opens one job; panel.unmount() removes the panel.
window.addEventListener("pagehide", () => panel.unmount());
