// What the end-to-end scripts share: the environment, launching Debian's Chromium through
// playwright-core, logging in, reading text with a useful failure, screenshots, and checking that
// no request left the server.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

export const base = process.env.BASE_URL;
export const token = process.env.ADMIN_TOKEN;
export const work = process.env.WORK_DIR;
export const shots = process.env.SHOTS_DIR;
mkdirSync(shots, { recursive: true });

export function expect(condition, what) {
  if (!condition) {
    throw new Error(`expected: ${what}`);
  }
}

// Runs `steps(page, helpers)` in a fresh browser; exits non-zero naming the first failure.
export async function run(steps) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  const requests = [];
  let failed = false;
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    context.on("request", (request) => requests.push(request.url()));
    const page = await context.newPage();
    page.on("dialog", (dialog) => dialog.accept());
    const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    const text = async (selector) => {
      try {
        return (await page.locator(selector).first().textContent({ timeout: 10000 })) || "";
      } catch (error) {
        const main = ((await page.locator("main").first().textContent()) || "").replace(/\s+/g, " ");
        throw new Error(`no ${selector} on ${page.url()}: ${main.slice(0, 600)}`);
      }
    };
    await steps(page, { shot, text });
    const foreign = requests.filter((url) => !url.startsWith(`${base}/`));
    expect(foreign.length === 0, `no request to another host (got: ${foreign.join(", ")})`);
    expect(requests.some((url) => url.endsWith("/admin/static/admin.css")), "the stylesheet loaded");
    console.log(`ok: ${requests.length} requests, all to ${base}`);
  } catch (error) {
    failed = true;
    console.error(`e2e failed: ${error.message}`);
  } finally {
    await browser.close();
  }
  process.exit(failed ? 1 : 0);
}

// Logs in with the admin token and lands on the dashboard.
export async function logIn(page, text, shot) {
  await page.goto(`${base}/admin`);
  expect(page.url().endsWith("/admin/login"), "the login page first");
  await page.getByLabel("Admin token").fill(token);
  if (shot) {
    await shot("login");
  }
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(`${base}/admin`);
  expect((await text("h1")) === "Dashboard", "the dashboard after login");
}
