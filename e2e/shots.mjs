// Ad-hoc screenshots of demo pages (not a test): node shots.mjs BASE LOGIN PATH...
import { chromium } from "playwright-core";
const [base, login, ...paths] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
await page.goto(`${base}/login`);
await page.fill("#login", login);
await page.fill("#password", "gaibu-demo");
await page.click("#login-submit");
let i = 0;
for (const p of paths) {
  await page.goto(`${base}${p}`);
  await page.screenshot({ path: `/tmp/shots/${login}-${i++}.png`, fullPage: true });
}
await browser.close();
