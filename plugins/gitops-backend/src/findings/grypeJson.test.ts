import { InputError } from '@backstage/errors';
import { looksLikeGrype, parseGrypeJson } from './grypeJson';
import { parseScanReport } from './parseScanReport';
import { summarizeVulnerabilities } from './vulnerabilities';
import { fixtureText } from './__testUtils__/objects';

/** Grype 0.61.1 on cgr.dev/chainguard/ruby:latest-3.0 (Grype's own explain testdata). */
const chainguard = () => JSON.parse(fixtureText('grype-chainguard-ruby.json'));
/** The JSON presenter's golden output for an image (current schema: risk, epss, KEV). */
const presenter = () =>
  JSON.parse(fixtureText('grype-json-presenter-image.golden.json'));

describe('parseGrypeJson', () => {
  it('reads a real grype -o json of an image, counting an advisory and its CVE once', () => {
    const scan = parseGrypeJson(fixtureText('grype-chainguard-ruby.json'));
    expect(scan.image).toBe('cgr.dev/chainguard/ruby:latest-3.0');
    expect(scan.digest).toBe(
      'sha256:3c9afb4f188827ea1062ec3b8acea32893236a0d7df31e0498df93486cff0978',
    );
    // Three matches: CVE-2023-28755 in ruby-3.0, and in uri 0.10.1 both as the CVE (no
    // fix known) and as its advisory GHSA-hv5j-3h9f-99c2 (fixed in 0.10.2).
    expect(chainguard().matches).toHaveLength(3);
    expect(scan.findings).toEqual([
      {
        id: 'CVE-2023-28755',
        severity: 'high',
        package: 'ruby-3.0',
        installed: '3.0.4-r1',
        fixed: '3.0.6-r0',
        title:
          'A ReDoS issue was discovered in the URI component through 0.12.0 in Ruby through 3.2.1.',
        link: 'http://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2023-28755',
        // From the related NVD record: the distro's own has no CVSS.
        score: 7.5,
      },
      expect.objectContaining({
        id: 'CVE-2023-28755',
        severity: 'high',
        package: 'uri',
        installed: '0.10.1',
        // The advisory knows the fix the CVE record does not.
        fixed: '0.10.2',
        link: 'https://nvd.nist.gov/vuln/detail/CVE-2023-28755',
        score: 7.5,
      }),
    ]);
    expect(summarizeVulnerabilities(scan.findings)).toEqual({
      counts: { critical: 0, high: 2, medium: 0, low: 0, unknown: 0 },
      fixable: { critical: 0, high: 2, medium: 0, low: 0, unknown: 0 },
    });
  });

  it('reads the current JSON schema: severities, fix states, CVSS base scores', () => {
    const scan = parseGrypeJson(presenter());
    // No tags, no repo digests: the reference the user gave.
    expect(scan).toMatchObject({ image: 'user-input', digest: undefined });
    expect(scan.findings).toEqual([
      {
        id: 'CVE-1999-0001',
        severity: 'low',
        package: 'package-1',
        installed: '1.1.1',
        fixed: '1.2.1, 2.1.3, 3.4.0',
        title: undefined,
        link: undefined,
        score: 8.2,
      },
      {
        id: 'CVE-1999-0002',
        severity: 'critical',
        package: 'package-2',
        installed: '2.2.2',
        // fix.state "" with no versions: no fix.
        fixed: undefined,
        title: undefined,
        link: undefined,
        score: 8.5,
      },
    ]);
  });

  it('takes Negligible as low, and reads a clean image', () => {
    const report = presenter();
    report.matches[0].vulnerability.severity = 'Negligible';
    expect(parseGrypeJson(report).findings[0].severity).toBe('low');
    expect(parseGrypeJson({ ...presenter(), matches: [] }).findings).toEqual(
      [],
    );
    expect(parseGrypeJson({ ...presenter(), matches: null }).findings).toEqual(
      [],
    );
  });

  it('rejects malformed reports and scans of anything but an image, naming the field', () => {
    const noSeverity = chainguard();
    delete noSeverity.matches[1].vulnerability.severity;
    expect(() => parseGrypeJson(noSeverity)).toThrow(
      'Invalid Grype report: matches[1].vulnerability.severity: Required',
    );
    const noVersion = chainguard();
    delete noVersion.matches[0].artifact.version;
    expect(() => parseGrypeJson(noVersion)).toThrow(
      'Invalid Grype report: matches[0].artifact.version: Required',
    );
    const directory = {
      ...presenter(),
      source: { type: 'directory', target: '/some/path' },
    };
    expect(() => parseGrypeJson(directory)).toThrow(
      'Invalid Grype report: source.type: must be "image" (grype <image> -o json)',
    );
    const spaced = presenter();
    spaced.source.target.userInput = 'my image';
    expect(() => parseGrypeJson(spaced)).toThrow(
      /source\.target\.userInput: must be an image reference/,
    );
    expect(() => parseGrypeJson('{not json')).toThrow(
      /Invalid Grype report: not JSON/,
    );
    expect(() => parseGrypeJson(null)).toThrow(InputError);
  });
});

describe('parseScanReport', () => {
  it('tells Trivy and Grype JSON apart by shape', () => {
    expect(looksLikeGrype(chainguard())).toBe(true);
    expect(
      looksLikeGrype(JSON.parse(fixtureText('trivy-image-debian-buster.json'))),
    ).toBe(false);
    expect(parseScanReport(chainguard())).toMatchObject({
      format: 'grype',
      image: 'cgr.dev/chainguard/ruby:latest-3.0',
    });
    expect(
      parseScanReport(fixtureText('trivy-image-debian-buster.json')),
    ).toMatchObject({
      format: 'trivy',
      image: 'ghcr.io/aquasecurity/trivy-test-images:debian-buster',
    });
    // An empty Grype report (descriptor only) is still Grype's, and says what it lacks.
    expect(() => parseScanReport({ descriptor: { name: 'grype' } })).toThrow(
      'Invalid Grype report: source: Required',
    );
  });

  it('refuses anything else, saying what it takes', () => {
    expect(() => parseScanReport({ Results: [] })).toThrow(
      /Unrecognized scan report: expected the JSON of `trivy image -f json`.*`grype <image> -o json`/,
    );
    expect(() => parseScanReport('[]')).toThrow(InputError);
    expect(() => parseScanReport('nope')).toThrow(
      'Invalid scan report: not JSON',
    );
    expect(() => parseScanReport({ SchemaVersion: 1 })).toThrow(
      'SchemaVersion must be 2',
    );
  });
});
