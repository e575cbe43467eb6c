/**
 * Reading an `application/x-ndjson` response into entries. The response is read whole before any of
 * it is used (a batch is verified and stored all or nothing), with a cap on its size so a broken or
 * hostile server cannot make the vault run out of memory: past the cap the vault takes the complete
 * lines it has and asks again for the rest.
 */
import { parseEntryLine, type ReceivedEntry } from './vault-entry.js';

export class MalformedResponse extends Error {
  override name = 'MalformedResponse';
}

export async function readEntryLines(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<ReceivedEntry[]> {
  const entries: ReceivedEntry[] = [];
  if (!body) return entries;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  let bytes = 0;
  let capped = false;
  const take = (line: string) => {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return;
    try {
      entries.push({ ...parseEntryLine(text), line: text });
    } catch (err) {
      throw new MalformedResponse(`line ${entries.length + 1} of the response is not a ledger entry: ${(err as Error).message}`);
    }
  };
  try {
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      // Split only the new text, so one huge line arriving in many chunks is not re-scanned each time.
      const parts = decoder.decode(chunk, { stream: true }).split('\n');
      if (parts.length > 1) {
        take(pending + parts[0]);
        for (let i = 1; i < parts.length - 1; i++) take(parts[i]);
        pending = '';
      }
      pending += parts[parts.length - 1];
      if (bytes > maxBytes) { capped = true; break; } // leaving the loop cancels the rest of the body
    }
    if (!capped) pending += decoder.decode();
  } catch (err) {
    if (err instanceof MalformedResponse) throw err;
    if (err instanceof TypeError && /encoded data|decode/i.test(err.message)) throw new MalformedResponse('the response is not valid UTF-8');
    throw err;
  }
  // The last line may lack its newline when the response ended normally; a capped read drops it.
  if (!capped) take(pending);
  else if (entries.length === 0) throw new MalformedResponse(`one entry is larger than the ${maxBytes}-byte response limit`);
  return entries;
}
