// Every page of every demo role through axe-core, the main pages at phone width, and one
// application printed to an A4 PDF (issue 10). Prints one line per check; exits non-zero on
// any serious or critical violation, any page wider than the phone, or an unusable print.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { axeCheck, base, launch, signIn } from "./lib.mjs";

const shots = process.env.GAIBU_SHOTS || "shots";
mkdirSync(shots, { recursive: true });
const ROLES = ["staff", "im", "bsm", "infra", "ism", "ciso", "admin", "contractor"];
// Pages a role reads at most, and of one shape (digits taken as one) at most.
const MAX_PAGES = Number(process.env.GAIBU_A11Y_PAGES || 60);
const MAX_PER_SHAPE = 2;

const failures = [];
const browser = await launch();
let checked = 0;
try {
  for (const login of ROLES) {
    const context = await browser.newContext({ locale: "ja-JP", viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on("dialog", (d) => d.dismiss());
    page.on("pageerror", (e) => failures.push(`${login}: page error: ${e.message}`));
    await signIn(page, login);
    const seen = new Set();
    const shapes = new Map();
    const queue = ["/"];
    while (queue.length && seen.size < MAX_PAGES) {
      const path = queue.shift();
      if (seen.has(path)) continue;
      seen.add(path);
      const res = await page.goto(`${base}${path}`);
      if (!res || res.status() >= 500) failures.push(`${login} ${path}: HTTP ${res && res.status()}`);
      checked += 1;
      await axeCheck(page, `${login} ${path}`, failures);
      const hrefs = await page.$$eval("a[href^='/']", (as) => as.map((a) => a.getAttribute("href")));
      for (const h of hrefs) {
        const p = h.replace(/#.*$/, "");
        if (!p || seen.has(p) || /^\/(logout|lang|assets|evidence\/\d+\/file)/.test(p) || /\/(proof|file|export)\b/.test(p) || /\.(csv|xlsx)$/.test(p)) continue;
        const shape = p.split("?")[0].replace(/\d+/g, "N");
        const n = shapes.get(shape) || 0;
        if (n >= MAX_PER_SHAPE) continue;
        shapes.set(shape, n + 1);
        queue.push(p);
      }
    }
    console.log(`${login}: ${seen.size} pages checked by axe-core`);

    // Phone width (WCAG 1.4.10): the pages this role reads first, at 390 and 320 CSS px.
    for (const width of [390, 320]) {
      await page.setViewportSize({ width, height: 844 });
      for (const path of [...seen].slice(0, 12)) {
        await page.goto(`${base}${path}`);
        const wide = await page.evaluate(() => document.documentElement.scrollWidth);
        if (wide > width + 1) failures.push(`${login} ${path}: ${wide} px wide at ${width} px`);
      }
    }
    if (login === "ism") {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${base}/`);
      await page.screenshot({ path: join(shots, "a11y-ism-home-390.png"), fullPage: true });
    }
    await context.close();
  }

  // The pages the main flows reach besides those a link opens: a catalogue question, a
  // contractor's sheet sent back with its problems, the ISM's review refused for a missing
  // reason (the browser's own check taken off, as a script-less browser would send it).
  {
    const context = await browser.newContext({ locale: "ja-JP", viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on("dialog", (d) => d.accept());
    await signIn(page, "staff");
    await page.goto(`${base}/catalogue`);
    await page.fill("#q", "会議");
    await page.click("#catalogue-submit");
    await page.waitForSelector("#catalogue, #catalogue-none");
    await axeCheck(page, "staff catalogue question", failures);

    await signIn(page, "contractor");
    const sheet = page.locator("a[href^='/contractor/submissions/']").first();
    if (await sheet.count()) {
      await sheet.click();
      if (await page.locator("#submit-sheet").count()) {
        await page.click("#submit-sheet");
        await page.waitForLoadState();
        await axeCheck(page, "contractor sheet sent back", failures);
      }
    }

    await signIn(page, "ism");
    const waiting = page.locator("#queue-review a[href$='/review']").first();
    if (await waiting.count()) {
      await waiting.click();
      await page.check('input[name="decision"][value="return"]');
      await page.evaluate(() => document.getElementById("reason").removeAttribute("required"));
      await page.click("#decide");
      await page.waitForSelector("#form-errors");
      const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
      if (focused !== "form-errors") failures.push(`review refused: focus on ${focused}, not the summary`);
      await axeCheck(page, "ism review refused", failures);
    } else {
      failures.push("ism: nothing in the review queue of the demo");
    }
    console.log("flows checked: catalogue question, contractor sheet, ISM review");
    await context.close();
  }

  // An application printed as an A4 record: no menu or buttons, the city, the printed-on
  // date, the record's title and number.
  const context = await browser.newContext({ locale: "ja-JP" });
  const page = await context.newPage();
  await signIn(page, "im");
  await page.goto(`${base}/applications`);
  const href = await page.locator("#applications a[href^='/applications/']").first().getAttribute("href");
  await page.goto(`${base}${href}`);
  await page.emulateMedia({ media: "print" });
  const printed = await page.evaluate(() => ({
    menu: getComputedStyle(document.querySelector("header.top")).display,
    head: getComputedStyle(document.querySelector(".print-head")).display,
    headText: document.querySelector(".print-head").innerText,
    buttons: [...document.querySelectorAll("button")].filter((b) => b.offsetParent !== null).length,
    title: document.querySelector("h1").innerText,
  }));
  if (printed.menu !== "none") failures.push("print: the menu is printed");
  if (printed.head === "none" || !printed.headText.includes("本市") || !printed.headText.includes("印刷日時")) {
    failures.push(`print: no city and printed-on date at the top (${printed.headText})`);
  }
  if (printed.buttons > 0) failures.push(`print: ${printed.buttons} buttons printed`);
  const pdf = join(shots, "application.pdf");
  await page.pdf({ path: pdf, format: "A4", printBackground: true });
  const bytes = readFileSync(pdf);
  const pages = (bytes.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
  if (bytes.subarray(0, 4).toString() !== "%PDF" || pages < 1) failures.push("print: no PDF");
  console.log(`printed ${printed.title} to ${pages} A4 page(s)`);
  await context.close();
} finally {
  await browser.close();
}
if (failures.length) {
  console.log(failures.join("\n"));
  process.exit(1);
}
console.log(`a11y done: ${checked} pages, no serious or critical violation`);
