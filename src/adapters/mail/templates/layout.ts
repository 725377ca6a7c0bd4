/** What every template needs besides its data. */
export interface TemplateContext {
  /** Where links point: APP_URL, without a trailing slash. */
  readonly appUrl: string;
}

export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for an HTML element or a quoted attribute. */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** A link to one of the service's pages, the token in the fragment (never sent to a server or logged by proxies). */
export const tokenLink = (
  context: TemplateContext,
  page: 'verify-email' | 'reset-password',
  token: string,
): string => `${context.appUrl}/${page}#token=${encodeURIComponent(token)}`;

/**
 * The HTML part: paragraphs of escaped text and at most one button-like link, inline styles only
 * (mail clients drop style sheets).
 */
export function htmlMail(
  title: string,
  paragraphs: readonly string[],
  link?: { readonly href: string; readonly label: string },
): string {
  const body = paragraphs.map((p) => `<p style="margin:0 0 16px">${escapeHtml(p)}</p>`).join('\n');
  const button =
    link === undefined
      ? ''
      : `<p style="margin:0 0 16px"><a href="${escapeHtml(link.href)}" style="display:inline-block;padding:10px 16px;background:#1a56db;color:#ffffff;text-decoration:none;border-radius:4px">${escapeHtml(link.label)}</a></p>
<p style="margin:0 0 16px;font-size:12px;color:#555555">${escapeHtml(link.href)}</p>`;
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#111111">
${body}
${button}
</body>
</html>
`;
}

/** A mail whose point is one link: greeting lines, the link, and a line after it, in both parts. */
export function linkMail(
  subject: string,
  lines: readonly string[],
  link: { readonly href: string; readonly label: string },
  after: string,
): RenderedMail {
  return {
    subject,
    text: `${lines.join('\n\n')}\n\n${link.href}\n\n${after}\n`,
    html: htmlMail(subject, [...lines, after], link),
  };
}
