import { createApp } from './app';

const port = Number(process.env.PORT ?? 8080);
const server = createApp().listen(port, () => {
  console.log(`${{ values.name }} listening on :${port}`);
});

// Kubernetes sends SIGTERM before killing the pod: finish in-flight requests first.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(1), 10_000).unref();
  });
}
