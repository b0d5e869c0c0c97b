using System.Text.Json;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using LockboxPortal.Features.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LockboxPortal.Features.Webhooks;

/// <summary>
/// Inside the operation's transaction, on its context: one outbox row per enabled endpoint that hears the event (the
/// tenant's own and the provider's), with the body already composed for the endpoint's kind. The row's id is the
/// <c>webhook-id</c>, the same on every attempt.
/// </summary>
public sealed class WebhookPlanner(IOptions<PortalSettings> portal, TimeProvider time)
{
    public async Task PlanAsync(LockboxDbContext db, OutboundMessage message, CancellationToken cancellationToken)
    {
        if (!WebhookEvents.All.Contains(message.Type))
        {
            return;
        }

        var endpoints = await db.Set<WebhookEndpoint>().AsNoTracking()
            .Where(e => (e.TenantId == message.TenantId || e.TenantId == null) && e.DisabledAt == null)
            .ToListAsync(cancellationToken);
        var hearing = endpoints.Where(e => e.Hears(message.Type)).ToList();
        if (hearing.Count == 0)
        {
            return;
        }

        if (message.Type == WebhookPayloads.AuditCheckpoint)
        {
            // The tenant's own endpoints only: the checkpoint is the tenant's copy of its trail's head.
            var name = await db.Tenants.Where(t => t.Id == message.TenantId).Select(t => t.Name).SingleAsync(cancellationToken);
            foreach (var endpoint in hearing.Where(e => e.TenantId == message.TenantId))
            {
                db.Add(new OutboxMessage(Guid.NewGuid(), OutboxChannel.Webhook, message.Type, message.TenantId, message.SubjectId, endpoint.Id.ToString(),
                    WebhookPayloads.ComposeCheckpoint(endpoint.Kind, time.GetUtcNow(), message.TenantId, name, message.PayloadJson, portal.Value.LinkTo("/audit")),
                    time.GetUtcNow()));
            }

            return;
        }

        var change = JsonSerializer.Deserialize<RequestEvent>(message.PayloadJson, JsonSerializerOptions.Web)!;
        var request = await db.AccessRequests.FindAsync([change.RequestId], cancellationToken)
            ?? throw new InvalidOperationException($"Request {change.RequestId} is not in this operation.");
        var tenantName = await db.Tenants.Where(t => t.Id == request.TenantId).Select(t => t.Name).SingleAsync(cancellationToken);
        var facts = new WebhookPayloads.Facts(message.Type, change.At, request, tenantName, change.ActorName, portal.Value.LinkTo($"/requests/{request.Id}"));
        foreach (var endpoint in hearing)
        {
            db.Add(new OutboxMessage(Guid.NewGuid(), OutboxChannel.Webhook, message.Type, message.TenantId, message.SubjectId,
                endpoint.Id.ToString(), WebhookPayloads.Compose(endpoint.Kind, facts), change.At));
        }
    }
}
