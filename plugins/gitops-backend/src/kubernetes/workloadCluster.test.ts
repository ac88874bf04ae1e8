import { resolveWorkloadCluster } from './workloadCluster';

const clusters = [
  { name: 'prod-eu', authProvider: 'serviceAccount' },
  { name: 'prod-us', authProvider: 'serviceAccount' },
];

describe('resolveWorkloadCluster', () => {
  it("takes the environment's kubernetesCluster first", () => {
    expect(
      resolveWorkloadCluster({ cluster: 'prod-us', destination: { name: 'prod-eu' } }, clusters).cluster?.name,
    ).toBe('prod-us');
  });

  it("names a kubernetesCluster the Kubernetes plugin does not know", () => {
    expect(resolveWorkloadCluster({ cluster: 'nope' }, clusters).problem).toMatch(
      "Kubernetes cluster 'nope' is not one of the Kubernetes plugin's clusters",
    );
  });

  it("matches the Application's destination server to a cluster's configured API server URL", () => {
    const withUrls = [
      { name: 'prod-us', url: 'https://us.k8s.example.com:443/' },
      { name: 'prod-eu', url: 'https://EU.k8s.example.com' },
    ];
    expect(resolveWorkloadCluster({ destination: { server: 'https://eu.k8s.example.com/' } }, withUrls).cluster?.name).toBe('prod-eu');
    expect(resolveWorkloadCluster({ destination: { server: 'https://us.k8s.example.com' } }, withUrls).cluster?.name).toBe('prod-us');
    expect(resolveWorkloadCluster({ destination: { server: 'https://other.example.com' } }, withUrls).problem).toMatch(/Cannot tell/);
  });

  it("matches the Application's destination name to a cluster", () => {
    expect(resolveWorkloadCluster({ destination: { name: 'prod-eu' } }, clusters).cluster?.name).toBe('prod-eu');
  });

  it('uses the only cluster there is', () => {
    expect(resolveWorkloadCluster({ destination: { server: 'https://kubernetes.default.svc' } }, [clusters[0]]).cluster?.name).toBe(
      'prod-eu',
    );
  });

  it('never reads every cluster when nothing tells which one: two clusters may share the namespace', () => {
    const result = resolveWorkloadCluster(
      { destination: { server: 'https://10.0.0.1' }, environment: 'prod' },
      clusters,
    );
    expect(result.cluster).toBeUndefined();
    expect(result.problem).toBe(
      "Cannot tell which of the Kubernetes plugin's clusters (prod-eu, prod-us) runs this application " +
        "(Argo CD destination: https://10.0.0.1): set kubernetesCluster on environment 'prod', " +
        'or name the Argo CD destination cluster like the Kubernetes plugin cluster',
    );
  });

  it('has nothing to read without clusters', () => {
    expect(resolveWorkloadCluster({}, []).problem).toMatch('no clusters');
  });
});
