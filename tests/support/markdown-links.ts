/**
 * The links of the repository's Markdown files: what they point at, and whether it is there.
 * Code (fenced blocks and inline spans) is not prose, so links inside it are not links.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export interface MarkdownLink {
  readonly file: string;
  readonly line: number;
  readonly target: string;
}

/** Folders that hold no documentation of the project's own (.tools: Node releases of scripts/node.sh). */
const SKIPPED = new Set(['node_modules', 'dist', '.git', '.tools', 'data', 'test-artifacts']);

export function markdownFiles(root: string, dir = root): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return SKIPPED.has(name) ? [] : markdownFiles(root, path);
      return name.endsWith('.md') ? [path] : [];
    })
    .sort();
}

/** The text with code blocks and code spans blanked, line breaks kept so line numbers hold. */
function prose(text: string): string {
  const fenced = text.replace(
    /^ {0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^ {0,3}\1[^\n]*$|(?![\s\S]))/gm,
    (block) => block.replace(/[^\n]/g, ' '),
  );
  return fenced.replace(/(`+)[^`][\s\S]*?\1/g, (span) => span.replace(/[^\n]/g, ' '));
}

export function linksOf(file: string, text: string): MarkdownLink[] {
  const found: MarkdownLink[] = [];
  const body = prose(text);
  const lineAt = (index: number) => body.slice(0, index).split('\n').length;
  const patterns = [
    /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g, // [text](target "title")
    /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm, // [label]: target
    /<((?:https?|ftp|mailto):[^>\s]+)>/g, // <https://...>
    /(?<![(<\w])((?:https?|ftp):\/\/[^\s)<>]*[^\s)<>.,;:!?'"])/g, // a bare URL, which renderers turn into a link
  ];
  for (const pattern of patterns) {
    for (const match of body.matchAll(pattern))
      found.push({ file, line: lineAt(match.index), target: match[1]! });
  }
  return found;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

export function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of prose(text).matchAll(/^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(
      text
        .slice(match.index)
        .split('\n')[0]!
        .replace(/^ {0,3}#{1,6}\s+/, '')
        .replace(/\s*#*\s*$/, ''),
    );
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

const LOCAL = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/;

/** What is wrong with a link, or undefined when it points at something in the repository. */
export function problemOf(root: string, link: MarkdownLink): string | undefined {
  const { target } = link;
  if (/^[a-z][a-z0-9+.-]*:/i.test(target))
    return LOCAL.test(target) ? undefined : 'leaves the repository';
  const [pathPart = '', anchor] = target.split('#', 2);
  const path = decodeURIComponent(pathPart);
  const resolved =
    path === ''
      ? link.file
      : path.startsWith('/')
        ? join(root, path)
        : resolve(dirname(link.file), path);
  const inside = relative(root, resolved);
  if (inside.startsWith(`..${sep}`) || inside === '..') return 'leaves the repository';
  if (!existsSync(resolved)) return 'points at no file';
  if (anchor !== undefined && anchor !== '') {
    if (!resolved.endsWith('.md')) return undefined;
    if (!anchorsOf(readFileSync(resolved, 'utf8')).has(anchor))
      return `points at no heading #${anchor}`;
  }
  return undefined;
}
