// End-to-end test of the phoneprov admin web page in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core). Started by tests/e2e.rs against a running
// server with the golden deployment. Environment:
//   BASE_URL     http://127.0.0.1:PORT of the server
//   ADMIN_TOKEN  the admin token
//   WORK_DIR     a folder for the CSV files
//   SHOTS_DIR    where the screenshots go
// Exits non-zero on the first failed expectation, naming it.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { base, work, expect, run, logIn } from "./lib.mjs";

const header = "extension,display_name,password,label,auth_user,mac,model,site,line\n";
const goodRow = "801,Front Desk,desk-secret-801,Desk,,0004f2e2e001,VVX_400,default,1\n";
const badCsv = join(work, "bad.csv");
const fixedCsv = join(work, "fixed.csv");
writeFileSync(badCsv, header + goodRow + "802,Back Office,office-secret-802,,,not-a-mac,VVX_400,default,1\n");
writeFileSync(fixedCsv, header + goodRow + "802,Back Office,office-secret-802,,,0004f2e2e002,VVX_400,default,1\n");

await run(async (page, { shot, text }) => {
  await logIn(page, text, shot);
  // The dashboard says where phones register and that the defaults follow MAXCS.
  const where = await text("#call-server-text");
  expect(where.includes("register to 10.10.0.5"), `where phones register (got: ${where})`);
  expect((await text("#maxcs-defaults")).includes("SIP port 10060"), "the MAXCS defaults announced");
  await shot("dashboard");

  // Import: one bad row is refused with its line; the fixed file is previewed, then applied.
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await page.setInputFiles("#file", badCsv);
  await page.getByRole("button", { name: "Preview" }).click();
  const problems = await text(".problem");
  expect(problems.includes("line 3 (extension 802), column mac"), `the bad row named by line, extension and column (got: ${problems})`);
  await shot("import-error");
  await page.setInputFiles("#file", fixedCsv);
  await page.getByRole("button", { name: "Preview" }).click();
  expect((await text("#report")).startsWith("Preview"), "a preview");
  await page.getByText("Every change").click();
  expect((await text(".changes")).includes("create extension 802"), "the preview lists the new extension");
  await shot("import-preview");
  await page.getByRole("button", { name: "Apply this import" }).click();
  expect((await text("#report")) === "Imported", "the import applied");

  // Find the phone and preview its extension file: the home call server.
  await page.getByRole("link", { name: "Phones", exact: true }).click();
  await page.getByLabel("MAC or model").fill("0004f2e2e001");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("link", { name: "0004f2e2e001" }).click();
  expect((await text("h1")).includes("0004f2e2e001"), "the phone page");
  await shot("phone");

  // A setting for this phone alone: its page lists it with where it comes from, next to the
  // deployment's admin password, and its settings file carries it.
  await page.getByLabel("Parameter").fill("up.backlight.idleIntensity");
  await page.getByLabel("Value", { exact: true }).fill("1");
  await page.getByRole("button", { name: "Set for this phone" }).click();
  expect((await text(".notice")).includes("Setting up.backlight.idleIntensity saved"), "the setting saved");
  const effective = await page.locator("#effective-settings").innerText();
  expect(/up\.backlight\.idleIntensity\s+1\s+phone 0004f2e2e001/.test(effective),
    `the setting with its origin (got: ${effective})`);
  expect(/device\.auth\.localAdminPassword\s+7391\s+deployment @admin_password/.test(effective),
    `the admin password with its origin (got: ${effective})`);
  await page.getByLabel("Parameter").fill("up.backlight.idleIntensity");
  await page.getByLabel("Value", { exact: true }).fill("7");
  await page.getByRole("button", { name: "Set for this phone" }).click();
  const refusedSetting = await text(".problem");
  expect(refusedSetting.includes("a whole number from 0 to 3"), `a bad value refused (got: ${refusedSetting})`);
  await shot("phone-settings");
  // Its keys: a busy lamp field on 802 is saved and shows as the attendant's parameters; a key
  // beyond the model's keys is refused.
  await page.getByLabel("One key a line: key,type,value,label").fill("1,blf,802,Front");
  await page.getByRole("button", { name: "Save keys" }).click();
  expect((await text(".notice")).includes("Keys saved"), "the keys saved");
  const withKeys = await page.locator("#effective-settings").innerText();
  expect(/attendant\.resourceList\.1\.address\s+802\s+keys/.test(withKeys),
    `the key's parameter with its origin (got: ${withKeys})`);
  await page.getByLabel("One key a line: key,type,value,label").fill("999,blf,802,Front");
  await page.getByRole("button", { name: "Save keys" }).click();
  const refusedKey = await text(".problem");
  expect(refusedKey.includes("beyond"), `a key beyond the model's refused (got: ${refusedKey})`);
  await page.goto(`${base}/admin/phones/0004f2e2e001/files/0004f2e2e001-settings.cfg`);
  const settingsFile = await text("#file-text");
  expect(settingsFile.includes('up.backlight.idleIntensity="1"'), `the settings file (got: ${settingsFile})`);
  await page.goto(`${base}/admin/phones/0004f2e2e001`);
  await page.getByRole("link", { name: "801.cfg" }).click();
  const before = await text("#file-text");
  expect(before.includes('reg.1.server.1.address="10.10.0.5"'), `the home server in 801.cfg (got: ${before})`);
  await shot("preview");

    // The phone boots once (so phoneprov knows its address and can NOTIFY it).
  const boot = await fetch(`${base}/0004f2e2e001.cfg`, {
    headers: { "User-Agent": "FileTransport PolycomVVX-VVX_400-UA/6.4.0.1234" },
  });
  expect(boot.status === 200, `the phone's master file (got ${boot.status})`);

  // Give the site an alternate; exclude every extension, then let 801 follow; switch over after
  // the confirmation.
  await page.goto(`${base}/admin/sites/default`);
  await page.getByLabel("Alternate site").selectOption("branch");
  await page.getByRole("button", { name: "Save servers and alternate" }).click();
  expect((await text(".notice")).includes("saved"), "the site saved");
  await page.getByRole("button", { name: "Exclude every extension" }).click();
  expect((await text(".notice")).includes("is excluded from its switchover"), "every extension excluded");
  await page.getByRole("link", { name: /Switch over to branch/ }).click();
  const none = await text("#moving-none");
  expect(none.includes("excluded from its switchover"), `the confirmation says why none moves (got: ${none})`);
  await page.goto(`${base}/admin/extensions/801`);
  await page.getByLabel("Follows its site's switchover to the alternate site").check();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  expect((await text(".notice")).includes("saved"), "the extension saved");
  await page.goto(`${base}/admin/sites/default`);
  await page.getByRole("link", { name: /Switch over to branch/ }).click();
  const moving = await text("#moving-count");
  expect(moving.startsWith("1 extension(s) will move"), `the confirmation lists what moves (got: ${moving})`);
  expect((await text("tbody")).includes("801"), "801 among those that move");
  await shot("switchover-confirm");
  await page.getByRole("button", { name: "Switch over now" }).click();
  expect((await text(".notice")).includes("switched over"), "switched over");
    expect((await text("#site-state")).includes("Switched over"), "the site shows its state");
    // The push is queued after the change is served; reload until the site page shows it.
  for (let tries = 0; tries < 40 && (await page.locator("#push-summary").count()) === 0; tries++) {
    await page.waitForTimeout(250);
    await page.reload();
  }
  const progress = await text("#push-summary");
  expect(/pending|no answer|acknowledged/.test(progress), `NOTIFY progress shown (got: ${progress})`);
  await shot("site-switched-over");
  await page.goto(`${base}/admin/phones/0004f2e2e001/files/801.cfg`);
  const after = await text("#file-text");
  expect(after.includes('reg.1.server.1.address="10.20.0.5"'), `the alternate's server in 801.cfg (got: ${after})`);
  expect(after.includes('reg.1.server.2.address="10.10.0.5"'), "the home server as backup");
  await shot("preview-switched-over");

});
