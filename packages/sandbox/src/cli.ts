import { optionsFromEnv } from './options';
import { startSandbox } from './startSandbox';

/**
 * Command-line entry (bin/gitops-sandbox): env-configured, stops cleanly on signals.
 *
 * @public
 */
export async function runSandboxCli(): Promise<void> {
  const sandbox = await startSandbox(optionsFromEnv(process.env));
  const port = (url: string) => new URL(url).port;
  process.stdout.write(
    `sandbox ready argocd=http://localhost:${port(sandbox.argocdUrl)} ` +
      `kubernetes=http://localhost:${port(sandbox.kubernetesUrl)}\n`,
  );
  process.stdout.write(
    `gitops repository: ${sandbox.repoPath} (branch main)\n`,
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
