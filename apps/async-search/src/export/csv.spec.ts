import { csvCell, csvHead, csvRow, csvRows, isFormulaLike, UTF8_BOM } from './csv';

// SPEC S-3: UTF-8 with BOM, RFC 4180, formula-injection safe.
describe('csvCell (RFC 4180 §2)', () => {
  it.each([
    ['plain', 'plain'],
    ['0312345678', '0312345678'],
    ['発信者', '発信者'],
    ['a,b', '"a,b"'], // §2.6 fields with commas are enclosed in double quotes
    ['say "hi"', '"say ""hi"""'], // §2.7 a quote inside a quoted field is doubled
    ['line1\nline2', '"line1\nline2"'], // §2.6 line breaks are enclosed
    ['line1\r\nline2', '"line1\r\nline2"'],
    ['', ''],
  ])('%j → %j', (input, expected) => expect(csvCell(input)).toBe(expected));
  it('writes null and undefined as empty fields', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
  });
});

describe('formula injection (SPEC S-3 "formula-injection safe")', () => {
  it.each([
    ['=HYPERLINK("http://evil","x")', `"'=HYPERLINK(""http://evil"",""x"")"`],
    ['+81312345678', "'+81312345678"],
    ['-1+1', "'-1+1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', `"'\r=1"`],
    ['=1,2', `"'=1,2"`],
  ])('neutralises %j as %j', (input, expected) => expect(csvCell(input)).toBe(expected));
  it('leaves cells that only contain those characters later alone', () => {
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('0312-345')).toBe('0312-345');
    expect(csvCell("'quoted")).toBe("'quoted");
  });
  it('isFormulaLike looks at the first character only', () => {
    expect(['=', '+', '-', '@', '\t', '\r'].every((c) => isFormulaLike(`${c}x`))).toBe(true);
    expect(['x=', ' =', '', '\n='].some((c) => isFormulaLike(c))).toBe(false);
  });
});

describe('records and file head', () => {
  it('ends every record with CRLF (RFC 4180 §2.1) and separates fields with commas', () => {
    expect(csvRow(['a', null, 'b,c'])).toBe('a,,"b,c"\r\n');
    expect(csvRows([['1', '2'], ['3', null]])).toBe('1,2\r\n3,\r\n');
    expect(csvRows([])).toBe('');
  });
  it('starts the file with the UTF-8 BOM and the header record', () => {
    const head = csvHead(['開始日時 (Started at)', '結果 (Result)']);
    expect(head).toBe('\uFEFF開始日時 (Started at),結果 (Result)\r\n');
    expect(Buffer.from(head, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(head.startsWith(UTF8_BOM)).toBe(true);
  });
  it('round-trips through a strict RFC 4180 reader', () => {
    const rows = [['a"b', 'c,d', 'e\r\nf', '=g', ''], ['x', null, '@y', '+z', '-w']];
    expect(parseCsv(csvRows(rows))).toEqual(rows.map((r) => r.map((c) => (c === null ? '' : /^[=+\-@\t\r]/.test(c) ? `'${c}` : c))));
  });
});

/** A small strict RFC 4180 reader for the round-trip check. */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let cell = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          cell += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else cell += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') cell += text[i++];
    }
    row.push(cell);
    if (text[i] === ',') i++;
    else if (text[i] === '\r' && text[i + 1] === '\n') {
      out.push(row);
      row = [];
      i += 2;
    } else throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  return out;
}
