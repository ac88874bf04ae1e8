import fs from 'fs';
import os from 'os';
import path from 'path';
import { kustomizeImageEdit } from './edits';

const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
# promotions bump newTag below
images:
  - name: ghcr.io/example/sidecar
    newTag: "3.1.0"
  - name: ghcr.io/example/payments-api # the service itself
    newTag: 1.4.2
`;

describe('kustomizeImageEdit', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-edit-'));
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), KUSTOMIZATION);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const read = () => fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8');

  it('sets newTag of the matching images entry, changing nothing else', async () => {
    const edit = kustomizeImageEdit({ file: 'kustomization.yaml', image: 'ghcr.io/example/payments-api', tag: '1.5.0' });
    expect(await edit(dir)).toEqual(['kustomization.yaml']);
    expect(read()).toBe(KUSTOMIZATION.replace('newTag: 1.4.2', 'newTag: 1.5.0'));
  });

  it('matches an entry by newName too', async () => {
    fs.writeFileSync(
      path.join(dir, 'kustomization.yaml'),
      'images:\n  - name: payments-api\n    newName: ghcr.io/example/payments-api\n    newTag: "1.4.2"\n',
    );
    await kustomizeImageEdit({ file: 'kustomization.yaml', image: 'ghcr.io/example/payments-api', tag: '1.5.0' })(dir);
    expect(read()).toContain('newTag: "1.5.0"');
  });

  it('adds an entry for an image not listed yet, keeping comments', async () => {
    await kustomizeImageEdit({ file: 'kustomization.yaml', image: 'ghcr.io/example/orders-api', tag: '2.0.0' })(dir);
    expect(read()).toContain('# promotions bump newTag below');
    expect(read()).toContain('# the service itself');
    expect(read()).toMatch(/- name: ghcr.io\/example\/orders-api\n\s+newTag: 2.0.0/);
  });

  it('finds nothing to change when the tag is set', async () => {
    const edit = kustomizeImageEdit({ file: 'kustomization.yaml', image: 'ghcr.io/example/payments-api', tag: '1.4.2' });
    expect(await edit(dir)).toEqual([]);
    expect(read()).toBe(KUSTOMIZATION);
  });

  it.each([
    [{ tag: '1.5.0\nimages: []' }, /tag '.*' is not a valid image tag/s],
    [{ image: 'Bad Image' }, /image 'Bad Image' is not an image name/],
    [{ file: '../kustomization.yaml' }, /file '..\/kustomization.yaml' must be a relative path/],
  ])('rejects %j', (overrides, message) => {
    expect(() =>
      kustomizeImageEdit({ file: 'kustomization.yaml', image: 'ghcr.io/example/payments-api', tag: '1.5.0', ...overrides }),
    ).toThrow(message);
  });

  it('names the file when images is not a list', async () => {
    fs.writeFileSync(path.join(dir, 'kustomization.yaml'), 'images: {}\n');
    await expect(
      kustomizeImageEdit({ file: 'kustomization.yaml', image: 'ghcr.io/example/payments-api', tag: '1.5.0' })(dir),
    ).rejects.toThrow('kustomization.yaml: images is not a list');
  });
});
