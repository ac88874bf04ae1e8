import { isMap, isSeq, parseDocument } from 'yaml';

/**
 * Reads the version a file sets; undefined when the file does not set one.
 *
 * @public
 */
export type VersionReader = (text: string) => string | undefined;

/**
 * The value of a dotted key of a YAML file, e.g. a Helm values `image.tag`.
 *
 * @public
 */
export function yamlValueReader(key: string): VersionReader {
  return text => {
    const value = parseDocument(text).getIn(key.split('.'));
    return value === undefined || value === null ? undefined : String(value);
  };
}

/**
 * `newTag` of an image's entry (by `name` or `newName`) in a kustomization's `images:`.
 *
 * @public
 */
export function kustomizeImageTagReader(image: string): VersionReader {
  return text => {
    const images = parseDocument(text).get('images');
    if (!isSeq(images)) return undefined;
    const entry = images.items.find(
      item => isMap(item) && (item.get('name') === image || item.get('newName') === image),
    );
    const tag = isMap(entry) ? entry.get('newTag') : undefined;
    return tag === undefined || tag === null ? undefined : String(tag);
  };
}
