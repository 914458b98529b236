/**
 * Finds text in src/discord/ (and in the MCP transcript renderers whose output people read) that may
 * reach people without the message catalogue: every string or
 * template literal holding an English word, except where it cannot reach a member (logs, thrown
 * operator errors, job results, imports, comparisons against Discord's own values).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

export interface Literal { file: string; line: number; text: string }

const ROOT = new URL('../../../', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Prose people read: two English words in a row, or one capitalised word ("Close", "Support").
 * Lower-case single words are identifiers (option names, enum values, event names).
 */
const PROSE = /(^|[^\w.:/{-])[A-Za-z]{2,}[,;:!?'’)]* +[A-Za-z]{2,}|^[^\w]*[A-Z][a-z]+[^\w]*$/;

function calleeName(call: ts.CallExpression | ts.NewExpression): string {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return `${ts.isIdentifier(e.expression) ? e.expression.text : ts.isPropertyAccessExpression(e.expression) ? e.expression.name.text : '?'}.${e.name.text}`;
  return '?';
}

/** Places whose text never reaches Discord. */
function harmless(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n) || ts.isTypeNode(n)) return true;
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
      const name = calleeName(n);
      // Logs (operators read them), errors of our own code paths (job failures, logged and retried).
      if (/(^|\.)(logger|log)\.|^logger\./.test(`${name}.`) || /\.(info|warn|error|debug|trace|fatal)$/.test(name)) return true;
      if (['Error', 'PermanentJobError', 'TypeError'].includes(name)) return true;
      // Message keys, object keys and Discord routes.
      if (name === 't' || name === 'tl' || name === 'tr' || name === 'answerIn' || name === 'fail' || name === 'say' || name.startsWith('Routes.')) return true;
      // zod schemas describe the payloads we parse.
      if (name.startsWith('z.') || name.endsWith('.describe')) return true;
      // Progress of a long operation (guild sync) goes to the MCP client that started it, not to Discord.
      if (name === 'progress' || name === 'report') return true;
    }
    // A job's result is recorded on the job row (for operators), never posted.
    if (ts.isPropertyAssignment(n) && ts.isIdentifier(n.name) && ['skipped', 'reason', 'why'].includes(n.name.text)) return true;
    if (ts.isBinaryExpression(n) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(n.operatorToken.kind)) return true;
    if (ts.isCaseClause(n) && n.expression === node) return true;
    if (ts.isElementAccessExpression(n)) return true;
  }
  return false;
}

/** The transcript renderers of the MCP face whose output people read (JSON is for programs). */
const PEOPLE_RENDERERS = ['src/mcp/transcript/markdown.ts', 'src/mcp/transcript/html.ts', 'src/mcp/transcript/types.ts'];

export function scanDiscordLiterals(): Literal[] {
  return [
    ...files(join(ROOT, 'src/discord')).flatMap((path) => scanSource(relative(ROOT, path), readFileSync(path, 'utf8'))),
    ...PEOPLE_RENDERERS.map((f) => join(ROOT, f)).flatMap((path) => scanSource(relative(ROOT, path), readFileSync(path, 'utf8'), { markup: path.endsWith('html.ts') })),
  ];
}

/** HTML tags and their attributes are markup, not prose: only the text between them is read. */
const withoutMarkup = (text: string) => text.replace(/<[^>]*>/g, ' ');

/** The prose literals of one TypeScript source outside harmless places. */
export function scanSource(file: string, text: string, opts: { markup?: boolean } = {}): Literal[] {
  const out: Literal[] = [];
  {
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node) => {
      let text: string | null = null;
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) text = node.text;
      else if (ts.isTemplateExpression(node)) text = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join('${…}');
      if (text !== null && PROSE.test(opts.markup ? withoutMarkup(text) : text) && !harmless(node)) {
        out.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, text });
      }
      if (!ts.isTemplateExpression(node)) ts.forEachChild(node, visit);
      else node.templateSpans.forEach((s) => ts.forEachChild(s.expression, visit));
    };
    visit(source);
  }
  return out;
}
