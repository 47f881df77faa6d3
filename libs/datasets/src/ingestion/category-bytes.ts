import { copyTextValue } from './row-validator';

/** The declared categories by their UTF-8 bytes, found without decoding a string per cell. */
export class CategoryBytes {
  private readonly byHash = new Map<number, { raw: Buffer; canonical: Buffer }[]>();

  constructor(categories: string[]) {
    for (const c of categories) {
      const raw = Buffer.from(c, 'utf8');
      const h = CategoryBytes.hash(raw, 0, raw.length);
      const bucket = this.byHash.get(h) ?? [];
      bucket.push({ raw, canonical: Buffer.from(copyTextValue(c), 'utf8') });
      this.byHash.set(h, bucket);
    }
  }

  /** The COPY text of the category whose bytes are data[start, end), if one is declared. */
  find(data: Buffer, start: number, end: number): Buffer | undefined {
    const bucket = this.byHash.get(CategoryBytes.hash(data, start, end));
    if (!bucket) return undefined;
    outer: for (const { raw, canonical } of bucket) {
      if (raw.length !== end - start) continue;
      for (let k = 0; k < raw.length; k++) if (raw[k] !== data[start + k]) continue outer;
      return canonical;
    }
    return undefined;
  }

  /** FNV-1a, 32 bits. */
  private static hash(data: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let k = start; k < end; k++) h = Math.imul(h ^ data[k], 0x01000193);
    return h >>> 0;
  }
}
