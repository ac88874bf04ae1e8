import { InputError } from '@backstage/errors';
import { parseTrivyJson } from './trivyJson';
import { summarizeVulnerabilities } from './vulnerabilities';
import { fixtureText } from './__testUtils__/objects';

const golden = () => JSON.parse(fixtureText('trivy-image-debian-buster.json'));

describe('parseTrivyJson', () => {
  it('reads the trivy image golden output (SchemaVersion 2)', () => {
    const scan = parseTrivyJson(fixtureText('trivy-image-debian-buster.json'));
    expect(scan.image).toBe(
      'ghcr.io/aquasecurity/trivy-test-images:debian-buster',
    );
    expect(scan.digest).toBeUndefined(); // loaded from a tarball: no RepoDigests
    expect(scan.findings).toEqual([
      {
        id: 'CVE-2019-18276',
        severity: 'low',
        package: 'bash',
        installed: '5.0-4',
        fixed: undefined,
        title:
          'bash: when effective UID is not equal to its real UID the saved UID is not dropped',
        link: 'https://avd.aquasec.com/nvd/cve-2019-18276',
        // the highest V3 score over the CVSS vendors
        score: 7.8,
      },
      expect.objectContaining({
        id: 'CVE-2019-18224',
        severity: 'critical',
        package: 'libidn2-0',
        installed: '2.0.5-1',
        fixed: '2.0.5-1+deb10u1',
        link: 'https://avd.aquasec.com/nvd/cve-2019-18224',
        score: 9.8,
      }),
    ]);
    expect(summarizeVulnerabilities(scan.findings)).toEqual({
      counts: { critical: 1, high: 0, medium: 0, low: 1, unknown: 0 },
      fixable: { critical: 1, high: 0, medium: 0, low: 0, unknown: 0 },
    });
  });

  it('takes the digest from RepoDigests and accepts clean images', () => {
    const report = golden();
    report.Metadata.RepoDigests = ['ghcr.io/example/app@sha256:0123'];
    report.Metadata.RepoTags = ['ghcr.io/example/app:1.0'];
    report.Results[0].Vulnerabilities = null;
    report.Results.push({
      ...report.Results[0],
      Target: 'app/go.mod',
      Vulnerabilities: undefined,
    });
    expect(parseTrivyJson(report)).toEqual({
      image: 'ghcr.io/example/app:1.0',
      digest: 'sha256:0123',
      findings: [],
    });
    delete report.Metadata;
    delete report.Results;
    expect(parseTrivyJson(report).image).toBe(
      'testdata/fixtures/images/debian-buster.tar.gz',
    );
  });

  it('de-duplicates a package reported by several targets', () => {
    const report = golden();
    report.Results.push({ ...report.Results[0], Target: 'again' });
    expect(parseTrivyJson(report).findings).toHaveLength(2);
  });

  it('rejects other schema versions and malformed input, naming the field', () => {
    expect(() => parseTrivyJson({ ...golden(), SchemaVersion: 1 })).toThrow(
      'SchemaVersion must be 2 (trivy image -f json), got 1',
    );
    expect(() => parseTrivyJson({ Results: [] })).toThrow('got none');
    expect(() => parseTrivyJson('{not json')).toThrow(/not JSON/);
    expect(() => parseTrivyJson(null)).toThrow(InputError);

    const missingSeverity = golden();
    delete missingSeverity.Results[0].Vulnerabilities[1].Severity;
    expect(() => parseTrivyJson(missingSeverity)).toThrow(
      'Invalid Trivy report: Results[0].Vulnerabilities[1].Severity: Required',
    );
    const badResults = { ...golden(), Results: 'none' };
    expect(() => parseTrivyJson(badResults)).toThrow(
      /^Invalid Trivy report: Results: Expected array/,
    );
    const noName = { ...golden(), ArtifactName: undefined };
    expect(() => parseTrivyJson(noName)).toThrow(
      'Invalid Trivy report: ArtifactName: Required',
    );
  });
});
