import { gzipSync } from 'node:zlib';

/** One regular file of a tar archive. */
export interface TarEntry {
  name: string;
  content: string | Buffer;
}

const BLOCK = 512;

/**
 * A gzip'd POSIX ustar archive of regular files (mode 0644), the format of a Helm
 * chart package (`helm package` writes `<chart>/Chart.yaml`, `<chart>/values.yaml`,
 * ...). `mtime` (Unix seconds) is the same for every entry, so the bytes, and the
 * digest an index lists, only change with the content.
 */
export function gzipTar(entries: TarEntry[], mtime: number): Buffer {
  const blocks = entries.flatMap(entry => {
    const content = Buffer.from(entry.content);
    const padding = Buffer.alloc((BLOCK - (content.length % BLOCK)) % BLOCK);
    return [header(entry.name, content.length, mtime), content, padding];
  });
  return gzipSync(Buffer.concat([...blocks, Buffer.alloc(2 * BLOCK)]));
}

function header(name: string, size: number, mtime: number): Buffer {
  if (Buffer.byteLength(name) > 100) {
    throw new Error(`tar entry name longer than 100 bytes: ${name}`);
  }
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, 'utf8');
  block.write(octal(0o644, 8), 100);
  block.write(octal(0, 8), 108); // uid
  block.write(octal(0, 8), 116); // gid
  block.write(octal(size, 12), 124);
  block.write(octal(mtime, 12), 136);
  block.write(' '.repeat(8), 148); // the checksum counts its own field as spaces
  block.write('0', 156); // typeflag: regular file
  block.write('ustar\u000000', 257); // magic "ustar\0", version "00"
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148);
  return block;
}

/** A NUL-terminated octal field of `width` bytes. */
function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\u0000`;
}
