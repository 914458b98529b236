// Discord-shaped errors. Every failure the sandbox reports goes through DiscordError so the
// status, JSON code and message match what discord.js (DiscordAPIError) sees from Discord.

export interface FieldError {
  code: string;
  message: string;
}

/** Nested `{field: {0: {sub: {_errors: [...]}}}}` as in Discord's 50035 bodies. */
export interface ErrorTree {
  _errors?: FieldError[];
  [key: string]: ErrorTree | FieldError[] | undefined;
}

export class DiscordError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: ErrorTree,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    const b: Record<string, unknown> = { message: this.message, code: this.code };
    if (this.errors) b.errors = this.errors;
    return b;
  }
}

export const unauthorized = (): DiscordError => new DiscordError(401, 0, '401: Unauthorized');
export const notFound = (): DiscordError => new DiscordError(404, 0, '404: Not Found');
export const methodNotAllowed = (): DiscordError => new DiscordError(405, 0, '405: Method Not Allowed');

export const unknownChannel = (): DiscordError => new DiscordError(404, 10003, 'Unknown Channel');
export const unknownGuild = (): DiscordError => new DiscordError(404, 10004, 'Unknown Guild');
export const unknownMember = (): DiscordError => new DiscordError(404, 10007, 'Unknown Member');
export const unknownMessage = (): DiscordError => new DiscordError(404, 10008, 'Unknown Message');
export const unknownOverwrite = (): DiscordError => new DiscordError(404, 10009, 'Unknown Overwrite');
export const unknownRole = (): DiscordError => new DiscordError(404, 10011, 'Unknown Role');
export const unknownUser = (): DiscordError => new DiscordError(404, 10013, 'Unknown User');
export const unknownEmoji = (): DiscordError => new DiscordError(404, 10014, 'Unknown Emoji');
export const unknownWebhook = (): DiscordError => new DiscordError(404, 10015, 'Unknown Webhook');
export const unknownCommand = (): DiscordError => new DiscordError(404, 10063, 'Unknown application command');
export const unknownApplication = (): DiscordError => new DiscordError(404, 10002, 'Unknown Application');
export const unknownInteraction = (): DiscordError => new DiscordError(404, 10062, 'Unknown interaction');
export const alreadyAcknowledged = (): DiscordError =>
  new DiscordError(400, 40060, 'Interaction has already been acknowledged.');
export const missingAccess = (): DiscordError => new DiscordError(403, 50001, 'Missing Access');
export const missingPermissions = (): DiscordError => new DiscordError(403, 50013, 'Missing Permissions');
export const cannotMessageUser = (): DiscordError =>
  new DiscordError(403, 50007, 'Cannot send messages to this user');
export const emptyMessage = (): DiscordError => new DiscordError(400, 50006, 'Cannot send an empty message');
export const cannotEditOthers = (): DiscordError =>
  new DiscordError(403, 50005, 'Cannot edit a message authored by another user');
export const wrongChannelType = (): DiscordError =>
  new DiscordError(400, 50024, 'Cannot execute action on this channel type');
export const threadArchived = (): DiscordError =>
  new DiscordError(400, 50083, 'Thread is archived');
export const threadLocked = (): DiscordError =>
  new DiscordError(403, 50013, 'Missing Permissions');
export const maxGuildChannels = (): DiscordError =>
  new DiscordError(400, 30013, 'Maximum number of guild channels reached (500)');
export const maxActiveThreads = (): DiscordError =>
  new DiscordError(400, 160006, 'Maximum number of active threads reached');
export const maxWebhooks = (): DiscordError =>
  new DiscordError(400, 30007, 'Maximum number of webhooks reached (15)');
export const maxGuildCommands = (): DiscordError =>
  new DiscordError(400, 30032, 'Maximum number of application commands reached (100)');
export const tooLarge = (): DiscordError => new DiscordError(413, 40005, 'Request entity too large');
export const invalidJson = (): DiscordError =>
  new DiscordError(400, 50109, 'The request body contains invalid JSON.');
export const invalidFormBodyCode = 50035;

/** A 50035 with one field error at `path` (e.g. ['parent_id'] or ['embeds', 0, 'title']). */
export function fieldError(path: readonly (string | number)[], code: string, message: string): DiscordError {
  const tree: ErrorTree = {};
  addFieldError(tree, path, { code, message });
  return new DiscordError(400, invalidFormBodyCode, 'Invalid Form Body', tree);
}

export function addFieldError(tree: ErrorTree, path: readonly (string | number)[], err: FieldError): void {
  let node: ErrorTree = tree;
  for (const key of path) {
    const k = String(key);
    const next = node[k];
    if (next && !Array.isArray(next)) {
      node = next;
    } else {
      const created: ErrorTree = {};
      node[k] = created;
      node = created;
    }
  }
  (node._errors ??= []).push(err);
}
