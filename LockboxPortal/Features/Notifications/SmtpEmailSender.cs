using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace LockboxPortal.Features.Notifications;

/// <summary>Sends an outbox email through MailKit with the <c>Email:Smtp:*</c> settings: plain text and HTML, multipart/alternative.</summary>
public sealed class SmtpEmailSender(IOptionsMonitor<EmailSettings> settings) : IOutboxSender
{
    public OutboxChannel Channel => OutboxChannel.Email;

    public async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var current = settings.CurrentValue;
        if (!current.Enabled)
        {
            throw new InvalidOperationException("Email:Smtp:Host is empty; the email waits until it is set.");
        }

        var content = EmailContent.FromJson(message.Content);
        var mime = new MimeMessage
        {
            // The outbox id, stable across attempts and nodes: a receiver that gets it twice can tell.
            MessageId = $"{message.Id:N}@lockboxportal",
            Subject = content.Subject,
            Date = message.CreatedAt,
            Body = new BodyBuilder { TextBody = content.Text, HtmlBody = content.Html }.ToMessageBody(),
        };
        mime.From.Add(MailboxAddress.Parse(current.From));
        mime.To.Add(new MailboxAddress(content.ToName, content.To));
        mime.Headers.Add("X-Lockbox-Event", message.Type);

        using var client = new SmtpClient { Timeout = 30_000 };
        var security = current.Smtp.Security switch
        {
            SmtpSecurity.None => SecureSocketOptions.None,
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTls,
        };
        await client.ConnectAsync(current.Smtp.Host!, current.Smtp.EffectivePort, security, cancellationToken);
        if (!string.IsNullOrEmpty(current.Smtp.UserName))
        {
            await client.AuthenticateAsync(current.Smtp.UserName, current.Smtp.Password ?? "", cancellationToken);
        }

        await client.SendAsync(mime, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }
}
