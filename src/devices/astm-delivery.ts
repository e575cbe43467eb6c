/**
 * Handing one ASTM message to the lab: a stable id (H-3, or a digest of the records so a message the
 * analyzer sends again gets the same id and the lab can recognise the repeat) and a bounded wait, where
 * a thrown error or a timeout becomes a refusal the link layer turns into a NAK.
 */
import { createHash } from 'node:crypto';
import type { AstmMessage } from './astm-message.js';
import type { AstmHandlerReply, AstmMessageHandler } from './astm-lab-handler.js';

export function astmMessageId(message: AstmMessage): string {
  if (message.header.controlId) return message.header.controlId;
  const digest = createHash('sha256').update(message.records.map((r) => JSON.stringify(r.fields)).join('\r')).digest('hex');
  return `astm-${digest.slice(0, 16)}`;
}

export async function deliverAstmMessage(handler: AstmMessageHandler, message: AstmMessage, limitMs: number): Promise<AstmHandlerReply> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<AstmHandlerReply>((resolve) => {
    timer = setTimeout(() => resolve({ accepted: false, reason: `not stored within ${limitMs} ms` }), limitMs);
  });
  try {
    return await Promise.race([handler(message, astmMessageId(message)), timeout]);
  } catch (err) {
    return { accepted: false, reason: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
