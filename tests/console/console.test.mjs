// The admin console in a real browser (Debian's chromium through playwright-core) against a
// real graphmeet server, with axe-core on every page. Started by
// tests/compat/tests/console_browser.rs, which passes the servers and credentials in GM_*
// variables; exits non-zero on the first failure.
import { chromium, request } from "playwright-core";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const env = process.env;
const need = (name) => {
  if (!env[name]) throw new Error(`${name} is not set`);
  return env[name];
};
const shots = need("GM_SCREENSHOTS");
fs.mkdirSync(shots, { recursive: true });

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function step(name, body) {
  const started = Date.now();
  try {
    await body();
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    console.log(`FAIL ${name}: ${e.stack || e}`);
    throw e;
  }
}

/** No serious or critical axe-core violation on the page. */
async function accessible(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ["violations"] })
  );
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const text = bad
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`)
    .join("\n");
  check(bad.length === 0, `axe on ${name}:\n${text}`);
  console.log(`     axe: ${name}: no serious or critical violation (${result.violations.length} minor)`);
}

/** The admin API of a server (each server has its own local CA, which the browser contexts
 * do not trust either: certificate checks are the TLS tests' business, not this one's). */
const api = await request.newContext({ ignoreHTTPSErrors: true });
async function admin(base, key, method, route, body) {
  const r = await api.fetch(base + route, {
    method,
    headers: { "x-graphmeet-admin-key": key, "content-type": "application/json" },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok()) throw new Error(`${method} ${route}: ${r.status()} ${text}`);
  return text ? JSON.parse(text) : null;
}

const cellSelector = (app, user) => `a.cell[href*="app=${app}"][href*="user=${user}"]`;

async function cellState(page, app, user) {
  return page.locator(cellSelector(app, user)).getAttribute("data-state");
}

async function signIn(page, base, key) {
  await page.goto(base + "/console/signin");
  await page.fill("#key", key);
  await Promise.all([page.waitForURL("**/console/matrix"), page.click("button[type=submit]")]);
}

const browser = await chromium.launch({
  executablePath: need("GM_CHROMIUM"),
  args: ["--no-sandbox", "--disable-dev-shm-usage"],
});
let failed = false;
try {
  const base = need("GM_BASE"), key = need("GM_KEY"), tenant = need("GM_TENANT");
  const app = need("GM_APP"), organizer = need("GM_ORGANIZER");
  const second = need("GM_SECOND"), secondUpn = need("GM_SECOND_UPN");
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const matrix = `${base}/console/matrix?tenant=${tenant}`;

  await step("nothing of the console without signing in", async () => {
    await page.goto(matrix);
    check(page.url().endsWith("/console/signin"), `redirected to ${page.url()}`);
    await accessible(page, "sign-in");
  });

  await step("a wrong admin key is refused", async () => {
    await page.fill("#key", "not-the-key");
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/console/signin") && r.request().method() === "POST"),
      page.click("button[type=submit]"),
    ]);
    check(response.status() === 401, `status ${response.status()}`);
    check((await page.textContent("[role=alert]")).includes("not this server's admin key"), "no refusal text");
    await page.goto(matrix);
    check(page.url().endsWith("/console/signin"), "signed in with a wrong key");
  });

  await step("sign in; the dev app is allowed for the organizer", async () => {
    await signIn(page, base, key);
    await page.goto(matrix);
    check((await cellState(page, app, organizer)) === "allowed", "the organizer's cell is not allowed");
    check((await cellState(page, app, second)) === "denied", "the second user's cell is not denied");
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "graphmeet_console");
    check(session && session.httpOnly && session.secure && session.sameSite === "Strict", `cookie ${JSON.stringify(session)}`);
    await page.screenshot({ path: path.join(shots, "matrix.png"), fullPage: true });
    await accessible(page, "matrix");
  });

  await step("a cell opens its explanation, with links to the grant and the policy", async () => {
    await Promise.all([page.waitForURL("**/console/explain**"), page.click(cellSelector(app, organizer))]);
    check((await page.textContent("p.reason")).startsWith("allowed"), "no reason");
    check(await page.locator('a[href*="/console/policies/graphmeet-dev-meetings"]').count() > 0, "no policy link");
    check(await page.locator(`a[href*="#grant-user-${organizer}"]`).count() > 0, "no grant link");
    await accessible(page, "explanation");
  });

  await step("a form posted without its CSRF token is refused", async () => {
    await page.goto(`${base}/console/tenants`);
    await page.fill("#t-name", "Forged");
    await page.evaluate(() => document.querySelector('form[method=post][action="/console/tenants"] input[name=csrf]').remove());
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/console/tenants") && r.request().method() === "POST"),
      page.click('form[method=post][action="/console/tenants"] button[type=submit]'),
    ]);
    check(response.status() === 403, `status ${response.status()}`);
    check((await page.textContent("h1")).includes("Form refused"), "no refusal page");
    const tenants = await admin(base, key, "GET", "/admin/tenants");
    check(tenants.length === 1, "the forged form created a tenant");
  });

  await step("grant the policy to a second user and watch the cell turn allowed", async () => {
    await page.goto(`${base}/console/policies?tenant=${tenant}`);
    await accessible(page, "policies");
    await page.selectOption("#g-policy", "graphmeet-dev-meetings");
    await page.check("#g-kind-user");
    await page.fill("#g-user", secondUpn);
    await Promise.all([page.waitForNavigation(), page.click('#grant button[type=submit]')]);
    const ps = await page.textContent("pre.ps");
    check(ps.includes(`Grant-CsApplicationAccessPolicy -Identity "${secondUpn}" -PolicyName graphmeet-dev-meetings`) ||
      ps.includes("Grant-CsApplicationAccessPolicy"), `PowerShell line: ${ps}`);
    await page.goto(matrix);
    check((await cellState(page, app, second)) === "allowed", "the second user's cell did not turn allowed");
  });

  await step("revoke", async () => {
    await page.goto(`${base}/console/policies?tenant=${tenant}`);
    await Promise.all([page.waitForNavigation(), page.click(`#grant-user-${second} button`)]);
    check((await page.textContent("[role=status]")).includes("Revoked"), "no revocation notice");
    check((await page.textContent("pre.ps")).includes("-PolicyName $null"), "no PowerShell line of the revocation");
    await page.goto(matrix);
    check((await cellState(page, app, second)) === "denied", "the second user's cell is still allowed");
  });

  await step("the audit log's live tail adds entries without a reload", async () => {
    await page.goto(`${base}/console/audit`);
    await page.waitForSelector("#tail-status.live");
    const before = await page.locator("#audit-rows tr").count();
    let navigated = false;
    page.once("framenavigated", () => { navigated = true; });
    await admin(base, key, "POST", "/admin/groups", { tenant, display_name: "Tail watchers" });
    await page.locator("#audit-rows tr", { hasText: "POST /admin/groups" }).first().waitFor({ timeout: 15000 });
    check(!navigated, "the page reloaded");
    check((await page.locator("#audit-rows tr").count()) > before, "no row added");
    check((await page.locator("#audit-rows tr").first().textContent()).includes("POST /admin/groups"), "the new entry is not first");
    await page.screenshot({ path: path.join(shots, "audit.png"), fullPage: true });
    await accessible(page, "audit log");
  });

  await step("every other page passes axe", async () => {
    const users = await admin(base, key, "GET", `/admin/tenants/${tenant}/users`);
    const groups = await admin(base, key, "GET", `/admin/tenants/${tenant}/groups`);
    for (const [name, route] of [
      ["tenants", "/console/tenants"],
      ["users", `/console/users?tenant=${tenant}`],
      ["user", `/console/users/${users[0].id}?tenant=${tenant}`],
      ["groups", `/console/groups?tenant=${tenant}`],
      ["group", `/console/groups/${groups[0].id}?tenant=${tenant}`],
      ["apps", "/console/apps"],
      ["app", `/console/apps/${app}`],
      ["consent", `/console/consent?tenant=${tenant}`],
      ["policy", `/console/policies/graphmeet-dev-meetings?tenant=${tenant}`],
      ["cmdlet runner", `/console/cs?tenant=${tenant}`],
      ["meetings", `/console/meetings?tenant=${tenant}&organizer=${organizer}`],
      ["meeting", `/console/meetings/${encodeURIComponent(need("GM_MEETING"))}?tenant=${tenant}`],
    ]) {
      const r = await page.goto(base + route);
      check(r.status() === 200, `${name}: ${r.status()}`);
      await accessible(page, name);
    }
  });

  await step("an organizer's meetings, searchable by subject", async () => {
    await page.goto(`${base}/console/meetings?tenant=${tenant}`);
    await page.fill("#m-organizer", organizer);
    await page.fill("#m-q", "review");
    await Promise.all([page.waitForNavigation(), page.click('form[role=search] button[type=submit] >> nth=0')]);
    check((await page.textContent("#meetings")).includes("Console review"), "the meeting is not listed");
    await Promise.all([page.waitForNavigation(), page.click("#meetings a")]);
    check((await page.textContent("#resource")).includes('"subject": "Console review"'), "no JSON resource");
    check(await page.locator('a:has-text("the landing page")').count() === 1, "no landing page link");
  });

  await step("the cmdlet runner runs from its text box", async () => {
    await page.goto(`${base}/console/cs?tenant=${tenant}`);
    await page.fill("#script", "Get-CsApplicationAccessPolicy -Identity graphmeet-dev-meetings");
    await Promise.all([page.waitForNavigation(), page.click('form[method=post][action="/console/cs"] button[type=submit]')]);
    check((await page.textContent("#cs-output")).includes("Tag:graphmeet-dev-meetings"), "no output");
  });

  await step("readable on a phone", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(matrix);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 1, `the page scrolls sideways by ${overflow}px (only tables may)`);
    await page.screenshot({ path: path.join(shots, "matrix-phone.png"), fullPage: true });
    await accessible(page, "matrix on a phone");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await step("sign out", async () => {
    await Promise.all([page.waitForURL("**/console/signin"), page.click("form.signout button")]);
    await page.goto(matrix);
    check(page.url().endsWith("/console/signin"), "still signed in");
  });
  await context.close();

  // A server with a 30-minute propagation delay on a manual clock.
  const dbase = need("GM_DELAYED_BASE"), dkey = need("GM_DELAYED_KEY"), dtenant = need("GM_DELAYED_TENANT");
  const dapp = need("GM_DELAYED_APP"), dsecond = need("GM_DELAYED_SECOND"), dsecondUpn = need("GM_DELAYED_SECOND_UPN");
  const delayed = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1280, height: 900 } });
  const dpage = await delayed.newPage();
  const dmatrix = `${dbase}/console/matrix?tenant=${dtenant}`;
  await step("with a 30-minute delay, a grant is pending with the time it takes effect", async () => {
    await signIn(dpage, dbase, dkey);
    await dpage.goto(`${dbase}/console/policies?tenant=${dtenant}`);
    await dpage.selectOption("#g-policy", "graphmeet-dev-meetings");
    await dpage.fill("#g-user", dsecondUpn);
    await Promise.all([dpage.waitForNavigation(), dpage.click('#grant button[type=submit]')]);
    const clock = await admin(dbase, dkey, "GET", "/admin/clock");
    const effective = new Date(Date.parse(clock.now) + 30 * 60 * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
    await dpage.goto(dmatrix);
    check((await cellState(dpage, dapp, dsecond)) === "denied", "allowed before the delay");
    const text = await dpage.textContent(cellSelector(dapp, dsecond));
    check(text.includes("→ allowed") && text.includes(effective), `cell "${text}" does not say allowed at ${effective}`);
    await dpage.screenshot({ path: path.join(shots, "matrix-pending.png"), fullPage: true });
    await admin(dbase, dkey, "POST", "/admin/clock", { advance: "PT20M" });
    await dpage.reload();
    check((await cellState(dpage, dapp, dsecond)) === "denied", "allowed 20 minutes in");
    await admin(dbase, dkey, "POST", "/admin/clock", { advance: "PT10M" });
    await dpage.reload();
    check((await cellState(dpage, dapp, dsecond)) === "allowed", "not allowed once the delay has passed");
  });
  await delayed.close();
} catch (e) {
  failed = true;
} finally {
  await api.dispose();
  await browser.close();
}
process.exit(failed ? 1 : 0);
