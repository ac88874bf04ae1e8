import yaml from 'yaml';
import { renderServiceFiles, type ServiceSpec } from '../actions/serviceManifests';
import { mergeValues, MiniHelm } from './miniHelm';

/** What gitops:service:register writes for checkout-api: the values Argo CD deploys with. */
export function gitopsValues(strategy: ServiceSpec['strategy'], environment: string) {
  const [values] = renderServiceFiles({
    service: 'checkout-api',
    environments: [environment],
    imageRepository: 'ghcr.io/acme/checkout-api',
    imageTag: '4f2c1d0',
    replicas: { [environment]: 2 },
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    strategy,
    enforcePoliciesIn: ['prod'],
    manualPromotionIn: ['prod'],
    repoUrl: 'file:///gitops.git',
    branch: 'main',
    project: 'default',
    argocdNamespace: 'argocd',
    destinationServer: 'https://kubernetes.default.svc',
    valuesPathTemplate: '{service}/{environment}/values.yaml',
    applicationPathTemplate: '{service}/{environment}/app.yaml',
  });
  return yaml.parse(values.content);
}

/** `helm template` of one chart folder of a rendered skeleton, in checkout-api-<environment>. */
export function helmTemplate(files: Record<string, string>, chart: string, values: object, environment: string): any[] {
  const meta = yaml.parse(files[`${chart}/Chart.yaml`]);
  const templates = Object.fromEntries(Object.entries(files).filter(([f]) => f.startsWith(`${chart}/templates/`)));
  const helm = new MiniHelm(templates);
  const dot = {
    Values: mergeValues(yaml.parse(files[`${chart}/values.yaml`]), values),
    Release: { Name: `checkout-api-${environment}`, Namespace: `checkout-api-${environment}`, Service: 'Helm' },
    Chart: { Name: meta.name, Version: meta.version },
  };
  return Object.entries(templates)
    .filter(([file]) => !file.split('/').pop()!.startsWith('_'))
    .flatMap(([file, text]) =>
      yaml.parseAllDocuments(helm.render(text, dot)).map(doc => {
        if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map(e => e.message).join('; ')}`);
        return doc.toJS();
      }),
    )
    .filter(Boolean);
}
