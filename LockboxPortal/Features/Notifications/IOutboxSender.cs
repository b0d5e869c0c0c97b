namespace LockboxPortal.Features.Notifications;

/// <summary>Sends one claimed outbox message on its channel; throws when it was not delivered, so it is tried again later.</summary>
public interface IOutboxSender
{
    OutboxChannel Channel { get; }

    Task SendAsync(OutboxMessage message, CancellationToken cancellationToken);
}
