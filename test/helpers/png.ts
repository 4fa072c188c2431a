import { crc32, inflateSync } from 'node:zlib';

/** What {@link decodePng} found. */
export interface DecodedPng {
  width: number;
  height: number;
  /** Bytes per pixel (8-bit RGB = 3, RGBA = 4). */
  channels: number;
  /** Raw scanlines, filter byte first (height × (1 + width × channels) bytes). */
  raw: Buffer;
}

/**
 * Decodes a PNG far enough to prove it is one: signature, every chunk's CRC, IHDR, the IDAT
 * stream inflated to exactly one filtered scanline per row, IEND last.
 * @throws Error naming what is wrong
 */
export function decodePng(buf: Buffer): DecodedPng {
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!buf.subarray(0, 8).equals(sig)) throw new Error('not a PNG signature');
  let pos = 8;
  let ihdr: Buffer | undefined;
  const idat: Buffer[] = [];
  let last = '';
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.subarray(pos + 4, pos + 8).toString('latin1');
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (crc32(buf.subarray(pos + 4, pos + 8 + len)) !== buf.readUInt32BE(pos + 8 + len)) throw new Error(`bad CRC in ${type}`);
    if (type === 'IHDR') ihdr = data;
    if (type === 'IDAT') idat.push(data);
    last = type;
    pos += 12 + len;
  }
  if (!ihdr || last !== 'IEND') throw new Error('IHDR or IEND missing');
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const depth = ihdr[8];
  const channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[ihdr[9]];
  if (depth !== 8 || !channels) throw new Error(`unexpected bit depth ${depth} / colour type ${ihdr[9]}`);
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length !== height * (1 + width * channels)) throw new Error(`IDAT holds ${raw.length} bytes, not ${height} rows of ${width} pixels`);
  return { width, height, channels, raw };
}
