import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_OPTIONS } from '../options';
import { ChartRepository } from './chartRepository';
import { mergeValues, setValue } from './helmValues';

describe('Helm chart repository', () => {
  it('indexes the example charts as helm repo index does, newest first', async () => {
    const repo = await ChartRepository.load(DEFAULT_OPTIONS.helmChartsDir);
    const index = parse(repo.indexYaml(new Date(0)));
    expect(index.apiVersion).toBe('v1');
    expect(index.entries['pricing-api'].map((e: any) => e.version)).toEqual([
      '1.2.0',
      '1.1.0',
      '1.0.0',
    ]);
    expect(index.entries['pricing-api'][0]).toMatchObject({
      apiVersion: 'v2',
      name: 'pricing-api',
      appVersion: '1.2.0',
      urls: ['pricing-api-1.2.0.tgz'],
      digest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('packages a version as a gzip tarball that the system tar reads', async () => {
    const repo = await ChartRepository.load(DEFAULT_OPTIONS.helmChartsDir);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-chart-'));
    try {
      const file = path.join(dir, 'pricing-api-1.1.0.tgz');
      await fs.writeFile(file, repo.tarball('pricing-api-1.1.0.tgz')!);
      expect(
        execFileSync('tar', ['-tzf', file], { encoding: 'utf8' })
          .trim()
          .split('\n'),
      ).toEqual(['pricing-api/Chart.yaml', 'pricing-api/values.yaml']);
      const values = execFileSync(
        'tar',
        ['-xzOf', file, 'pricing-api/values.yaml'],
        { encoding: 'utf8' },
      );
      expect(parse(values).image.tag).toBe('1.1.0');
      expect(repo.tarball('pricing-api-9.9.9.tgz')).toBeUndefined();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('coalesces values and --set parameters as Helm does', () => {
    const merged = mergeValues(
      { image: { repository: 'r', tag: '1' }, drop: 1 },
      { image: { tag: '2' }, drop: null },
    );
    expect(merged).toEqual({ image: { repository: 'r', tag: '2' } });
    expect(setValue(merged, 'image.tag', '3.0.0')).toEqual({
      image: { repository: 'r', tag: '3.0.0' },
    });
    expect(setValue({}, 'a.b\\.c', 'true')).toEqual({ a: { 'b.c': true } });
    expect(setValue({}, 'n', '10')).toEqual({ n: 10 });
    expect(setValue({}, 'n', '10', true)).toEqual({ n: '10' });
  });
});
