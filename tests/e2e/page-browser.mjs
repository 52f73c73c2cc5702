// SPDX-License-Identifier: GPL-3.0-or-later
// A person at a real browser (Debian's Chromium, headless, driven by playwright-core): opens an approval
// page, reads it, and presses one of its answers, as a person would, with the keyboard.
// Prints one JSON line: what the page said before and after, its HTTP statuses, any script that ran.
// Usage: node page-browser.mjs LINK [ANSWER-LABEL] [--sign-in LINK] [--screenshot FILE] [--dark] [--from-other-site]
//   --sign-in LINK  first opens a link Gatehouse gave the person (not the agent), as a person would once
//   ANSWER-LABEL  the button to press ("Allow once", "Deny", …); none: only read the page
//   --from-other-site  a page on another origin that knows the link posts an answer to it (a CSRF try)
import { chromium } from 'playwright-core';
import http from 'node:http';

const argv = process.argv.slice(2);
const flag = (name) => {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const [, value] = argv.splice(i, 2);
  return value ?? true;
};
const screenshot = flag('--screenshot');
const signIn = flag('--sign-in'); // an answer link the person got from Gatehouse, opened first
const dark = argv.includes('--dark') && argv.splice(argv.indexOf('--dark'), 1);
const otherSite = argv.includes('--from-other-site') && argv.splice(argv.indexOf('--from-other-site'), 1);
const [link, answer] = argv;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
const out = {};
try {
  const context = await browser.newContext({
    viewport: { width: 720, height: 900 },
    colorScheme: dark ? 'dark' : 'light',
  });
  const page = await context.newPage();
  out.dialogs = [];
  page.on('dialog', async (d) => { out.dialogs.push(d.message()); await d.dismiss(); });
  out.consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') out.consoleErrors.push(m.text()); });

  if (signIn) out.signInStatus = (await page.goto(signIn)).status();
  if (otherSite) {
    // Another origin on loopback that serves a form aimed at the link, submitted on load.
    const evil = http.createServer((req, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.end(`<form id=f method=post action="${link}"><input name=decision value=allow-once></form>` +
              '<script>document.getElementById("f").submit()</script>');
    });
    await new Promise((done) => evil.listen(0, '127.0.0.1', done));
    const responses = [];
    page.on('response', (r) => { if (r.request().method() === 'POST') responses.push(r.status()); });
    await page.goto(`http://127.0.0.1:${evil.address().port}/`);
    await page.waitForLoadState('load');
    for (let i = 0; i < 50 && responses.length === 0; i++) await page.waitForTimeout(100);
    out.postStatuses = responses;
    out.after = await page.locator('body').innerText().catch(() => '');
    evil.close();
  } else {
    const first = await page.goto(link);
    out.status = first.status();
    out.title = await page.title();
    out.before = await page.locator('body').innerText();
    out.buttons = await page.locator('button').allInnerTexts();
    out.headers = first.headers();
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    if (answer) {
      // Keyboard only: Tab to the answer, then Enter.
      const target = page.getByRole('button', { name: answer, exact: true });
      await target.focus();
      const [response] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      out.afterStatus = response.status();
      out.after = await page.locator('body').innerText();
      out.afterButtons = await page.locator('button').allInnerTexts();
      if (screenshot) await page.screenshot({ path: screenshot.replace(/\.png$/, '-after.png'), fullPage: true });
    }
  }
} catch (e) {
  out.error = String(e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
