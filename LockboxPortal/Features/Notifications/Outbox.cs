using System.Text.Json;
using LockboxPortal.Data;
using LockboxPortal.Features.AccessRequests;
using Microsoft.EntityFrameworkCore;

namespace LockboxPortal.Features.Notifications;

/// <summary>
/// The outbound-message seam's implementation (docs/decisions/0008): each message an operation hands over becomes
/// outbox rows (emails, and calls to the webhook endpoints that hear it; and, for a request reaching the customer stage, its reminder moments) on the operation's own context,
/// so they commit or roll back with the change. Nothing is sent here; the <see cref="OutboxDispatcher"/> sends later,
/// outside any operation, so filing or deciding never waits for a mail server.
/// </summary>
public sealed class Outbox(EmailNotices email, Webhooks.WebhookPlanner webhooks) : IOutboundMessages
{
    public async Task HandOffAsync(LockboxDbContext db, OutboundMessage message, CancellationToken cancellationToken)
    {
        if (message.Type == "AccessRequest." + RequestEventKind.InternalApproved)
        {
            await ScheduleRemindersAsync(db, JsonSerializer.Deserialize<RequestEvent>(message.PayloadJson, JsonSerializerOptions.Web)!, cancellationToken);
        }

        await email.PlanAsync(db, message, cancellationToken);
        await webhooks.PlanAsync(db, message, cancellationToken);
    }

    private static async Task ScheduleRemindersAsync(LockboxDbContext db, RequestEvent change, CancellationToken cancellationToken)
    {
        var request = await db.AccessRequests.FindAsync([change.RequestId], cancellationToken);
        var remind = await db.Tenants.Where(t => t.Id == change.TenantId).Select(t => t.Policy.RemindApprovers).SingleAsync(cancellationToken);
        if (request is not { Status: RequestStatus.PendingCustomer } || !remind)
        {
            return;
        }

        foreach (var at in RequestReminder.MomentsFor(request.CreatedAt, request.ExpiresAt, change.At))
        {
            db.Add(new RequestReminder(Guid.NewGuid(), request.Id, request.TenantId, at));
        }
    }
}
