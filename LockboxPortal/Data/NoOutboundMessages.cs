namespace LockboxPortal.Data;

/// <summary>
/// No channel leaves the system yet (no email, no webhooks), so messages handed over are dropped here, and the log
/// says so at debug level for whoever wonders why nothing arrived.
/// </summary>
public sealed class NoOutboundMessages(ILogger<NoOutboundMessages> logger) : IOutboundMessages
{
    public Task HandOffAsync(LockboxDbContext db, OutboundMessage message, CancellationToken cancellationToken)
    {
        logger.LogDebug("No outbound channel is configured; {Type} for {SubjectId} is not sent.", message.Type, message.SubjectId);
        return Task.CompletedTask;
    }
}
