import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { gzipTar } from './ustar';

/** One packaged version of a chart: its Chart.yaml and values.yaml. */
export interface ChartVersion {
  name: string;
  version: string;
  appVersion?: string;
  description?: string;
  apiVersion: string;
  chartYaml: string;
  valuesYaml: string;
  /** When the files were last changed: the index's `created`, the tarball's mtime. */
  modified: Date;
}

/**
 * The sandbox's Helm chart repository, read from `<dir>/<chart>/<version>/` folders
 * that each hold a `Chart.yaml` and a `values.yaml`. It answers what a chart
 * repository serves over HTTP (helm.sh/docs/topics/chart_repository): `index.yaml`
 * and one `<chart>-<version>.tgz` per version.
 */
export class ChartRepository {
  private readonly tarballs = new Map<string, Buffer>();

  private constructor(private readonly charts: ChartVersion[]) {}

  /** Reads the charts folder; a missing folder is an empty repository. */
  static async load(dir: string): Promise<ChartRepository> {
    const versions: ChartVersion[] = [];
    for (const chart of await subfolders(dir)) {
      for (const version of await subfolders(path.join(dir, chart))) {
        versions.push(
          await readChart(path.join(dir, chart, version), chart, version),
        );
      }
    }
    return new ChartRepository(versions);
  }

  static empty(): ChartRepository {
    return new ChartRepository([]);
  }

  find(chart: string, version: string): ChartVersion | undefined {
    return this.charts.find(c => c.name === chart && c.version === version);
  }

  has(chart: string): boolean {
    return this.charts.some(c => c.name === chart);
  }

  /** Changes whenever a chart version is added, removed or edited. */
  fingerprint(): string {
    return this.charts
      .map(c => `${c.name}@${c.version}:${c.chartYaml}${c.valuesYaml}`)
      .join('\n');
  }

  /** `helm package`'s file for a version: `<chart>/Chart.yaml` and `<chart>/values.yaml`. */
  tarball(fileName: string): Buffer | undefined {
    const chart = this.charts.find(c => tarballName(c) === fileName);
    if (!chart) return undefined;
    let tarball = this.tarballs.get(fileName);
    if (!tarball) {
      tarball = gzipTar(
        [
          { name: `${chart.name}/Chart.yaml`, content: chart.chartYaml },
          { name: `${chart.name}/values.yaml`, content: chart.valuesYaml },
        ],
        Math.floor(chart.modified.getTime() / 1000),
      );
      this.tarballs.set(fileName, tarball);
    }
    return tarball;
  }

  /**
   * The repository index, as `helm repo index` writes it: `apiVersion: v1`, the
   * versions of each chart newest first with their Chart.yaml fields, `urls`
   * (relative to the repository URL), `digest` (sha256 of the tarball) and `created`.
   */
  indexYaml(generated: Date): string {
    const entries: Record<string, unknown[]> = {};
    const newestFirst = [...this.charts].sort(
      (a, b) =>
        a.name.localeCompare(b.name) || compareVersions(b.version, a.version),
    );
    for (const chart of newestFirst) {
      const file = tarballName(chart);
      (entries[chart.name] ??= []).push({
        ...parse(chart.chartYaml),
        apiVersion: chart.apiVersion,
        name: chart.name,
        version: chart.version,
        ...(chart.appVersion ? { appVersion: chart.appVersion } : {}),
        created: chart.modified.toISOString(),
        digest: createHash('sha256').update(this.tarball(file)!).digest('hex'),
        urls: [file],
      });
    }
    return stringify({
      apiVersion: 'v1',
      entries,
      generated: generated.toISOString(),
    });
  }
}

function tarballName(chart: ChartVersion): string {
  return `${chart.name}-${chart.version}.tgz`;
}

async function readChart(
  dir: string,
  chart: string,
  version: string,
): Promise<ChartVersion> {
  const chartFile = path.join(dir, 'Chart.yaml');
  const chartYaml = await fs.readFile(chartFile, 'utf8');
  const valuesYaml = await fs
    .readFile(path.join(dir, 'values.yaml'), 'utf8')
    .catch(() => '');
  const meta = parse(chartYaml) ?? {};
  if (meta.name !== chart || String(meta.version) !== version) {
    throw new Error(
      `${chartFile} must have name ${chart} and version ${version}`,
    );
  }
  return {
    name: chart,
    version,
    apiVersion: meta.apiVersion ?? 'v2',
    ...(meta.appVersion !== undefined
      ? { appVersion: String(meta.appVersion) }
      : {}),
    ...(meta.description ? { description: meta.description } : {}),
    chartYaml,
    valuesYaml,
    modified: (await fs.stat(chartFile)).mtime,
  };
}

async function subfolders(dir: string): Promise<string[]> {
  const entries = await fs
    .readdir(dir, { withFileTypes: true })
    .catch(() => []);
  return entries
    .filter(e => e.isDirectory())
    .map(e => e.name)
    .sort();
}

/** Semver order of `major.minor.patch` (pre-release and build parts compare as text). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) =>
    v.split(/[.+-]/).map(p => (/^\d+$/.test(p) ? Number(p) : p));
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const [x, y] = [pa[i] ?? 0, pb[i] ?? 0];
    if (x !== y) {
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      return String(x).localeCompare(String(y));
    }
  }
  return 0;
}
