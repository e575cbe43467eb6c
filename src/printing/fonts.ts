/**
 * Fonts for printed slips, labels and reports: the standard PDF fonts (Helvetica), which every PDF
 * reader has and which need nothing embedded, so a slip is a few kilobytes and prints the same on any
 * printer.
 *
 * Latin text only. The standard fonts cover WinAnsi (Latin-1 plus a few), not Devanagari. A Devanagari
 * font with a clear licence does ship on npm (@fontsource/noto-sans-devanagari, OFL-1.1), but printing
 * Hindi correctly needs Indic shaping (conjuncts, the reordered i-matra, reph), which pdf-lib does not
 * do, and a wrongly shaped name on a patient's card is worse than a Latin one. The registration desk
 * records names in Latin script, so slips print Latin text; a character the fonts cannot draw is
 * printed without its accent when it has one (ā -> a) and as '?' otherwise, never silently dropped.
 */
import { StandardFonts, type PDFDocument, type PDFFont } from 'pdf-lib';

export interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
  /** Fixed width, for numbers read out and typed back (UHID, accession number). */
  mono: PDFFont;
}

export async function standardFonts(doc: PDFDocument): Promise<Fonts> {
  const [regular, bold, mono] = await Promise.all([
    doc.embedFont(StandardFonts.Helvetica),
    doc.embedFont(StandardFonts.HelveticaBold),
    doc.embedFont(StandardFonts.CourierBold),
  ]);
  return { regular, bold, mono };
}

// What WinAnsiEncoding can carry beyond Latin-1 (the 0x80-0x9F block).
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

function winAnsi(ch: string): boolean {
  const code = ch.codePointAt(0)!;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(ch);
}

/** `text` made printable in the standard fonts: accents dropped where needed, the rest '?'. */
export function printable(text: string): string {
  let out = '';
  for (const ch of text.replace(/\s+/g, ' ')) {
    if (winAnsi(ch)) { out += ch; continue; }
    const bare = ch.normalize('NFD').replace(/\p{M}/gu, '');
    out += bare.length > 0 && [...bare].every(winAnsi) ? bare : '?';
  }
  return out;
}
