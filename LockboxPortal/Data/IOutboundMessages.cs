namespace LockboxPortal.Data;

/// <summary>
/// A message for the world outside (an email to a person, a call to a tenant's webhook) about something an operation
/// did: what happened (<see cref="Type"/>), in which tenant, to what, and the facts as JSON, which an outbox stores as
/// they are and a sender reads.
/// </summary>
public sealed record OutboundMessage(string Type, Guid TenantId, string SubjectId, string PayloadJson);

/// <summary>
/// Where an operation hands the messages that are to leave the system. It is called inside the operation's
/// transaction, on its context, so that an outbox writes the message with the change or not at all: a rolled-back
/// operation sends nothing, and a committed one is not lost by a crash before sending. Sending happens later,
/// outside the transaction. The implementation is the outbox (<c>Features/Notifications/Outbox</c>), chosen in
/// <c>Hosting/LockboxSeams.cs</c>.
/// </summary>
public interface IOutboundMessages
{
    Task HandOffAsync(LockboxDbContext db, OutboundMessage message, CancellationToken cancellationToken);
}
