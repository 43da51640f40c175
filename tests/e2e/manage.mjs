// End-to-end test of running a deployment from the admin web page alone, in headless Chromium
// (see lib.mjs): add a site and change its settings (a bad value saves nothing), add an
// extension (a bad number is named), the extension form's all-or-nothing save with the failing
// rule named, add a phone and see its file, delete the phone and the extension, and a phone
// that boots unknown lands in the unassigned inbox, is adopted there, then boots with its files.
import { base, expect, run, logIn } from "./lib.mjs";

const polycomAgent = { "User-Agent": "FileTransport PolycomVVX-VVX_400-UA/6.4.0.1234" };

await run(async (page, { shot, text }) => {
  await logIn(page, text);

  // A new site, then its settings.
  await page.getByRole("link", { name: "Sites", exact: true }).click();
  await page.getByLabel("Name (letters, digits, - and _)").fill("west");
  await page.getByLabel(/^Call servers, one a line/).fill("10.40.0.5");
  await shot("site-add");
  await page.getByRole("button", { name: "Add site" }).click();
  expect((await text(".notice")).includes("Site west added"), "the site added");
  expect((await text("h1")) === "Site west", "the new site's page");
  await page.getByLabel(/^Time zone/).fill("Europe/Berlin");
  await page.getByLabel("Digits in an extension number").selectOption("4");
  await page.getByLabel(/^Emergency numbers/).fill("112");
  await page.getByRole("button", { name: "Save settings" }).click();
  expect((await text(".notice")).includes("Settings of site west saved"), "the settings saved");
  expect((await page.getByLabel(/^Time zone/).inputValue()) === "Europe/Berlin", "the time zone kept");
  expect((await page.getByLabel("Digits in an extension number").inputValue()) === "4", "4-digit extensions");
  // One bad field refuses the whole form: the good change beside it is not saved either.
  await page.getByLabel("SNTP server").fill("ntp.west.example");
  await page.getByLabel(/^Daily re-check/).fill("25:99");
  await page.getByRole("button", { name: "Save settings" }).click();
  const refusedSite = await text(".problem");
  expect(refusedSite.includes("recheck"), `the bad field named (got: ${refusedSite})`);
  await shot("site-settings-refused");
  await page.goto(`${base}/admin/sites/west`);
  expect((await page.getByLabel("SNTP server").inputValue()) !== "ntp.west.example", "nothing of the refused form saved");
  await shot("site-settings");

  // A new extension; a bad number is named.
  await page.getByRole("link", { name: "Extensions", exact: true }).click();
  await page.getByLabel("Number", { exact: true }).fill("85x");
  await page.getByLabel("Display name").fill("Lobby");
  await page.getByRole("button", { name: "Add extension" }).click();
  const badNumber = await text(".problem");
  expect(badNumber.includes("Extension not added") && badNumber.includes("number"), `the bad number named (got: ${badNumber})`);
  await page.getByLabel("Number", { exact: true }).fill("8500");
  await page.getByLabel("Display name").fill("Lobby");
  await page.getByLabel("Site", { exact: true }).selectOption("west");
  await page.getByRole("button", { name: "Add extension" }).click();
  expect((await text(".notice")).includes("Extension 8500 added"), "the extension added");

  // A new extension follows its site's switchover unless excluded.
  expect(await page.getByLabel("Follows its site's switchover to the alternate site").isChecked(), "following by default");
  // All or nothing: a new name, the exclusion and a SIP user that is not one.
  await page.getByLabel("Display name").fill("Lobby Phone");
  await page.getByLabel("Follows its site's switchover to the alternate site").uncheck();
  await page.getByLabel("SIP user (empty: the number)").fill("bob smith");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  const refusedForm = await text(".problem");
  expect(refusedForm.includes("Nothing was saved"), `the page says nothing was saved (got: ${refusedForm})`);
  expect(refusedForm.includes("is not a SIP user name"), `the failing field named (got: ${refusedForm})`);
  await shot("extension-refused");
  await page.goto(`${base}/admin/extensions/8500`);
  expect((await page.getByLabel("Display name").inputValue()) === "Lobby", "the name was not saved either");
  expect(await page.getByLabel("Follows its site's switchover to the alternate site").isChecked(), "nor the exclusion");

  // A new phone with the extension; its file names the site's call server.
  await page.getByRole("link", { name: "Phones", exact: true }).click();
  await page.getByLabel("MAC address (any notation)").fill("00-04-f2-e2-e0-c1");
  await page.getByLabel("Model", { exact: true }).selectOption("VVX_400");
  await page.getByLabel("Extension on line key 1").fill("8500");
  await shot("phone-add");
  await page.getByRole("button", { name: "Add phone" }).click();
  expect((await text(".notice")).includes("added with extension 8500"), "the phone added");
  await page.getByRole("link", { name: "8500.cfg" }).click();
  const file = await text("#file-text");
  expect(file.includes('reg.1.server.1.address="10.40.0.5"'), `the new site's server (got: ${file})`);

  // Delete the phone, then the extension.
  await page.goto(`${base}/admin/phones/0004f2e2e0c1`);
  await page.getByRole("button", { name: "Delete phone" }).click();
  expect((await text(".notice")).includes("deleted"), "the phone deleted");
  const gone = await fetch(`${base}/0004f2e2e0c1.cfg`, { headers: polycomAgent });
  expect(gone.status === 404, `the deleted phone gets nothing (got ${gone.status})`);
  await page.goto(`${base}/admin/extensions/8500`);
  await page.getByRole("button", { name: "Delete extension" }).click();
  expect((await text(".notice")).includes("Extension 8500 deleted"), "the extension deleted");
  await page.getByLabel("Number or name").fill("8500");
  await page.getByRole("button", { name: "Search" }).click();
  expect((await text("main")).includes("0 extension(s)"), "no extension 8500 any more");

  // A phone boots unknown: it lands in the inbox; adopted there, it boots with its files.
  const unknown = await fetch(`${base}/0004f2e2e0d1.cfg`, { headers: polycomAgent });
  expect(unknown.status === 404, `an unknown phone gets nothing (got ${unknown.status})`);
  await page.getByRole("link", { name: "Extensions", exact: true }).click();
  await page.getByLabel("Number", { exact: true }).fill("8510");
  await page.getByLabel("Display name").fill("Reception");
  await page.getByLabel("Site", { exact: true }).selectOption("west");
  await page.getByRole("button", { name: "Add extension" }).click();
  expect((await text(".notice")).includes("Extension 8510 added"), "the extension for the new phone");
  await page.getByRole("link", { name: "Unassigned", exact: true }).click();
  const inbox = await text("#unassigned");
  expect(inbox.includes("0004f2e2e0d1") && inbox.includes("VVX_400") && inbox.includes("6.4.0.1234"),
    `the unknown phone with its model and firmware (got: ${inbox})`);
  // The deleted phone asked again, so it is here too, in a row of its own.
  expect(inbox.includes("0004f2e2e0c1"), "the deleted phone that asked again");
  const row = page.getByRole("row", { name: /0004f2e2e0d1/ });
  await row.getByLabel("Extension on key 1").fill("8510");
  await shot("unassigned");
  await page.getByRole("button", { name: "Adopt 0004f2e2e0d1" }).click();
  expect((await text(".notice")).includes("adopted"), "the phone adopted");
  expect((await text("main")).includes("VVX_400"), "its model from its user agent");
  await shot("phone-adopted");
  const master = await fetch(`${base}/0004f2e2e0d1.cfg`, { headers: polycomAgent });
  expect(master.status === 200, `the adopted phone's master file (got ${master.status})`);
  const own = await fetch(`${base}/8510.cfg`, { headers: polycomAgent });
  const ownText = await own.text();
  expect(own.status === 200 && ownText.includes('reg.1.server.1.address="10.40.0.5"'),
    `its extension file (got ${own.status}: ${ownText.slice(0, 200)})`);
  await page.getByRole("link", { name: "Unassigned", exact: true }).click();
  const after = await text("#unassigned");
  expect(!after.includes("0004f2e2e0d1") && after.includes("0004f2e2e0c1"), `only the adopted phone left (got: ${after})`);
  await page.getByRole("row", { name: /0004f2e2e0c1/ }).getByRole("button", { name: "Dismiss" }).click();
  expect((await text(".notice")).includes("dismissed"), "the other dismissed");
  expect((await text("main")).includes("None: every phone"), "the inbox empty again");
});
