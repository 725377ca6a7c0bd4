import { expect } from 'chai';
import { renderMail } from '../../../../src/adapters/mail/templates/index.js';
import type { Mail } from '../../../../src/application/ports/outbox.js';

const context = { appUrl: 'https://app.example.com' };

describe('mail templates', () => {
  const kinds: Mail[] = [
    {
      kind: 'verify_email',
      to: 'ada@example.com',
      userId: 7,
      data: { username: 'ada', token: 'tok_1-2' },
    },
    {
      kind: 'email_changed',
      to: 'old@example.com',
      userId: 7,
      data: { username: 'ada', newEmail: 'new@example.com' },
    },
    {
      kind: 'password_reset',
      to: 'ada@example.com',
      userId: 7,
      data: { username: 'ada', token: 'tok_3-4' },
    },
    { kind: 'password_changed', to: 'ada@example.com', userId: 7, data: { username: 'ada' } },
  ];

  it('renders every kind to its recipient with a subject, a text part and an HTML part', () => {
    for (const mail of kinds) {
      const message = renderMail(mail, context);
      expect(message.to, mail.kind).to.equal(mail.to);
      expect(message.subject, mail.kind).to.not.equal('');
      expect(message.text, mail.kind).to.contain('Hello ada,');
      expect(message.html, mail.kind).to.match(/^<!doctype html>/);
      expect(message.html, mail.kind).to.contain('Hello ada,');
    }
  });

  it('builds links from APP_URL with the token in the fragment, in both parts', () => {
    const verify = renderMail(kinds[0]!, context);
    expect(verify.text).to.contain('https://app.example.com/verify-email#token=tok_1-2');
    expect(verify.html).to.contain('href="https://app.example.com/verify-email#token=tok_1-2"');
    const reset = renderMail(kinds[2]!, context);
    expect(reset.text).to.contain('https://app.example.com/reset-password#token=tok_3-4');
    expect(reset.html).to.contain('href="https://app.example.com/reset-password#token=tok_3-4"');
  });

  it('escapes what comes from users in the HTML part, and leaves the text part as written', () => {
    const hostile = '<script>alert("x")</script>&\'';
    const message = renderMail(
      {
        kind: 'email_changed',
        to: 'old@example.com',
        userId: 7,
        data: { username: hostile, newEmail: 'a"b@example.com' },
      },
      context,
    );
    expect(message.html).to.not.contain('<script>');
    expect(message.html).to.contain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    expect(message.html).to.contain('a&quot;b@example.com');
    expect(message.text).to.contain(hostile);
  });
});
