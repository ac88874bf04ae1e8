import { defineConfig } from '@playwright/test';
import { debianChromium } from '../../playwright.config';

/**
 * The adopter test's browser half (scripts/adopter-test.sh starts the app's backend,
 * which serves its built frontend on :7007, and the sandbox before running it).
 */
export default defineConfig({
  testDir: '.',
  testMatch: 'adopter.test.ts',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  retries: 0,
  workers: 1,
  outputDir: '../../test-results/adopter/playwright',
  use: {
    baseURL: 'http://localhost:7007',
    viewport: { width: 1440, height: 1000 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: debianChromium,
  },
});
