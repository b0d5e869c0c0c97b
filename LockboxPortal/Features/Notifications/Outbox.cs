using LockboxPortal.Data;

namespace LockboxPortal.Features.Notifications;

/// <summary>
/// The outbound-message seam's implementation (docs/decisions/0008): each message an operation hands over becomes
/// outbox rows on the operation's own context, so they commit or roll back with the change. Nothing is sent here;
/// the <see cref="OutboxDispatcher"/> sends later, outside any operation, so filing or deciding never waits for a
/// mail server.
/// </summary>
public sealed class Outbox(EmailNotices email) : IOutboundMessages
{
    public Task HandOffAsync(LockboxDbContext db, OutboundMessage message, CancellationToken cancellationToken) =>
        email.PlanAsync(db, message, cancellationToken);
}
