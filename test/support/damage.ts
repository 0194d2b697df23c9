import * as fs from 'node:fs';

/** Flips bits of one byte of a file in place, its middle byte unless told: a damaged backup file. */
export function flipByte(file: string, mask = 0x01, at?: number): void {
  const bytes = fs.readFileSync(file);
  const index = at ?? Math.floor(bytes.length / 2);
  bytes.writeUInt8(bytes.readUInt8(index) ^ mask, index);
  fs.writeFileSync(file, bytes);
}
