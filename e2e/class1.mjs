// The class-1 track in a real browser, as the demo Information Manager takes it:
// sign in, apply, self-check, approve, register in the ledger, add two official accounts,
// be refused a private one, retire. Screenshots go to $GAIBU_SHOTS.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { axeCheck, base, launch, signIn } from "./lib.mjs";

const shots = process.env.GAIBU_SHOTS || "shots";
mkdirSync(shots, { recursive: true });

const browser = await launch();
const failures = [];
try {
  const context = await browser.newContext({ locale: "ja-JP", viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  // Confirmations: every one is counted, and accepted.
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.accept(); });
  page.on("pageerror", (e) => failures.push(`page error: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error") failures.push(`console: ${m.text()}`); });
  // Every step's page is checked by axe-core as the screenshot is taken.
  const shot = async (name) => {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    await axeCheck(page, name, failures);
  };
  const expectText = async (selector, text) => {
    const t = await page.locator(selector).first().innerText();
    if (!t.includes(text)) throw new Error(`${selector}: expected "${text}", got "${t}"`);
  };

  // A member of staff applies and answers the class-1 sheet; every step is confirmed.
  await page.goto(`${base}/`);
  await page.fill("#login", "staff");
  await page.fill("#password", "gaibu-demo");
  await page.click("#login-submit");
  await expectText("#current-user", "職員 一郎");
  await shot("01-home");

  // Apply.
  await page.click("#new-application");
  await page.fill("#service_name", "ブラウザ会議サービス");
  await page.fill("#provider", "株式会社ブラウザ");
  await page.fill("#url", "https://browser-meeting.example.com");
  await page.fill("#purpose", "庁外の事業者との打合せ");
  await page.fill("#user_scope", "市民課の職員に限る");
  await page.check('input[name="confidentiality"][value="1"]');
  await page.check('input[name="integrity"][value="1"]');
  await page.check('input[name="availability"][value="1"]');
  await page.fill("#data_locations", "日本");
  await page.fill("#governing_law", "日本法");
  await page.fill("#court", "神戸地方裁判所");
  await page.fill("#tos_url", "https://browser-meeting.example.com/terms");
  await page.fill("#tos_version", "2026年10月版");
  await shot("02-application-form");
  await page.click("#save-application");
  await page.waitForURL(/\/applications\/\d+$/);
  await expectText("#application-state", "作成中");
  await page.waitForSelector("#flash");

  // Self-check: every item met.
  await page.click("#open-self-check");
  for (const radio of await page.locator('input[type="radio"][value="yes"]').all()) await radio.check();
  for (const select of await page.locator('#self-check-form select').all()) {
    const first = await select.locator("option:not([value=''])").first().getAttribute("value");
    await select.selectOption(first);
  }
  for (const date of await page.locator('#self-check-form input[type="date"]').all()) await date.fill("2026-11-01");
  for (const area of await page.locator("#self-check-form textarea").all()) await area.fill("確認済み");
  await shot("03-self-check");
  await page.click("#save-self-check");
  await page.waitForSelector("#flash");
  // The procurement record, checked at self-approval (S4.3a–b): used under its terms.
  await page.click("#open-procurement");
  await page.check('input[name="procured"][value="no"]');
  await page.click("#save-procurement");
  await page.waitForSelector("#flash");
  await page.waitForSelector("#sheet-ready");

  // The Information Manager finds it waiting on their home page (確認待ち) and approves:
  // the approver becomes the administrator (S3.3).
  await signIn(page, "im");
  await expectText("#current-user", "情報 太郎");
  await page.click('#queue-confirm a:has-text("ブラウザ会議サービス")');
  await page.waitForSelector("#approve");
  const before = dialogs.length;
  await page.click("#approve");
  await page.waitForURL(/\/services\/\d+$/);
  await expectText("#administrator", "情報 太郎");
  await expectText("#ledger-status", "台帳未登録");
  await page.waitForSelector("#flash");
  if (dialogs.length !== before + 1) throw new Error("approval was not confirmed once");

  // Ledger.
  await page.click("#register-ledger");
  await page.waitForSelector("#ledger-status:has-text('稼働中')");

  // Two official accounts (the form is swapped in place by htmx), then a private one.
  for (const [id, pos] of [["bm-admin@city.example.lg.jp", "係長"], ["bm-shared@city.example.lg.jp", "庶務係"]]) {
    await page.fill("#account_id", id);
    await page.fill("#holder_position", pos);
    await page.fill("#account_purpose", "打合せ");
    await page.click("#add-account");
    await page.waitForSelector(`#accounts-table td:has-text("${id}")`);
  }
  await page.fill("#account_id", "browser.user@gmail.com");
  await page.fill("#holder_position", "主事");
  await page.fill("#account_purpose", "個人で利用");
  await page.click("#add-account");
  await page.waitForSelector('.field-error[data-field="account_id"]');
  await expectText('.field-error[data-field="account_id"]', "私用アカウントは登録できません");
  await shot("04-accounts");

  // Retire.
  await page.fill("#reason", "契約終了のため");
  await page.click("#retire");
  await page.waitForSelector("#ledger-status:has-text('廃止済み')");
  await page.waitForSelector("#history");
  await shot("05-retired");

  console.log("class-1 track done");

  // The class-2+ track's review: the demo's submitted application, returned by the ISM with a
  // comment, revised and resubmitted by its applicant, then approved.
  // The ISM starts from the work queue on their home page (審査待ち).
  const openReview = async () => {
    await page.goto(`${base}/`);
    await page.click('#queue-review a:has-text("オンライン予約サービス（デモ）")');
    await page.waitForSelector("#review-form");
  };
  await signIn(page, "ism");
  await page.waitForSelector("#unread-count");
  await openReview();
  await page.fill('input[name="comment.evaluation.sla"]', "RTOを明記してください");
  await page.check('input[name="decision"][value="return"]');
  // Returning without a reason: the browser's own check stops it before any confirmation,
  // and the typed comment stays.
  const asked = dialogs.length;
  await page.click("#decide");
  await page.waitForTimeout(300);
  if (dialogs.length !== asked) throw new Error("confirmation asked before the form was checked");
  if (!(await page.locator("#reason:invalid").count())) throw new Error("an empty reason passed");
  await page.fill("#reason", "SLAの記載が不足しています");
  await shot("06-ism-review");
  await page.click("#decide");
  await page.waitForSelector("#returned-notice");
  if (dialogs.length !== asked + 1 || !dialogs.at(-1).includes("差し戻")) {
    throw new Error(`returning was not confirmed once: ${dialogs.slice(asked).join(" / ")}`);
  }
  await expectText("#flash", "");

  // The applicant finds it returned on their home page (差戻し).
  await signIn(page, "bsm");
  await page.click('#queue-returned a:has-text("オンライン予約サービス（デモ）")');
  await expectText("#returned-notice", "SLAの記載が不足しています");
  await expectText("#rounds", "RTOを明記してください");
  await page.click("#open-evaluation");
  await page.fill("#ev-sla", "稼働率99.9%、RTO 4時間");
  await page.click("#save-evaluation");
  await page.waitForSelector("#sheet-ready");
  await page.click("#submit-application");
  await page.waitForSelector("#submitted-notice");

  await signIn(page, "ism");
  await openReview();
  await page.check('input[name="decision"][value="approve"]');
  await page.click("#decide");
  await page.waitForSelector("#service-link");
  await expectText("#application-state", "承認済み");
  await page.goto(`${base}/register`);
  await expectText("#register", "オンライン予約サービス（デモ）");
  await shot("07-register");

  if (failures.length) throw new Error(failures.join("\n"));
  console.log("class-2 review done");

  // The class-2 end of use (S7.1): the administrator (bsm) enters it in the ledger, applies
  // to the ISM for its termination, the ISM accepts, the ledger and the register end, the data
  // is made unrecoverable by deleting its key (S3.7-3), the end-of-use measures are recorded.
  const today = new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Tokyo" });
  await page.goto(`${base}/register`);
  await page.click('#register a:has-text("オンライン予約サービス（デモ）")');
  const serviceHref = await page.locator('a[href^="/services/"]').first().getAttribute("href");
  const service = `${base}${serviceHref.replace(/#.*$/, "")}`;
  await signIn(page, "bsm");
  await page.goto(service);
  await page.fill("#registered_on", today);
  await page.click("#register-ledger");
  await expectText("#ledger-status", "構築中");
  const termination = `${service}/termination`;
  await page.goto(termination);
  await page.fill("#reason", "予約受付を新システムへ統合するため");
  await page.fill("#planned_end_on", today);
  await page.click("#request-termination");
  await page.waitForSelector("#decision-reason, #step-ledger, #request-form", { state: "attached" });

  await signIn(page, "ism");
  await page.goto(termination);
  await page.check('input[name="decision"][value="accept"]');
  await page.click("#decide-termination");
  await page.waitForSelector("#step-ledger");

  await signIn(page, "bsm");
  await page.goto(termination);
  await page.fill("#ledger_on", today);
  await page.click("#retire-ledger");
  await expectText("#ledger-status", "廃止済み");

  await signIn(page, "ism");
  await page.goto(termination);
  await page.fill("#register_on", today);
  await page.click("#end-register");
  // Dates read the Japanese way on the page (2026年11月29日).
  const [y, m, d] = today.split("-").map(Number);
  await expectText("#step-register", `${y}年${m}月${d}日`);

  await signIn(page, "bsm");
  await page.goto(termination);
  await page.selectOption("#method", "key_deletion");
  await page.fill("#disposed_on", today);
  await page.fill("#key_reference", "KMS鍵 booking-prod の削除記録（作業番号 2026-118）");
  if (await page.locator('input[name="stored_encrypted"]').count()) {
    await page.check('input[name="stored_encrypted"][value="yes"]');
  }
  await page.click("#record-disposal");
  await page.waitForSelector("#stored-encrypted, #step-disposal", { state: "attached" });
  for (const sel of await page.locator('select[name^="status."]').all()) {
    await sel.selectOption("implemented");
  }
  await page.click("#record-measures");
  await page.waitForSelector("#complete-termination");
  await shot("08-termination");
  await page.click("#complete-termination");
  await page.waitForSelector("#completed");
  await shot("09-terminated");
  if (failures.length) throw new Error(failures.join("\n"));
  console.log("class-2 termination done");
} finally {
  await browser.close();
}
