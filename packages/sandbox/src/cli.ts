import fs from 'node:fs';
import path from 'node:path';
import { EXAMPLES_DIR, optionsFromEnv, resolveOptions } from './options';
import { startSandbox } from './startSandbox';

/**
 * Command-line entry (bin/gitops-sandbox): env-configured, stops cleanly on signals.
 *
 * @public
 */
export async function runSandboxCli(): Promise<void> {
  const options = optionsFromEnv(process.env);
  const sandbox = await startSandbox(options);
  const catalogFile = writeExampleCatalog(resolveOptions(options).dataDir);
  const port = (url: string) => new URL(url).port;
  process.stdout.write(
    `sandbox ready argocd=http://localhost:${port(sandbox.argocdUrl)} ` +
      `kubernetes=http://localhost:${port(sandbox.kubernetesUrl)}\n`,
  );
  process.stdout.write(
    `gitops repository: ${sandbox.repoPath} (branch main)\n`,
  );
  process.stdout.write(
    `example services' catalog entities: ${catalogFile} (a catalog location of type file)\n`,
  );
  const shutdown = (signal: string) => {
    process.stdout.write(`${signal} received, stopping sandbox\n`);
    sandbox.stop().then(
      () => process.exit(0),
      error => {
        process.stderr.write(
          `sandbox did not stop cleanly: ${(error as Error).message}\n`,
        );
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

/**
 * The example services' catalog entities, where an app's catalog can find them next
 * to the state (the package itself may sit in npx's cache).
 */
function writeExampleCatalog(dataDir: string): string {
  const target = path.join(dataDir, 'catalog', 'services.yaml');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(path.join(EXAMPLES_DIR, 'services.yaml'), target);
  return target;
}
