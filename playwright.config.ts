import { defineConfig } from '@playwright/test';
import path from 'path';

const yarn = `node ${path.join('.yarn', 'releases', 'yarn-4.13.0.cjs')}`;
const CI = Boolean(process.env.CI);

/**
 * End-to-end tests in Debian's Chromium (never a downloaded browser), against the
 * local GitOps sandbox and the backend. In CI the backend serves the built app on
 * :7007; locally the app's dev server on :3000 is used (reused when running).
 */
/**
 * Debian's Chromium, never a downloaded browser; without the background-networking
 * flags it keeps dialling Google's hosts, which this network refuses.
 */
export const debianChromium = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export default defineConfig({
  timeout: 120_000,
  expect: { timeout: 30_000 },
  forbidOnly: CI,
  // The journey is one serial story over shared state (the sandbox's repository, the
  // promotions made): a retry would start it again on changed state, so none.
  retries: 0,
  workers: 1,
  reporter: [['list']],
  outputDir: 'test-results/e2e',
  webServer: [
    {
      command: `${yarn} workspace @gitops-suite/gitops-sandbox start`,
      url: 'http://localhost:7080/healthz',
      reuseExistingServer: !CI,
      timeout: 60_000,
      env: {
        SANDBOX_DATA_DIR: path.resolve('test-results/sandbox-data'),
      },
    },
    {
      command: `${yarn} workspace backend start`,
      url: 'http://localhost:7007/.backstage/health/v1/readiness',
      reuseExistingServer: !CI,
      timeout: 180_000,
      env: { GITOPS_SANDBOX_DIR: path.resolve('test-results/sandbox-data') },
    },
    ...(CI
      ? []
      : [
          {
            command: `${yarn} workspace app start`,
            url: 'http://localhost:3000',
            reuseExistingServer: true,
            timeout: 180_000,
          },
        ]),
  ],
  use: {
    baseURL: process.env.PLAYWRIGHT_URL ?? (CI ? 'http://localhost:7007' : 'http://localhost:3000'),
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: debianChromium,
  },
  projects: [
    {
      name: 'app',
      testDir: 'packages/app/e2e-tests',
    },
  ],
});
