// End-to-end test of a whole new deployment run from the admin web page alone (issue 32), in
// headless Chromium (see lib.mjs): two sites, one the other's alternate, with a VLAN for a
// site's phones and codecs for a model; an import of a spreadsheet's CSV (CRLF line ends) whose
// bad row is named by its real line and extension, then applied; a phone adopted from the inbox
// onto a number that did not exist yet; a busy lamp key; an extension left out of the company
// directory; the whole branch switched over and back; and the dashboard's lists of the phones
// that booted and of the one that failed (a firmware image missing).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { base, work, expect, run, logIn } from "./lib.mjs";

const agent = { "User-Agent": "FileTransport PolycomVVX-VVX_411-UA/6.4.6.2010" };
const crlf = (lines) => lines.join("\r\n") + "\r\n";
const header = "extension,display_name,mac,model,site";
const badCsv = join(work, "north-bad.csv");
const goodCsv = join(work, "north.csv");
writeFileSync(badCsv, crlf([header, "7101,Ann Lee,0004f2e71101,VVX_411,north", "7102,Bob Roe,zz-not-a-mac,VVX_411,north"]));
writeFileSync(goodCsv, crlf([header, "7101,Ann Lee,0004f2e71101,VVX_411,north", "7102,Bob Roe,0004f2e71102,VVX_411,north"]));

