// Reading request bodies: JSON, or multipart/form-data with files[n] + payload_json (how
// discord.js sends attachments). Size-capped; malformed input becomes a Discord 4xx.
import type { IncomingMessage } from 'node:http';
import { DiscordError, invalidJson, tooLarge } from './errors.js';
import type { UploadedFile } from './router.js';

export const MAX_BODY_BYTES = 26 * 1024 * 1024;

export async function readRaw(req: IncomingMessage): Promise<Buffer> {
  // No body announced (typical GET/DELETE): skip the stream machinery.
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
    req.resume();
    return Buffer.alloc(0);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

export interface ParsedBody {
  body: unknown;
  files: UploadedFile[];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidJson();
  }
}

export async function parseBody(req: IncomingMessage, raw: Buffer): Promise<ParsedBody> {
  if (raw.length === 0) return { body: undefined, files: [] };
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await new Request('http://sandbox.local/', {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? '' },
        body: raw,
      }).formData();
    } catch {
      throw new DiscordError(400, 50035, 'Invalid Form Body');
    }
    let body: unknown = {};
    const files: UploadedFile[] = [];
    let auto = 0;
    for (const [field, value] of form.entries()) {
      if (field === 'payload_json' && typeof value === 'string') {
        body = parseJson(value);
      } else if (typeof value !== 'string') {
        const m = /^files?\[(\d+)\]$/.exec(field);
        const index = m ? Number(m[1]) : auto;
        auto = Math.max(auto, index + 1);
        files.push({
          field,
          index,
          filename: value.name || `file${index}`,
          contentType: value.type || 'application/octet-stream',
          data: Buffer.from(await value.arrayBuffer()),
        });
      } else if (body && typeof body === 'object' && !Array.isArray(body)) {
        (body as Record<string, unknown>)[field] = value;
      }
    }
    return { body, files };
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return { body: Object.fromEntries(new URLSearchParams(raw.toString('utf8'))), files: [] };
  }
  return { body: parseJson(raw.toString('utf8')), files: [] };
}
