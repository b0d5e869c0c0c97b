using System.Text.Json;
using LockboxPortal.Data;

namespace LockboxPortal.Features.Approvers;

public enum DelegationEventKind
{
    Created,
    Revoked,
    Ended,
}

/// <summary>A delegation was made, revoked or ran out; handed to the outbound messages so its delegate hears of it.</summary>
public sealed record DelegationEvent(Guid DelegationId, Guid TenantId, DelegationEventKind Kind, DateTimeOffset At)
{
    public OutboundMessage ToOutboundMessage() =>
        new("Delegation." + Kind, TenantId, DelegationId.ToString(), JsonSerializer.Serialize(this, JsonSerializerOptions.Web));

    public static Task HandOffAsync(IOutboundMessages outbound, LockboxDbContext db, Delegation delegation, DelegationEventKind kind, DateTimeOffset now, CancellationToken cancellationToken) =>
        outbound.HandOffAsync(db, new DelegationEvent(delegation.Id, delegation.TenantId, kind, now).ToOutboundMessage(), cancellationToken);
}