await run(async (page, { shot, text }) => {
  await logIn(page, text);

  // Two sites: the branch and its disaster-recovery site.
  for (const [name, server] of [["north-dr", "10.60.0.5"], ["north", "10.50.0.5"]]) {
    await page.getByRole("link", { name: "Sites", exact: true }).click();
    await page.getByLabel("Name (letters, digits, - and _)").fill(name);
    await page.getByLabel(/^Call servers, one a line/).fill(server);
    await page.getByRole("button", { name: "Add site" }).click();
    expect((await text(".notice")).includes(`Site ${name} added`), `site ${name} added`);
  }
  await page.getByLabel("Alternate site").selectOption("north-dr");
  await page.getByRole("button", { name: "Save servers and alternate" }).click();
  expect((await text(".notice")).includes("saved"), "the alternate saved");
  // A VLAN for every phone of the site, from its page.
  await page.fill("#site-parameter", "@vlan");
  await page.fill("#site-value", "50");
  await page.getByRole("button", { name: "Set for this site" }).click();
  expect((await text(".notice")).includes("Setting @vlan saved"), "the site's VLAN saved");
  expect((await text("#site-phone-settings")).includes("50"), "listed on the site page");
  // Codecs for a model, from the settings page.
  await page.locator("nav[aria-label=Main]").getByRole("link", { name: "Settings", exact: true }).click();
  await page.selectOption("#scope", "model");
  await page.fill("#target", "VVX_411");
  await page.fill("#parameter", "@codecs");
  await page.fill("#value", "G722,PCMU");
  await page.getByRole("button", { name: "Save setting" }).click();
  expect((await text(".notice")).includes("Setting @codecs saved"), "the model's codecs saved");
  expect((await text("#settings-table")).includes("VVX_411"), "listed on the settings page");
  await shot("settings-page");

  // A spreadsheet's CSV (CRLF): the bad row is named by its real line and its extension.
  await page.getByRole("link", { name: "Import", exact: true }).click();
  await page.setInputFiles("#file", badCsv);
  await page.getByRole("button", { name: "Preview" }).click();
  const problems = await text(".problem");
  expect(problems.includes("line 3") && problems.includes("7102") && problems.includes("mac"),
    `the bad row named by line, extension and column (got: ${problems})`);
  await page.setInputFiles("#file", goodCsv);
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByRole("button", { name: "Apply this import" }).click();
  expect((await text("#report")) === "Imported", "the import applied");

  // A phone of the building boots unknown; adopted onto a new number, which is created.
  const unknown = await fetch(`${base}/0004f2e71103.cfg`, { headers: agent });
  expect(unknown.status === 404, `an unknown phone gets nothing (got ${unknown.status})`);
  await page.getByRole("link", { name: "Unassigned", exact: true }).click();
  const row = page.getByRole("row", { name: /0004f2e71103/ });
  expect((await row.innerText()).includes("VVX_411"), "its model from its user agent");
  await row.getByLabel("Extension on key 1").fill("7103");
  await row.getByLabel(/^Display name/).fill("Carol Poe");
  await row.getByLabel("Its site").selectOption("north");
  await page.getByRole("button", { name: "Adopt 0004f2e71103" }).click();
  expect((await text(".notice")).includes("adopted"), "the phone adopted");
  const adopted = await fetch(`${base}/0004f2e71103.cfg`, { headers: agent });
  expect(adopted.status === 200, `the adopted phone's master file (got ${adopted.status})`);
  const own = await fetch(`${base}/7103.cfg`, { headers: agent });
  const ownText = await own.text();
  expect(own.status === 200 && ownText.includes('reg.1.server.1.address="10.50.0.5"'),
    `the created extension's file names its site's server (got ${own.status}: ${ownText.slice(0, 200)})`);

  // A busy lamp key on Ann's phone for Bob; the site's VLAN reaches it.
  await page.goto(`${base}/admin/phones/0004f2e71101`);
  await page.getByLabel("One key a line: key,type,value,label").fill("2,blf,7102,Bob");
  await page.getByRole("button", { name: "Save keys" }).click();
  expect((await text(".notice")).includes("Keys saved"), "the keys saved");
  const effective = await page.locator("#effective-settings").innerText();
  expect(/device\.net\.vlanId\s+50\s+site north/.test(effective), `the site's VLAN (got: ${effective})`);

  // Bob is left out of the company directory.
  await page.goto(`${base}/admin/extensions/7102`);
  expect(await page.getByLabel("Listed in the company directory phones get").isChecked(), "listed by default");
  await page.getByLabel("Listed in the company directory phones get").uncheck();
  await page.getByRole("button", { name: "Save directory listing" }).click();
  expect((await text(".notice")).includes("left out of the company directory"), "left out");
  expect(!(await page.getByLabel("Listed in the company directory phones get").isChecked()), "shown unticked");

  // The whole branch switches over to its alternate, then back.
  await page.goto(`${base}/admin/sites/north`);
  await page.getByRole("link", { name: /Switch over to north-dr/ }).click();
  const moving = await text("#moving-count");
  expect(moving.startsWith("3 extension(s) will move"), `the whole branch moves (got: ${moving})`);
  await page.getByRole("button", { name: "Switch over now" }).click();
  expect((await text("#site-state")).includes("Switched over"), "switched over");
  await page.goto(`${base}/admin/phones/0004f2e71101/files/7101.cfg`);
  const over = await text("#file-text");
  expect(over.includes('reg.1.server.1.address="10.60.0.5"'), `the alternate's server (got: ${over})`);
  await page.goto(`${base}/admin/sites/north`);
  await page.getByRole("link", { name: /Switch back/ }).click();
  await page.getByRole("button", { name: "Switch back now" }).click();
  expect((await text("#site-state")).includes("Home"), "back home");
  await page.goto(`${base}/admin/phones/0004f2e71101/files/7101.cfg`);
  const back = await text("#file-text");
  expect(back.includes('reg.1.server.1.address="10.50.0.5"'), `the home server again (got: ${back})`);

  // The phones boot; Ann's asks for a firmware image the folder lacks.
  for (const mac of ["0004f2e71102", "0004f2e71101"]) {
    const master = await fetch(`${base}/${mac}.cfg`, { headers: agent });
    expect(master.status === 200, `${mac} boots (got ${master.status})`);
  }
  const image = await fetch(`${base}/uc6/sip.ld`, { headers: agent });
  expect(image.status === 404, `no image in the folder (got ${image.status})`);

  // The dashboard: which phones failed, and which booted.
  await page.getByRole("link", { name: "Dashboard", exact: true }).click();
  const failed = await text("#failed-phones");
  expect(failed.includes("0004f2e71101") && failed.includes("firmware image missing") && failed.includes("uc6/sip.ld"),
    `Ann's phone among those that failed (got: ${failed})`);
  await shot("dashboard-failed");
  await page.click("#tile-failed");
  const failing = await text("main");
  expect(failing.includes("1 phone(s) with a recent failure") && failing.includes("0004f2e71101"),
    `the failed phones' list (got: ${failing.slice(0, 400)})`);
  // Last seen is saved in batches: the booted list fills within a few seconds.
  await page.getByRole("link", { name: "Dashboard", exact: true }).click();
  await page.click("#tile-seen-hour");
  for (let tries = 0; tries < 40 && !(await text("#phone-count")).startsWith("3 phone(s)"); tries++) {
    await page.waitForTimeout(250);
    await page.reload();
  }
  const booted = await text("main");
  expect(booted.includes("3 phone(s) seen in the last hour"), `the booted phones' list (got: ${booted.slice(0, 400)})`);
  for (const mac of ["0004f2e71101", "0004f2e71102", "0004f2e71103"]) {
    expect(booted.includes(mac), `${mac} booted`);
  }
  await shot("phones-booted");
});
