/**
 * Finding action items in channel messages, deterministically (no model call): checkbox lines,
 * labelled lines (TODO:, Action item:, Follow-up:), and commitments or requests ("we need to …",
 * "@someone will …", "can someone …"). Each line yields at most one item; priority and category come
 * from keywords, the assignee from a user mention in the line.
 */
import type { ActionItemPriority } from '../../db/schema.js';

export interface SweptMessage {
  id: string;
  channel_id: string;
  author_id: string;
  author_name: string;
  author_bot: boolean;
  content: string;
  created_at: string;
}

export interface FoundItem {
  /** `<message id>:<line index>`: the same line found twice is one item. */
  source_key: string;
  channel_id: string;
  text: string;
  priority: ActionItemPriority;
  category: string;
  assigned_to: string | null;
  message: SweptMessage;
}

const LABELLED = /^(?:todo|to-do|action(?:\s+item)?|ai|task|follow[- ]?up|next step)\s*[:\-–]\s*(.+)$/i;
const CHECKBOX = /^\[\s?\]\s+(.+)$/;
const COMMITMENT = /(?:\b(?:we|i|you|someone|somebody)|<@!?\d+>|@\w+)(?:\s+(?:need|needs|have|has|must|should|will)\s+|'ll\s+)(?:to\s+)?\w/i;
const REQUEST = /^(?:please|pls|can (?:you|someone|somebody)|could (?:you|someone|somebody)|remember to|don't forget to|dont forget to)\b/i;
const MENTION = /<@!?(\d{17,20})>/;
const MAX_TEXT = 500;

const HIGH = /\b(?:urgent|asap|critical|blocker|blocking|immediately|high priority|today|eod)\b|!!/i;
const LOW = /\b(?:low priority|someday|whenever|nice to have|eventually|no rush|not urgent)\b/i;

const CATEGORIES: ReadonlyArray<[string, RegExp]> = [
  ['meeting', /\b(?:meeting|call|sync|agenda|standup|stand-up|minutes|calendar|schedule)\b/i],
  ['bug', /\b(?:bug|crash|error|broken|regression|fix|exception)\b/i],
  ['project', /\b(?:deploy|release|project|feature|launch|milestone|roadmap|proposal|ship)\b/i],
];

function priorityOf(line: string): ActionItemPriority {
  if (HIGH.test(line)) return 'high';
  if (LOW.test(line)) return 'low';
  return 'medium';
}

function categoryOf(line: string): string {
  return CATEGORIES.find(([, re]) => re.test(line))?.[0] ?? 'general';
}

/** The item's text for a line, or null when the line asks nothing of anyone. */
export function actionText(rawLine: string): string | null {
  const line = rawLine.trim().replace(/^(?:[-*•]|\d+[.)])\s+/, '').trim();
  if (line.length < 4) return null;
  const labelled = LABELLED.exec(line) ?? CHECKBOX.exec(line);
  const text = labelled ? labelled[1]!.trim() : COMMITMENT.test(line) || REQUEST.test(line) ? line : null;
  if (!text || text.length < 3) return null;
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}

export function extractActionItems(messages: readonly SweptMessage[]): FoundItem[] {
  const out: FoundItem[] = [];
  for (const message of messages) {
    if (message.author_bot || !message.content) continue;
    const lines = message.content.split(/\r?\n/);
    // Code blocks hold code, not requests.
    let inCode = false;
    lines.forEach((line, index) => {
      if (line.trim().startsWith('```')) { inCode = !inCode; return; }
      if (inCode) return;
      const text = actionText(line);
      if (!text) return;
      out.push({
        source_key: `${message.id}:${index}`, channel_id: message.channel_id, text,
        priority: priorityOf(line), category: categoryOf(line), assigned_to: MENTION.exec(line)?.[1] ?? null, message,
      });
    });
  }
  return out;
}
