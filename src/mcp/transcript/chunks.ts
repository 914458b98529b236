/** Collects small strings into ~64 KB chunks: renderers yield few large pieces, never a whole document. */
export class Chunker {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly limit = 64 * 1024) {}
  /** Adds text; returns a full chunk when one is ready. */
  push(text: string): string | undefined {
    this.parts.push(text);
    this.size += text.length;
    return this.size >= this.limit ? this.take() : undefined;
  }
  take(): string | undefined {
    if (this.size === 0) return undefined;
    const out = this.parts.join('');
    this.parts = [];
    this.size = 0;
    return out;
  }
}

/** Joins a rendered stream (for protocols that need one string, like an MCP resource read). */
export async function collect(chunks: AsyncIterable<string>): Promise<string> {
  const parts: string[] = [];
  for await (const c of chunks) parts.push(c);
  return parts.join('');
}
