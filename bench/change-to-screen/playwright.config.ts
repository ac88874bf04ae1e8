import { defineConfig } from '@playwright/test';
import path from 'path';
import { debianChromium } from '../../playwright.config';

const ROOT = path.resolve(__dirname, '../..');
const yarn = `node ${path.join(ROOT, '.yarn', 'releases', 'yarn-4.13.0.cjs')}`;
const mode = process.env.BENCH_INVENTORY_MODE ?? 'stream';
const dataDir = path.join(ROOT, `test-results/bench-sandbox-${mode}`);

/**
 * The change-to-screen benchmark (bench/change-to-screen.ts runs it once per inventory
 * mode): its own sandbox and backend, started fresh for each mode, the backend serving
 * the built app on :7007 as in CI.
 */
export default defineConfig({
  testDir: __dirname,
  testMatch: 'changeToScreen.spec.ts',
  timeout: 30 * 60_000,
  expect: { timeout: 30_000 },
  retries: 0,
  workers: 1,
  reporter: [['list']],
  outputDir: path.join(ROOT, `test-results/bench-change-to-screen-${mode}`),
  webServer: [
    {
      command: `${yarn} workspace @gitops-suite/gitops-sandbox start`,
      url: 'http://localhost:7080/healthz',
      cwd: ROOT,
      reuseExistingServer: false,
      timeout: 60_000,
      env: { SANDBOX_DATA_DIR: dataDir },
    },
    {
      command: `${yarn} workspace backend start`,
      url: 'http://localhost:7007/.backstage/health/v1/readiness',
      stdout: 'pipe',
      cwd: ROOT,
      reuseExistingServer: false,
      timeout: 180_000,
      env: {
        GITOPS_SANDBOX_DIR: dataDir,
        // Today's design: the inventory polled every 30 s. Backstage reads APP_CONFIG_* as config.
        ...(mode === 'polling'
          ? { APP_CONFIG_gitops_argocd_stream: 'false', APP_CONFIG_gitops_argocd_refreshIntervalSeconds: '30' }
          : {}),
      },
    },
  ],
  use: { baseURL: 'http://localhost:7007', launchOptions: debianChromium },
});
