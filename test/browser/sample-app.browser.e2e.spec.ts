import type { INestApplication } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startSampleApp } from '../sample-app/sample-app-harness.js';
import { USER_AGENTS } from '../sample-app/sample-client.js';
import { launchChromium } from './chromium.js';

/** Where the screenshot goes; docs/sample-app.png in the README is a copy of one. */
const SCREENSHOT = '.test-results/sample-app.png';

describe('sample app in Chromium', () => {
  let app: INestApplication;
  let browser: Browser;
  let url: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    app = await startSampleApp({});
    url = await app.getUrl();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
    await app?.close();
  });

  async function openDevice(userAgent: string): Promise<Page> {
    const context = await browser.newContext({ userAgent, viewport: { width: 390, height: 844 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(url);
    await page.getByTestId('login-form').waitFor();
    return page;
  }

  async function signIn(page: Page): Promise<void> {
    await page.fill('#username', 'alice');
    await page.fill('#password', 'alice-password');
    await page.getByTestId('login').click();
    await page.getByTestId('who').filter({ hasText: 'Signed in as alice' }).waitFor();
  }

  it('signs in, fills the cart, counts, and revokes a second device', async () => {
    const laptop = await openDevice(USER_AGENTS.macChrome);
    await signIn(laptop);

    await laptop.fill('#sku', 'book-42');
    await laptop.fill('#qty', '2');
    await laptop.getByTestId('add-to-cart').click();
    await laptop.locator('#cart li[data-sku="book-42"]').filter({ hasText: '× 2' }).waitFor();

    for (let i = 0; i < 3; i++) await laptop.getByTestId('increment').click();
    await laptop.getByTestId('counter').filter({ hasText: /^3$/ }).waitFor();

    const phone = await openDevice(USER_AGENTS.iphoneSafari);
    await signIn(phone);

    await laptop.reload();
    await laptop.locator('#devices li[data-handle]').nth(1).waitFor();
    expect(await laptop.locator('#devices li[data-handle]').count()).toBe(2);
    await laptop
      .locator('#devices li', { hasText: 'Safari 17 on iOS' })
      .getByTestId('revoke')
      .click();
    await laptop
      .locator('#devices li', { hasText: 'Safari 17 on iOS' })
      .waitFor({ state: 'detached' });

    await phone.reload();
    await phone.getByTestId('who').filter({ hasText: 'Not signed in' }).waitFor();

    // The laptop kept its cart and counter after the reloads.
    await laptop.locator('#cart li[data-sku="book-42"]').waitFor();
    await laptop.getByTestId('counter').filter({ hasText: /^3$/ }).waitFor();
    mkdirSync('.test-results', { recursive: true });
    await laptop.screenshot({ path: SCREENSHOT, fullPage: true });
  });
});

describe('sample app in Chromium with token rotation', () => {
  let app: INestApplication;
  let browser: Browser;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    app = await startSampleApp({
      SESSION_ROTATION_INTERVAL_MS: '1000',
      SESSION_ROTATION_GRACE_MS: '5000',
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await app?.close();
  });

  it('keeps working after the token rotated: the page fetches the new CSRF token once', async () => {
    context = await browser.newContext({ userAgent: USER_AGENTS.macChrome });
    const page = await context.newPage();
    const increments: number[] = [];
    page.on('response', (response) => {
      if (response.url().endsWith('/api/counter/increment')) increments.push(response.status());
    });
    await page.goto(await app.getUrl());
    await page.fill('#username', 'alice');
    await page.fill('#password', 'alice-password');
    await page.getByTestId('login').click();
    await page.getByTestId('who').filter({ hasText: 'Signed in as alice' }).waitFor();
    await page.getByTestId('increment').click();
    await page.getByTestId('counter').filter({ hasText: /^1$/ }).waitFor();

    // Past the rotation interval, a request of the page's own replaces the session token; the
    // CSRF token the page holds belongs to the old one.
    await page.waitForTimeout(1200);
    const rotated = await page.evaluate(async () => (await fetch('/api/me')).status);
    expect(rotated).toBe(200);

    await page.getByTestId('increment').click();
    await page.getByTestId('counter').filter({ hasText: /^2$/ }).waitFor();
    // Refused once with the stale CSRF token, then accepted with the fetched one.
    expect(increments).toEqual([200, 403, 200]);
  });
});
