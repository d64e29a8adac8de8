/** Article files made in tests, byte by byte: a PDF with a text layer, and a Word .docx (a zip). */
import { crc32 } from 'node:zlib';

/**
 * A one-page PDF showing `lines` (one text object each, so it has a text layer), with a Title, an
 * Author and a CreationDate. Lines and details must not hold parentheses or backslashes.
 */
export function pdf(lines: string[], { title = 'Bridge approved', author = 'Jane Doe', created = '20240301093000Z' } = {}): Uint8Array {
  const text = lines.map((line, i) => `BT /F1 11 Tf 40 ${780 - i * 16} Td (${line}) Tj ET`).join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${text.length} >>\nstream\n${text}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Title (${title}) /Author (${author}) /CreationDate (D:${created}) >>`,
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(out);
}

/** A little-endian record of `size` bytes: each field is [offset, value, width in bytes]. */
function record(size: number, fields: Array<[offset: number, value: number, width: 2 | 4]>): Buffer {
  const bytes = Buffer.alloc(size);
  for (const [offset, value, width] of fields) {
    if (width === 2) bytes.writeUInt16LE(value, offset);
    else bytes.writeUInt32LE(value, offset);
  }
  return bytes;
}

/** A zip of `files`, stored uncompressed: enough for a .docx. */
function zip(files: Record<string, string>): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    const nameBytes = Buffer.from(name);
    const [crc, size, nameSize] = [crc32(data), data.length, nameBytes.length];
    const header = record(30, [
      [0, 0x04034b50, 4],
      [4, 20, 2],
      [14, crc, 4],
      [18, size, 4],
      [22, size, 4],
      [26, nameSize, 2],
    ]);
    const central = record(46, [
      [0, 0x02014b50, 4],
      [4, 20, 2],
      [6, 20, 2],
      [16, crc, 4],
      [20, size, 4],
      [24, size, 4],
      [28, nameSize, 2],
      [42, offset, 4],
    ]);
    locals.push(header, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += header.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const count = Object.keys(files).length;
  const end = record(22, [
    [0, 0x06054b50, 4],
    [8, count, 2],
    [10, count, 2],
    [12, directory.length, 4],
    [16, offset, 4],
  ]);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

/** A minimal Word .docx with one paragraph per item of `paragraphs` (plain text: no markup). */
export function docx(paragraphs: string[]): Uint8Array {
  const body = paragraphs.map((text) => `<w:p><w:r><w:t>${text}</w:t></w:r></w:p>`).join('');
  return zip({
    '[Content_Types].xml':
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    '_rels/.rels':
      '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    'word/document.xml': `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
  });
}
