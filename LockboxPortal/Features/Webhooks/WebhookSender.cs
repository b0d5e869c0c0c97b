using System.Net.Http.Headers;
using System.Text;
using LockboxPortal.Data;
using LockboxPortal.Features.Audit;
using LockboxPortal.Features.Notifications;
using LockboxPortal.Features.Tenants;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Polly.Timeout;
using StandardWebhooks;

namespace LockboxPortal.Features.Webhooks;

/// <summary>
/// Delivers one claimed outbox message to its endpoint, signed per Standard Webhooks (<c>webhook-id</c> = the outbox
/// id, <c>webhook-timestamp</c> = now, <c>webhook-signature</c> by the StandardWebhooks package), and records the
/// attempt in the delivery log. Anything but a 2xx answer throws, so the outbox tries again with its backoff; the
/// <see cref="WebhookEndpoint.FailureLimit"/>th failure in a row disables the endpoint, records it in the trail and
/// emails its owners (the tenant's security officers, or the provider's admins).
/// </summary>
/// <remarks>
/// Retries come in two layers. Inside one attempt, the <c>webhooks</c> client's resilience pipeline
/// (<see cref="WebhookTries"/>) tries a transient failure again within seconds; every try is a row in the delivery log.
/// Between attempts, the outbox's backoff waits minutes to an hour: those retries survive a restart, move to another
/// node with the lease, and follow the <see cref="TimeProvider"/> like the quick ones.
/// </remarks>
public sealed class WebhookSender(
    IDbContextFactory<LockboxDbContext> dbFactory,
    LockboxTransactions transactions,
    IHttpClientFactory http,
    IDataProtectionProvider dataProtection,
    AuditWriter audit,
    IOptions<EmailSettings> email,
    IOptions<PortalSettings> portal,
    TimeProvider time,
    ILogger<WebhookSender> logger) : IOutboxSender
{
    public const string HttpClientName = "webhooks";
    public const string DisabledNotice = "Webhook.Disabled";

    public OutboxChannel Channel => OutboxChannel.Webhook;

    public async Task SendAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        WebhookEndpoint? endpoint;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var endpointId = Guid.Parse(message.Recipient);
            endpoint = await db.Set<WebhookEndpoint>().AsNoTracking().SingleOrDefaultAsync(e => e.Id == endpointId, cancellationToken);
        }

        if (endpoint is null)
        {
            throw new InvalidOperationException("The webhook endpoint was removed.");
        }

        if (!endpoint.IsEnabled)
        {
            throw new InvalidOperationException("The webhook endpoint is disabled; the message waits until it is enabled again.");
        }

        var secret = WebhookSecrets.Unprotect(dataProtection, endpoint.ProtectedSecret);
        var sentAt = time.GetUtcNow();
        using var post = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
        {
            Content = new StringContent(message.Content, Encoding.UTF8, "application/json"),
        };
        post.Headers.Add("webhook-id", message.Id.ToString());
        post.Headers.Add("webhook-timestamp", sentAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        post.Headers.Add("webhook-signature", new StandardWebhook(secret).Sign(message.Id.ToString(), sentAt, message.Content));
        post.Headers.UserAgent.Add(new ProductInfoHeaderValue("LockboxPortal", "1.0"));

        int? status = null;
        string? answer = null;
        string? error = null;
        var (tries, context) = WebhookTries.Track(post, time, cancellationToken);
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(post, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            status = (int)response.StatusCode;
            answer = await WebhookTries.SnippetAsync(response, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                error = $"The endpoint answered {status}.";
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or TimeoutRejectedException && !cancellationToken.IsCancellationRequested)
        {
            error = WebhookTries.Describe(ex);
        }
        finally
        {
            WebhookTries.Return(context);
        }

        await RecordAsync(endpoint, message, [.. tries.Failed, new WebhookTry(tries.NextAt, status, answer, error)]);
        if (error is not null)
        {
            throw new HttpRequestException(error);
        }
    }

    /// <summary>
    /// A log row per try, and the endpoint's count of failed attempts in a row (an attempt fails when its last try
    /// does); at the limit, disabling it in one transaction with its trail entry and emails.
    /// </summary>
    private Task RecordAsync(WebhookEndpoint endpoint, OutboxMessage message, IReadOnlyList<WebhookTry> tries) =>
        transactions.RunAsync(async db =>
        {
            for (var n = 0; n < tries.Count; n++)
            {
                var attempt = tries[n];
                db.Add(new WebhookDelivery(endpoint.Id, message.Id, message.Type, message.Attempts + 1, n + 1, attempt.At, attempt.StatusCode, attempt.Answer, attempt.Error));
            }

            var (at, error) = (tries[^1].At, tries[^1].Error);
            var current = await db.Set<WebhookEndpoint>().SingleOrDefaultAsync(e => e.Id == endpoint.Id, CancellationToken.None);
            if (current is null)
            {
                return;
            }

            if (error is null)
            {
                current.CountsSuccess();
            }
            else if (current.CountsFailure())
            {
                var reason = $"{WebhookEndpoint.FailureLimit} deliveries in a row failed; the last: {error}";
                current.Disable(reason, at);
                logger.LogWarning("Webhook endpoint {Id} disabled: {Reason}", current.Id, reason);
                await audit.AppendAsync(db, new AuditRecord(
                    AuditEventType.Webhook_EndpointDisabled, Actor.System, current.TenantId, WebhookResource.Subject, current.Id.ToString(),
                    AuditRecord.Details(new { current.Url, Kind = current.Kind.ToString(), Reason = reason })), CancellationToken.None);
                await TellOwnersAsync(db, current, reason, at);
            }
        }, CancellationToken.None);

    private async Task TellOwnersAsync(LockboxDbContext db, WebhookEndpoint endpoint, string reason, DateTimeOffset now)
    {
        if (!email.Value.Enabled)
        {
            return;
        }

        var role = endpoint.TenantId is null ? PortalRole.ProviderAdmin : PortalRole.SecurityOfficer;
        var owners = await (from m in db.Memberships
                            join u in db.Users on m.UserId equals u.Id
                            where m.TenantId == endpoint.TenantId && m.Role == role && u.IsActive && u.Email != null
                            select u).AsNoTracking().Distinct().ToListAsync(CancellationToken.None);
        var owner = endpoint.TenantId is { } tenantId
            ? await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Name).SingleAsync(CancellationToken.None)
            : "the provider";
        foreach (var person in owners)
        {
            var content = EmailContent.Compose(person.Email!, person.DisplayName, $"A webhook endpoint of {owner} was disabled",
                $"LockboxPortal stopped sending events to a webhook endpoint of {owner}, because its deliveries kept failing. Enable it again on the webhooks page once the receiver works.",
                [("Endpoint", endpoint.Url), ("Kind", endpoint.Kind.ToString()), ("Disabled at", EmailContent.Time(now)), ("Reason", reason)],
                portal.Value.LinkTo($"/webhooks/{endpoint.Id}"));
            db.Add(new OutboxMessage(Guid.NewGuid(), OutboxChannel.Email, DisabledNotice, endpoint.TenantId, endpoint.Id.ToString(), person.Email!, content.ToJson(), now));
        }
    }
}
