// What the browser scenarios share: the browser, the second factor as an authenticator app
// computes it, signing in, and axe-core's accessibility check of the page shown.
import { chromium } from "playwright-core";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

export const base = process.env.GAIBU_BASE_URL;
// The TOTP secrets of the privileged demo users ({"ism": "BASE32…"}), as an authenticator app
// holds them: their sign-in has a second step.
export const secrets = JSON.parse(process.env.GAIBU_TOTP_SECRETS || "{}");

export const launch = () =>
  chromium.launch({
    executablePath: process.env.GAIBU_CHROMIUM || "/usr/bin/chromium",
    args: [
      // playwright starts it headless with a fresh profile of its own.
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
    headless: true,
  });

// RFC 6238 (HMAC-SHA1, 6 digits, 30 s), as an authenticator app computes it.
const base32 = (s) => {
  const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0, val = 0;
  const out = [];
  for (const c of s.replace(/=+$/, "")) {
    val = ((val << 5) | abc.indexOf(c)) & 0x1fff;
    bits += 5;
    if (bits >= 8) { out.push((val >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
};
const totp = (secret, step) => {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = createHmac("sha1", base32(secret)).update(msg).digest();
  const o = h[h.length - 1] & 15;
  const n = (((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3]) % 1000000;
  return String(n).padStart(6, "0");
};
// A code is accepted once: each sign-in takes the next step the server still accepts (one
// step of drift either way), waiting for the clock when it has run ahead.
const lastStep = {};
export const nextCode = async (login) => {
  const now = () => Math.floor(Date.now() / 30000);
  let step = Math.max(now() - 1, (lastStep[login] ?? -1) + 1);
  while (step > now() + 1) await new Promise((r) => setTimeout(r, 1000));
  lastStep[login] = step;
  return totp(secrets[login], step);
};

/** Signs `login` in on `page` (from the sign-in page, or signing out first). */
export const signIn = async (page, login) => {
  if (await page.locator("#logout").count()) {
    await page.click("#logout");
  } else {
    await page.goto(`${base}/login`);
  }
  await page.waitForURL(/\/login/);
  await page.fill("#login", login);
  await page.fill("#password", "gaibu-demo");
  await page.click("#login-submit");
  if (secrets[login]) {
    await page.waitForSelector("#mfa-form");
    await page.fill("#code", await nextCode(login));
    await page.click("#mfa-submit");
  }
  await page.waitForSelector("#current-user, #contractor-home, h1");
};

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA, which JIS X 8341-3:2016 AA follows) on the page shown
 * and adds every violation of impact serious or critical to `failures`. The script is
 * evaluated through the driver, so the app's strict CSP need not allow it.
 */
export const axeCheck = async (page, label, failures) => {
  if (!(await page.evaluate(() => !!window.axe))) await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
      resultTypes: ["violations"],
    });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
  });
  for (const f of found) failures.push(`axe ${label}: ${f}`);
  return found.length;
};
